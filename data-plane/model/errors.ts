/**
 * The closed set of error kinds. The first seven are Prometheus API `errorType` strings, so the query
 * API maps them one to one; status codes are assigned only at the HTTP edges (data-plane/api/errors.ts
 * and the control plane's error handler), never here.
 */
export type ErrorKind =
  | 'bad_data'
  | 'execution'
  | 'timeout'
  | 'canceled'
  | 'not_found'
  | 'unavailable'
  | 'internal'
  | 'limit_exceeded'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict';

/** Stable, kebab-case error IDs (`err-cortex-<id>`); listed in docs/errors.md and never renamed. */
export type ErrorId = `err-cortex-${string}`;

/** Base class of every error the platform raises on purpose. Check with `instanceof` or `kind`. */
export class CortexError extends Error {
  readonly kind: ErrorKind;
  readonly id: ErrorId | undefined;

  constructor(kind: ErrorKind, message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.id = options?.id;
    this.name = new.target.name;
  }
}

/** Invalid input that can never be accepted as sent. */
export class BadDataError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super('bad_data', message, options);
  }
}

/** A per-tenant limit was hit; the message names the limit to raise. */
export class LimitExceededError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown; retryAfterSeconds?: number }) {
    super('limit_exceeded', message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  readonly retryAfterSeconds: number | undefined;
}

/** A dependency is down or overloaded; the caller should retry. */
export class UnavailableError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super('unavailable', message, options);
  }
}

/** Something that should not happen; its message is never sent to clients. */
export class InternalError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super('internal', message, options);
  }
}

export class NotFoundError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super('not_found', message, options);
  }
}

export class UnauthorizedError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super('unauthorized', message, options);
  }
}

export class ForbiddenError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super('forbidden', message, options);
  }
}

export class ConflictError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super('conflict', message, options);
  }
}

/** Query evaluation failed at run time (Prometheus `execution`, 422). */
export class ExecutionError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super('execution', message, options);
  }
}

export class TimeoutError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super('timeout', message, options);
  }
}

export class CanceledError extends CortexError {
  constructor(message: string, options?: { id?: ErrorId; cause?: unknown }) {
    super('canceled', message, options);
  }
}
