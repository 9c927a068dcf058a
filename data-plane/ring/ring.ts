import { createHash } from 'node:crypto';
import { UnavailableError } from '../model/errors.js';
import { cloneRing, emptyRing } from './codec.js';
import type { RingStore } from './store.js';
import type { InstanceDesc, InstanceState, ReadRing, ReplicationSet, RingDesc, RingOperation } from './types.js';

export interface RingOptions {
  /** Replicas per key (default 1; split mode uses 3). */
  replicationFactor?: number;
  /** An instance whose last heartbeat is older than this is unhealthy (default 1 min). */
  heartbeatTimeoutMs?: number;
  /**
   * One replica per zone. `'auto'` (default): enabled when every instance has a non-empty zone
   * (the split-mode contract); `true`/`false` force it.
   */
  zoneAwareness?: boolean | 'auto';
  now?: () => number;
  /**
   * Maps "now" to the time heartbeats are judged at (default identity). `RingClient` uses it to
   * freeze health while its store is unreachable; sub-rings inherit it.
   */
  healthClock?: (nowMs: number) => number;
}

/** States whose instances serve `op`. */
function usable(op: RingOperation, s: InstanceState): boolean {
  if (op === 'read') return s === 'ACTIVE' || s === 'LEAVING';
  return s === 'ACTIVE';
}

/** States that make a replica set one larger for `op` (Cortex's `ShouldExtendReplicaSetOnState`). */
function extendsSet(op: RingOperation, s: InstanceState): boolean {
  if (op === 'write') return s !== 'ACTIVE';
  if (op === 'read') return s !== 'ACTIVE' && s !== 'LEAVING';
  return false;
}

/** The quorum of `n` replicas: a strict majority. */
export function quorum(n: number): number {
  return Math.floor(n / 2) + 1;
}

interface TokenIndex {
  /** All tokens, ascending. */
  tokens: Uint32Array;
  /** Owner (index into `insts`) of `tokens[i]`. */
  owners: Uint32Array;
  insts: InstanceDesc[];
  zones: string[];
  zoneAware: boolean;
  /** Per zone (sorted by zone name): that zone's tokens ascending and their owners. */
  byZone: Map<string, { tokens: Uint32Array; owners: Uint32Array }>;
}

function buildIndex(desc: RingDesc, zoneAwareness: boolean | 'auto'): TokenIndex {
  const insts = Object.values(desc.instances).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const pairs: [number, number][] = [];
  insts.forEach((inst, i) => {
    for (const t of inst.tokens) pairs.push([t, i]);
  });
  // Ties (which CAS registration prevents) break by instance id so every client agrees.
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const tokens = Uint32Array.from(pairs, (p) => p[0]);
  const owners = Uint32Array.from(pairs, (p) => p[1]);
  const zones = [...new Set(insts.map((i) => i.zone))].sort();
  const zoneAware =
    zoneAwareness === 'auto' ? insts.length > 0 && insts.every((i) => i.zone !== '') : zoneAwareness === true;
  const byZone = new Map<string, { tokens: Uint32Array; owners: Uint32Array }>();
  for (const z of zones) {
    const zp = pairs.filter((p) => insts[p[1]]!.zone === z);
    byZone.set(z, { tokens: Uint32Array.from(zp, (p) => p[0]), owners: Uint32Array.from(zp, (p) => p[1]) });
  }
  return { tokens, owners, insts, zones, zoneAware, byZone };
}

/**
 * `desc`'s instances in `prev`'s order when both have the same ids, zones and tokens (only states
 * or heartbeats differ); undefined otherwise.
 */
function sameTopology(prev: readonly InstanceDesc[], desc: RingDesc): InstanceDesc[] | undefined {
  const out: InstanceDesc[] = [];
  let n = 0;
  for (const _ in desc.instances) n++;
  if (n !== prev.length) return undefined;
  for (const p of prev) {
    const cur = desc.instances[p.id];
    if (!cur || cur.zone !== p.zone || cur.tokens.length !== p.tokens.length) return undefined;
    if (cur.tokens !== p.tokens) {
      for (let i = 0; i < cur.tokens.length; i++) if (cur.tokens[i] !== p.tokens[i]) return undefined;
    }
    out.push(cur);
  }
  return out;
}

/** Index of the first token ≥ `key`, wrapping to 0 past the end. */
function search(tokens: Uint32Array, key: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo === tokens.length ? 0 : lo;
}

/**
 * A ring snapshot answering `ReadRing` queries (Cortex's `ring.Ring`): `get` walks tokens clockwise
 * from the key's hash collecting RF distinct instances (distinct zones when zone-aware), extends the
 * set past instances that cannot take the operation, then drops unhealthy ones and checks quorum.
 * `update()` swaps in a new desc; `RingClient` keeps it in sync with the store.
 */
