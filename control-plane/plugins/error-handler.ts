/**
 * The control plane's one error table: CortexError.kind → HTTP status (style.md §4.4), fastify's own
 * request errors → 400 bad_data, everything else → 500 with a generic message (never internals).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CortexError, type ErrorKind, LimitExceededError } from '../../data-plane/model/index.js';
import type { ErrorBody } from '../api/index.js';

export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  bad_data: 400,
  execution: 422,
  canceled: 499,
  timeout: 503,
  not_found: 404,
  internal: 500,
  limit_exceeded: 429,
  unavailable: 503,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
};

/** Driver error codes that mean "the database is unreachable", worth a retry (503), not a bug (500). */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '53300']);

function body(kind: ErrorKind, message: string, id?: string): ErrorBody {
  return { error: id === undefined ? { kind, message } : { kind, id, message } };
}

/** The driver error code when `err` (or a cause) says the database is unreachable. */
export function databaseUnavailableCode(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return code;
  }
  return undefined;
}

export function controlPlaneErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof CortexError) {
    const status = STATUS_BY_KIND[err.kind] ?? 500;
    if (status >= 500) req.log.error({ err }, 'control plane request failed');
    if (err instanceof LimitExceededError && err.retryAfterSeconds !== undefined) {
      reply.header('retry-after', String(err.retryAfterSeconds));
    }
    const message = status === 500 ? 'internal error' : err.message;
    reply.status(status).send(body(err.kind, message, err.id));
    return;
  }
  const fe = err as FastifyError;
  if (fe.validation !== undefined || fe.code === 'FST_ERR_VALIDATION') {
    reply.status(400).send(body('bad_data', fe.message));
    return;
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = req.routeOptions.bodyLimit;
    reply
      .status(400)
      .send(body('bad_data', `request body too large: this route accepts at most ${limit ?? '?'} bytes`));
    return;
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    // fastify's own client errors (malformed JSON, bad content type, prototype poisoning): safe to echo.
    const kind: ErrorKind = status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : 'bad_data';
    reply.status(STATUS_BY_KIND[kind]).send(body(kind, fe.message));
    return;
  }
  req.log.error({ err }, 'control plane request failed');
  if (databaseUnavailableCode(err)) {
    reply.status(503).send(body('unavailable', 'control-plane database unavailable, retry later'));
    return;
  }
  reply.status(500).send(body('internal', 'internal error'));
}
