import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedKV } from '../storage/embedded/index.js';
import { Lifecycler, type LifecyclerOptions } from './lifecycler.js';
import { RingClient } from './ring.js';
import { RingStore } from './store.js';

describe('Lifecycler (embedded KV)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const setup = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ring-lc-'));
    const kv = await EmbeddedKV.open({ dir });
    cleanups.push(async () => {
      await kv.close();
      await rm(dir, { recursive: true, force: true });
    });
    let now = 1_000;
    const clock = {
      now: () => now,
      advance: (ms: number) => {
        now += ms;
      },
    };
    const store = new RingStore(kv, { backoffMs: 1, maxCasRetries: 200 });
    const lifecycler = (id: string, extra: Partial<LifecyclerOptions> = {}) => {
      const lc = new Lifecycler({
        store,
        ringName: 'ingester',
        id,
        addr: `http://${id}:9009`,
        heartbeatPeriodMs: 60_000,
        now: clock.now,
        ...extra,
      });
      cleanups.push(async () => lc.stop());
      return lc;
    };
    return { store, clock, lifecycler };
  };

  it('registers ACTIVE with 128 unique sorted tokens', async () => {
    const { store, lifecycler } = await setup();
    const lc = lifecycler('ing-1', { zone: 'z1' });
    await lc.start();
    const inst = (await store.get('ingester')).instances['ing-1'];
    expect(inst).toMatchObject({ state: 'ACTIVE', addr: 'http://ing-1:9009', zone: 'z1', heartbeatMs: 1_000 });
    expect(inst?.tokens).toHaveLength(128);
    expect(new Set(inst?.tokens).size).toBe(128);
    expect(inst?.tokens).toEqual([...(inst?.tokens ?? [])].sort((a, b) => a - b));
    expect(lc.tokens).toEqual(inst?.tokens);
    expect(lc.state).toBe('ACTIVE');
  });

  it('start({active: false}) stays JOINING until told', async () => {
    const { store, lifecycler } = await setup();
    const lc = lifecycler('ing-1');
    await lc.start({ active: false });
    expect((await store.get('ingester')).instances['ing-1']?.state).toBe('JOINING');
    await lc.changeState('ACTIVE');
    expect((await store.get('ingester')).instances['ing-1']?.state).toBe('ACTIVE');
  });

  it('keeps its tokens across a restart with the same id', async () => {
    const { store, lifecycler, clock } = await setup();
    const first = lifecycler('ing-1', { numTokens: 16 });
    await first.start();
    const tokens = [...first.tokens];
    first.stop(); // crash: stays in the ring
    clock.advance(5_000);
    const second = lifecycler('ing-1', { numTokens: 16 });
    await second.start();
    const inst = (await store.get('ingester')).instances['ing-1'];
    expect(inst?.tokens).toEqual(tokens);
    expect(inst?.registeredMs).toBe(1_000);
    expect(inst?.heartbeatMs).toBe(6_000);
  });

  it('concurrent registrations all land with disjoint tokens', async () => {
    const { store, lifecycler } = await setup();
    const lcs = Array.from({ length: 8 }, (_, i) => lifecycler(`ing-${i}`, { numTokens: 32 }));
    await Promise.all(lcs.map((lc) => lc.start()));
    const desc = await store.get('ingester');
    expect(Object.keys(desc.instances)).toHaveLength(8);
    const all = Object.values(desc.instances).flatMap((i) => i.tokens);
    expect(new Set(all).size).toBe(8 * 32);
    for (const i of Object.values(desc.instances)) expect(i.state).toBe('ACTIVE');
  });

  it('heartbeats move the timestamp and re-register a forgotten instance with the same tokens', async () => {
    const { store, lifecycler, clock } = await setup();
    const lc = lifecycler('ing-1', { numTokens: 8 });
    await lc.start();
    clock.advance(7_000);
    await lc.heartbeat();
    expect((await store.get('ingester')).instances['ing-1']?.heartbeatMs).toBe(8_000);
    await store.cas('ingester', (d) => {
      delete d.instances['ing-1'];
      return d;
    });
    await lc.heartbeat();
    expect((await store.get('ingester')).instances['ing-1']?.tokens).toEqual(lc.tokens);
  });

  it('the heartbeat timer fires every period', async () => {
    const { store, lifecycler } = await setup();
    let t = 0;
    const lc = lifecycler('ing-1', { heartbeatPeriodMs: 10, numTokens: 4, now: () => ++t });
    await lc.start();
    const deadline = Date.now() + 10_000;
    while (((await store.get('ingester')).instances['ing-1']?.heartbeatMs ?? 0) < 5) {
      if (Date.now() > deadline) throw new Error('no heartbeats');
      await new Promise((r) => setTimeout(r, 10));
    }
    lc.stop();
  });

  it('leave: LEAVING while the flush runs, then unregistered', async () => {
    const { store, lifecycler } = await setup();
    const lc = lifecycler('ing-1');
    const other = lifecycler('ing-2');
    await Promise.all([lc.start(), other.start()]);
    let seen: string | undefined;
    await lc.leave(async () => {
      seen = (await store.get('ingester')).instances['ing-1']?.state;
    });
    expect(seen).toBe('LEAVING');
    expect(Object.keys((await store.get('ingester')).instances)).toEqual(['ing-2']);
    expect(lc.state).toBe('LEFT');
  });

  it('leave with a failing flush stays LEAVING (tokens kept for the restart) and rethrows', async () => {
    const { store, lifecycler } = await setup();
    const lc = lifecycler('ing-1');
    await lc.start();
    await expect(
      lc.leave(async () => {
        throw new Error('store down');
      }),
    ).rejects.toThrow('store down');
    expect((await store.get('ingester')).instances['ing-1']?.state).toBe('LEAVING');
  });

  it('autoForgetAfterMs removes instances that stopped heartbeating', async () => {
    const { store, lifecycler, clock } = await setup();
    const dead = lifecycler('dead', { numTokens: 4 });
    await dead.start();
    dead.stop();
    clock.advance(120_000);
    const live = lifecycler('live', { numTokens: 4, autoForgetAfterMs: 60_000 });
    await live.start();
    expect(Object.keys((await store.get('ingester')).instances)).toEqual(['live']);
  });

  it('a RingClient sees registrations, state changes and leaves', async () => {
    const { store, lifecycler, clock } = await setup();
    const client = new RingClient(store, 'ingester', {
      replicationFactor: 1,
      heartbeatTimeoutMs: 60_000,
      now: clock.now,
      pollIntervalMs: 60_000,
    });
    cleanups.push(async () => client.stop());
    await client.start();
    expect(() => client.get(1, 'write')).toThrow('empty ring');
    const lc = lifecycler('ing-1', { numTokens: 4 });
    await lc.start();
    await client.refresh();
    expect(client.get(1, 'write').instances.map((i) => i.id)).toEqual(['ing-1']);
    clock.advance(61_000);
    expect(() => client.get(1, 'write')).toThrow('at least 1 live replicas required, could only find 0');
    await lc.heartbeat();
    await client.refresh();
    expect(client.get(1, 'read').instances).toHaveLength(1);
    await lc.leave();
    await client.refresh();
    expect(client.instanceCount).toBe(0);
  });
});
