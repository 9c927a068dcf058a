/**
 * Cross-module: the real ingester flushes into the real chunk store (embedded), and what the store
 * serves equals what was pushed. Three ingesters fed the same samples stand for three replicas: the
 * store must end up with the rows of one. Native histograms take the same path as float histogram
 * chunks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ingester } from '../../data-plane/ingester/index.js';
import {
  type FloatHistogram,
  type HistogramSample,
  isStaleNaN,
  Labels,
  Matcher,
  parseTenantId,
  type Sample,
  STALE_NAN,
  type WriteRequest,
} from '../../data-plane/model/index.js';
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

  /** Native histograms over 6 h: a layout change, a gauge stretch, a counter reset, a staleness marker. */
  function histograms(): HistogramSample[] {
    const out: HistogramSample[] = [];
    for (let k = 0; k < N; k++) {
      const wide = k >= 600;
      const reset = k >= 1000 ? 1000 : 0;
      const h: FloatHistogram = {
        counterResetHint: k === 1000 ? 'reset' : k >= 1200 && k < 1300 ? 'gauge' : 'unknown',
        schema: wide ? 2 : 3,
        zeroThreshold: 2 ** -128,
        zeroCount: k - reset,
        count: 3 * (k - reset) + 0.5,
        sum: (k - reset) * 1.25,
        positiveSpans: wide ? [{ offset: -1, length: 3 }] : [{ offset: 0, length: 2 }],
        negativeSpans: [],
        positiveBuckets: wide ? [0, k - reset, k - reset + 0.5] : [k - reset, k - reset + 0.5],
        negativeBuckets: [],
      };
      if (k === N - 1) h.sum = STALE_NAN;
      out.push({ t: T0 + k * STEP, h });
    }
    return out;
  }

  it('native histograms: flushed as histogram chunks once for three replicas, served from the store after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'storage-flush-h-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const kv = await EmbeddedKV.open({ dir, sync: false });
    const labels = Labels.fromObject({ __name__: 'rpc_latency_seconds', job: 'api' });
    const rowsAfter: number[] = [];
    for (let replica = 0; replica < 3; replica++) {
      const store = new KVChunkStore({ kv });
      const ing = new Ingester({
        limits: noLimits,
        clock: { now: () => T0 + N * STEP },
        chunkStore: store,
        flushPeriodMs: 0,
      });
      await ing.start();
      const out = await ing.push(tenant, {
        timeseries: [{ labels, samples: [], histograms: histograms(), exemplars: [] }],
        metadata: [],
      });
      expect(out.errors).toEqual([]);
      expect(out.histogramsAppended).toBe(N);
      await ing.stop();
      rowsAfter.push((await kv.scan({})).length);
    }
    expect(rowsAfter).toEqual([rowsAfter[0], rowsAfter[0], rowsAfter[0]]);

    // "Restart": a new, empty ingester and a new store object over the same KV.
    const store = new KVChunkStore({ kv });
    const fresh = new Ingester({
      limits: noLimits,
      clock: { now: () => T0 + N * STEP },
      chunkStore: store,
      flushPeriodMs: 0,
    });
    await fresh.start();
    cleanup.push(() => fresh.stop());
    const all = [new Matcher('=', '__name__', 'rpc_latency_seconds')];
    expect(
      await fresh
        .queryable(tenant)
        .querier(T0, T0 + N * STEP)
        .select(false, undefined, all),
    ).toEqual([]);
    const [s, ...rest] = await store
      .queryable(tenant)
      .querier(T0, T0 + N * STEP)
      .select(true, undefined, all);
    expect(rest).toEqual([]);
    const it = s!.iterator();
    const got: HistogramSample[] = [];
    while (it.next() === ValueType.Histogram) got.push({ t: it.atT(), h: it.atHistogram() });
    const want = histograms();
    expect(got.length).toBe(want.length);
    got.forEach((g, k) => {
      const w = want[k]!;
      expect(g.t).toBe(w.t);
      if (k === N - 1) {
        expect(isStaleNaN(g.h.sum)).toBe(true);
        return;
      }
      const { counterResetHint: gotHint, ...gotRest } = g.h;
      const { counterResetHint: wantHint, ...wantRest } = w.h;
      expect(gotRest).toEqual(wantRest);
      // Hints read back as Prometheus 3.x reports them: a chunk's first sample 'unknown' whatever
      // started it (#15346), later ones what they meant ('unknown' with nothing going down is
      // 'not_reset').
      if (gotHint !== wantHint)
        expect([
          ['unknown', 'not_reset'],
          ['reset', 'unknown'],
        ]).toContainEqual([wantHint, gotHint]);
    });
    // the explicit reset started a chunk (its header says so), and reads back 'unknown'
    expect(want[1000]!.h.counterResetHint).toBe('reset');
    expect(got[1000]!.h.counterResetHint).toBe('unknown');
    expect(got[1250]!.h.counterResetHint).toBe('gauge');
    await kv.close();
  });
});
