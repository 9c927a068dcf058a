import { describe, expect, it } from 'vitest';
import type { TenantId } from '../model/index.js';
import {
  type Converted,
  DeltaToCumulative,
  type ExponentialHistogramPoint,
  type HistogramPoint,
  type NumberPoint,
} from './index.js';

const acme = 'acme' as TenantId;

/** A clock the test moves by hand (idle expiry is by wall time). */
function setup(maxStreams = 10, idleTimeoutMs = 60_000) {
  let now = 1_000_000;
  const d = new DeltaToCumulative({ idleTimeoutMs, now: () => now });
  return { d, streams: () => d.forTenant(acme, maxStreams), advance: (ms: number) => (now += ms) };
}

const num = (startMs: number, tMs: number, value: number): NumberPoint => ({
  attributes: [],
  startMs,
  tMs,
  flags: 0,
  value,
  exemplars: [],
});

const outcome = <P>(c: Converted<P>, read: (p: P) => unknown) => ('point' in c ? read(c.point) : c.refused);

interface Step {
  key?: string;
  start: number;
  t: number;
  v: number;
  /** Wall-clock ms to pass before the point. */
  after?: number;
  want: number | 'out-of-order' | 'limit';
}

const sums: { name: string; maxStreams?: number; steps: Step[] }[] = [
  {
    name: 'aligned intervals add up',
    steps: [
      { start: 0, t: 10, v: 5, want: 5 },
      { start: 10, t: 20, v: 2, want: 7 },
      { start: 20, t: 30, v: 0, want: 7 },
    ],
  },
  {
    name: 'a gap (a stream idle for an interval, or a restarted sender) keeps adding',
    steps: [
      { start: 0, t: 10, v: 5, want: 5 },
      { start: 25, t: 30, v: 1, want: 6 },
    ],
  },
  {
    name: 'a point starting before the running sum belongs to an older run and is refused',
    steps: [
      { start: 100, t: 110, v: 5, want: 5 },
      { start: 50, t: 120, v: 1, want: 'out-of-order' },
      { start: 110, t: 130, v: 1, want: 6 },
    ],
  },
  {
    name: 'a point at or before the last one is refused',
    steps: [
      { start: 0, t: 10, v: 5, want: 5 },
      { start: 10, t: 20, v: 2, want: 7 },
      { start: 0, t: 10, v: 5, want: 'out-of-order' },
      { start: 10, t: 20, v: 3, want: 'out-of-order' },
    ],
  },
  {
    name: 'the exact repeat of the last point (a retried request) answers the sum without adding',
    steps: [
      { start: 0, t: 10, v: 5, want: 5 },
      { start: 10, t: 20, v: 2, want: 7 },
      { start: 10, t: 20, v: 2, want: 7 },
      { start: 20, t: 30, v: 1, want: 8 },
    ],
  },
  {
    name: 'points without a start time are added in time order',
    steps: [
      { start: 0, t: 10, v: 1, want: 1 },
      { start: 0, t: 20, v: 1, want: 2 },
    ],
  },
  {
    name: 'a stream idle past the timeout is forgotten: its next point starts a new sum',
    steps: [
      { start: 0, t: 10, v: 5, want: 5 },
      { start: 10, t: 20, v: 2, after: 60_001, want: 2 },
      { start: 20, t: 30, v: 1, after: 59_000, want: 3 },
    ],
  },
  {
    name: 'NaN and infinite deltas are refused (they would poison the sum)',
    steps: [
      { start: 0, t: 10, v: 5, want: 5 },
      { start: 10, t: 20, v: Number.NaN, want: 'out-of-order' },
      { start: 10, t: 20, v: Number.POSITIVE_INFINITY, want: 'out-of-order' },
      { start: 10, t: 20, v: 1, want: 6 },
    ],
  },
  {
    name: 'new streams beyond the tenant limit are refused until one has been idle',
    maxStreams: 2,
    steps: [
      { key: 'a', start: 0, t: 10, v: 1, want: 1 },
      { key: 'b', start: 0, t: 10, v: 1, want: 1 },
      { key: 'c', start: 0, t: 10, v: 1, want: 'limit' },
      { key: 'a', start: 10, t: 20, v: 1, want: 2 },
      { key: 'b', start: 10, t: 20, v: 1, after: 50_000, want: 2 },
      { key: 'c', start: 0, t: 30, v: 1, after: 20_000, want: 1 },
      { key: 'b', start: 20, t: 30, v: 1, want: 3 },
      { key: 'a', start: 20, t: 30, v: 1, want: 'limit' },
    ],
  },
];

describe('delta → cumulative: sums', () => {
  it.each(sums)('$name', ({ steps, maxStreams }) => {
    const { streams, advance } = setup(maxStreams);
    const got = steps.map((s) => {
      if (s.after) advance(s.after);
      return outcome(streams().number(s.key ?? 'k', num(s.start, s.t, s.v)), (p) => p.value);
    });
    expect(got).toEqual(steps.map((s) => s.want));
  });

  it('the converted point keeps the delta point time, attributes and exemplars, and the sum start', () => {
    const { streams } = setup();
    streams().number('k', num(100, 110, 1));
    const ex = [{ attributes: [], tMs: 115, value: 1, traceId: 'ab', spanId: 'cd' }];
    const c = streams().number('k', { ...num(110, 120, 2), attributes: [['a', 'b']], exemplars: ex });
    expect(c).toEqual({ point: { ...num(100, 120, 3), attributes: [['a', 'b']], exemplars: ex } });
  });

  it('tenants and stream kinds do not share sums', () => {
    const { d } = setup();
    d.forTenant(acme, 10).number('k', num(0, 10, 5));
    const other = d.forTenant('other' as TenantId, 10).number('k', num(0, 10, 1));
    expect(outcome(other, (p) => p.value)).toBe(1);
    const h = d.forTenant(acme, 10).histogram('k', hist(0, 10, [1, 0], [1]));
    expect(outcome(h, (p) => p.count)).toBe(1);
  });

  it('end() forgets a stream; idle tenants are swept away', () => {
    const { d, streams, advance } = setup();
    streams().number('k', num(0, 10, 5));
    streams().end('k', 'number');
    expect(outcome(streams().number('k', num(10, 20, 1)), (p) => p.value)).toBe(1);
    expect(d.size).toBe(1);
    advance(120_000);
    d.forTenant('other' as TenantId, 10);
    expect(d.size).toBe(0);
  });
});

