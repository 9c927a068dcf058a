import { describe, expect, it } from 'vitest';
import { type SeriesIterator, ValueType } from '../interface.js';
import { type ChunkRef, MergeIterator } from './index.js';

/** A chunk over literal samples (what the merge sees; decoding is tested in chunkenc). */
function chunk(samples: [number, number][]): ChunkRef & { opened: () => number } {
  let opened = 0;
  return {
    mint: samples[0]![0],
    maxt: samples[samples.length - 1]![0],
    opened: () => opened,
    open(): SeriesIterator {
      opened++;
      let i = -1;
      return {
        next: () => (++i < samples.length ? ValueType.Float : ValueType.None),
        seek(t) {
          if (i < 0) i = 0;
          while (i < samples.length && samples[i]![0] < t) i++;
          return i < samples.length ? ValueType.Float : ValueType.None;
        },
        atT: () => samples[i]![0],
        atV: () => samples[i]![1],
        atHistogram: () => {
          throw new Error('float only');
        },
      };
    },
  };
}

function drain(it: SeriesIterator): [number, number][] {
  const out: [number, number][] = [];
  while (it.next() !== ValueType.None) out.push([it.atT(), it.atV()]);
  return out;
}

const cases: {
  name: string;
  chunks: [number, number][][];
  mint: number;
  maxt: number;
  deleted?: [number, number][];
  want: [number, number][];
}[] = [
  { name: 'no chunks', chunks: [], mint: 0, maxt: 100, want: [] },
  {
    name: 'back to back',
    chunks: [
      [
        [1, 1],
        [2, 2],
      ],
      [
        [3, 3],
        [4, 4],
      ],
    ],
    mint: 0,
    maxt: 100,
    want: [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ],
  },
  {
    name: 'overlapping replicas drop duplicate timestamps, first chunk wins',
    chunks: [
      [
        [1, 1],
        [3, 3],
        [5, 5],
      ],
      [
        [3, 30],
        [4, 40],
        [5, 50],
        [6, 60],
      ],
    ],
    mint: 0,
    maxt: 100,
    want: [
      [1, 1],
      [3, 3],
      [4, 40],
      [5, 5],
      [6, 60],
    ],
  },
  {
    name: 'identical chunks',
    chunks: [
      [
        [1, 1],
        [2, 2],
      ],
      [
        [1, 1],
        [2, 2],
      ],
    ],
    mint: 0,
    maxt: 100,
    want: [
      [1, 1],
      [2, 2],
    ],
  },
  {
    name: 'range is inclusive on both ends',
    chunks: [
      [
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
      ],
    ],
    mint: 2,
    maxt: 3,
    want: [
      [2, 2],
      [3, 3],
    ],
  },
  {
    name: 'tombstones hide samples',
    chunks: [
      [
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
        [5, 5],
      ],
    ],
    mint: 0,
    maxt: 100,
    deleted: [
      [2, 3],
      [5, 9],
    ],
    want: [
      [1, 1],
      [4, 4],
    ],
  },
];

describe('MergeIterator', () => {
  it.each(cases)('$name', (tc) => {
    const it = new MergeIterator(tc.chunks.map(chunk), tc.mint, tc.maxt, tc.deleted);
    expect(drain(it)).toEqual(tc.want);
    expect(it.next()).toBe(ValueType.None);
  });

  it('seek moves forward only and lands on the first sample at or after t', () => {
    const it = new MergeIterator(
      [
        chunk([
          [10, 1],
          [20, 2],
        ]),
        chunk([
          [30, 3],
          [40, 4],
        ]),
      ],
      0,
      100,
    );
    expect(it.seek(15)).toBe(ValueType.Float);
    expect(it.atT()).toBe(20);
    expect(it.seek(5)).toBe(ValueType.Float);
    expect(it.atT()).toBe(20);
    expect(it.seek(31)).toBe(ValueType.Float);
    expect(it.atT()).toBe(40);
    expect(it.seek(41)).toBe(ValueType.None);
  });

  it('opens chunks lazily and skips chunks that end before a seek', () => {
    const cs = [
      chunk([
        [1, 1],
        [2, 2],
      ]),
      chunk([
        [3, 3],
        [4, 4],
      ]),
      chunk([
        [5, 5],
        [6, 6],
      ]),
    ];
    const it = new MergeIterator(cs, 0, 100);
    expect(it.seek(5)).toBe(ValueType.Float);
    expect(cs.map((c) => c.opened())).toEqual([0, 0, 1]);
  });
});
