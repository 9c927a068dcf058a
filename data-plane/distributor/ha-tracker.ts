import { BadDataError, type Clock, type TenantId } from '../model/index.js';
import { ERROR_IDS, withId } from '../validation/index.js';

/** The elected replica of one HA cluster of one tenant (Cortex's ReplicaDesc). */
export interface ReplicaDesc {
  replica: string;
  /** ms; when a sample from the elected replica was last recorded. */
  receivedAt: number;
}

/**
 * Where HA election state lives. The in-memory store serves one process; a shared store (Postgres,
 * Bigtable or etcd, from the ring work) makes every distributor agree. `compareAndSwap` must be
 * atomic: it writes `next` only if the stored value still equals `prev` (undefined = absent).
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
   * ms; a cluster whose elected replica has been silent this long no longer counts towards
   * `ha_max_clusters` and is forgotten (Cortex cleans up after 30 minutes), so renamed clusters do not
   * lock a tenant out forever.
   */
  staleAfterMs?: number;
}

const CAS_RETRIES = 5;

/**
 * Elects one replica per tenant and HA cluster, with Cortex's semantics: the first replica seen is
 * elected; samples from others are rejected while the elected one keeps sending; once it has been
 * silent for the tenant's `ha_tracker_failover_timeout`, the next replica to send takes over.
 */
export class HaTracker {
  private readonly store: HaTrackerStore;
  private readonly clock: Clock;
  private readonly updateTimeoutMs: number;
  private readonly staleAfterMs: number;

  constructor(opts: HaTrackerOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.updateTimeoutMs = opts.updateTimeoutMs ?? 15_000;
    this.staleAfterMs = opts.staleAfterMs ?? 30 * 60_000;
  }

  async checkReplica(
    tenant: TenantId,
    cluster: string,
    replica: string,
    failoverTimeoutMs: number,
    maxClusters: number,
  ): Promise<ReplicaDecision> {
    for (let attempt = 0; attempt < CAS_RETRIES; attempt++) {
      const now = this.clock.now();
      const cur = await this.store.get(tenant, cluster);
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
        if (await this.store.compareAndSwap(tenant, cluster, undefined, { replica, receivedAt: now })) {
          return { accepted: true, failover: false };
        }
        continue;
      }
      if (cur.replica === replica) {
        if (now - cur.receivedAt < this.updateTimeoutMs) return { accepted: true, failover: false };
        if (await this.store.compareAndSwap(tenant, cluster, cur, { replica, receivedAt: now })) {
          return { accepted: true, failover: false };
        }
        continue;
      }
      if (now - cur.receivedAt < failoverTimeoutMs) return { accepted: false, elected: cur.replica };
      if (await this.store.compareAndSwap(tenant, cluster, cur, { replica, receivedAt: now })) {
        return { accepted: true, failover: true };
      }
    }
    // Lost every race: someone else keeps writing, so their replica is the elected one.
    const cur = await this.store.get(tenant, cluster);
    if (cur !== undefined && cur.replica === replica) return { accepted: true, failover: false };
    return { accepted: false, elected: cur?.replica ?? '' };
  }
}
