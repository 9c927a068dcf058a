/**
 * The hash ring's contract, shared by its producers (lifecyclers) and its consumers (distributor,
 * querier, ruler, alertmanager, gateway). Cortex's model: each instance owns random uint32 tokens;
 * a key is owned by the instance holding the first token at or after the key's hash (clockwise,
 * wrapping at 2^32) and the next RF−1 distinct instances (distinct zones when zone-aware).
 *
 * Ring state lives in an existing store with compare-and-set (`SortedKV.checkAndPut`: Bigtable
 * CheckAndMutateRow in production, the embedded store in one process); see docs/ring.md.
 */

/** Cortex's `ring.proto` states. UNHEALTHY is not stored: it is derived from heartbeat age. */
export type InstanceState = 'ACTIVE' | 'LEAVING' | 'PENDING' | 'JOINING' | 'LEFT';

export interface InstanceDesc {
  id: string;
  /** Base URL peers use to reach it, e.g. `http://10.0.0.7:9009`. */
  addr: string;
  zone: string;
  state: InstanceState;
  /** Sorted ascending, unique within the ring. */
  tokens: number[];
  /** Unix ms of the last heartbeat. */
  heartbeatMs: number;
  registeredMs: number;
}

/** One ring (e.g. `ingester`, `ruler`): every instance by id. */
export interface RingDesc {
  instances: Record<string, InstanceDesc>;
}

/** What the caller is about to do; decides which states count as usable. */
export type RingOperation =
  /** Writes go to ACTIVE instances; a JOINING/LEAVING one extends the set to the next instance. */
  | 'write'
  /** Reads go to ACTIVE and LEAVING instances (a leaving ingester still holds data). */
  | 'read'
  /** Ownership of work (ruler groups, alertmanager tenants): ACTIVE only. */
  | 'own';

/** The instances for one key, and how many of them must succeed. */
export interface ReplicationSet {
  instances: InstanceDesc[];
  /** Failures tolerated: `instances.length − quorum`. */
  maxErrors: number;
  /**
   * Zone-aware `all()` only: whole zones that may fail (any number of instances within them); then
   * `maxErrors` is 0. Absent elsewhere. A caller ignoring it is merely stricter.
   */
  maxUnavailableZones?: number;
}

/** Read side of a ring, as consumers declare it. */
export interface ReadRing {
  /** The replica set for a 32-bit key hash; throws `UnavailableError` when fewer than a quorum are healthy. */
  get(hash: number, op: RingOperation): ReplicationSet;
  /**
   * Ownership of work (ruler groups, alertmanager tenants): the first `n` distinct instances clockwise
   * from `hash` that are ACTIVE and healthy at `nowMs` (default now), in distinct zones when
   * zone-aware, in ring order. Never throws: unusable instances are walked past, so a dead or leaving
   * owner's keys move to its neighbours; fewer than `n` (none on an empty ring) when fewer are usable.
   */
  owners(hash: number, n: number, nowMs?: number): InstanceDesc[];
  /** Every healthy instance usable for `op` (e.g. a querier reading from all ingesters). */
  all(op: RingOperation): ReplicationSet;
  /** The sub-ring of `size` instances for a tenant (shuffle sharding); `size` ≤ 0 = whole ring. */
  shuffleShard(tenantId: string, size: number): ReadRing;
  /** Healthy = heartbeat within the timeout and state not LEFT. */
  isHealthy(inst: InstanceDesc, nowMs: number): boolean;
  replicationFactor: number;
  /** Snapshot for status pages. */
  describe(): RingDesc;
}
