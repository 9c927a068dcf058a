import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FloatHistogramChunk, HistogramChunk, XORChunk } from '../chunkenc/index.js';
import { type FloatHistogram, isStaleNaN, Matcher, STALE_NAN } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { Ingester, type IngesterOptions } from './index.js';
import { limits, ManualClock, RecordingChunkStore, RecordingLogger, readAll, req, series, T1, T2 } from './testing.js';

const all = [new Matcher('=~', '__name__', '.+')];
const MIN = 60_000;
const open: Ingester[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const i of open.splice(0)) await i.stop().catch(() => {});
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function setup(extra: Partial<IngesterOptions> = {}) {
  const clock = new ManualClock(0);
  const store = new RecordingChunkStore();
  const registry = new Registry();
  const i = new Ingester({
    limits: limits(),
    clock,
    chunkStore: store,
    registry,
    flushPeriodMs: 0,
    stopFlushTimeoutMs: 2000,
    ...extra,
  });
  open.push(i);
  return { i, clock, store, registry };
}

/** Samples every 15 s starting at `from` (ms), values = index. */
const scrape = (n: number, from = 0): Array<[number, number]> =>
  Array.from({ length: n }, (_, k) => [from + k * 15_000, k]);

function decode(data: Uint8Array): Array<[number, number]> {
  const it = XORChunk.fromBytes(data).iterator();
  const out: Array<[number, number]> = [];
  while (it.next() === ValueType.Float) out.push([it.atT(), it.atV()]);
  return out;
}

