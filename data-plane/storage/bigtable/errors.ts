import { CanceledError, CortexError, InternalError, UnavailableError } from '../../model/index.js';

/** gRPC status codes that mean "try again later" (the client's own retryable set plus INTERNAL). */
const RETRYABLE = new Set([4, 8, 10, 13, 14]);
const CANCELLED = 1;
export const NOT_FOUND = 5;
export const ALREADY_EXISTS = 6;

/** The gRPC status code of a client error, including the first of a PartialFailureError's items. */
export function grpcCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; errors?: { code?: unknown; error?: { code?: unknown } }[] };
  if (typeof e?.code === 'number') return e.code;
  const first = e?.errors?.[0];
  const c = first?.code ?? first?.error?.code;
  return typeof c === 'number' ? c : undefined;
}

/** Maps a Bigtable client error to the platform's error kinds; never loses the cause. */
export function toCortexError(op: string, err: unknown): CortexError {
  if (err instanceof CortexError) return err;
  const code = grpcCode(err);
  const msg = `bigtable ${op} failed${code === undefined ? '' : ` (grpc code ${code})`}`;
  if (code === CANCELLED) return new CanceledError(msg, { cause: err });
  // No code at all means the transport broke before a status arrived (connection refused, reset).
  if (code === undefined || RETRYABLE.has(code)) return new UnavailableError(msg, { cause: err });
  return new InternalError(msg, { cause: err });
}
