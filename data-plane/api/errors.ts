import { CortexError, type ErrorKind } from '../model/index.js';

/**
 * The data plane's one table from error kind to HTTP status. The first six match Prometheus's
 * `getDefaultErrorCode` (web/api/v1/api.go); the rest are ours (style.md §4.4).
 */
const STATUS: Readonly<Record<ErrorKind, number>> = {
  bad_data: 400,
  execution: 422,
  canceled: 499,
  timeout: 503,
  not_found: 404,
  internal: 500,
  unavailable: 503,
  limit_exceeded: 429,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
};

export function statusOf(err: unknown): number {
  return err instanceof CortexError ? STATUS[err.kind] : 500;
}

export function kindOf(err: unknown): ErrorKind {
  return err instanceof CortexError ? err.kind : 'internal';
}

/** The message a client may see: never an internal one (5xx bodies do not echo internals). */
export function publicMessage(err: unknown): string {
  if (err instanceof CortexError && err.kind !== 'internal') return err.message;
  return 'internal server error';
}

/** Prometheus's error envelope: `{"status":"error","errorType":…,"error":…}`. */
export function prometheusErrorBody(err: unknown): { status: 'error'; errorType: string; error: string } {
  return { status: 'error', errorType: kindOf(err), error: publicMessage(err) };
}
