import {
  CortexError,
  type MetricMetadata,
  type SeriesError,
  type TenantId,
  type TimeSeries,
  UnavailableError,
  type WriteOutcome,
  type WriteRequest,
} from '../model/index.js';
import { doBatch, fnv32a, type InstanceDesc, type ReadRing, type ReplicationSet, shardHash } from '../ring/index.js';
import type { IngesterClient } from './ingester-client.js';

export interface RingIngesterClientOptions {
  /** The ingester ring (a `RingClient` kept fresh from the ring store). */
  ring: ReadRing;
  /** The client for one ingester (cached by the caller, e.g. per address). */
  clientFor(instance: InstanceDesc): IngesterClient;
  /** The tenant's shuffle-shard size (`ingestion_tenant_shard_size`; 0 = every ingester). */
  shardSize(tenantId: TenantId): number;
}

/**
 * Replicates writes over the ingester ring (Cortex's distributor `send` path): every series goes to
 * the replication set of `shardHash(tenant, labels)` within the tenant's shuffle shard, metadata to
 * the set of its metric family; one call per ingester carries all the items it owns, and an item
 * succeeds once a quorum of its replicas stored it (`doBatch`).
 *
 * Per-series rejections (out of order, series limits) are what an ingester answers inside a
 * successful call: each is reported once, however many replicas reported it. A series that cannot
 * reach quorum fails the whole request: with that replica's 4xx when every failure was a client
 * error, otherwise with `UnavailableError` (5xx, the client retries; replicas that did store it
 * take the retry as duplicates).
 */
export class RingIngesterClient implements IngesterClient {
  constructor(private readonly opts: RingIngesterClientOptions) {}

  async push(tenantId: TenantId, req: WriteRequest, opts?: { signal?: AbortSignal }): Promise<WriteOutcome> {
    const ring = this.opts.ring.shuffleShard(tenantId, this.opts.shardSize(tenantId));
    const n = req.timeseries.length;
    const sets: ReplicationSet[] = new Array(n + req.metadata.length);
    // `get` throws UnavailableError when too few ingesters are healthy: nothing is sent then.
    for (let i = 0; i < n; i++) sets[i] = ring.get(shardHash(tenantId, req.timeseries[i]!.labels), 'write');
    for (let j = 0; j < req.metadata.length; j++) {
      sets[n + j] = ring.get(fnv32a(`${tenantId}\u0000${req.metadata[j]!.metricFamilyName}`), 'write');
    }

    // Per-series rejections by series index, first replica's report wins.
    const rejected = new Map<number, SeriesError>();
    const result = await doBatch(
      sets,
      async (inst, items) => {
        const timeseries: TimeSeries[] = [];
        const metadata: MetricMetadata[] = [];
        const index: number[] = [];
        for (const i of items) {
          if (i < n) {
            timeseries.push(req.timeseries[i]!);
            index.push(i);
          } else metadata.push(req.metadata[i - n]!);
        }
        const out = await this.opts.clientFor(inst).push(tenantId, { timeseries, metadata }, opts);
        if (out.errors.length > 0) {
          const byKey = new Map<string, number>();
          for (let k = 0; k < timeseries.length; k++) byKey.set(timeseries[k]!.labels.key(), index[k]!);
          for (const e of out.errors) {
            const i = byKey.get(e.labels.key());
            if (i !== undefined && !rejected.has(i)) rejected.set(i, e);
          }
        }
      },
      opts?.signal ? { signal: opts.signal } : {},
    );

    if (result.failed.length > 0) {
      const errors = result.failed.map((i) => (result.outcomes[i] as { ok: false; error: unknown }).error);
      const clientError = errors.find((e) => e instanceof CortexError && e.kind !== 'unavailable');
      if (clientError && errors.every((e) => e instanceof CortexError && e.kind !== 'unavailable')) throw clientError;
      const first = errors.find((e) => !(e instanceof CortexError && e.kind !== 'unavailable')) ?? errors[0];
      throw new UnavailableError(
        `${result.failed.length} of ${sets.length} series and metadata could not be written to a quorum of ingesters: ${errMessage(first)}`,
        { cause: first },
      );
    }

    let samplesAppended = 0;
    let histogramsAppended = 0;
    let exemplarsAppended = 0;
    for (let i = 0; i < n; i++) {
      const ts = req.timeseries[i]!;
      const e = rejected.get(i);
      const dropped = e?.dropped ?? 0;
      // What was dropped is attributed to samples first, then histograms.
      samplesAppended += Math.max(0, ts.samples.length - dropped);
      histogramsAppended += Math.max(0, ts.histograms.length - Math.max(0, dropped - ts.samples.length));
      exemplarsAppended += ts.exemplars.length;
    }
    const errors = [...rejected.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
    return { samplesAppended, histogramsAppended, exemplarsAppended, errors };
  }
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
