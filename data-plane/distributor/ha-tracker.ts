import { BadDataError, type Clock, type TenantId } from '../model/index.js';
import { ERROR_IDS, withId } from '../validation/index.js';

/** The elected replica of one HA cluster of one tenant (Cortex's ReplicaDesc). */
export interface ReplicaDesc {
  replica: string;
  /** ms; when a sample from the elected replica was last recorded. */
  receivedAt: number;
}

/**
 * Where HA election state lives. The in-memory store serves one process; `KVHaTrackerStore`
 * (ha-tracker-kv.ts, over Bigtable in split mode) makes every distributor agree. `compareAndSwap`
 * must be atomic: it writes `next` only if the stored value still equals `prev` (undefined = absent).
 */
export interface HaTrackerStore {
  get(tenant: TenantId, cluster: string): Promise<ReplicaDesc | undefined>;
  compareAndSwap(tenant: TenantId, cluster: string, prev: ReplicaDesc | undefined, next: ReplicaDesc): Promise<boolean>;
  /** How many clusters the tenant has entries for. */
  clusterCount(tenant: TenantId): Promise<number>;
  /** Forgets the tenant's clusters whose elected replica last wrote before `before` (ms). */
  removeStale(tenant: TenantId, before: number): Promise<void>;
}

export class InMemoryHaTrackerStore implements HaTrackerStore {
  // Keyed per tenant, then cluster; a Map, so any cluster name (even `__proto__`) is safe.
  private readonly tenants = new Map<string, Map<string, ReplicaDesc>>();

  async get(tenant: TenantId, cluster: string): Promise<ReplicaDesc | undefined> {
    return this.tenants.get(tenant)?.get(cluster);
  }

  async compareAndSwap(
    tenant: TenantId,
    cluster: string,
    prev: ReplicaDesc | undefined,
    next: ReplicaDesc,
  ): Promise<boolean> {
    let m = this.tenants.get(tenant);
    const cur = m?.get(cluster);
    const same =
      cur === undefined || prev === undefined
        ? cur === prev
        : cur.replica === prev.replica && cur.receivedAt === prev.receivedAt;
    if (!same) return false;
    if (m === undefined) {
      m = new Map();
      this.tenants.set(tenant, m);
    }
    m.set(cluster, { ...next });
    return true;
  }

  async clusterCount(tenant: TenantId): Promise<number> {
    return this.tenants.get(tenant)?.size ?? 0;
  }

  async removeStale(tenant: TenantId, before: number): Promise<void> {
    const m = this.tenants.get(tenant);
    if (m === undefined) return;
    for (const [cluster, d] of m) if (d.receivedAt < before) m.delete(cluster);
    if (m.size === 0) this.tenants.delete(tenant);
  }
}

export type ReplicaDecision = { accepted: true; failover: boolean } | { accepted: false; elected: string };

export interface HaTrackerOptions {
  store: HaTrackerStore;
  clock: Clock;
  /**
   * ms; the elected replica's timestamp is only rewritten when older than this, to spare the store a
   * write per request (Cortex `ha_tracker_update_timeout`, 15 s). The recorded time may thus lag by
   * up to this much, so failover happens between `failoverTimeout - updateTimeout` and
   * `failoverTimeout` after the elected replica went silent; keep the failover timeout well above it.
   */
  updateTimeoutMs?: number;
  /**
   * ms; up to this much is added to `updateTimeoutMs`, drawn once per tracker (Cortex
   * `ha_tracker_update_timeout_jitter_max`, 5 s there), so distributors fed by the same replica do
   * not all rewrite its row at the same moment. Default 0.
   */
  updateTimeoutJitterMaxMs?: number;
  /** Source of the jitter (default Math.random). */
  random?: () => number;
  /**
   * ms; a cluster whose elected replica has been silent this long no longer counts towards
   * `ha_max_clusters` and is forgotten (Cortex cleans up after 30 minutes), so renamed clusters do not
   * lock a tenant out forever.
   */
  staleAfterMs?: number;
  /**
   * Decide from the last state this tracker read or wrote when that is safe (default true), so a
   * shared store is read about once per update timeout per cluster instead of once per request.
   */
  cache?: boolean;
}

const CAS_RETRIES = 5;

/**
 * Elects one replica per tenant and HA cluster, with Cortex's semantics: the first replica seen is
 * elected; samples from others are rejected while the elected one keeps sending; once it has been
 * silent for the tenant's `ha_tracker_failover_timeout`, the next replica to send takes over.
 *
 * Several distributors (one tracker each) share one store and agree through its compare-and-swap.
 * Each tracker also remembers the last desc it read or wrote per cluster (Cortex's local cache) and
 * decides from it without reading the store: the stored timestamp of the elected replica only ever
 * grows until a failover, and a failover needs `failoverTimeout` of silence after it, so within
 * `updateTimeout` (same replica) or `failoverTimeout` (another replica) of the remembered timestamp
 * the store cannot have elected anyone else. Past that, a compare-and-swap against the remembered
 * desc either succeeds (it was current) or fails and the store is read again. With several
 * distributors the trackers' clocks are assumed to agree to well within those timeouts.
 */