export class Ring implements ReadRing {
  readonly replicationFactor: number;
  readonly heartbeatTimeoutMs: number;
  protected readonly zoneAwareness: boolean | 'auto';
  protected readonly now: () => number;
  protected readonly healthClock: (nowMs: number) => number;
  private desc: RingDesc = emptyRing();
  private index: TokenIndex;
  private shards = new Map<string, { ring: Ring; version: number }>();
  private version = 0;

  constructor(opts: RingOptions = {}, desc?: RingDesc) {
    this.replicationFactor = opts.replicationFactor ?? 1;
    this.heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 60_000;
    this.zoneAwareness = opts.zoneAwareness ?? 'auto';
    this.now = opts.now ?? Date.now;
    this.healthClock = opts.healthClock ?? ((n) => n);
    this.index = buildIndex(this.desc, this.zoneAwareness);
    if (desc) this.update(desc);
  }

  /**
   * Replaces the snapshot (the caller must not mutate `desc` afterwards). When only states and
   * heartbeats changed (the common case: every poll sees new heartbeats), the token index and the
   * shuffle-shard cache are kept, as Cortex's `updateRingState` does.
   */
  update(desc: RingDesc): void {
    this.version++;
    const insts = sameTopology(this.index.insts, desc);
    this.desc = desc;
    if (insts) {
      this.index.insts = insts;
      return;
    }
    this.index = buildIndex(desc, this.zoneAwareness);
    this.shards.clear();
  }

  /** Whether zone-aware replication is in effect for the current snapshot. */
  get zoneAware(): boolean {
    return this.index.zoneAware;
  }

  /** Number of registered instances, healthy or not. */
  get instanceCount(): number {
    return this.index.insts.length;
  }

  isHealthy(inst: InstanceDesc, nowMs: number): boolean {
    return inst.state !== 'LEFT' && this.judgeAt(nowMs) - inst.heartbeatMs <= this.heartbeatTimeoutMs;
  }

  /** The time heartbeats are judged at, given the clock's now. */
  protected judgeAt(nowMs: number): number {
    return this.healthClock(nowMs);
  }

  /** Healthy and in a state that serves `op`. */
  isHealthyFor(inst: InstanceDesc, op: RingOperation, nowMs: number): boolean {
    return usable(op, inst.state) && this.isHealthy(inst, nowMs);
  }

  get(hash: number, op: RingOperation): ReplicationSet {
    const { tokens, owners, insts, zoneAware } = this.index;
    if (tokens.length === 0) throw new UnavailableError('empty ring');
    let n = this.replicationFactor;
    // Replica sets are small: arrays beat sets here.
    const picked: InstanceDesc[] = [];
    const seen: number[] = [];
    const zones: string[] = [];
    const start = search(tokens, hash >>> 0);
    for (let it = 0, p = start; it < tokens.length && picked.length < Math.min(n, insts.length); it++, p++) {
      if (p === tokens.length) p = 0;
      const owner = owners[p]!;
      if (seen.includes(owner)) continue;
      const inst = insts[owner]!;
      if (zoneAware && zones.includes(inst.zone)) continue;
      seen.push(owner);
      // A replica that cannot take the operation extends the set to the next instance (in its zone:
      // its zone is not marked as used).
      if (extendsSet(op, inst.state)) n++;
      else if (zoneAware) zones.push(inst.zone);
      picked.push(inst);
    }
    const now = this.now();
    const healthy = picked.filter((i) => this.isHealthyFor(i, op, now));
    const minSuccess = quorum(Math.max(picked.length, this.replicationFactor));
    if (healthy.length < minSuccess) {
      const across = zoneAware ? ' across different availability zones' : '';
      throw new UnavailableError(
        `at least ${minSuccess} live replicas required${across}, could only find ${healthy.length}`,
      );
    }
    return { instances: healthy, maxErrors: healthy.length - minSuccess };
  }

  owners(hash: number, n: number, nowMs = this.now()): InstanceDesc[] {
    const { tokens, owners, insts, zoneAware } = this.index;
    const out: InstanceDesc[] = [];
    const start = tokens.length === 0 ? 0 : search(tokens, hash >>> 0);
    for (let it = 0; it < tokens.length && out.length < n; it++) {
      const inst = insts[owners[(start + it) % tokens.length]!]!;
      if (out.includes(inst) || (zoneAware && out.some((o) => o.zone === inst.zone))) continue;
      if (this.isHealthyFor(inst, 'own', nowMs)) out.push(inst);
    }
    return out;
  }

