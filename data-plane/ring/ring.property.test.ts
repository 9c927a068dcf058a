import { describe, expect, it } from 'vitest';
import { emptyRing } from './codec.js';
import { quorum, Ring } from './ring.js';
import { generateTokens } from './tokens.js';
import type { InstanceState, RingOperation } from './types.js';

/** Deterministic PRNG so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

const STATES: InstanceState[] = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'JOINING', 'LEAVING', 'PENDING', 'LEFT'];
const OPS: RingOperation[] = ['write', 'read', 'own'];
const NOW = 10_000_000;

describe('Ring.get invariants over random rings', () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('seed %i', (seed) => {
    const rnd = lcg(seed);
    const n = 1 + Math.floor(rnd() * 12);
    const zones = rnd() < 0.5 ? ['a', 'b', 'c'].slice(0, 1 + Math.floor(rnd() * 3)) : [''];
    const rf = 1 + Math.floor(rnd() * 4);
    const d = emptyRing();
    const taken = new Set<number>();
    for (let i = 0; i < n; i++) {
      const tokens = generateTokens(1 + Math.floor(rnd() * 16), taken, rnd);
      for (const t of tokens) taken.add(t);
      d.instances[`i${i}`] = {
        id: `i${i}`,
        addr: '',
        zone: zones[i % zones.length]!,
        state: STATES[Math.floor(rnd() * STATES.length)]!,
        tokens,
        heartbeatMs: rnd() < 0.2 ? NOW - 120_000 : NOW,
        registeredMs: 0,
      };
    }
    const ring = new Ring({ replicationFactor: rf, heartbeatTimeoutMs: 60_000, now: () => NOW }, d);
    for (let k = 0; k < 200; k++) {
      const hash = Math.floor(rnd() * 2 ** 32);
      const op = OPS[k % OPS.length]!;
      let set: ReturnType<Ring['get']>;
      try {
        set = ring.get(hash, op);
      } catch (e) {
        expect(e).toMatchObject({ kind: 'unavailable' });
        continue;
      }
      const ids = set.instances.map((i) => i.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const inst of set.instances) expect(ring.isHealthyFor(inst, op, NOW)).toBe(true);
      if (ring.zoneAware) expect(new Set(set.instances.map((i) => i.zone)).size).toBe(ids.length);
      expect(set.maxErrors).toBeGreaterThanOrEqual(0);
      // Never fewer successes demanded than a strict majority of RF.
      expect(set.instances.length - set.maxErrors).toBeGreaterThanOrEqual(quorum(rf));
      // Deterministic.
      expect(ring.get(hash, op).instances.map((i) => i.id)).toEqual(ids);
    }
  });
});
