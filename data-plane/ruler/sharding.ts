import { type Clock, systemClock, type TenantId } from '../model/index.js';
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
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(`${tenantId}\x00${namespace}\x00${group}`)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Ownership through the ring (Cortex's ruler sharding, replication factor 1 for ownership): a group
 * belongs to the first healthy ACTIVE instance of `ring.get(token, 'own')`. When that ruler leaves or
 * its heartbeat times out, the next one clockwise takes the group over. An empty or unusable ring
 * means this ruler owns nothing (never "everything": that would evaluate groups twice).
 */
export function ringSharding(r: RulerRing, clock: Clock = systemClock): RulerSharding {
  return {
    owns(tenantId, namespace, group) {
      let instances: ReturnType<ReadRing['get']>['instances'];
      try {
        instances = r.ring.get(groupToken(tenantId, namespace, group), 'own').instances;
      } catch {
        return false;
      }
      const now = clock.now();
      const owner = instances.find((i) => i.state === 'ACTIVE' && r.ring.isHealthy(i, now));
      return owner?.id === r.instanceId;
    },
  };
}
