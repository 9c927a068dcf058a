import { type Clock, systemClock, type TenantId } from '../model/index.js';
import { FNV32_OFFSET, fnv32aAdd } from '../ring/hash.js';
import type { ReadRing } from '../ring/types.js';
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
 * belongs to the first healthy ACTIVE instance clockwise from its token (`ring.owners(token, 1)`),
 * so the groups of a ruler that left or died move to its neighbours. A ring with no usable instance
 * means this ruler owns nothing (never "everything": that would evaluate groups twice).
 */
export function ringSharding(
  r: RulerRing,
  clock: Clock = systemClock,
  /** Rulers a tenant's groups spread over (`ruler_tenant_shard_size`, shuffle sharding); ≤ 0 = all. */
  shardSize: (tenantId: TenantId) => number = () => 0,
): RulerSharding {
  return {
    owns(tenantId, namespace, group) {
      const size = shardSize(tenantId);
      let ring: ReadRing;
      try {
        ring = size > 0 ? r.ring.shuffleShard(tenantId, size) : r.ring;
      } catch {
        return false;
      }
      return ring.owners(groupToken(tenantId, namespace, group), 1, clock.now())[0]?.id === r.instanceId;
    },
  };
}
