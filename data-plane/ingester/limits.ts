import { BadDataError, type Labels, LimitExceededError, type TenantId } from '../model/index.js';

/**
 * The per-tenant limits the ingester enforces, read on every use (`Overrides` from
 * data-plane/validation satisfies this structurally). A limit of 0 means unlimited.
 */
export interface IngesterLimits {
  maxGlobalSeriesPerUser(t: TenantId): number;
  maxGlobalSeriesPerMetric(t: TenantId): number;
  outOfOrderTimeWindowMs(t: TenantId): number;
  maxGlobalExemplarsPerUser(t: TenantId): number;
  maxMetadataPerUser(t: TenantId): number;
  /** How far ahead of the clock a sample may be (bounds what a restart may have lost from memory). */
  creationGracePeriodMs?(t: TenantId): number;
}

const ADJUST = 'for this tenant or contact your administrator.';

export function seriesPerUserError(limit: number, local = limit): LimitExceededError {
  return new LimitExceededError(
    `per-user series limit of ${limit} exceeded${localNote(limit, local)} (err-cortex-max-series-per-user). To adjust, set limits.max_global_series_per_user ${ADJUST}`,
    { id: 'err-cortex-max-series-per-user' },
  );
}

export function seriesPerMetricError(limit: number, metric: string, local = limit): LimitExceededError {
  return new LimitExceededError(
    `per-metric series limit of ${limit} exceeded for metric ${JSON.stringify(metric)}${localNote(limit, local)} (err-cortex-max-series-per-metric). To adjust, set limits.max_global_series_per_metric ${ADJUST}`,
    { id: 'err-cortex-max-series-per-metric' },
  );
}

function localNote(global: number, local: number): string {
  return local === global ? '' : ` (this ingester's share: ${local})`;
}

export function outOfOrderError(labels: Labels, t: number, newest: number, windowMs: number): BadDataError {
  const why =
    windowMs > 0
      ? `it is more than out_of_order_time_window (${windowMs}ms) older than the tenant's newest sample`
      : 'a newer sample of this series was already ingested and out-of-order samples are disabled';
  return new BadDataError(
    `sample at ${t} for series ${labels.toString()} rejected: ${why} (newest sample of the series: ${newest}) (err-cortex-sample-out-of-order). To accept late samples, set limits.out_of_order_time_window ${ADJUST}`,
    { id: 'err-cortex-sample-out-of-order' },
  );
}

export function duplicateTimestampError(labels: Labels, t: number): BadDataError {
  return new BadDataError(
    `sample at ${t} for series ${labels.toString()} rejected: a sample with the same timestamp and a different value was already ingested (err-cortex-sample-duplicate-timestamp)`,
    { id: 'err-cortex-sample-duplicate-timestamp' },
  );
}

export function invalidTimestampError(labels: Labels, t: number): BadDataError {
  return new BadDataError(
    `sample timestamp ${t} for series ${labels.toString()} is not an integer number of milliseconds within ±2^53 (err-cortex-sample-timestamp-invalid)`,
    { id: 'err-cortex-sample-timestamp-invalid' },
  );
}
