import { type Clock, CortexError, type QueryTenant, systemClock, type TenantId } from '../model/index.js';
import type { FairQueue } from './fair-queue.js';
import { concatMatrices, isMatrix, type MatrixSeries, pointCount, sliceMatrix } from './matrix.js';
import { lazyExtent, ResultsCache } from './results-cache.js';
import { gridFloor, type SubRange, splitByInterval } from './split.js';

export interface FrontendCallOptions {
  signal?: AbortSignal;
  lookbackDeltaMs?: number;
  maxSamples?: number;
  timeoutMs?: number;
  /** Ask for the API JSON rendered by the querier; dropped for queries the frontend splits or caches. */
  render?: boolean;
}

export interface FrontendResult {
  value: unknown;
  warnings: string[];
  infos: string[];
  /** `points`, when set, counts the value's points without reading it (the value may be decoded lazily). */
  stats?: { samplesLoaded: number; points?: { floats: number; histograms: number } };
  rendered?: Uint8Array;
  /** Reads `value` without keeping the rest of the answer (its rendered JSON) alive. */
  readValue?: () => unknown;
}

/** The querier behind the frontend (data-plane/querier's TenantQuerier satisfies it). */
export interface DownstreamQuerier {
  instantQuery(
    tenantId: QueryTenant,
    query: string,
    timeMs: number,
    opts?: FrontendCallOptions,
  ): Promise<FrontendResult>;
  rangeQuery(
    tenantId: QueryTenant,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: FrontendCallOptions,
  ): Promise<FrontendResult>;
}

export interface QueryFrontendOptions {
  downstream: DownstreamQuerier;
  queue: FairQueue;
  /** Whether a query's result at a step is independent of the query's range (no `@ start()`/`end()`). */
  canSplit(query: string): boolean;
  splitIntervalMs?: number;
  /** Results newer than now minus this are never cached (still changing). */
  maxCacheFreshnessMs?: number;
  cacheMaxPoints?: number;
  /** Retries of a sub-query that failed with a retryable error (5xx kinds). */
  maxRetries?: number;
  /** Queries slower than this are logged; 0 disables. */
  slowQueryMs?: number;
  logger?: { info(msg: string): void };
  clock?: Clock;
}

const DAY = 86_400_000;
/** Prometheus's cap on points per series of a range query (the querier refuses more). */
const MAX_RANGE_POINTS = 11_000;

/**
 * The query-frontend (Cortex's tripperware): range queries are split by day on the step grid, each
 * split evaluated through a per-tenant fair queue with retries, past days answered from a per-tenant
 * results cache of extents, and the pieces stitched into the result an unsplit query gives.
 */
export class QueryFrontend implements DownstreamQuerier {
  private readonly cache: ResultsCache;
  private readonly interval: number;
  private readonly freshness: number;
  private readonly retries: number;
  private readonly clock: Clock;

  constructor(private readonly opts: QueryFrontendOptions) {
    this.cache = new ResultsCache(opts.cacheMaxPoints ?? 20_000_000);
    this.interval = opts.splitIntervalMs ?? DAY;
    this.freshness = opts.maxCacheFreshnessMs ?? 10 * 60_000;
    this.retries = opts.maxRetries ?? 5;
    this.clock = opts.clock ?? systemClock;
  }

  async instantQuery(
    tenantId: QueryTenant,
    query: string,
    timeMs: number,
    o?: FrontendCallOptions,
  ): Promise<FrontendResult> {
    return this.timed(tenantId, query, () =>
      this.run(tenantId, o?.signal, () => this.opts.downstream.instantQuery(tenantId, query, timeMs, o)),
    );
  }

  async rangeQuery(
    tenantId: QueryTenant,
    query: string,
    start: number,
    end: number,
    step: number,
    o: FrontendCallOptions = {},
  ): Promise<FrontendResult> {
    return this.timed(tenantId, query, async () => {
      const subs = splitByInterval(start, end, step, this.interval);
      if (subs.length <= 1 && !this.cacheable(subs[0], step, start)) {
        return this.run(tenantId, o?.signal, () =>
          this.opts.downstream.rangeQuery(tenantId, query, start, end, step, o),
        );
      }
      if (!this.opts.canSplit(query)) {
        return this.run(tenantId, o?.signal, () =>
          this.opts.downstream.rangeQuery(tenantId, query, start, end, step, o),
        );
      }
      // pieces are stitched here, so they come back as values, not rendered JSON; a query of one piece
      // may still get its JSON rendered where it is evaluated (the cache keeps the values as well)
      const { render: _render, ...pieceOpts } = o;
      if (subs.length === 1) return this.subRange(tenantId, query, step, start, subs[0]!, o);
      const parts = await Promise.all(subs.map((sub) => this.subRange(tenantId, query, step, start, sub, pieceOpts)));
      const warnings = [...new Set(parts.flatMap((p) => p.warnings))];
      const infos = [...new Set(parts.flatMap((p) => p.infos))];
      const samplesLoaded = parts.reduce((n, p) => n + (p.stats?.samplesLoaded ?? 0), 0);
      return {
        value: {
          type: 'matrix',
          series: concatMatrices(parts.map((p) => (p.value as { series: MatrixSeries[] }).series)),
        },
        warnings,
        infos,
        stats: { samplesLoaded },
      };
    });
  }

