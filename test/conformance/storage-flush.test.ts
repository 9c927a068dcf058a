/**
 * Cross-module: the real ingester flushes into the real chunk store (embedded), and what the store
 * serves equals what was pushed. Three ingesters fed the same samples stand for three replicas: the
 * store must end up with the rows of one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ingester } from '../../data-plane/ingester/index.js';
import { Labels, Matcher, parseTenantId, type Sample, type WriteRequest } from '../../data-plane/model/index.js';
import { KVChunkStore } from '../../data-plane/storage/chunkstore/index.js';
import { EmbeddedKV } from '../../data-plane/storage/embedded/index.js';
import { ValueType } from '../../data-plane/storage/index.js';

const tenant = parseTenantId('flush-test');
const T0 = Date.UTC(2026, 10, 20, 20); // 20:00, so 6 h of samples cross midnight
const STEP = 15_000;
const N = 6 * 240; // 6 h at 15 s

const noLimits = {
  maxGlobalSeriesPerUser: () => 0,
  maxGlobalSeriesPerMetric: () => 0,
  outOfOrderTimeWindowMs: () => 0,
  maxGlobalExemplarsPerUser: () => 0,
  maxMetadataPerUser: () => 0,
};

function writeRequest(): WriteRequest {
  const series = ['a', 'b', 'c'].map((instance, si) => {
    const samples: Sample[] = [];
    for (let k = 0; k < N; k++) samples.push({ t: T0 + k * STEP, v: si * 1e6 + k * 0.25 });
    return {
      labels: Labels.fromObject({ __name__: 'node_load1', job: 'node', instance }),
      samples,
      histograms: [],
      exemplars: [],
    };
  });
  return { timeseries: series, metadata: [] };
}

describe('ingester flush into the chunk store', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('serves exactly the pushed samples, stored once for three replicas', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'storage-flush-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const kv = await EmbeddedKV.open({ dir, sync: false });
    const rowsAfter: number[] = [];
    for (let replica = 0; replica < 3; replica++) {
      // Each replica has its own store object (its own write-dedupe cache) over the shared KV.
      const store = new KVChunkStore({ kv });
      const clock = { now: () => T0 + N * STEP };
      const ing = new Ingester({ limits: noLimits, clock, chunkStore: store, flushPeriodMs: 0 });
      await ing.start();
      const out = await ing.push(tenant, writeRequest());
      expect(out.errors).toEqual([]);
      expect(out.samplesAppended).toBe(3 * N);
      await ing.stop();
      rowsAfter.push((await kv.scan({})).length);
    }
    expect(rowsAfter[0]).toBeGreaterThan(0);
    expect(rowsAfter).toEqual([rowsAfter[0], rowsAfter[0], rowsAfter[0]]);

    const store = new KVChunkStore({ kv });
    const q = store.queryable(tenant).querier(T0, T0 + N * STEP);
    const got = await q.select(true, undefined, [new Matcher('=', '__name__', 'node_load1')]);
    const want = writeRequest().timeseries;
    expect(got.map((s) => s.labels.toString())).toEqual(want.map((s) => s.labels.toString()));
    got.forEach((s, i) => {
      const it = s.iterator();
      const samples: Sample[] = [];
      while (it.next() === ValueType.Float) samples.push({ t: it.atT(), v: it.atV() });
      expect(samples).toEqual(want[i]!.samples);
    });
    await kv.close();
  });
});
