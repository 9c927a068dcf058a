import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FloatHistogram, Matcher } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { CreatedZeros, zeroHistogramLike } from './created-zeros.js';
import { Ingester } from './index.js';
import { limits, ManualClock, readAll, req, series, T1 } from './testing.js';

describe('CreatedZeros (which created timestamp gets a zero before a point)', () => {
  it.each([
    { name: 'new series, ct before the point', cts: [5], newest: -Infinity, points: [10], want: [5] },
    { name: 'ct equal to the point: none', cts: [10], newest: -Infinity, points: [10], want: [undefined] },
    {
      name: 'ct after the point: kept for a later point',
      cts: [15],
      newest: -Infinity,
      points: [10, 20],
      want: [undefined, 15],
    },
    { name: 'ct not newer than the series: none', cts: [5], newest: 5, points: [10], want: [undefined] },
    { name: 'ct older than the series: none', cts: [5], newest: 8, points: [10], want: [undefined] },
    {
      name: 'the same ct repeated with every point: once',
      cts: [5, 5],
      newest: -Infinity,
      points: [10, 20],
      want: [5, undefined],
    },
    { name: 'a reset between points: both', cts: [5, 15], newest: -Infinity, points: [10, 20], want: [5, 15] },
    { name: 'two below one point: the newest', cts: [3, 5], newest: -Infinity, points: [10], want: [5] },
  ])('$name', ({ cts, newest, points, want }) => {
    const z = new CreatedZeros(cts, newest);
    const got = points.map((t) => {
      const ct = z.before(t);
      z.appended(t);
      return ct;
    });
    expect(got).toEqual(want);
  });

  it('a zero histogram keeps the schema and custom bounds of the histogram after it', () => {
    const h: FloatHistogram = {
      counterResetHint: 'not_reset',
      schema: -53,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 3,
      sum: 1.5,
      positiveSpans: [{ offset: 0, length: 2 }],
      negativeSpans: [],
      positiveBuckets: [1, 2],
      negativeBuckets: [],
      customValues: [0.5, 1],
    };
    expect(zeroHistogramLike(h)).toEqual({
      counterResetHint: 'reset',
      schema: -53,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 0,
      sum: 0,
      positiveSpans: [],
      negativeSpans: [],
      positiveBuckets: [],
      negativeBuckets: [],
      customValues: [0.5, 1],
    });
  });
});

const eq = (n: string, v: string) => new Matcher('=', n, v);
const counter = { __name__: 'requests_total', job: 'api' };
let ing: Ingester | undefined;
let dir: string | undefined;
afterEach(async () => {
  await ing?.stop();
  ing = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(walDir?: string): Promise<Ingester> {
  ing = new Ingester({
    limits: limits(),
    clock: new ManualClock(),
    checkpointIntervalMs: 0,
    ...(walDir ? { walDir } : {}),
  });
  await ing.start();
  return ing;
}

describe('ingester: created-timestamp zeros through the append path', () => {
  it.each([
    {
      name: 'a new counter gets a zero at its created timestamp',
      before: [] as Array<[number, number]>,
      push: [[1000, 7]] as Array<[number, number]>,
      cts: [400],
      want: [
        [400, 0],
        [1000, 7],
      ],
    },
    {
      name: 'no zero when the series already holds newer data',
      before: [[500, 3]] as Array<[number, number]>,
      push: [[1000, 7]] as Array<[number, number]>,
      cts: [400],
      want: [
        [500, 3],
        [1000, 7],
      ],
    },
    {
      name: 'a restarted counter: zero after the old data, before the new point',
      before: [[500, 9]] as Array<[number, number]>,
      push: [[1000, 2]] as Array<[number, number]>,
      cts: [800],
      want: [
        [500, 9],
        [800, 0],
        [1000, 2],
      ],
    },
    {
      name: 'no zero when the created timestamp is not older than the sample',
      before: [] as Array<[number, number]>,
      push: [[1000, 7]] as Array<[number, number]>,
      cts: [1000],
      want: [[1000, 7]],
    },
  ])('$name', async ({ before, push, cts, want }) => {
    const i = await start();
    if (before.length > 0) await i.push(T1, req([series(counter, before)]));
    const out = await i.push(T1, req([{ ...series(counter, push), createdTimestamps: cts }]));
    // The zero is not one of the client's samples: not counted as written, never an error.
    expect(out.samplesAppended).toBe(push.length);
    expect(out.errors).toEqual([]);
    const [[, got] = ['', []]] = await readAll(i.queryable(T1), [eq('__name__', 'requests_total')]);
    expect(got).toEqual(want);
  });

  it('a histogram series gets an empty histogram of the same schema', async () => {
    const i = await start();
    const h: FloatHistogram = {
      counterResetHint: 'unknown',
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 2,
      sum: 3,
      positiveSpans: [{ offset: 0, length: 1 }],
      negativeSpans: [],
      positiveBuckets: [2],
      negativeBuckets: [],
    };
    const out = await i.push(
      T1,
      req([{ ...series({ __name__: 'h' }, [], { histograms: [{ t: 1000, h }] }), createdTimestamps: [600] }]),
    );
    expect(out.histogramsAppended).toBe(1);
    const [s] = await i
      .queryable(T1)
      .querier(0, 1e12)
      .select(false, undefined, [eq('__name__', 'h')]);
    const it = s!.iterator();
    const got: [number, number][] = [];
    while (it.next() === ValueType.Histogram) got.push([it.atT(), it.atHistogram().count]);
    expect(got).toEqual([
      [600, 0],
      [1000, 2],
    ]);
  });

  it('the zero is in the WAL: a restart replays it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingester-ct-'));
    const first = await start(dir);
    await first.push(T1, req([{ ...series(counter, [[1000, 7]]), createdTimestamps: [400] }]));
    await first.stop();
    ing = undefined;
    const second = await start(dir);
    const [[, got] = ['', []]] = await readAll(second.queryable(T1), [eq('__name__', 'requests_total')]);
    expect(got).toEqual([
      [400, 0],
      [1000, 7],
    ]);
  });
});
