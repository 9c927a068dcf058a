/**
 * One behavioural suite for the ring over every store with compare-and-set: the embedded store
 * runs it as a unit test, Bigtable (CheckAndMutateRow) against the emulator in test/conformance.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lifecycler } from './lifecycler.js';
import { RingClient } from './ring.js';
import { type RingKV, RingStore } from './store.js';

export interface RingKVFixture {
  kv: RingKV;
  /**
   * Another client on the same data, as a second process would open (defaults to `kv`). The
   * fixture closes what it hands out.
   */
  connect?: () => Promise<RingKV>;
  cleanup: () => Promise<void>;
}

export function runRingConformance(name: string, factory: () => Promise<RingKVFixture>): void {
  describe(`ring conformance: ${name}`, () => {
    let fx: RingKVFixture;
    let now: number;
    const stops: (() => void)[] = [];
    const clock = () => now;
    beforeEach(async () => {
      fx = await factory();
      now = 1_000_000;
    });
    afterEach(async () => {
      for (const s of stops.splice(0)) s();
      await fx.cleanup();
    });

    const store = async () =>
      new RingStore(fx.connect ? await fx.connect() : fx.kv, { backoffMs: 2, maxCasRetries: 200 });
    const member = async (id: string, zone = '') => {
      const lc = new Lifecycler({
        store: await store(),
        ringName: 'ingester',
        id,
        addr: `http://127.0.0.1:${id}`,
        zone,
        numTokens: 32,
        heartbeatPeriodMs: 3_600_000,
        now: clock,
      });
      stops.push(() => lc.stop());
      return lc;
    };
    const client = async (rf = 3) => {
      const c = new RingClient(await store(), 'ingester', {
        replicationFactor: rf,
        heartbeatTimeoutMs: 60_000,
        pollIntervalMs: 3_600_000,
        now: clock,
      });
      stops.push(() => c.stop());
      await c.start();
      return c;
    };

    it('lifecyclers registering at once all end up ACTIVE in the desc with disjoint tokens', async () => {
      const lcs = await Promise.all(Array.from({ length: 6 }, (_, i) => member(`ing-${i}`)));
      await Promise.all(lcs.map((lc) => lc.start()));
      const desc = (await client()).describe();
      expect(Object.keys(desc.instances).sort()).toEqual(lcs.map((l) => l.id).sort());
      for (const inst of Object.values(desc.instances)) {
        expect(inst.state).toBe('ACTIVE');
        expect(inst.tokens).toHaveLength(32);
      }
      const tokens = Object.values(desc.instances).flatMap((i) => i.tokens);
      expect(new Set(tokens).size).toBe(6 * 32);
    });

    it('concurrent heartbeats and state changes do not lose each other', async () => {
      const lcs = await Promise.all(Array.from({ length: 5 }, (_, i) => member(`ing-${i}`)));
      await Promise.all(lcs.map((lc) => lc.start()));
      now += 10_000;
      await Promise.all([
        ...lcs.slice(1).map((lc) => lc.heartbeat()),
        lcs[0]!.changeState('LEAVING'),
        lcs[1]!.heartbeat(),
      ]);
      const desc = (await client()).describe();
      for (const inst of Object.values(desc.instances)) expect(inst.heartbeatMs).toBe(now);
      expect(desc.instances['ing-0']?.state).toBe('LEAVING');
    });

    it('heartbeat timeouts make instances unhealthy: one dead keeps quorum, two dead lose it', async () => {
      const lcs = await Promise.all(['a', 'b', 'c'].map((id) => member(id)));
      await Promise.all(lcs.map((lc) => lc.start()));
      const ring = await client(3);
      expect(ring.get(42, 'write')).toMatchObject({ maxErrors: 1 });
      lcs[0]!.stop();
      now += 61_000;
      await Promise.all(lcs.slice(1).map((lc) => lc.heartbeat()));
      await ring.refresh();
      const set = ring.get(42, 'write');
      expect(set.instances.map((i) => i.id).sort()).toEqual(['b', 'c']);
      expect(set.maxErrors).toBe(0);
      expect(ring.isHealthy(ring.describe().instances.a!, now)).toBe(false);
      now += 61_000;
      await lcs[1]!.heartbeat();
      await ring.refresh();
      expect(() => ring.get(42, 'write')).toThrow('at least 2 live replicas required, could only find 1');
      // The dead instance comes back with its tokens.
      const back = await member('a');
      await back.start();
      await ring.refresh();
      expect(ring.describe().instances.a?.tokens).toEqual(lcs[0]!.tokens);
      expect(ring.get(42, 'write').instances).toHaveLength(2);
    });

    it('leave: readers still use a LEAVING instance, writers go past it, then it is gone', async () => {
      const lcs = await Promise.all(['a', 'b', 'c', 'd'].map((id) => member(id)));
      await Promise.all(lcs.map((lc) => lc.start()));
      const ring = await client(3);
      const leaving = lcs[0]!;
      let during: { read: string[]; write: string[] } | undefined;
      await leaving.leave(async () => {
        await ring.refresh();
        // A key on one of its own tokens: it is the first replica.
        const k = leaving.tokens[0]!;
        during = {
          read: ring.get(k, 'read').instances.map((i) => i.id),
          write: ring.get(k, 'write').instances.map((i) => i.id),
        };
      });
      expect(during?.read).toContain('a');
      expect(during?.write).not.toContain('a');
      expect(during?.write).toHaveLength(3);
      await ring.refresh();
      expect(Object.keys(ring.describe().instances).sort()).toEqual(['b', 'c', 'd']);
    });

    it('zone-aware rings place one replica per zone', async () => {
      const lcs = await Promise.all(['a1', 'a2', 'b1', 'b2', 'c1', 'c2'].map((id) => member(id, id[0]!)));
      await Promise.all(lcs.map((lc) => lc.start()));
      const ring = await client(3);
      expect(ring.zoneAware).toBe(true);
      for (let k = 0; k < 2 ** 32; k += 2 ** 28) {
        const zones = ring.get(k, 'write').instances.map((i) => i.zone);
        expect(zones.sort()).toEqual(['a', 'b', 'c']);
      }
    });
  });
}
