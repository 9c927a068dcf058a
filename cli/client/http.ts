import { ApiError, TransportError } from './errors.js';

export interface HttpOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:9009`; a trailing slash is ignored. */
  address: string;
  /** Bearer token (root, admin or JWT); omitted from requests when undefined. */
  token?: string | undefined;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
  userAgent?: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is with this content type instead of JSON. */
  rawBody?: { contentType: string; text: string };
  query?: Record<string, string | number | undefined>;
  /** Answer as text instead of parsed JSON. */
  text?: boolean;
}

/**
 * Minimal HTTP transport for the admin API: JSON in and out, errors turned into ApiError (with the
 * server's message and the failed request) or TransportError (no answer at all).
 */
export class HttpTransport {
  readonly address: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #userAgent: string | undefined;

  constructor(opts: HttpOptions) {
    this.address = opts.address.replace(/\/+$/, '');
    this.#token = opts.token;
    this.#fetch = opts.fetch ?? fetch;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#userAgent = opts.userAgent;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(this.address + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    if (this.#userAgent !== undefined) headers['user-agent'] = this.#userAgent;
    let body: string | undefined;
    if (opts.rawBody !== undefined) {
      headers['content-type'] = opts.rawBody.contentType;
      body = opts.rawBody.text;
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await this.#fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      throw new TransportError(`cannot reach ${this.address}: ${describeCause(err)}`, method, url.pathname, {
        cause: err,
      });
    }
    const text = await res.text();
    if (!res.ok) throw toApiError(res.status, text, method, url.pathname + url.search);
    if (opts.text) return text as T;
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, 'internal', 'server answered with invalid JSON', method, url.pathname);
    }
  }
}

function toApiError(status: number, text: string, method: string, path: string): ApiError {
  try {
    const parsed = JSON.parse(text) as { error?: { kind?: unknown; id?: unknown; message?: unknown } | string };
    const e = parsed.error;
    if (typeof e === 'object' && e !== null && typeof e.message === 'string') {
      const kind = typeof e.kind === 'string' ? e.kind : kindFor(status);
      return new ApiError(status, kind, e.message, method, path, typeof e.id === 'string' ? e.id : undefined);
    }
    if (typeof e === 'string') return new ApiError(status, kindFor(status), e, method, path);
  } catch {
    // not JSON: fall through and show the raw body
  }
  const message = text.trim().slice(0, 500) || `HTTP ${status}`;
  return new ApiError(status, kindFor(status), message, method, path);
}

function kindFor(status: number): string {
  const kinds: Record<number, string> = {
    400: 'bad_data',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    409: 'conflict',
    429: 'limit_exceeded',
    503: 'unavailable',
  };
  return kinds[status] ?? (status >= 500 ? 'internal' : 'bad_data');
}

/** Why a request got no answer, in a few words (connection refused, timed out, …). */
export function describeCause(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'request timed out';
    const cause = ((err as { cause?: unknown }).cause ?? err) as { code?: string; message?: string };
    if (cause?.code) return cause.code === 'ECONNREFUSED' ? 'connection refused' : `${cause.code}`;
    return cause?.message ?? err.message;
  }
  return String(err);
}