  all(op: RingOperation): ReplicationSet {
    const { insts, zoneAware } = this.index;
    const now = this.now();
    const healthy: InstanceDesc[] = [];
    const failedZones = new Set<string>();
    for (const inst of insts) {
      if (this.isHealthyFor(inst, op, now)) healthy.push(inst);
      else failedZones.add(inst.zone);
    }
    const rf = this.replicationFactor;
    if (zoneAware) {
      // Data is in RF distinct zones: a quorum of zones suffices, and a zone with any failed
      // instance is skipped entirely (as Cortex's GetReplicationSetForOperation).
      const replicatedZones = Math.min(this.index.zones.length, rf);
      const maxUnavailableZones = quorum(replicatedZones) - 1;
      if (failedZones.size > maxUnavailableZones) {
        throw new UnavailableError('too many unhealthy instances in the ring');
      }
      return {
        instances: healthy.filter((i) => !failedZones.has(i.zone)),
        maxErrors: 0,
        maxUnavailableZones: maxUnavailableZones - failedZones.size,
      };
    }
    const required = Math.max(insts.length, rf) - Math.floor(rf / 2);
    if (healthy.length < required) throw new UnavailableError('too many unhealthy instances in the ring');
    return { instances: healthy, maxErrors: healthy.length - required };
  }

  /**
   * The tenant's sub-ring of `size` instances (Cortex/Mimir shuffle sharding): per zone (in name
   * order; one pseudo-zone when not zone-aware), ceil(size / zones) instances are picked by walking
   * the zone's tokens from tenant-seeded random points, skipping instances already picked. The
   * same tenant always gets the same shard; adding one instance changes at most one member.
   * `lookbackMs` > 0 also keeps instances registered within that window while continuing the
   * search (reads after a scale-up still find the series written before it).
   */
  shuffleShard(tenantId: string, size: number, lookbackMs = 0): Ring {
    if (size <= 0 || size >= this.index.insts.length) return this;
    const cacheKey = lookbackMs > 0 ? undefined : `${size}\xff${tenantId}`;
    if (cacheKey) {
      const hit = this.shards.get(cacheKey);
      if (hit) {
        if (hit.version !== this.version) {
          // Same members and tokens (else the cache was cleared): refresh states and heartbeats.
          const sub = emptyRing();
          for (const id of Object.keys(hit.ring.desc.instances)) sub.instances[id] = this.desc.instances[id]!;
          hit.ring.update(sub);
          hit.version = this.version;
        }
        return hit.ring;
      }
    }
    const { insts, zoneAware } = this.index;
    const zones = zoneAware ? this.index.zones : [''];
    const perZone = zoneAware ? Math.ceil(size / zones.length) : size;
    const lookbackUntil = this.now() - lookbackMs;
    const picked = new Set<number>();
    for (const zone of zones) {
      const { tokens, owners } = zoneAware ? this.index.byZone.get(zone)! : this.index;
      const rnd = seededRandom(tenantId, zone);
      for (let i = 0; i < perZone; i++) {
        const start = search(tokens, rnd());
        let found = false;
        for (let it = 0; it < tokens.length; it++) {
          const owner = owners[(start + it) % tokens.length]!;
          if (picked.has(owner)) continue;
          picked.add(owner);
          if (lookbackMs > 0 && insts[owner]!.registeredMs >= lookbackUntil) continue;
          found = true;
          break;
        }
        if (!found) break;
      }
    }
    const sub = emptyRing();
    for (const o of picked) sub.instances[insts[o]!.id] = insts[o]!;
    const ring = new Ring(
      {
        replicationFactor: this.replicationFactor,
        heartbeatTimeoutMs: this.heartbeatTimeoutMs,
        zoneAwareness: zoneAware,
        now: this.now,
        healthClock: (n) => this.judgeAt(n),
      },
      sub,
    );
    if (cacheKey) this.shards.set(cacheKey, { ring, version: this.version });
    return ring;
  }

  describe(): RingDesc {
    return cloneRing(this.desc);
  }
}

/**
 * A deterministic uint32 generator seeded from (tenant, zone), as Cortex's `ShuffleShardSeed`
 * (MD5 of identifier + zone) feeding a PRNG; here xoshiro128** over the 16 digest bytes.
 */
