import type { TenantId } from '../model/index.js';

/** The per-tenant limits the querier enforces (`Overrides` satisfies this structurally). */
export interface QuerierLimits {
  maxQueryLengthMs(t: TenantId): number;
  maxQueryLookbackMs(t: TenantId): number;
  maxSamplesPerQuery(t: TenantId): number;
  maxFetchedSeriesPerQuery(t: TenantId): number;
  maxFetchedChunkBytesPerQuery(t: TenantId): number;
  /** Points per series of one subquery evaluation (0 = unlimited). */
  maxSubquerySteps(t: TenantId): number;
  /** Query workers one tenant may occupy at once (0 = all but one). */
  maxQueriersPerTenant(t: TenantId): number;
  /** `query_sharding_total_shards`: shards per shardable query (0 = one per query worker, 1 = off). */
  querySharding(t: TenantId): number;
  /** Data older than this is deleted by retention; queries never see it, even before deletion. */
  retentionPeriodMs(t: TenantId): number;
}
