import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FloatHistogram, Matcher } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { Ingester } from './index.js';
import { limits, ManualClock, RecordingChunkStore, readAll, req, series, T1, T2 } from './testing.js';

const all = [new Matcher('=', '__name__', 'a')];
const open: Ingester[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const i of open.splice(0)) await i.stop().catch(() => {});
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup(walDir: string, store?: RecordingChunkStore) {
  const clock = new ManualClock(0);
  const i = new Ingester({
    limits: limits({ outOfOrderTimeWindowMs: 3_600_000 }),
    clock,
    walDir,
    flushPeriodMs: 0,
    ...(store ? { chunkStore: store } : {}),
  });
  open.push(i);
  await i.start();
  return { i, clock };
}

const scrape = (n: number, from = 0): Array<[number, number]> =>
  Array.from({ length: n }, (_, k) => [from + k * 15_000, k]);

const hist = (k: number): FloatHistogram => ({
  counterResetHint: 'unknown',
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

async function histTimes(i: Ingester): Promise<number[]> {
  const [s] = await i
    .queryable(T1)
    .querier(0, 1e12)
    .select(false, undefined, [new Matcher('=', '__name__', 'h')]);
  const out: number[] = [];
  const it = s?.iterator();
  while (it && it.next() === ValueType.Histogram) out.push(it.atT());
  return out;
}

describe('ingester delete-series', () => {
  it('removes the range from in-order, open, out-of-order and histogram data at once, and a replay keeps it gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingester-delete-'));
    dirs.push(dir);
    const { i } = await setup(dir);
    await i.push(
      T1,
      req([
        series({ __name__: 'a', job: 'x' }, scrape(300)),
        series({ __name__: 'a', job: 'y' }, scrape(300)),
        series({ __name__: 'h' }, [], { histograms: scrape(200).map(([t], k) => ({ t, h: hist(k) })) }),
      ]),
    );
    await i.push(T1, req([series({ __name__: 'a', job: 'x' }, [[100 * 15_000 + 7, 1]])])); // out of order
    await i.push(T2, req([series({ __name__: 'a', job: 'x' }, scrape(300))]));
    // Cut some histograms into a chunk so both the buffer and sealed chunks are exercised.
    await i.flush(true);
    await i.push(T1, req([series({ __name__: 'h' }, [], { histograms: [{ t: 300 * 15_000, h: hist(300) }] })]));

    const from = 50 * 15_000;
    const to = 250 * 15_000;
    const removed = await i.deleteSeries(T1, [new Matcher('=', 'job', 'x')], from, to);
    expect(removed).toBe(201 + 1);
    expect(await i.deleteSeries(T1, [new Matcher('=', '__name__', 'h')], 150 * 15_000, 400 * 15_000)).toBe(51);

    const want = scrape(300).filter(([t]) => t < from || t > to);
    const check = async (ing: Ingester) => {
      const got = await readAll(ing.queryable(T1), all);
      expect(got.map(([l]) => l)).toEqual(['a{job="x"}', 'a{job="y"}']);
      expect(got[0]![1]).toEqual(want);
      expect(got[1]![1]).toEqual(scrape(300));
      expect((await readAll(ing.queryable(T2), all))[0]![1]).toEqual(scrape(300));
      expect(await histTimes(ing)).toEqual(scrape(150).map(([t]) => t));
    };
    await check(i);
    // New samples after the delete are kept, even inside the deleted range (out of order).
    await i.push(T1, req([series({ __name__: 'a', job: 'x' }, [[300 * 15_000, 9]])]));
    want.push([300 * 15_000, 9]);
    await check(i);

    // Restart from the WAL alone (no checkpoint written: the deletion record is replayed).
    await i.stop();
    const again = await setup(dir);
    await check(again.i);
    // And from a checkpoint.
    await again.i.checkpoint();
    await again.i.stop();
    const third = await setup(dir);
    await check(third.i);
  });

  it('a chunk emptied while queued for flushing writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingester-delete-'));
    dirs.push(dir);
    const store = new RecordingChunkStore();
    const { i } = await setup(dir, store);
    await i.push(T1, req([series({ __name__: 'a' }, scrape(130))]));
    await i.deleteSeries(T1, [new Matcher('=', '__name__', 'a')], 0, 119 * 15_000);
    await i.flush(true);
    expect(store.chunks().map((c) => [c.mint, c.maxt])).toEqual([[120 * 15_000, 129 * 15_000]]);
  });

  it('re-encodes sealed histogram chunks (flushed ones stay flushed, the rest is still flushed later)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingester-delete-'));
    dirs.push(dir);
    const store = new RecordingChunkStore();
    const { i } = await setup(dir, store);
    await i.push(
      T1,
      req([series({ __name__: 'h' }, [], { histograms: scrape(130).map(([t], k) => ({ t, h: hist(k) })) })]),
    );
    await i.flush(true); // two chunks (120 + 10) flushed, retained in memory
    await i.push(T1, req([series({ __name__: 'h' }, [], { histograms: [{ t: 130 * 15_000, h: hist(130) }] })]));
    expect(await i.deleteSeries(T1, [new Matcher('=', '__name__', 'h')], 10 * 15_000, 124 * 15_000)).toBe(115);
    expect(await histTimes(i)).toEqual([...scrape(10), ...scrape(6, 125 * 15_000)].map(([t]) => t));
    await i.flush(true);
    // Only the new sample is written now; the store already had the rest (its tombstones hide it).
    expect(store.chunks().map((c) => [c.mint, c.maxt])).toEqual([
      [0, 119 * 15_000],
      [120 * 15_000, 129 * 15_000],
      [130 * 15_000, 130 * 15_000],
    ]);
  });
});
