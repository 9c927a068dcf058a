import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../model/errors.js';
import { Lifecycler } from './lifecycler.js';
import { RingClient } from './ring.js';
import { memoryRingKV, type RingKV, RingStore } from './store.js';

describe('RingClient during a store outage', () => {
  it('judges heartbeats as of the last successful read, then catches up when the store is back', async () => {
    let now = 1_000_000;
    let down = false;
    const mem = memoryRingKV();
    const kv: RingKV = {
      get: async (k, o) => {
        if (down) throw new UnavailableError('store down');
        return mem.get(k, o);
      },
      checkAndPut: async (k, e, v, o) => {
        if (down) throw new UnavailableError('store down');
        return mem.checkAndPut(k, e, v, o);
      },
    };
    const store = new RingStore(kv);
    const lcs = ['a', 'b', 'c'].map(
      (id) => new Lifecycler({ store, ringName: 'ingester', id, addr: id, numTokens: 8, now: () => now }),
    );
    await Promise.all(lcs.map((l) => l.start()));
    const ring = new RingClient(store, 'ingester', {
      replicationFactor: 3,
      heartbeatTimeoutMs: 60_000,
      now: () => now,
    });
    await ring.start();
    ring.stop();
    const sub = ring.shuffleShard('t', 2);

    down = true;
    now += 5 * 60_000;
    await expect(ring.refresh()).rejects.toThrow('store down');
    await expect(lcs[0]!.heartbeat()).rejects.toThrow('store down');
    expect(ring.storeFailing).toBe(true);
    expect(ring.get(7, 'write').instances).toHaveLength(3);
    expect(ring.isHealthy(ring.describe().instances.a!, now)).toBe(true);
    expect(sub.get(7, 'write').instances).toHaveLength(2);

    down = false;
    await Promise.all(lcs.slice(1).map((l) => l.heartbeat()));
    await ring.refresh();
    expect(ring.storeFailing).toBe(false);
    expect(ring.lastRefreshMs).toBe(now);
    // Right after the outage every instance gets a heartbeat period to land a fresh heartbeat.
    expect(ring.get(7, 'write').instances).toHaveLength(3);
    now += 6_000;
    // `a` has not heartbeated since the outage began: once the grace is over it is unhealthy.
    expect(
      ring
        .get(7, 'write')
        .instances.map((i) => i.id)
        .sort(),
    ).toEqual(['b', 'c']);
    for (const l of lcs) l.stop();
  });

  it('a read that hangs (a frozen store) freezes health too, and only after several polls', async () => {
    let now = 1_000_000;
    let hang = false;
    const mem = memoryRingKV();
    const kv: RingKV = {
      get: (k, o) => (hang ? new Promise(() => {}) : mem.get(k, o)),
      checkAndPut: (k, e, v, o) => mem.checkAndPut(k, e, v, o),
    };
    const store = new RingStore(kv);
    const lc = new Lifecycler({ store, ringName: 'ingester', id: 'a', addr: 'a', numTokens: 8, now: () => now });
    await lc.start();
    const ring = new RingClient(store, 'ingester', {
      replicationFactor: 1,
      heartbeatTimeoutMs: 10_000,
      pollIntervalMs: 1_000,
      now: () => now,
    });
    await ring.start();
    ring.stop();
    hang = true;
    void ring.refresh();
    const a = () => ring.describe().instances.a!;
    now += 4_000;
    expect(ring.isHealthy(a(), now)).toBe(true);
    now += 60_000;
    expect(ring.storeFailing).toBe(false);
    expect(ring.isHealthy(a(), now), 'judged as of the last good read while the read hangs').toBe(true);
    lc.stop();
  });

  it('without a hung read, a missed heartbeat still makes an instance unhealthy', async () => {
    let now = 1_000_000;
    const store = new RingStore(memoryRingKV());
    const lc = new Lifecycler({ store, ringName: 'ingester', id: 'a', addr: 'a', numTokens: 8, now: () => now });
    await lc.start();
    const ring = new RingClient(store, 'ingester', {
      replicationFactor: 1,
      heartbeatTimeoutMs: 10_000,
      now: () => now,
    });
    await ring.start();
    ring.stop();
    now += 60_000;
    await ring.refresh();
    expect(ring.isHealthy(ring.describe().instances.a!, now)).toBe(false);
    lc.stop();
  });

  it('a first read that fails rejects start() and freezes nothing', async () => {
    const kv: RingKV = {
      get: async () => {
        throw new UnavailableError('store down');
      },
      checkAndPut: async () => false,
    };
    const ring = new RingClient(new RingStore(kv), 'ingester');
    await expect(ring.start()).rejects.toThrow('store down');
    expect(ring.storeFailing).toBe(false);
    ring.stop();
  });
});
