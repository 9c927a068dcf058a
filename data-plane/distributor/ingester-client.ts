import type { TenantId, WriteOutcome, WriteRequest } from '../model/index.js';

/**
 * What the distributor needs from the write side of an ingester (declared here, by its consumer).
 * In one process the ingester implements it directly; across processes an HTTP client does, and the
 * ring work puts replication behind the same interface.
 *
 * Contract: per-series problems (out of order, duplicates, series limits) come back in
 * `WriteOutcome.errors` while the rest is stored. A failure of the whole write throws: an
 * `UnavailableError` (or any error that is not a `CortexError`) means "retry" and becomes a 5xx, so
 * nothing may have been acknowledged as written.
 */
export interface IngesterClient {
  push(tenantId: TenantId, req: WriteRequest, opts?: { signal?: AbortSignal }): Promise<WriteOutcome>;
}
