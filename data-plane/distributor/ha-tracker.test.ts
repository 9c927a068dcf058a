import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { TenantId } from '../model/index.js';
import { EmbeddedKV } from '../storage/embedded/index.js';
import { RecordingKV } from '../storage/kv/index.js';
import { Overrides, StaticTenantLimitsSource } from '../validation/index.js';
import { runHaTrackerConformance } from './ha-tracker.conformance.js';
import {
  Distributor,
  decodeReplicaDesc,
  encodeReplicaDesc,
  HaTracker,
  type HaTrackerStore,
  haKey,
  haTenantPrefix,
  InMemoryHaTrackerStore,
  InMemoryIngesterClient,
  KVHaTrackerStore,
  parseHaKey,
  type ReplicaDesc,
} from './index.js';

const t = 'acme' as TenantId;

async function embedded(): Promise<{ kv: EmbeddedKV; dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ha-tracker-'));
  const e = {
    kv: await EmbeddedKV.open({ dir }),
    dir,
    cleanup: async () => {
      await e.kv.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return e;
}

runHaTrackerConformance('memory', async () => ({ store: new InMemoryHaTrackerStore(), cleanup: async () => {} }));

runHaTrackerConformance('KV over the embedded store', async () => {
  const e = await embedded();
  // A second distributor gets its own KVHaTrackerStore over the same table (one process cannot open
  // the embedded directory twice; Bigtable's suite opens a second client).
  return { store: new KVHaTrackerStore(e.kv), connect: async () => new KVHaTrackerStore(e.kv), cleanup: e.cleanup };
});

runHaTrackerConformance('KV with a key prefix over the embedded store', async () => {
  const e = await embedded();
  const prefix = new TextEncoder().encode('ha/');
  return { store: new KVHaTrackerStore(e.kv, { prefix }), cleanup: e.cleanup };
});

describe('HaTracker', () => {
  it('retries when it loses a compare-and-swap race and respects the winner', async () => {
    const inner = new InMemoryHaTrackerStore();
    let raced = false;
    // Another distributor elects replica "b" between our read and our write.
    const racing: HaTrackerStore = {
      get: (tn, c) => inner.get(tn, c),
      clusterCount: (tn) => inner.clusterCount(tn),
      removeStale: (tn, before) => inner.removeStale(tn, before),
      async compareAndSwap(tn, c, prev: ReplicaDesc | undefined, next) {
        if (!raced) {
          raced = true;
          await inner.compareAndSwap(tn, c, undefined, { replica: 'b', receivedAt: 0 });
        }
        return inner.compareAndSwap(tn, c, prev, next);
      },
    };
    const h = new HaTracker({ store: racing, clock: { now: () => 0 } });
    expect(await h.checkReplica(t, 'prom', 'a', 30_000, 0)).toEqual({ accepted: false, elected: 'b' });
  });

  it('adds the jitter once per tracker', () => {
    const mk = (r: number) =>
      new HaTracker({
        store: new InMemoryHaTrackerStore(),
        clock: { now: () => 0 },
        updateTimeoutMs: 15_000,
        updateTimeoutJitterMaxMs: 5_000,
        random: () => r,
      });
    expect(mk(0).effectiveUpdateTimeoutMs).toBe(15_000);
    expect(mk(0.5).effectiveUpdateTimeoutMs).toBe(17_500);
    expect(
      new HaTracker({ store: new InMemoryHaTrackerStore(), clock: { now: () => 0 } }).effectiveUpdateTimeoutMs,
    ).toBe(15_000);
  });

  it('reads and writes a shared store about once per update timeout, not once per request', async () => {
    const e = await embedded();
    try {
      const kv = new RecordingKV(e.kv);
      let now = 0;
      const clock = { now: () => now };
      const d1 = new HaTracker({ store: new KVHaTrackerStore(kv), clock });
      const d2 = new HaTracker({ store: new KVHaTrackerStore(kv), clock });
      // Replica a pushes every second through both distributors for 5 minutes; b every second too.
      let accepted = 0;
      let rejected = 0;
      for (now = 0; now < 300_000; now += 1_000) {
        for (const d of [d1, d2]) {
          if ((await d.checkReplica(t, 'prom', 'a', 30_000, 0)).accepted) accepted++;
          if (!(await d.checkReplica(t, 'prom', 'b', 30_000, 0)).accepted) rejected++;
        }
      }
      expect(accepted).toBe(600);
      expect(rejected).toBe(600);
      const ops = (op: string) => kv.accesses.filter((a) => a.op === op).length;
      // 300 s / 15 s = 20 refreshes; each distributor may try each one (the loser re-reads).
      expect(ops('checkAndPut')).toBeLessThanOrEqual(2 * (20 + 1));
      expect(ops('get')).toBeLessThanOrEqual(2 * (20 + 1) + 2);
      expect(ops('scan')).toBe(0);
    } finally {
      await e.cleanup();
    }
  });

  it('forgets remembered clusters after they went stale', async () => {
    let now = 0;
    const store = new InMemoryHaTrackerStore();
    const h = new HaTracker({ store, clock: { now: () => now }, staleAfterMs: 60_000 });
    await h.checkReplica(t, 'gone', 'a', 30_000, 0);
    expect(h.rememberedClusters).toBe(1);
    // Someone removes the row behind this tracker's back; only the store counts afterwards.
    await store.removeStale(t, 1);
    now = 120_000;
    expect(await h.checkReplica(t, 'other', 'x', 30_000, 0)).toEqual({ accepted: true, failover: false });
    expect(h.rememberedClusters).toBe(1);
    expect(await h.checkReplica(t, 'gone', 'b', 30_000, 0)).toEqual({ accepted: true, failover: false });
  });
});

describe('KVHaTrackerStore', () => {
  it('lays keys out tenant first, escaped like the chunk schema', () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    expect(hex(haTenantPrefix(t))).toBe(`${Buffer.from('acme').toString('hex')}00`);
    expect(hex(haKey(t, 'a\u0000\u0001b'))).toBe(`${Buffer.from('acme').toString('hex')}00610101010262` + '00');
    const p = new TextEncoder().encode('ha/');
    expect(hex(haKey(t, 'c', p))).toBe(Buffer.from('ha/acme\u0000c\u0000').toString('hex'));
    for (const c of ['', 'a\u0000', '\u0001\u0000x', '🦊']) {
      expect(parseHaKey(haKey(t, c, p), p)).toEqual({ tenant: 'acme', cluster: c });
    }
    expect(parseHaKey(haKey(t, 'c'), p)).toBeUndefined();
    expect(parseHaKey(new Uint8Array([0x61, 0x00, 0x62]))).toBeUndefined();
  });

  it('encodes descs deterministically and reads damaged rows as a stale election', () => {
    const d = { replica: 'r', receivedAt: 1_700_000_000_123 };
    expect(decodeReplicaDesc(encodeReplicaDesc(d))).toEqual(d);
    expect(new TextDecoder().decode(encodeReplicaDesc(d))).toBe('{"replica":"r","receivedAt":1700000000123}');
    for (const bad of ['', 'nope', '{"replica":1,"receivedAt":2}', 'null', '{"replica":"x"}']) {
      expect(decodeReplicaDesc(new TextEncoder().encode(bad))).toEqual({ replica: '', receivedAt: 0 });
    }
  });

  it('takes over a damaged row (compare-and-set against the stored bytes)', async () => {
    const e = await embedded();
    try {
      await e.kv.put([{ key: haKey(t, 'prom'), value: new TextEncoder().encode('garbage') }]);
      const store = new KVHaTrackerStore(e.kv);
      const h = new HaTracker({ store, clock: { now: () => 1_000_000 } });
      expect(await h.checkReplica(t, 'prom', 'a', 30_000, 0)).toEqual({ accepted: true, failover: true });
      expect(await store.get(t, 'prom')).toEqual({ replica: 'a', receivedAt: 1_000_000 });
    } finally {
      await e.cleanup();
    }
  });

  it('lists every election and survives reopening the store', async () => {
    const e = await embedded();
    try {
      const h = new HaTracker({ store: new KVHaTrackerStore(e.kv), clock: { now: () => 5 } });
      await h.checkReplica(t, 'c1', 'a', 30_000, 0);
      await h.checkReplica('zeta' as TenantId, 'c\u0000', 'b', 30_000, 0);
      await e.kv.close();
      const kv = await EmbeddedKV.open({ dir: e.dir });
      e.kv = kv;
      expect(await new KVHaTrackerStore(kv).list()).toEqual([
        { tenant: 'acme', cluster: 'c1', desc: { replica: 'a', receivedAt: 5 } },
        { tenant: 'zeta', cluster: 'c\u0000', desc: { replica: 'b', receivedAt: 5 } },
      ]);
    } finally {
      await e.cleanup();
    }
  });
});

describe('two Distributors sharing a KVHaTrackerStore', () => {
  it('deduplicate one HA pair whichever distributor each replica reaches, and fail over together', async () => {
    const e = await embedded();
    try {
      let now = Date.UTC(2026, 10, 26, 12);
      const clock = { now: () => now };
      const limits = new Overrides(
        new StaticTenantLimitsSource(new Map([[t, { accept_ha_samples: 1, ha_tracker_failover_timeout: 30_000 }]])),
      );
      const ingester = new InMemoryIngesterClient();
      const [d1, d2] = [0, 1].map(
        () =>
          new Distributor({ limits, ingester, registry: new Registry(), clock, haStore: new KVHaTrackerStore(e.kv) }),
      ) as [Distributor, Distributor];
      const from = (replica: string) => ({
        timeseries: [
          {
            labels: ['__name__', 'up', '__replica__', replica, 'cluster', 'prom'],
            samples: [{ t: now, v: 1 }],
            histograms: [],
            exemplars: [],
          },
        ],
        metadata: [],
      });
      // Replica a reaches d1, replica b reaches d2 (as a load balancer might spread them).
      const step = async () => ({
        a: (await d1.push(t, from('a'))).deduplicated?.elected,
        b: (await d2.push(t, from('b'))).deduplicated?.elected,
      });
      expect(await step()).toEqual({ a: undefined, b: 'a' });
      for (let i = 0; i < 6; i++) {
        now += 10_000;
        expect(await step()).toEqual({ a: undefined, b: 'a' });
      }
      // a goes silent; b is still rejected until the failover timeout, then elected via d2 …
      now += 20_000;
      expect((await d2.push(t, from('b'))).deduplicated?.elected).toBe('a');
      now += 15_000;
      expect((await d2.push(t, from('b'))).deduplicated).toBeUndefined();
      // … and d1 agrees when a comes back, through either distributor.
      expect((await d1.push(t, from('a'))).deduplicated?.elected).toBe('b');
      expect((await d2.push(t, from('a'))).deduplicated?.elected).toBe('b');
      const stored = [...(ingester.tenants.get(t)?.values() ?? [])];
      expect(stored.map((x) => [x.labels.toString(), x.samples.length])).toEqual([['up{cluster="prom"}', 8]]);
    } finally {
      await e.cleanup();
    }
  });
});
