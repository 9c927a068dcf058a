/**
 * One behavioural suite for the HA tracker over every `HaTrackerStore`: the in-memory and embedded
 * KV stores run it as a unit test (ha-tracker.test.ts), Bigtable (CheckAndMutateRow) against the
 * emulator in test/conformance/ha-tracker.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadDataError, type TenantId } from '../model/index.js';
import { HaTracker, type HaTrackerStore } from './ha-tracker.js';

export interface HaStoreFixture {
  store: HaTrackerStore;
  /**
   * Another store on the same data, as a second distributor process would open (defaults to
   * `store`). The fixture closes what it hands out.
   */
  connect?: () => Promise<HaTrackerStore>;
  cleanup: () => Promise<void>;
}

const t = 'acme' as TenantId;

export function runHaTrackerConformance(name: string, factory: () => Promise<HaStoreFixture>): void {
  describe(`HA tracker conformance: ${name}`, () => {
    let fx: HaStoreFixture;
    let now: number;
    const clock = { now: () => now };
    beforeEach(async () => {
      fx = await factory();
      now = 0;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    const tracker = (store: HaTrackerStore = fx.store, cache = true) =>
      new HaTracker({ store, clock, updateTimeoutMs: 15_000, cache });
    const second = async () => (fx.connect ? await fx.connect() : fx.store);

    // Steps of one scenario: at time `at`, replica `replica` sends; expected decision.
    const scenario: { at: number; replica: string; accepted: boolean; failover?: boolean }[] = [
      { at: 0, replica: 'a', accepted: true },
      { at: 1_000, replica: 'b', accepted: false },
      { at: 10_000, replica: 'a', accepted: true },
      { at: 20_000, replica: 'a', accepted: true }, // refreshes receivedAt to 20 s (older than 15 s)
      { at: 49_999, replica: 'b', accepted: false },
      { at: 50_000, replica: 'b', accepted: true, failover: true },
      { at: 50_001, replica: 'a', accepted: false },
      { at: 79_999, replica: 'c', accepted: false },
    ];
    for (const cache of [true, false]) {
      it(`follows the election scenario step by step (${cache ? 'cached' : 'uncached'} reads)`, async () => {
        const h = tracker(fx.store, cache);
        for (const step of scenario) {
          now = step.at;
          const d = await h.checkReplica(t, 'prom', step.replica, 30_000, 0);
          expect({ at: step.at, accepted: d.accepted }).toEqual({ at: step.at, accepted: step.accepted });
          if (d.accepted) expect(d.failover).toBe(step.failover ?? false);
        }
        expect(await fx.store.get(t, 'prom')).toEqual({ replica: 'b', receivedAt: 50_000 });
      });
    }

    it('keeps clusters and tenants apart', async () => {
      const h = tracker();
      await h.checkReplica(t, 'c1', 'a', 30_000, 0);
      expect((await h.checkReplica(t, 'c2', 'b', 30_000, 0)).accepted).toBe(true);
      expect((await h.checkReplica('other' as TenantId, 'c1', 'b', 30_000, 0)).accepted).toBe(true);
      expect((await h.checkReplica('acme2' as TenantId, 'c1', 'c', 30_000, 0)).accepted).toBe(true);
      expect((await h.checkReplica(t, 'c1', 'b', 30_000, 0)).accepted).toBe(false);
      expect(await fx.store.clusterCount(t)).toBe(2);
      expect(await fx.store.clusterCount('other' as TenantId)).toBe(1);
      expect(await fx.store.clusterCount('acme2' as TenantId)).toBe(1);
      expect(await fx.store.clusterCount('acm' as TenantId)).toBe(0);
    });

    it('treats any cluster name as data (__proto__, separators, NUL and 0x01 bytes, non-ASCII)', async () => {
      const h = tracker();
      const names = ['__proto__', 'a/b', 'a', 'a\u0000', 'a\u0000b', 'a\u0001', '', 'zürich-🦊'];
      for (const [i, c] of names.entries()) await h.checkReplica(t, c, `r${i}`, 30_000, 0);
      for (const [i, c] of names.entries()) {
        expect(await h.checkReplica(t, c, 'other', 30_000, 0)).toEqual({ accepted: false, elected: `r${i}` });
        expect(await fx.store.get(t, c)).toEqual({ replica: `r${i}`, receivedAt: 0 });
      }
      expect(await fx.store.clusterCount(t)).toBe(names.length);
    });

    it('enforces the cluster limit only for new clusters', async () => {
      const h = tracker();
      await h.checkReplica(t, 'c1', 'a', 30_000, 1);
      await expect(h.checkReplica(t, 'c1', 'a', 30_000, 1)).resolves.toMatchObject({ accepted: true });
      await expect(h.checkReplica(t, 'c2', 'a', 30_000, 1)).rejects.toThrow(BadDataError);
      // Another tenant's clusters do not count.
      await expect(h.checkReplica('acme2' as TenantId, 'c2', 'a', 30_000, 1)).resolves.toMatchObject({
        accepted: true,
      });
    });

    it('forgets clusters silent for 30 minutes, so they stop counting against the limit', async () => {
      const h = tracker();
      await h.checkReplica(t, 'old', 'a', 30_000, 1);
      now = 30 * 60_000 - 1;
      await expect(h.checkReplica(t, 'new', 'a', 30_000, 1)).rejects.toThrow(BadDataError);
      now = 30 * 60_000 + 1;
      await expect(h.checkReplica(t, 'new', 'a', 30_000, 1)).resolves.toMatchObject({ accepted: true });
      expect(await fx.store.get(t, 'old')).toBeUndefined();
      expect(await fx.store.clusterCount(t)).toBe(1);
    });

    it('compareAndSwap only writes over the expected value', async () => {
      const s = fx.store;
      expect(await s.compareAndSwap(t, 'c', undefined, { replica: 'a', receivedAt: 1 })).toBe(true);
      expect(await s.compareAndSwap(t, 'c', undefined, { replica: 'b', receivedAt: 2 })).toBe(false);
      expect(await s.compareAndSwap(t, 'c', { replica: 'a', receivedAt: 0 }, { replica: 'b', receivedAt: 2 })).toBe(
        false,
      );
      expect(await s.compareAndSwap(t, 'c', { replica: 'a', receivedAt: 1 }, { replica: 'b', receivedAt: 2 })).toBe(
        true,
      );
      const got = await s.get(t, 'c');
      expect(got).toEqual({ replica: 'b', receivedAt: 2 });
      expect(await s.compareAndSwap(t, 'c', got, { replica: 'b', receivedAt: 3 })).toBe(true);
      expect(await s.get(t, 'c')).toEqual({ replica: 'b', receivedAt: 3 });
    });

    it('two distributors agree on the elected replica and fail over together', async () => {
      const d1 = tracker(fx.store);
      const d2 = tracker(await second());
      const check = (d: HaTracker, replica: string) => d.checkReplica(t, 'prom', replica, 30_000, 0);
      // [at, distributor, replica, accepted, failover?]
      const steps: [number, HaTracker, string, boolean, boolean?][] = [
        [0, d1, 'a', true],
        [1_000, d2, 'b', false], // d2 reads the store: a is elected
        [5_000, d2, 'a', true],
        [20_000, d1, 'a', true], // d1 refreshes a's timestamp to 20 s
        [40_000, d2, 'b', false], // d2 remembers a@0, tries to take over, loses to a@20 s
        [45_000, d1, 'b', false],
        [50_000, d1, 'b', true, true], // a silent for 30 s: b takes over through d1
        [50_001, d2, 'a', false], // d2 remembers a@20 s: its refresh fails, it reads b
        [50_002, d2, 'b', true],
        [60_000, d1, 'a', false],
        [60_000, d2, 'a', false],
      ];
      for (const [i, [at, d, replica, accepted, failover]] of steps.entries()) {
        now = at;
        const got = await check(d, replica);
        expect({ i, accepted: got.accepted }).toEqual({ i, accepted });
        if (got.accepted) expect({ i, failover: got.failover }).toEqual({ i, failover: failover ?? false });
        else expect(got.elected).toBe(now < 50_000 ? 'a' : 'b');
      }
    });

    it('concurrent first requests from both replicas through both distributors elect exactly one', async () => {
      const d1 = tracker(fx.store);
      const d2 = tracker(await second());
      for (let round = 0; round < 3; round++) {
        const cluster = `race-${round}`;
        const calls = [d1, d2, d1, d2].flatMap((d, i) =>
          ['a', 'b'].map(async (replica) => ({
            replica,
            d: await d.checkReplica(t, cluster, replica, 30_000, 0),
            i,
          })),
        );
        const results = await Promise.all(calls);
        const elected = (await fx.store.get(t, cluster))?.replica;
        expect(elected === 'a' || elected === 'b').toBe(true);
        for (const r of results) {
          expect({ replica: r.replica, accepted: r.d.accepted }).toEqual({
            replica: r.replica,
            accepted: r.replica === elected,
          });
          if (!r.d.accepted) expect(r.d.elected).toBe(elected);
        }
      }
    });
  });
}
