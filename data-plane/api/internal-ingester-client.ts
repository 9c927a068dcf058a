/**
 * Client of one remote ingester's internal API (see internal-ingester.ts): the distributor's
 * `IngesterClient` and the querier's read side. Status mapping: a 4xx answer becomes the CortexError
 * kind the ingester named (`X-Cortex-Error-Kind`), everything else (5xx, network, timeout) becomes
 * `UnavailableError`, which callers treat as "this replica failed".
 */
import {
  BadDataError,
  CanceledError,
  ConflictError,
  type CortexError,
  deadlineSignal,
  type ErrorId,
  type ErrorKind,
  ExecutionError,
  type Exemplar,
  ForbiddenError,
  Labels,
  LimitExceededError,
  type Matcher,
  type MetricMetadata,
  NotFoundError,
  type TenantId,
  UnauthorizedError,
  UnavailableError,
  type WriteOutcome,
  type WriteRequest,
} from '../model/index.js';
import { encodeWriteRequest, snappyEncode } from '../remotewrite/index.js';
import type { CallOptions, Querier, Queryable, SelectHints, Series } from '../storage/index.js';
import type { ClusterAuth } from './internal-auth.js';
import { decodeSeriesSet, encodeReadRequest } from './internal-codec.js';
import { matchersToJson, type WriteOutcomeJson } from './internal-ingester.js';

export interface RemoteIngesterOptions {
  /** Base URL of the ingester (its ring address). */
  url: string;
  auth: ClusterAuth;
  /** Per-call timeout for pushes (default 10 s) and reads (default 60 s). */
  pushTimeoutMs?: number;
  readTimeoutMs?: number;
}

function errorFrom(kind: string | null, id: string | null, message: string, retryAfter: string | null): CortexError {
  const o = id?.startsWith('err-cortex-') ? { id: id as ErrorId } : {};
  switch (kind as ErrorKind | null) {
    case 'bad_data':
      return new BadDataError(message, o);
    case 'limit_exceeded':
      return new LimitExceededError(message, {
        ...o,
        ...(retryAfter && Number.isFinite(Number(retryAfter)) ? { retryAfterSeconds: Number(retryAfter) } : {}),
      });
    case 'not_found':
      return new NotFoundError(message, o);
    case 'unauthorized':
      return new UnauthorizedError(message, o);
    case 'forbidden':
      return new ForbiddenError(message, o);
    case 'conflict':
      return new ConflictError(message, o);
    case 'execution':
      return new ExecutionError(message, o);
    case 'canceled':
      return new CanceledError(message, o);
    default:
      return new BadDataError(message, o);
  }
}

/** One remote ingester. */
export class RemoteIngester {
  readonly url: string;
  private readonly auth: ClusterAuth;
  private readonly pushTimeoutMs: number;
  private readonly readTimeoutMs: number;

  constructor(opts: RemoteIngesterOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.auth = opts.auth;
    this.pushTimeoutMs = opts.pushTimeoutMs ?? 10_000;
    this.readTimeoutMs = opts.readTimeoutMs ?? 60_000;
  }

  private async call(
    path: string,
    init: { method: string; tenantId?: TenantId; body?: Uint8Array | string; contentType?: string },
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Response> {
    // with a caller's signal the deadline must outlive a garbage collection (deadlineSignal); the
    // response's body is read after this returns, so the deadline is left to fire, not cleared
    const timeout = signal ? deadlineSignal(timeoutMs, signal).signal : AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method: init.method,
        headers: {
          ...this.auth.headers(init.tenantId),
          ...(init.contentType ? { 'content-type': init.contentType } : {}),
        },
        ...(init.body === undefined ? {} : { body: init.body }),
        signal: timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw new CanceledError('request canceled', { cause: err });
      throw new UnavailableError(`ingester ${this.url} unreachable: ${(err as Error).message}`, { cause: err });
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.headers.get('x-cortex-error-kind')) {
      throw errorFrom(
        res.headers.get('x-cortex-error-kind'),
        res.headers.get('x-cortex-error-id'),
        text,
        res.headers.get('retry-after'),
      );
    }
    throw new UnavailableError(`ingester ${this.url} answered ${res.status}: ${text.slice(0, 300)}`);
  }

  private async json<T>(res: Response): Promise<T> {
    try {
      return (await res.json()) as T;
    } catch (err) {
      throw new UnavailableError(`ingester ${this.url} sent an unreadable answer`, { cause: err });
    }
  }

  async push(tenantId: TenantId, req: WriteRequest, opts?: { signal?: AbortSignal }): Promise<WriteOutcome> {
    const body = snappyEncode(encodeWriteRequest(req));
    const res = await this.call(
      '/internal/ingester/push',
      { method: 'POST', tenantId, body, contentType: 'application/x-protobuf' },
      this.pushTimeoutMs,
      opts?.signal,
    );
    const j = await this.json<WriteOutcomeJson>(res);
    return {
      samplesAppended: j.samplesAppended,
      histogramsAppended: j.histogramsAppended,
      exemplarsAppended: j.exemplarsAppended,
      errors: j.errors.map((e) => ({
        error: errorFrom(e.kind, e.id ?? null, e.message, null),
        labels: Labels.fromSortedFlat(e.labels),
        dropped: e.dropped,
      })),
    };
  }

