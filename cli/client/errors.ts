/** The server answered with a non-2xx status. Carries the request so messages can name it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
    readonly method: string,
    readonly path: string,
    readonly errorId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** 401 and 403: the credentials are missing, wrong or not allowed. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** The request never got an HTTP answer (connection refused, DNS, TLS, timeout). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}
