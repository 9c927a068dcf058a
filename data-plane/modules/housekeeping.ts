import { type Clock, parseTenantId, type TenantId } from '../model/index.js';
import { applyRetention, type KVChunkStore, type PurgeStats } from '../storage/chunkstore/index.js';
import type { Logger } from './data-plane.js';

/** The control plane's tenants feed (`GET /internal/v1/tenants` or its in-process twin). */
export type TenantsFetcher = () => Promise<{
  tenants: { id: string; status: string }[];
  purges: { tenantId: string }[];
}>;

export interface HousekeepingOptions {
  store: KVChunkStore;
  tenants: TenantsFetcher;
  completePurge(tenantId: string): Promise<void>;
  retentionMs(tenantId: TenantId): number;
  /** Drops a purged tenant's in-memory data and WAL, when the ingester supports it. */
  purgeIngester?(tenantId: TenantId): Promise<void>;
  clock: Clock;
  logger: Logger;
  /** How often purge requests are looked for (default 30 s). */
  purgeIntervalMs?: number;
  /** How often retention runs (default 1 h). */
  retentionIntervalMs?: number;
  /** How often rows hidden by delete-series tombstones are removed (default 1 h). */
  deletedSeriesIntervalMs?: number;
}

/**
 * Background jobs on long-term storage: carries out the control plane's purge requests for deleted
 * tenants (every row removed, then reported complete so the ID can be reused), enforces each
 * tenant's `retention_period` by dropping whole day buckets, and physically removes what operators'
 * delete-series requests already hide (`purgeDeleted`).
 */
export class Housekeeping {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly opts: HousekeepingOptions) {}

  start(): void {
    const every = (ms: number, job: () => Promise<unknown>) => {
      const t = setInterval(() => this.serialize(job), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.purgeIntervalMs ?? 30_000, () => this.purges());
    every(this.opts.retentionIntervalMs ?? 3_600_000, () => this.retention());
    every(this.opts.deletedSeriesIntervalMs ?? 3_600_000, () => this.purgeDeletedSeries());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.running;
  }

  /** Carries out every pending purge request; returns the tenants purged. */
  async purges(): Promise<string[]> {
    const feed = await this.opts.tenants();
    const done: string[] = [];
    for (const p of feed.purges) {
      const tenantId = parseTenantId(p.tenantId);
      try {
        await this.opts.purgeIngester?.(tenantId);
        await this.opts.store.deleteTenant(tenantId);
        await this.opts.completePurge(tenantId);
        this.opts.logger.info(`purged every row of deleted tenant ${tenantId}`);
        done.push(tenantId);
      } catch (err) {
        this.opts.logger.warn(`purge of tenant ${tenantId} failed, will retry: ${String(err)}`);
      }
    }
    return done;
  }

  /** Applies every tenant's retention period; returns the number of day buckets dropped. */
  async retention(): Promise<number> {
    const feed = await this.opts.tenants();
    let dropped = 0;
    for (const t of feed.tenants) {
      const tenantId = parseTenantId(t.id);
      const retentionMs = this.opts.retentionMs(tenantId);
      if (retentionMs <= 0) continue;
      try {
        dropped += (await applyRetention(this.opts.store, { tenantId, retentionMs, clock: this.opts.clock })).length;
      } catch (err) {
        this.opts.logger.warn(`retention for tenant ${tenantId} failed, will retry: ${String(err)}`);
      }
    }
    return dropped;
  }

  /** Removes the rows hidden by delete-series tombstones, for every tenant; returns the totals. */
  async purgeDeletedSeries(): Promise<PurgeStats> {
    const feed = await this.opts.tenants();
    const total: PurgeStats = { chunksDeleted: 0, seriesDeleted: 0, tombstonesRemoved: 0, tombstonesKept: 0 };
    for (const t of feed.tenants) {
      const tenantId = parseTenantId(t.id);
      try {
        const st = await this.opts.store.purgeDeleted(tenantId);
        total.chunksDeleted += st.chunksDeleted;
        total.seriesDeleted += st.seriesDeleted;
        total.tombstonesRemoved += st.tombstonesRemoved;
        total.tombstonesKept += st.tombstonesKept;
        if (st.chunksDeleted + st.tombstonesRemoved > 0) {
          this.opts.logger.info(
            `deleted series of tenant ${tenantId}: ${st.chunksDeleted} chunk rows and ${st.seriesDeleted} series removed`,
          );
        }
      } catch (err) {
        this.opts.logger.warn(`purging deleted series of tenant ${tenantId} failed, will retry: ${String(err)}`);
      }
    }
    return total;
  }

  private serialize(job: () => Promise<unknown>): void {
    this.running = this.running.then(async () => {
      try {
        await job();
      } catch (err) {
        this.opts.logger.warn(`housekeeping: ${String(err)}`);
      }
    });
  }
}
