import type { TenantId } from '../data-plane/model/index.js';
import { Overrides, StaticTenantLimitsSource } from '../data-plane/validation/index.js';

/**
 * Limits that never refuse the in-process ingest benches' load: the distributor's per-tenant
 * overrides (no rate or series limit for `tenant`) and the ingester's own limit callbacks.
 */
export function unlimited(tenant: TenantId) {
  return {
    overrides: new Overrides(
      new StaticTenantLimitsSource(
        new Map([
          [
            tenant,
            {
              ingestion_rate: 1e9,
              ingestion_burst_size: 1e10,
              max_global_series_per_user: 0,
              max_global_series_per_metric: 0,
            },
          ],
        ]),
      ),
    ),
    ingester: {
      maxGlobalSeriesPerUser: () => 0,
      maxGlobalSeriesPerMetric: () => 0,
      outOfOrderTimeWindowMs: () => 0,
      maxGlobalExemplarsPerUser: () => 0,
      maxMetadataPerUser: () => 1000,
    },
  };
}
