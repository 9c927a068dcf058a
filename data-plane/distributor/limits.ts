import type { TenantId } from '../model/index.js';
import type { LabelLimits, SampleLimits } from '../validation/index.js';

/**
 * The per-tenant limits the distributor reads, on every push (never copied at construction), so
 * `cortexctl limits set` applies without a restart. `Overrides` satisfies this structurally; tests
 * pass plain objects.
 */
export interface DistributorLimits extends LabelLimits, SampleLimits {
  /** samples/s (token bucket refill). */
  ingestionRate(t: TenantId): number;
  /** samples (token bucket size). */
  ingestionBurstSize(t: TenantId): number;
  acceptHaSamples(t: TenantId): boolean;
  /** 0 = unlimited. */
  haMaxClusters(t: TenantId): number;
  haTrackerFailoverTimeoutMs(t: TenantId): number;
  /** 0 = exemplars disabled: they are dropped before reaching the ingester. */
  maxGlobalExemplarsPerUser(t: TenantId): number;
  /** Buckets of one native histogram sample; 0 or absent = unlimited. */
  maxNativeHistogramBuckets?(t: TenantId): number;
  /** Over the bucket limit: reduce the resolution until it fits (true, the default) or refuse. */
  reduceNativeHistogramOverMaxBuckets?(t: TenantId): boolean;
  /** Write a zero at a counter's created (start) timestamp (absent: off). */
  createdTimestampZeroIngestion?(t: TenantId): boolean;
}
