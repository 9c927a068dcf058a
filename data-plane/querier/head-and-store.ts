import type { TenantId } from '../model/index.js';
import { MergeQueryable, type Queryable } from '../storage/index.js';

/** What the querier needs from an in-process ingester to read it together with the chunk store. */
export interface CoveringHead {
  /** The head; with `flushedBefore`, chunks flushed entirely before that time may be left out. */
  queryable(tenantId: TenantId, flushedBefore?: number): Queryable;
  /** From this time on, the head holds every sample of the tenant it acknowledged. */
  coveredSince(tenantId: TenantId): number;
}

/**
 * One tenant's recent data from the ingester joined with its history from the chunk store, each
 * read for the part of the range only it can answer (Cortex's `query_store_after`, derived from
 * what the ingester actually holds instead of configured): a query within the head's coverage
 * never touches the store, and an older one reads the store only up to where the coverage starts
 * while the head leaves out what it flushed before then, so no chunk is read and merged twice.
 */
export function headAndStore(head: CoveringHead, store: Queryable, tenantId: TenantId): Queryable {
  return {
    querier(mint, maxt) {
      const since = head.coveredSince(tenantId);
      if (mint >= since) return head.queryable(tenantId).querier(mint, maxt);
      const history: Queryable = { querier: (from, to) => store.querier(from, Math.min(to, since - 1)) };
      return new MergeQueryable([head.queryable(tenantId, since), history]).querier(mint, maxt);
    },
  };
}
