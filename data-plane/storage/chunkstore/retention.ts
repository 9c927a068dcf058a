import type { Clock, TenantId } from '../../model/index.js';
import type { CallOptions } from '../interface.js';
import type { KVChunkStore } from './kv-chunk-store.js';

export interface RetentionRun {
  tenantId: TenantId;
  /** Keep at least this much history (ms); 0 = keep forever. */
  retentionMs: number;
  clock: Clock;
}

/**
 * The retention job for one tenant: drops every time bucket that ends at or before
 * `now − retentionMs` (whole buckets, as Cortex dropped whole periodic tables). Returns the buckets
 * deleted. Run it periodically per tenant with the tenant's `retention_period` limit.
 */
export async function applyRetention(store: KVChunkStore, run: RetentionRun, opts?: CallOptions): Promise<number[]> {
  if (run.retentionMs <= 0) return [];
  return store.deleteBucketsBefore(run.tenantId, run.clock.now() - run.retentionMs, opts);
}
