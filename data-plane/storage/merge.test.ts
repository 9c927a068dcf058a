import { describe, expect, it } from 'vitest';
import { Labels } from '../model/index.js';
import { arraySeries, mergeSeries, mergeSeriesSets, type Series, ValueType } from './index.js';

function drain(s: Series): [number, number][] {
  const it = s.iterator();
  const out: [number, number][] = [];
  while (it.next() !== ValueType.None) out.push([it.atT(), it.atV()]);
  return out;
}

const l = Labels.fromObject({ __name__: 'up' });

describe('mergeSeries', () => {
  const cases = [
    {
      name: 'disjoint sources interleave',
      a: [
        [1, 3],
        [10, 30],
      ],
      b: [[2], [20]],
      want: [
        [1, 10],
        [2, 20],
        [3, 30],
      ],
    },
    {
      name: 'duplicate timestamps keep the first source',
      a: [
        [1, 2],
        [10, 20],
      ],
      b: [
        [2, 3],
        [99, 30],
      ],
      want: [
        [1, 10],
        [2, 20],
        [3, 30],
      ],
    },
    { name: 'one empty source', a: [[], []], b: [[5], [50]], want: [[5, 50]] },
  ] as const;
  it.each(cases)('$name', ({ a, b, want }) => {
    const s = mergeSeries([arraySeries(l, a[0], a[1]), arraySeries(l, b[0], b[1])]);
    expect(drain(s)).toEqual(want);
  });

  it('seeks across sources', () => {
    const s = mergeSeries([arraySeries(l, [1, 5, 9], [1, 5, 9]), arraySeries(l, [2, 6, 10], [2, 6, 10])]);
    const it = s.iterator();
    expect(it.seek(6)).toBe(ValueType.Float);
    expect(it.atT()).toBe(6);
    expect(it.seek(3)).toBe(ValueType.Float);
    expect(it.atT()).toBe(6);
    expect(it.next()).toBe(ValueType.Float);
    expect(it.atT()).toBe(9);
    expect(it.seek(11)).toBe(ValueType.None);
  });
});

describe('mergeSeriesSets', () => {
  it('merges equal labels across sets and sorts by labels', () => {
    const m = Labels.fromObject({ __name__: 'm' });
    const sets = [[arraySeries(l, [1], [10]), arraySeries(m, [1], [1])], [arraySeries(l, [1, 2], [99, 20])]];
    const out = mergeSeriesSets(sets, true);
    expect(out.map((s) => s.labels.get('__name__'))).toEqual(['m', 'up']);
    expect(drain(out[1]!)).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it('returns a single set as it is', () => {
    const set = [arraySeries(l, [1], [1])];
    expect(mergeSeriesSets([set], true)).toBe(set);
    expect(mergeSeriesSets([[], set, []], true)).toBe(set);
    expect(mergeSeriesSets([[], []], true)).toEqual([]);
  });
});
