import {
  BadDataError,
  type Clock,
  formatDuration,
  isFederated,
  type QueryTenant,
  smallestLimit,
  systemClock,
  type TenantId,
  tenantsOf,
} from '../model/index.js';
import type { Queryable } from '../storage/index.js';
import { FederatedQueryable } from './federated-queryable.js';
import { LimitedQueryable } from './limited-queryable.js';
import type { QuerierLimits } from './limits.js';

export interface EngineCallOptions {
  signal?: AbortSignal;
  lookbackDeltaMs?: number;
  maxSamples?: number;
  /** This query's timeout (the request's `timeout`); the engine's own timeout still caps it. */
  timeoutMs?: number;
  maxSubquerySteps?: number;
  maxFetchedBytes?: number;
  /** Fairness key for the engine's worker queue, and the workers that key may hold at once. */
  queueKey?: string;
  maxWorkers?: number;
  /** Also render the API JSON where the query is evaluated. */
  render?: boolean;
  /** Shards a shardable query is split into (0 = one per query worker; 1 = no sharding). */
  shards?: number;
}

/** What the querier needs from the PromQL engine (data-plane/promql's Engine satisfies it). */
export interface QueryEngineCore<R> {
  instantQuery(q: Queryable, query: string, timeMs: number, opts?: EngineCallOptions): Promise<R>;
  rangeQuery(
    q: Queryable,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: EngineCallOptions,
  ): Promise<R>;
}

export interface TenantQuerierOptions<R> {
  engine: QueryEngineCore<R>;
  /** The tenant's data: ingesters ∪ chunk store. */
  source(tenantId: TenantId): Queryable;
  limits: QuerierLimits;
  clock?: Clock;
}

/**
 * Runs PromQL for one tenant at a time with the tenant's query limits: max_query_length rejects long
 * ranges, max_query_lookback hides older data, max_samples_per_query and max_fetched_series_per_query
 * stop runaway queries. The engine itself never sees the tenant.
 *
 * A federated query (several tenants, `a|b|c`) reads each tenant's part with that tenant's limits
 * (lookback, retention, fetched series) and is held as a whole to the smallest positive value of each
 * limit among its tenants (Mimir's rule), so federating never raises what any one tenant may do.
 */
export class TenantQuerier<R> {
  private readonly clock: Clock;

  constructor(private readonly opts: TenantQuerierOptions<R>) {
    this.clock = opts.clock ?? systemClock;
  }

  /** The tenant's (or federated tenants') data as one query may read it, with lookback and series limits. */
  queryable(q: QueryTenant): Queryable {
    if (!isFederated(q)) return this.tenantQueryable(q);
    const tenants = tenantsOf(q);
    const parts = tenants.map((t) => ({ tenantId: t, queryable: this.tenantQueryable(t, `tenant ${t}: `) }));
    const maxSeries = this.smallest(q, (t) => this.opts.limits.maxFetchedSeriesPerQuery(t));
    return new LimitedQueryable(new FederatedQueryable(parts), Number.NEGATIVE_INFINITY, maxSeries);
  }

  private tenantQueryable(tenantId: TenantId, scope = ''): Queryable {
    const l = this.opts.limits;
    // The oldest visible time is the nearer of max_query_lookback and retention_period.
    const horizon = Math.min(...[l.maxQueryLookbackMs(tenantId), l.retentionPeriodMs(tenantId)].filter((ms) => ms > 0));
    const minTime = Number.isFinite(horizon) ? this.clock.now() - horizon : Number.NEGATIVE_INFINITY;
    return new LimitedQueryable(this.opts.source(tenantId), minTime, l.maxFetchedSeriesPerQuery(tenantId), scope);
  }

  private smallest(q: QueryTenant, limit: (t: TenantId) => number): number {
    return smallestLimit(q, limit);
  }

  instantQuery(tenantId: QueryTenant, query: string, timeMs: number, opts: EngineCallOptions = {}): Promise<R> {
    return this.opts.engine.instantQuery(this.queryable(tenantId), query, timeMs, this.withLimits(tenantId, opts));
  }

  rangeQuery(
    tenantId: QueryTenant,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: EngineCallOptions = {},
  ): Promise<R> {
    const maxLen = this.smallest(tenantId, (t) => this.opts.limits.maxQueryLengthMs(t));
    if (maxLen > 0 && endMs - startMs > maxLen) {
      throw new BadDataError(
        `the query time range exceeds the limit (query length: ${formatDuration(endMs - startMs)}, limit: ${formatDuration(maxLen)}) (err-cortex-max-query-length). To adjust the related per-tenant limit, configure max_query_length, or contact your service administrator.`,
        { id: 'err-cortex-max-query-length' },
      );
    }
    return this.opts.engine.rangeQuery(
      this.queryable(tenantId),
      query,
      startMs,
      endMs,
      stepMs,
      this.withLimits(tenantId, opts),
    );
  }

  /** The tenant's limits, read on every query so a changed limit applies to the next one. */
  private withLimits(q: QueryTenant, opts: EngineCallOptions): EngineCallOptions {
    const l = this.opts.limits;
    const smallest = (limit: (t: TenantId) => number) => this.smallest(q, limit);
    const first = tenantsOf(q)[0]!;
    return {
      ...opts,
      maxSamples: Math.min(
        opts.maxSamples ?? Number.POSITIVE_INFINITY,
        smallest((t) => l.maxSamplesPerQuery(t)),
      ),
      maxSubquerySteps: smallest((t) => l.maxSubquerySteps(t)),
      maxFetchedBytes: smallest((t) => l.maxFetchedChunkBytesPerQuery(t)),
      queueKey: q,
      maxWorkers: smallest((t) => l.maxQueriersPerTenant(t)),
      // sharding is a speed setting, not a limit: the first tenant's applies to a federated query
      shards: l.querySharding(first),
    };
  }
}