  async select(
    tenantId: TenantId,
    mint: number,
    maxt: number,
    hints: SelectHints | undefined,
    matchers: readonly Matcher[],
    opts?: CallOptions,
  ): Promise<Series[]> {
    const res = await this.call(
      '/internal/ingester/read',
      {
        method: 'POST',
        tenantId,
        body: encodeReadRequest({ mint, maxt, matchers, hints }),
        contentType: 'application/x-protobuf',
      },
      this.readTimeoutMs,
      opts?.signal,
    );
    return decodeSeriesSet(new Uint8Array(await res.arrayBuffer()));
  }

  async labels(
    tenantId: TenantId,
    what: 'label-names' | 'label-values',
    q: { mint: number; maxt: number; matchers: readonly Matcher[]; name?: string; limit?: number },
    opts?: CallOptions,
  ): Promise<string[]> {
    const body = JSON.stringify({
      mint: q.mint,
      maxt: q.maxt,
      matchers: matchersToJson(q.matchers),
      ...(q.name !== undefined ? { name: q.name } : {}),
      ...(q.limit !== undefined && q.limit > 0 ? { limit: q.limit } : {}),
    });
    const res = await this.call(
      `/internal/ingester/${what}`,
      { method: 'POST', tenantId, body, contentType: 'application/json' },
      this.readTimeoutMs,
      opts?.signal,
    );
    return await this.json<string[]>(res);
  }

  /** A tenant-bound Queryable over this ingester's head. */
  queryable(tenantId: TenantId): Queryable {
    return {
      querier: (mint, maxt): Querier => ({
        select: (_sorted, hints, matchers, opts) => this.select(tenantId, mint, maxt, hints, matchers, opts),
        labelNames: (matchers, opts) =>
          this.labels(tenantId, 'label-names', { mint, maxt, matchers, ...limitOf(opts) }, opts),
        labelValues: (name, matchers, opts) =>
          this.labels(tenantId, 'label-values', { mint, maxt, matchers, name, ...limitOf(opts) }, opts),
        close() {},
      }),
    };
  }

  async metadata(tenantId: TenantId, opts: { metric?: string; limit?: number } = {}): Promise<MetricMetadata[]> {
    const qs = new URLSearchParams();
    if (opts.metric) qs.set('metric', opts.metric);
    if (opts.limit !== undefined) qs.set('limit', String(opts.limit));
    const res = await this.call(`/internal/ingester/metadata?${qs}`, { method: 'GET', tenantId }, this.readTimeoutMs);
    return await this.json<MetricMetadata[]>(res);
  }

  async exemplars(
    tenantId: TenantId,
    matcherSets: Matcher[][],
    start: number,
    end: number,
  ): Promise<{ seriesLabels: Labels; exemplars: Exemplar[] }[]> {
    const body = JSON.stringify({ matcherSets: matcherSets.map(matchersToJson), start, end });
    const res = await this.call(
      '/internal/ingester/exemplars',
      { method: 'POST', tenantId, body, contentType: 'application/json' },
      this.readTimeoutMs,
    );
    const j =
      await this.json<{ seriesLabels: string[]; exemplars: { labels: string[]; t: number; v: number | null }[] }[]>(
        res,
      );
    return j.map((r) => ({
      seriesLabels: Labels.fromSortedFlat(r.seriesLabels),
      exemplars: r.exemplars.map((e) => ({ labels: Labels.fromSortedFlat(e.labels), t: e.t, v: e.v ?? Number.NaN })),
    }));
  }

  async stats(tenantId: TenantId): Promise<{ numSeries: number; ingestedSamples: number }> {
    const res = await this.call('/internal/ingester/stats', { method: 'GET', tenantId }, this.readTimeoutMs);
    return await this.json(res);
  }

  async deleteSeries(tenantId: TenantId, matchers: readonly Matcher[], mint: number, maxt: number): Promise<number> {
    const body = JSON.stringify({ matchers: matchersToJson(matchers), start: mint, end: maxt });
    const res = await this.call(
      '/internal/ingester/delete-series',
      { method: 'POST', tenantId, body, contentType: 'application/json' },
      this.readTimeoutMs,
    );
    return (await this.json<{ removed: number }>(res)).removed;
  }

  async flush(timeoutMs = 5 * 60_000): Promise<void> {
    const res = await this.call('/internal/ingester/flush', { method: 'POST' }, timeoutMs);
    await res.body?.cancel();
  }
}

function limitOf(opts: { limit?: number } | undefined): { limit?: number } {
  return opts?.limit !== undefined ? { limit: opts.limit } : {};
}
