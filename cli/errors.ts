import { ApiError, TransportError } from './client/index.js';
import { ConfigError, UnknownContextError } from './config/index.js';

/** Exit codes, as gh and oclif use them (documented in `cortexctl --help`). */
export const EXIT = { ok: 0, failure: 1, usage: 2, auth: 4 } as const;

/** A mistake in how the command was called (bad flag value, missing tenant, refused confirmation). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the command detected itself, with a chosen exit code (e.g. lint findings). */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

export interface DescribedError {
  exitCode: number;
  /** One-line message for humans (stderr). */
  message: string;
  /** Machine-readable envelope for `-o json`. */
  json: { error: { kind: string; id?: string; message: string; status?: number; request?: string } };
}

/** Maps any error a command throws to an exit code and the message shown to the user. */
export function describeError(err: unknown): DescribedError {
  if (err instanceof ApiError) {
    const request = `${err.method} ${err.path}`;
    const hint = err.status === 401 ? ' (check --token, CORTEXCTL_TOKEN or the context token)' : '';
    return {
      exitCode: err.isAuth ? EXIT.auth : EXIT.failure,
      message: `${err.message}${hint} [${err.status} ${err.kind}: ${request}]`,
      json: {
        error: {
          kind: err.kind,
          ...(err.errorId ? { id: err.errorId } : {}),
          message: err.message,
          status: err.status,
          request,
        },
      },
    };
  }
  if (err instanceof TransportError) {
    const request = `${err.method} ${err.url}`;
    return {
      exitCode: EXIT.failure,
      message: `${err.message} [${request}]`,
      json: { error: { kind: 'unavailable', message: err.message, request } },
    };
  }
  if (err instanceof UsageError || err instanceof UnknownContextError) {
    return { exitCode: EXIT.usage, message: err.message, json: { error: { kind: 'usage', message: err.message } } };
  }
  if (err instanceof CommandFailure) {
    return { exitCode: err.exitCode, message: err.message, json: { error: { kind: 'failed', message: err.message } } };
  }
  if (err instanceof ConfigError) {
    return { exitCode: EXIT.failure, message: err.message, json: { error: { kind: 'config', message: err.message } } };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { exitCode: EXIT.failure, message, json: { error: { kind: 'internal', message } } };
}