describe('flush to the chunk store', () => {
  it('flushes full chunks, keeps the open one', async () => {
    const { i, clock, store } = setup();
    await i.start();
    clock.t = 250 * 15_000;
    await i.push(T1, req([series({ __name__: 'm' }, scrape(250))]));
    await i.flush(false);
    expect(store.chunks().map((c) => [c.mint, c.maxt, c.encoding, decode(c.data).length])).toEqual([
      [0, 119 * 15_000, 1, 120],
      [120 * 15_000, 239 * 15_000, 1, 120],
    ]);
    expect(store.chunks()[0]!.labels.toString()).toBe('m');
    expect(decode(store.chunks()[1]!.data)[0]).toEqual([120 * 15_000, 120]);
  });

  it.each([
    { name: 'max chunk age', advance: 2 * 60 * MIN, pushAgainAt: 5 * MIN, flushed: 1 },
    { name: 'idle period', advance: 5 * MIN, pushAgainAt: undefined, flushed: 1 },
    { name: 'neither', advance: 4 * MIN, pushAgainAt: undefined, flushed: 0 },
  ])('seals the open chunk after the $name', async ({ advance, pushAgainAt, flushed }) => {
    const { i, clock, store } = setup();
    await i.start();
    await i.push(T1, req([series({ __name__: 'm' }, [[0, 1]])]));
    if (pushAgainAt !== undefined) {
      // Keep the series busy so only the age rule applies.
      for (let t = pushAgainAt; t < advance; t += pushAgainAt) {
        clock.t = t;
        await i.push(T1, req([series({ __name__: 'm' }, [[t, 2]])]));
      }
    }
    clock.t = advance;
    await i.flush(false);
    expect(store.chunks()).toHaveLength(flushed);
  });

  it('retries failed writes with backoff and loses nothing', async () => {
    const { i, clock, store, registry } = setup();
    await i.start();
    await i.push(T1, req([series({ __name__: 'm' }, scrape(130))]));
    store.failing = true;
    await i.flush(false);
    expect(store.puts).toHaveLength(0);
    expect(i.flushQueueLength()).toBe(1);
    // Still backing off: no new attempt.
    const attempts = store.attempts;
    await i.flush(false);
    expect(store.attempts).toBe(attempts);
    store.failing = false;
    clock.advance(MIN);
    await i.flush(false);
    expect(store.chunks()).toHaveLength(1);
    expect(decode(store.chunks()[0]!.data)).toEqual(scrape(120));
    expect(i.flushQueueLength()).toBe(0);
    const text = await registry.metrics();
    expect(text).toMatch(/cortex_ingester_flush_failures_total 1/);
    expect(text).toMatch(/cortex_ingester_flushed_chunk_bytes_total [1-9]/);
    expect(text).toMatch(/cortex_ingester_flush_queue_length 0/);
  });

  it('stop() flushes everything, including out-of-order data', async () => {
    const { i, store } = setup({ limits: limits({ outOfOrderTimeWindowMs: MIN }) });
    await i.start();
    await i.push(T1, req([series({ __name__: 'a' }, scrape(3, 30_000)), series({ __name__: 'b' }, [[5, 5]])]));
    await i.push(T1, req([series({ __name__: 'a' }, [[10_000, 9]])]));
    await i.stop();
    const got = store
      .chunks()
      .map((c) => [c.labels.toString(), decode(c.data)])
      .sort();
    expect(got).toEqual([
      ['a', [[10_000, 9]]],
      ['a', scrape(3, 30_000)],
      ['b', [[5, 5]]],
    ]);
  });

  it('drops flushed chunks after the retain period and then the idle series', async () => {
    const { i, clock, store } = setup({ flush: { retainPeriodMs: 60 * MIN } });
    await i.start();
    await i.push(T1, req([series({ __name__: 'm' }, [[0, 1]])]));
    clock.t = 10 * MIN;
    await i.flush(false);
    expect(store.chunks()).toHaveLength(1);
    expect(await readAll(i.queryable(T1), all)).toEqual([['m', [[0, 1]]]]);
    clock.t = 71 * MIN;
    await i.flush(false);
    expect(i.stats(T1).numSeries).toBe(0);
    expect(await readAll(i.queryable(T1), all)).toEqual([]);
    // A later sample creates the series again.
    await i.push(T1, req([series({ __name__: 'm' }, [[72 * MIN, 2]])]));
    expect(i.stats(T1).numSeries).toBe(1);
  });

  it('stop() gives up after its timeout when the store stays down, and the data stays in the WAL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingester-flush-'));
    dirs.push(dir);
    const logger = new RecordingLogger();
    const { i, store } = setup({ walDir: dir, logger, stopFlushTimeoutMs: 300 });
    await i.start();
    await i.push(T1, req([series({ __name__: 'm' }, scrape(5))]));
    store.failing = true;
    await i.stop();
    expect(logger.lines.some((l) => l.startsWith('error:') && l.includes('could not be flushed'))).toBe(true);
    const again = setup({ walDir: dir });
    await again.i.start();
    expect(await readAll(again.i.queryable(T1), all)).toEqual([['m', scrape(5)]]);
  });

  it('flushed chunks are left out of checkpoints; unflushed ones survive a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingester-flush-'));
    dirs.push(dir);
    const { i, clock } = setup({ walDir: dir, checkpointIntervalMs: 0, flush: { retainPeriodMs: 0 } });
    await i.start();
    clock.t = 130 * 15_000;
    await i.push(T1, req([series({ __name__: 'm' }, scrape(130))]));
    await i.flush(false); // flushes and (retain 0) drops the first chunk on the next sweep
    await i.flush(false);
    await i.checkpoint();
    const again = setup({ walDir: dir });
    await again.i.start();
    expect(await readAll(again.i.queryable(T1), all)).toEqual([['m', scrape(130).slice(120)]]);
  });

  it('flushes native histograms as histogram chunks, drops them after the retain period, keeps unflushed ones in checkpoints', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingester-flush-'));
    dirs.push(dir);
    const { i, clock, store } = setup({ walDir: dir, flush: { maxChunkAgeMs: 60 * MIN, retainPeriodMs: 30 * MIN } });
    await i.start();
    const h = (k: number) => ({
      counterResetHint: 'unknown' as const,
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: k,
      sum: k,
      positiveSpans: [{ offset: 0, length: 1 }],
      negativeSpans: [],
      positiveBuckets: [k],
      negativeBuckets: [],
    });
    const hs = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) => ({ t: (from + k) * 15_000, h: h(from + k) }));
    clock.t = 130 * 15_000;
    await i.push(T1, req([series({ __name__: 'h' }, [], { histograms: hs(0, 130) })]));
    await i.flush(false); // the chunk cut full at 120 is flushed; the open one (10) is not due yet
    expect(store.chunks().map((c) => [c.mint, c.maxt, c.encoding])).toEqual([[0, 119 * 15_000, 3]]);
    const back: number[] = [];
    for (const c of store.chunks()) {
      const it = FloatHistogramChunk.fromBytes(c.data).iterator();
      while (it.next() === ValueType.Histogram) back.push(it.atHistogram().count);
    }
    expect(back).toEqual(hs(0, 120).map((x) => x.h.count));
    // A duplicate of a flushed sample is recognised, a changed one refused.
    const dup = await i.push(
      T1,
      req([series({ __name__: 'h' }, [], { histograms: [hs(5, 1)[0]!, { t: 6 * 15_000, h: h(99) }] })]),
    );
    expect(dup.errors.map((e) => e.error.id)).toEqual(['err-cortex-sample-duplicate-timestamp']);
    // Later samples join the open chunk, unflushed (not due yet), and go into the checkpoint; flushed
    // ones do not.
    await i.push(T1, req([series({ __name__: 'h' }, [], { histograms: hs(130, 10) })]));
    await i.checkpoint();
    clock.t += 31 * MIN;
    await i.flush(false); // past retain: the flushed chunk leaves memory; the open one (20) is idle → flushed
    const count = async (ing: Ingester) => {
      const [s] = await ing.queryable(T1).querier(0, 1e12).select(false, undefined, all);
      if (!s) return 0;
      const si = s.iterator();
      let n = 0;
      while (si.next() === ValueType.Histogram) n++;
      return n;
    };
    expect(await count(i)).toBe(20);
    expect(store.chunks().map((c) => [c.mint, c.maxt, c.encoding])).toEqual([
      [0, 119 * 15_000, 3],
      [120 * 15_000, 139 * 15_000, 3],
    ]);
    await i.stop();
    const again = setup({ walDir: dir });
    await again.i.start();
    // The final checkpoint holds nothing the store already has.
    expect(await count(again.i)).toBe(0);
  });

  it('stores integer histograms in integer histogram chunks, through the WAL, checkpoints and replay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingester-flush-'));
    dirs.push(dir);
    const h = (k: number) => ({
      counterResetHint: 'unknown' as const,
      schema: 3,
      zeroThreshold: 0.001,
      zeroCount: k,
      count: 3 * k,
      sum: k * 1.25,
      positiveSpans: [{ offset: -2, length: 2 }],
      negativeSpans: [],
      positiveBuckets: [k, k],
      negativeBuckets: [],
    });
    const ints = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) => ({ t: (from + k) * 15_000, h: h(from + k), integer: true }));
    // a crash after the push: the WAL alone brings them back, still integers
    const first = setup({ walDir: dir });
    await first.i.start();
    first.clock.t = 20 * 15_000;
    await first.i.push(T1, req([series({ __name__: 'ih' }, [], { histograms: ints(0, 10) })]));
    await first.i.push(T1, req([series({ __name__: 'fh' }, [], { histograms: [{ t: 0, h: h(1) }] })]));
    const second = setup({ walDir: dir });
    await second.i.start();
    await second.i.push(T1, req([series({ __name__: 'ih' }, [], { histograms: ints(10, 5) })]));
    // sealed into chunks that the (failing) store does not take: they go into the checkpoint as chunks
    second.store.failing = true;
    second.clock.t += 60 * MIN;
    await second.i.flush(true).catch(() => {});
    await second.i.checkpoint();
    // a checkpoint holding sealed integer chunks is replayed as such
    const third = setup({ walDir: dir });
    await third.i.start();
    third.clock.t += 60 * MIN;
    await third.i.flush(true);
    const byName = new Map(third.store.chunks().map((c) => [c.labels.get('__name__'), c]));
    expect(byName.get('ih')!.encoding).toBe(2);
    expect(byName.get('fh')!.encoding).toBe(3);
    const it = HistogramChunk.fromBytes(byName.get('ih')!.data).iterator();
    const back: FloatHistogram[] = [];
    while (it.next() === ValueType.Histogram) back.push(it.atHistogram());
    expect(back.map((x) => ({ ...x, counterResetHint: 'unknown' }))).toEqual(ints(0, 15).map((x) => x.h));
  });

  it('histogram staleness markers and non-finite values survive the WAL and checkpoints bit for bit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingester-flush-'));
    dirs.push(dir);
    const h = (sum: number) => ({
      counterResetHint: 'unknown' as const,
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 1,
      sum,
      positiveSpans: [],
      negativeSpans: [],
      positiveBuckets: [],
      negativeBuckets: [],
    });
    const sums = async (ing: Ingester) => {
      const [s] = await ing.queryable(T1).querier(0, 1e12).select(false, undefined, all);
      const out: string[] = [];
      const it = s!.iterator();
      while (it.next() === ValueType.Histogram) {
        const v = it.atHistogram().sum;
        out.push(isStaleNaN(v) ? 'stale' : String(v));
      }
      return out;
    };
    const want = ['1.5', 'Infinity', 'NaN', 'stale'];
    const first = setup({ walDir: dir, chunkStore: undefined });
    await first.i.start();
    await first.i.push(
      T1,
      req([
        series({ __name__: 'h' }, [], {
          // Float64Array: V8 canonicalises NaN payloads in plain number arrays.
          histograms: Array.from(Float64Array.of(1.5, Number.POSITIVE_INFINITY, Number.NaN, STALE_NAN), (sum, k) => ({
            t: k * 1000,
            h: h(sum),
          })),
        }),
      ]),
    );
    expect(await sums(first.i)).toEqual(want);
    await first.i.stop(); // no chunk store: the histograms stay in the final checkpoint
    const again = setup({ walDir: dir, chunkStore: undefined });
    await again.i.start();
    expect(await sums(again.i)).toEqual(want);
  });

  it('after every histogram was flushed and the ingester restarted, older histograms are still refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingester-flush-'));
    dirs.push(dir);
    const h = (k: number) => ({
      counterResetHint: 'unknown' as const,
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: k,
      sum: k,
      positiveSpans: [],
      negativeSpans: [],
      positiveBuckets: [],
      negativeBuckets: [],
    });
    const { i, store } = setup({ walDir: dir });
    await i.start();
    await i.push(
      T1,
      req([series({ __name__: 'h' }, [], { histograms: [0, 1, 2].map((k) => ({ t: k * 15_000, h: h(k) })) })]),
    );
    await i.stop();
    expect(store.chunks().map((c) => c.encoding)).toEqual([3]);
    const again = setup({ walDir: dir });
    await again.i.start();
    const out = await again.i.push(
      T1,
      req([
        series({ __name__: 'h' }, [], {
          histograms: [
            { t: 15_000, h: h(9) },
            { t: 45_000, h: h(3) },
          ],
        }),
      ]),
    );
    expect(out.errors.map((e) => [e.error.id, e.dropped])).toEqual([['err-cortex-sample-out-of-order', 1]]);
    expect(out.histogramsAppended).toBe(1);
  });

  it('after everything was flushed and the ingester restarted, series still refuse old and duplicate samples', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingester-flush-'));
    dirs.push(dir);
    const { i, store } = setup({ walDir: dir });
    await i.start();
    await i.push(T1, req([series({ __name__: 'm' }, scrape(5))]));
    await i.stop();
    expect(store.chunks()).toHaveLength(1);
    const again = setup({ walDir: dir });
    await again.i.start();
    const last = scrape(5)[4]!;
    const out = await again.i.push(
      T1,
      req([series({ __name__: 'm' }, [[0, 0], last, [last[0], 99], [last[0] + 15_000, 5]])]),
    );
    expect(out.errors.map((e) => [e.error.id, e.dropped])).toEqual([
      ['err-cortex-sample-out-of-order', 1],
      ['err-cortex-sample-duplicate-timestamp', 1],
    ]);
    expect(out.samplesAppended).toBe(1);
  });
});