export function seededRandom(tenantId: string, zone: string): () => number {
  const d = createHash('md5').update(tenantId).update(zone).digest();
  const s = new Uint32Array([d.readUInt32LE(0), d.readUInt32LE(4), d.readUInt32LE(8), d.readUInt32LE(12)]);
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  let [a, b, c, d2] = [s[0]!, s[1]!, s[2]!, s[3]!];
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c = (c ^ a) >>> 0;
    d2 = (d2 ^ b) >>> 0;
    b = (b ^ c) >>> 0;
    a = (a ^ d2) >>> 0;
    c = (c ^ t) >>> 0;
    d2 = rotl(d2, 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export interface RingClientOptions extends RingOptions {
  /** How often to re-read the store (default 1 s). */
  pollIntervalMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * A `Ring` kept in sync with ring `name` in a `RingStore`: polls every `pollIntervalMs` (and on
 * `refresh()`). Reads never touch the store. While the store cannot be read, the last snapshot is
 * judged as of the last successful read: heartbeats that could not be seen are not taken for
 * deaths, so a store outage longer than the heartbeat timeout does not empty the ring (dead
 * instances then still count until the store is back; their calls fail and quorum covers them).
 */
export class RingClient extends Ring {
  private timer: NodeJS.Timeout | undefined;
  private readonly pollIntervalMs: number;
  private readonly onError: (err: unknown) => void;
  private inflight: Promise<void> | undefined;
  private stopped = false;
  private lastOkMs: number | undefined;
  private failing = false;
  /** Clock time the read in flight started (undefined when none is). */
  private readStartedMs: number | undefined;
  /** After an outage: until `until`, heartbeats are judged `lagMs` in the past (instances catch up). */
  private catchUp: { until: number; lagMs: number } | undefined;

  constructor(
    private readonly store: RingStore,
    readonly name: string,
    opts: RingClientOptions = {},
  ) {
    super(opts);
    this.pollIntervalMs = opts.pollIntervalMs ?? 1_000;
    this.onError = opts.onError ?? (() => {});
  }

  /** Reads the ring once (rejects if the store is unreachable), then keeps polling. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.refresh();
    this.schedule();
  }

  /** Re-reads the store now (concurrent callers share one read). */
  refresh(): Promise<void> {
    this.inflight ??= (async () => {
      const at = this.now();
      this.readStartedMs = at;
      try {
        const desc = await this.store.get(this.name);
        this.update(desc);
        // Back after an outage: heartbeats in this first read are as old as the outage, and the
        // instances land fresh ones within a heartbeat period. Until then, judge them as if the outage
        // had not passed, so a store outage does not end with every instance looking dead.
        const prevOk = this.lastOkMs;
        const now = this.now();
        const outage = this.failing || now - at > this.outageAfterMs();
        if (outage && prevOk !== undefined) this.catchUp = { until: now + this.outageAfterMs(), lagMs: now - prevOk };
        this.lastOkMs = at;
        this.failing = false;
      } catch (err) {
        this.failing = this.lastOkMs !== undefined;
        throw err;
      }
    })().finally(() => {
      this.inflight = undefined;
      this.readStartedMs = undefined;
    });
    return this.inflight;
  }

  /** Whether the last read of the store failed (the ring is then frozen at `lastRefreshMs`). */
  get storeFailing(): boolean {
    return this.failing;
  }

  /** Clock time of the last successful read (undefined before the first). */
  get lastRefreshMs(): number | undefined {
    return this.lastOkMs;
  }

  protected override judgeAt(nowMs: number): number {
    const t = super.judgeAt(nowMs);
    if (this.lastOkMs === undefined) return t;
    // A frozen store (a paused process, a black-holed connection) answers nothing rather than an
    // error: a read that hangs for several polls counts as failing too.
    const hung = this.readStartedMs !== undefined && nowMs - this.readStartedMs > this.outageAfterMs();
    if (this.failing || hung) return Math.min(t, this.lastOkMs);
    if (this.catchUp !== undefined && nowMs < this.catchUp.until) return t - this.catchUp.lagMs;
    return t;
  }

  /** How long without a good read counts as a store outage. */
  private outageAfterMs(): number {
    return Math.max(5_000, 3 * this.pollIntervalMs);
  }

  /**
   * Removes an instance from the ring (Cortex's "Forget" button), only when it is unhealthy unless
   * `force`: a healthy instance would re-register on its next heartbeat anyway.
   */
  async forget(id: string, opts: { force?: boolean } = {}): Promise<'forgotten' | 'not_found' | 'healthy'> {
    let outcome: 'forgotten' | 'not_found' | 'healthy' = 'not_found';
    await this.store.cas(this.name, (desc) => {
      // The ID comes from the forget form: own properties only, whatever object the store hands back.
      const inst = Object.hasOwn(desc.instances, id) ? desc.instances[id] : undefined;
      if (!inst) {
        outcome = 'not_found';
        return undefined;
      }
      if (!opts.force && this.isHealthy(inst, this.now())) {
        outcome = 'healthy';
        return undefined;
      }
      outcome = 'forgotten';
      delete desc.instances[id];
      return desc;
    });
    await this.refresh();
    return outcome;
  }

  /** Stops polling; the last snapshot stays readable. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stopped = true;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.refresh()
        .catch((err: unknown) => this.onError(err))
        .finally(() => this.schedule());
    }, this.pollIntervalMs);
    this.timer.unref();
  }
}