  /** Drops a tenant's cached results, federated ones included (its data changed in the past, e.g. after a delete). */
  invalidate(tenantId: TenantId): void {
    this.cache.invalidateTenant(tenantId);
  }

  private cacheable(sub: SubRange | undefined, step: number, start: number): boolean {
    if (!sub) return false;
    const offset = mod(start, step);
    return this.cacheableEnd(sub.bucket, step, offset) >= sub.start;
  }

  private cacheableEnd(bucket: number, step: number, offset: number): number {
    const limit = Math.min(this.clock.now() - this.freshness, (bucket + 1) * this.interval - 1);
    return gridFloor(limit, step, offset);
  }

  /**
   * One day's part: the cached extent of this query and day, when it starts at or before the part,
   * plus what is missing after it. A miss evaluates only the part asked for and caches what of it
   * is old enough; a later query starting earlier replaces that extent with its own.
   */
  private async subRange(
    tenantId: QueryTenant,
    query: string,
    step: number,
    start: number,
    sub: SubRange,
    o: FrontendCallOptions,
  ): Promise<FrontendResult> {
    const offset = mod(start, step);
    const cacheableEnd = this.cacheableEnd(sub.bucket, step, offset);
    const fetch = (s: number, e: number) =>
      this.run(tenantId, o?.signal, () => this.opts.downstream.rangeQuery(tenantId, query, s, e, step, o));
    if (cacheableEnd < sub.start) return fetch(sub.start, sub.end);

    const key = [tenantId, step, offset, sub.bucket, o.lookbackDeltaMs ?? '', query].join('\x00');
    const cached = this.cache.get(key);
    // an extent that starts after the part, or ends a step or more before it starts, cannot be extended
    const ext = cached && cached.start <= sub.start && cached.end + step >= sub.start ? cached : undefined;
    if (ext && ext.end >= sub.end) {
      return {
        value: { type: 'matrix', series: sliceMatrix(ext.series, sub.start, sub.end) },
        warnings: [],
        infos: [],
      };
    }
    const fetchStart = ext ? ext.end + step : sub.start;
    // extending an old extent at a fine step could exceed the points a range query may have
    if (ext && (sub.end - fetchStart) / step > MAX_RANGE_POINTS) return fetch(sub.start, sub.end);
    const fresh = await fetch(fetchStart, sub.end);
    const extStart = ext ? ext.start : sub.start;
    const extEnd = Math.min(cacheableEnd, sub.end);
    // an answer with warnings or infos is not cached: the cache keeps points, not annotations
    const cache = fresh.warnings.length === 0 && fresh.infos.length === 0 && extEnd >= extStart;
    const counted = fresh.stats?.points;
    const readValue = fresh.readValue;
    if (!ext && counted && readValue) {
      // fetched for exactly this part: the answer is the querier's, with its JSON if it rendered it;
      // its values are cached unread, so a query nobody repeats never builds an object per point here
      if (cache) {
        const build = () => {
          const v = readValue();
          return isMatrix(v) ? sliceMatrix(v.series, extStart, extEnd) : [];
        };
        this.cache.set(key, lazyExtent(extStart, extEnd, build, counted));
      }
      return fresh;
    }
    if (!isMatrix(fresh.value)) return fresh;
    const combined = ext ? concatMatrices([ext.series, fresh.value.series]) : fresh.value.series;
    if (cache) {
      const series = sliceMatrix(combined, extStart, extEnd);
      this.cache.set(key, { start: extStart, end: extEnd, series, points: pointCount(series) });
    }
    if (!ext) return fresh;
    const { rendered: _rendered, ...rest } = fresh;
    return { ...rest, value: { type: 'matrix', series: sliceMatrix(combined, sub.start, sub.end) } };
  }

  private async run(
    tenantId: QueryTenant,
    signal: AbortSignal | undefined,
    fn: () => Promise<FrontendResult>,
  ): Promise<FrontendResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.opts.queue.enqueue(tenantId, fn, signal);
      } catch (err) {
        const retryable = err instanceof CortexError && (err.kind === 'unavailable' || err.kind === 'internal');
        if (!retryable || attempt >= this.retries) throw err;
      }
    }
  }

  private async timed<T>(tenantId: QueryTenant, query: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      const ms = performance.now() - t0;
      if (this.opts.slowQueryMs && ms > this.opts.slowQueryMs) {
        this.opts.logger?.info(
          `slow query: tenant=${tenantId} duration_ms=${ms.toFixed(0)} query=${JSON.stringify(query)}`,
        );
      }
    }
  }
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