describe('flushing shares the event loop with pushes', () => {
  /** 600 series per tenant with one sample each: an immediate flush seals 1,200 chunks. */
  async function twoTenants(extra: Partial<IngesterOptions> = {}) {
    const s = setup({ flush: { batchSize: 16 }, ...extra });
    await s.i.start();
    for (const t of [T1, T2]) {
      await s.i.push(t, req(Array.from({ length: 600 }, (_, k) => series({ __name__: 'm', k: String(k) }, [[0, k]]))));
    }
    return s;
  }

  it('writes a few batches per turn of the event loop, tenants in turn', async () => {
    const { i, store } = await twoTenants();
    const perTurn: number[] = [];
    let seen = 0;
    let done = false;
    const tick = () => {
      perTurn.push(store.chunks().length - seen);
      seen = store.chunks().length;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    await i.flush(true);
    done = true;
    expect(store.chunks()).toHaveLength(1200);
    // At most one batch per concurrent writer between two turns (16 × 4), never the whole queue.
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(64);
    expect(perTurn.filter((n) => n > 0).length).toBeGreaterThan(1200 / 64 - 1);
    expect(store.puts.slice(0, 4).map((p) => p.tenant)).toEqual([T1, T2, T1, T2]);
  });

  it('a failed write puts its batch back in front: every chunk is stored once', async () => {
    const { i, clock, store } = await twoTenants();
    let puts = 0;
    const put = store.put.bind(store);
    // The third write fails once, with other writes in flight and both tenants queued.
    store.put = async (t, chunks) => {
      if (++puts === 3) throw new Error('store hiccup (test)');
      return put(t, chunks);
    };
    await i.flush(true);
    expect(i.flushQueueLength()).toBeGreaterThan(0);
    clock.advance(MIN);
    await i.flush(false);
    expect(i.flushQueueLength()).toBe(0);
    const keys = store.puts.flatMap((p) => p.chunks.map((c) => `${p.tenant} ${c.labels.toString()} ${c.mint}`));
    expect(keys).toHaveLength(1200);
    expect(new Set(keys).size).toBe(1200);
  });
});