function hist(startMs: number, tMs: number, bucketCounts: number[], explicitBounds: number[], sum = 1): HistogramPoint {
  const count = bucketCounts.reduce((a, b) => a + b, 0);
  return { attributes: [], startMs, tMs, flags: 0, count, sum, bucketCounts, explicitBounds, exemplars: [] };
}

describe('delta → cumulative: explicit-bucket histograms', () => {
  const cases: {
    name: string;
    points: HistogramPoint[];
    want: { count: number; sum: number | undefined; bucketCounts: number[]; explicitBounds: number[] };
  }[] = [
    {
      name: 'buckets, count and sum add up',
      points: [hist(0, 10, [1, 2, 0], [1, 5], 7), hist(10, 20, [0, 1, 3], [1, 5], 30)],
      want: { count: 7, sum: 37, bucketCounts: [1, 3, 3], explicitBounds: [1, 5] },
    },
    {
      name: 'changed bounds start the sum over from that point',
      points: [hist(0, 10, [1, 2, 0], [1, 5], 7), hist(10, 20, [4, 1], [10], 3)],
      want: { count: 5, sum: 3, bucketCounts: [4, 1], explicitBounds: [10] },
    },
    {
      name: 'a missing sum leaves the sum unknown',
      points: [hist(0, 10, [1], [], 2), { ...hist(10, 20, [1], []), sum: undefined }],
      want: { count: 2, sum: undefined, bucketCounts: [2], explicitBounds: [] },
    },
  ];
  it.each(cases)('$name', ({ points, want }) => {
    const { streams } = setup();
    let last: Converted<HistogramPoint> | undefined;
    for (const p of points) last = streams().histogram('h', p);
    expect(last).toHaveProperty('point');
    const p = (last as { point: HistogramPoint }).point;
    expect({ count: p.count, sum: p.sum, bucketCounts: p.bucketCounts, explicitBounds: p.explicitBounds }).toEqual(
      want,
    );
  });
});

function expo(
  tMs: number,
  scale: number,
  positive: [number, number[]],
  negative: [number, number[]] = [0, []],
  zeroCount = 0,
  zeroThreshold = 0,
): ExponentialHistogramPoint {
  const count = zeroCount + [...positive[1], ...negative[1]].reduce((a, b) => a + b, 0);
  return {
    attributes: [],
    startMs: tMs - 10,
    tMs,
    flags: 0,
    count,
    sum: count,
    scale,
    zeroCount,
    zeroThreshold,
    positive: { offset: positive[0], bucketCounts: positive[1] },
    negative: { offset: negative[0], bucketCounts: negative[1] },
    exemplars: [],
  };
}

describe('delta → cumulative: exponential histograms', () => {
  const cases: {
    name: string;
    points: ExponentialHistogramPoint[];
    want: {
      scale: number;
      count: number;
      zeroCount: number;
      positive: [number, number[]];
      negative: [number, number[]];
    };
  }[] = [
    {
      name: 'the same scale: buckets add up over the union of the ranges',
      points: [expo(10, 2, [3, [1, 1]], [0, [1]], 1), expo(20, 2, [4, [2, 0, 5]], [0, []], 2)],
      want: { scale: 2, count: 13, zeroCount: 3, positive: [3, [1, 3, 0, 5]], negative: [0, [1]] },
    },
    {
      // Scale 3 buckets 4..7 are scale 2 buckets 2, 2, 3, 3 (index >> 1); negative indexes round down.
      name: 'different scales are added at the coarser one',
      points: [expo(10, 3, [4, [1, 2, 3, 4]], [-3, [1, 1]]), expo(20, 2, [2, [10]])],
      want: { scale: 2, count: 22, zeroCount: 0, positive: [2, [13, 7]], negative: [-2, [1, 1]] },
    },
    {
      name: 'a changed zero threshold starts the sum over from that point',
      points: [expo(10, 2, [0, [1]], [0, []], 1, 0), expo(20, 2, [0, [4]], [0, []], 2, 0.001)],
      want: { scale: 2, count: 6, zeroCount: 2, positive: [0, [4]], negative: [0, []] },
    },
    {
      name: 'ranges too far apart for a dense array are merged to a coarser scale',
      points: [expo(10, 0, [-20_000, [1]]), expo(20, 0, [20_000, [1]])],
      want: {
        scale: -2,
        count: 2,
        zeroCount: 0,
        positive: [-5000, [1, ...new Array(9999).fill(0), 1]],
        negative: [0, []],
      },
    },
  ];
  it.each(cases)('$name', ({ points, want }) => {
    const { streams } = setup();
    let last: Converted<ExponentialHistogramPoint> | undefined;
    for (const p of points) last = streams().exponential('e', p);
    const p = (last as { point: ExponentialHistogramPoint }).point;
    expect({
      scale: p.scale,
      count: p.count,
      zeroCount: p.zeroCount,
      positive: [p.positive.offset, p.positive.bucketCounts],
      negative: [p.negative.offset, p.negative.bucketCounts],
    }).toEqual(want);
  });
});
