import type { TenantId } from '../model/index.js';

/** The per-tenant limits the querier enforces (`Overrides` satisfies this structurally). */
export interface QuerierLimits {
  maxQueryLengthMs(t: TenantId): number;
  maxQueryLookbackMs(t: TenantId): number;
  maxSamplesPerQuery(t: TenantId): number;
  maxFetchedSeriesPerQuery(t: TenantId): number;
  /** Data older than this is deleted by retention; queries never see it, even before deletion. */
  retentionPeriodMs(t: TenantId): number;
}
