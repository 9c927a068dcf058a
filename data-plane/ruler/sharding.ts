import { type Clock, systemClock, type TenantId } from '../model/index.js';
import { FNV32_OFFSET, fnv32aAdd } from '../ring/hash.js';
import type { InstanceDesc, ReadRing } from '../ring/types.js';
import type { RulerSharding } from './types.js';

/** This ruler's place in the `ruler` ring (split mode): the ring it reads and its own instance id. */
export interface RulerRing {
  ring: ReadRing;
  instanceId: string;
}

/**
 * The ring token of a rule group: 32-bit FNV-1a over tenant, namespace and group name (Cortex's
 * `tokenForGroup`, with separators so `a`+`bc` and `ab`+`c` differ).
 */
export function groupToken(tenantId: TenantId | string, namespace: string, group: string): number {
  return fnv32aAdd(FNV32_OFFSET, `${tenantId}\x00${namespace}\x00${group}`);
}

/**
 * Ownership through the ring (Cortex's ruler sharding, replication factor 1 for ownership): a group
 * belongs to the first healthy ACTIVE instance clockwise from its token. The common case is
 * `ring.get(token, 'own')`; when that fails because the owner is LEAVING or its heartbeat timed out
 * (with RF 1 the ring reports no quorum), the walk continues to the next usable instance, so the
 * groups of a ruler that left or died move to its neighbours. A ring with no usable instance means
 * this ruler owns nothing (never "everything": that would evaluate groups twice).
 */
export function ringSharding(
  r: RulerRing,
  clock: Clock = systemClock,
  /** Rulers a tenant's groups spread over (`ruler_tenant_shard_size`, shuffle sharding); ≤ 0 = all. */
  shardSize: (tenantId: TenantId) => number = () => 0,
): RulerSharding {
  // The fallback walk needs each (sub-)ring's tokens; describe() copies the ring, so build at most
  // once a second per ring object (the ring caches a tenant's sub-ring until it changes).
  const walks = new WeakMap<ReadRing, { at: number; tokens: Uint32Array; owners: InstanceDesc[] }>();
  const index = (ring: ReadRing, now: number) => {
    let walk = walks.get(ring);
    if (!walk || now - walk.at >= 1000 || now < walk.at) {
      const pairs: [number, InstanceDesc][] = [];
      for (const inst of Object.values(ring.describe().instances)) for (const t of inst.tokens) pairs.push([t, inst]);
      pairs.sort((a, b) => a[0] - b[0] || (a[1].id < b[1].id ? -1 : a[1].id > b[1].id ? 1 : 0));
      walk = { at: now, tokens: Uint32Array.from(pairs, (p) => p[0]), owners: pairs.map((p) => p[1]) };
      walks.set(ring, walk);
    }
    return walk;
  };
  const usable = (i: InstanceDesc, now: number) => i.state === 'ACTIVE' && r.ring.isHealthy(i, now);
  return {
    owns(tenantId, namespace, group) {
      const token = groupToken(tenantId, namespace, group);
      const now = clock.now();
      const size = shardSize(tenantId);
      let ring: ReadRing;
      try {
        ring = size > 0 ? r.ring.shuffleShard(tenantId, size) : r.ring;
      } catch {
        return false;
      }
      try {
        const first = ring.get(token, 'own').instances.find((i) => usable(i, now));
        if (first) return first.id === r.instanceId;
      } catch {
        // No usable replica among the key's owners: walk on below.
      }
      const { tokens, owners } = index(ring, now);
      const start = lowerBound(tokens, token);
      for (let k = 0; k < tokens.length; k++) {
        const inst = owners[(start + k) % tokens.length]!;
        if (usable(inst, now)) return inst.id === r.instanceId;
      }
      return false;
    },
  };
}

/** Index of the first token ≥ `key` (wrapping to 0 past the end). */
function lowerBound(tokens: Uint32Array, key: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo === tokens.length ? 0 : lo;
}
