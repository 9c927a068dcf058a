import type { Labels, TenantId } from '../model/index.js';
import type { CallOptions, ChunkStore, Queryable, StoredChunk } from '../storage/index.js';
import type { UsageRecorder } from '../usage/index.js';

/**
 * The ingester's chunk store, metering `stored_bytes`: the bytes of chunk data (not index rows) a put
 * made durable, once it resolved (a failed put is retried and counted when it succeeds). Replicas
 * flush the same chunks under the same keys, so only the chunks of series `owner` says this process
 * counts are metered: the first healthy ingester of each series' ring position (every one in a
 * single process), as for active series.
 */
export class MeteredChunkStore implements ChunkStore {
  readonly flushedBeforeStart?: ChunkStore['flushedBeforeStart'];

  constructor(
    private readonly inner: ChunkStore,
    private readonly recorder: UsageRecorder,
    private readonly owner?: (tenantId: TenantId) => (labels: Labels) => boolean,
  ) {
    if (inner.flushedBeforeStart) this.flushedBeforeStart = (t, o) => inner.flushedBeforeStart!(t, o);
  }

  async put(tenantId: TenantId, chunks: readonly StoredChunk[], opts?: CallOptions): Promise<void> {
    await this.inner.put(tenantId, chunks, opts);
    const owns = this.owner?.(tenantId);
    let bytes = 0;
    for (const c of chunks) if (!owns || owns(c.labels)) bytes += c.data.length;
    if (bytes > 0) this.recorder.add(tenantId, { stored_bytes: bytes });
  }

  queryable(tenantId: TenantId): Queryable {
    return this.inner.queryable(tenantId);
  }

  deleteTenant(tenantId: TenantId, opts?: CallOptions): Promise<void> {
    return this.inner.deleteTenant(tenantId, opts);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
