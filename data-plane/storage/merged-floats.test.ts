import { describe, expect, it } from 'vitest';
import { isStaleNaN, Labels, STALE_NAN } from '../model/index.js';
import { arraySeries, growingFloatSink, mergeSeries, type Series, ValueType } from './index.js';

const l = Labels.fromObject({ __name__: 'up' });
const S = STALE_NAN;

/** An array series that can also read floats into arrays, as head and store series can. */
function floatSeries(ts: readonly number[], vs: readonly number[]): Series {
  return {
    ...arraySeries(l, ts, vs),
    readFloats(mint, maxt, dropStale, sink) {
      const before = sink.n;
      for (let i = 0; i < ts.length; i++) {
        if (ts[i]! < mint || ts[i]! > maxt || (dropStale && isStaleNaN(vs[i]!))) continue;
        sink.reserve(1);
        sink.t[sink.n] = ts[i]!;
        sink.v[sink.n] = vs[i]!;
        sink.n++;
      }
      return sink.n - before;
    },
  };
}

/** What iterating the merged series gives in [mint, maxt] (the reference), staleness markers dropped if asked. */
function iterated(s: Series, mint: number, maxt: number, dropStale: boolean): [number, number | string][] {
  const out: [number, number | string][] = [];
  const it = s.iterator();
  for (let vt = it.seek(mint); vt !== ValueType.None && it.atT() <= maxt; vt = it.next()) {
    if (dropStale && isStaleNaN(it.atV())) continue;
    out.push([it.atT(), isStaleNaN(it.atV()) ? 'stale' : it.atV()]);
  }
  return out;
}

type Part = [number[], number[]];
const cases: { name: string; parts: Part[]; range?: [number, number]; dropStale?: boolean }[] = [
  {
    name: 'disjoint, in order (store then head)',
    parts: [
      [
        [1, 2],
        [10, 20],
      ],
      [
        [3, 4],
        [30, 40],
      ],
    ],
  },
  {
    name: 'disjoint, out of order (head then store)',
    parts: [
      [
        [3, 4],
        [30, 40],
      ],
      [
        [1, 2],
        [10, 20],
      ],
    ],
  },
  {
    name: 'interleaved',
    parts: [
      [
        [1, 3, 5],
        [1, 3, 5],
      ],
      [
        [2, 4, 6],
        [2, 4, 6],
      ],
    ],
  },
  {
    name: 'equal timestamps: the first source wins',
    parts: [
      [
        [1, 2, 3],
        [10, 20, 30],
      ],
      [
        [2, 3, 4],
        [99, 99, 40],
      ],
    ],
  },
  {
    name: 'three sources',
    parts: [
      [[5], [5]],
      [
        [1, 5],
        [1, 55],
      ],
      [
        [3, 9],
        [3, 9],
      ],
    ],
  },
  {
    name: 'an empty source',
    parts: [
      [[], []],
      [
        [1, 2],
        [1, 2],
      ],
    ],
  },
  {
    name: 'within a range',
    parts: [
      [
        [1, 4, 7],
        [1, 4, 7],
      ],
      [
        [2, 5, 8],
        [2, 5, 8],
      ],
    ],
    range: [3, 7],
  },
  {
    name: 'a winning staleness marker hides the other source, dropped',
    parts: [
      [
        [1, 2],
        [10, S],
      ],
      [
        [2, 3],
        [20, 30],
      ],
    ],
    dropStale: true,
  },
  {
    name: 'staleness markers kept when asked',
    parts: [
      [
        [1, 2],
        [10, S],
      ],
      [
        [2, 3],
        [20, 30],
      ],
    ],
  },
];

describe('readMergedFloats (mergeSeries.readFloats)', () => {
  it.each(cases)('$name', ({ parts, range = [0, 100], dropStale = false }) => {
    const merged = mergeSeries(parts.map(([ts, vs]) => floatSeries(ts, vs)));
    const out = growingFloatSink();
    out.n = 1; // appends after what the sink already holds
    const n = merged.readFloats!(range[0], range[1], dropStale, out);
    const got = Array.from({ length: n }, (_, k): [number, number | string] => [
      out.t[1 + k]!,
      isStaleNaN(out.v[1 + k]!) ? 'stale' : out.v[1 + k]!,
    ]);
    expect(got).toEqual(iterated(merged, range[0], range[1], dropStale));
  });

  it('is absent when a source cannot read floats', () => {
    expect(mergeSeries([floatSeries([1], [1]), arraySeries(l, [2], [2])]).readFloats).toBeUndefined();
  });

  it('answers -1 when a source refuses (histograms there)', () => {
    const refusing: Series = { ...arraySeries(l, [2], [2]), readFloats: () => -1 };
    expect(mergeSeries([floatSeries([1], [1]), refusing]).readFloats!(0, 10, false, growingFloatSink())).toBe(-1);
  });
});