export class HaTracker {
  private readonly store: HaTrackerStore;
  private readonly clock: Clock;
  private readonly updateTimeoutMs: number;
  private readonly staleAfterMs: number;
  private readonly cache: Map<string, Map<string, ReplicaDesc>> | undefined;
  private lastSweep: number | undefined;

  constructor(opts: HaTrackerOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    const jitter = Math.max(0, opts.updateTimeoutJitterMaxMs ?? 0);
    this.updateTimeoutMs = (opts.updateTimeoutMs ?? 15_000) + Math.floor((opts.random ?? Math.random)() * jitter);
    this.staleAfterMs = opts.staleAfterMs ?? 30 * 60_000;
    this.cache = (opts.cache ?? true) ? new Map() : undefined;
  }

  /** The update timeout in effect, jitter included (ms). */
  get effectiveUpdateTimeoutMs(): number {
    return this.updateTimeoutMs;
  }

  /** How many (tenant, cluster) elections this tracker remembers. */
  get rememberedClusters(): number {
    let n = 0;
    for (const m of this.cache?.values() ?? []) n += m.size;
    return n;
  }

  async checkReplica(
    tenant: TenantId,
    cluster: string,
    replica: string,
    failoverTimeoutMs: number,
    maxClusters: number,
  ): Promise<ReplicaDecision> {
    this.sweep();
    for (let attempt = 0; attempt < CAS_RETRIES; attempt++) {
      const now = this.clock.now();
      // First try what this tracker last saw; after a lost compare-and-swap, the store.
      const cur = (attempt === 0 ? this.cached(tenant, cluster) : undefined) ?? (await this.read(tenant, cluster));
      if (cur === undefined) {
        if (maxClusters > 0) await this.store.removeStale(tenant, now - Math.max(this.staleAfterMs, failoverTimeoutMs));
        if (maxClusters > 0 && (await this.store.clusterCount(tenant)) >= maxClusters) {
          const id = ERROR_IDS.tenantTooManyHaClusters;
          throw new BadDataError(
            withId(
              `the write request has been rejected because the maximum number of high-availability (HA) clusters has been reached for this tenant (limit: ${maxClusters})`,
              id,
              'distributor.ha-tracker.max-clusters',
            ),
            { id },
          );
        }
        if (await this.swap(tenant, cluster, undefined, { replica, receivedAt: now })) {
          return { accepted: true, failover: false };
        }
        continue;
      }
      if (cur.replica === replica) {
        if (now - cur.receivedAt < this.updateTimeoutMs) return { accepted: true, failover: false };
        if (await this.swap(tenant, cluster, cur, { replica, receivedAt: now })) {
          return { accepted: true, failover: false };
        }
        continue;
      }
      if (now - cur.receivedAt < failoverTimeoutMs) return { accepted: false, elected: cur.replica };
      if (await this.swap(tenant, cluster, cur, { replica, receivedAt: now })) {
        return { accepted: true, failover: true };
      }
    }
    // Lost every race: someone else keeps writing, so their replica is the elected one.
    const cur = await this.read(tenant, cluster);
    if (cur !== undefined && cur.replica === replica) return { accepted: true, failover: false };
    return { accepted: false, elected: cur?.replica ?? '' };
  }

  private cached(tenant: TenantId, cluster: string): ReplicaDesc | undefined {
    return this.cache?.get(tenant)?.get(cluster);
  }

  private remember(tenant: TenantId, cluster: string, d: ReplicaDesc | undefined): void {
    if (this.cache === undefined) return;
    let m = this.cache.get(tenant);
    if (d === undefined) {
      m?.delete(cluster);
      if (m?.size === 0) this.cache.delete(tenant);
      return;
    }
    if (m === undefined) {
      m = new Map();
      this.cache.set(tenant, m);
    }
    m.set(cluster, d);
  }

  private async read(tenant: TenantId, cluster: string): Promise<ReplicaDesc | undefined> {
    const d = await this.store.get(tenant, cluster);
    this.remember(tenant, cluster, d);
    return d;
  }

  private async swap(
    tenant: TenantId,
    cluster: string,
    prev: ReplicaDesc | undefined,
    next: ReplicaDesc,
  ): Promise<boolean> {
    const ok = await this.store.compareAndSwap(tenant, cluster, prev, next);
    // On a lost race what we remember is out of date: the retry reads the store.
    this.remember(tenant, cluster, ok ? next : undefined);
    return ok;
  }

  /** Drops remembered clusters silent for `staleAfterMs` (at most once per half of that). */
  private sweep(): void {
    if (this.cache === undefined) return;
    const now = this.clock.now();
    if (this.lastSweep !== undefined && now - this.lastSweep < this.staleAfterMs / 2) return;
    this.lastSweep = now;
    for (const [tenant, m] of this.cache) {
      for (const [cluster, d] of m) if (now - d.receivedAt >= this.staleAfterMs) m.delete(cluster);
      if (m.size === 0) this.cache.delete(tenant);
    }
  }
}
