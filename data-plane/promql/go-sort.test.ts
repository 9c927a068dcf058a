import { describe, expect, it } from 'vitest';
import { goSort, heapFix, heapPushed, reverse, type Sortable } from './go-sort.js';

function arrayOf(a: number[]): Sortable {
  return {
    len: () => a.length,
    less: (i, j) => a[i]! < a[j]!,
    swap: (i, j) => {
      const x = a[i]!;
      a[i] = a[j]!;
      a[j] = x;
    },
  };
}

describe('Go sort.Sort', () => {
  it('sorts any length (insertion sort, pdqsort, its heapsort fallback)', () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (const n of [0, 1, 2, 12, 13, 50, 51, 200, 1000]) {
      for (const shape of ['random', 'sorted', 'reversed', 'equal', 'sawtooth']) {
        const a = Array.from({ length: n }, (_, i) =>
          shape === 'random'
            ? rnd() % 100
            : shape === 'sorted'
              ? i
              : shape === 'reversed'
                ? n - i
                : shape === 'equal'
                  ? 7
                  : i % 10,
        );
        const want = [...a].sort((x, y) => x - y);
        goSort(arrayOf(a));
        expect(a).toEqual(want);
        goSort(reverse(arrayOf(a)));
        expect(a).toEqual(want.reverse());
      }
    }
  });

  it('keeps every element when all keys are equal (the case that decides tie order)', () => {
    // 14 elements: past insertion sort, through pdqsort's equal-partitioning
    const keys = Array.from({ length: 14 }, () => 1);
    const ids = keys.map((_, i) => i);
    goSort({
      len: () => ids.length,
      less: (i, j) => keys[ids[i]!]! < keys[ids[j]!]!,
      swap: (i, j) => {
        const x = ids[i]!;
        ids[i] = ids[j]!;
        ids[j] = x;
      },
    });
    expect([...ids].sort((x, y) => x - y)).toEqual(keys.map((_, i) => i));
  });
});

describe('container/heap', () => {
  it('keeps the smallest on top through pushes and fixes', () => {
    const a: number[] = [];
    const h = arrayOf(a);
    for (const v of [5, 3, 8, 1, 9, 2]) {
      a.push(v);
      heapPushed(h);
      expect(a[0]).toBe(Math.min(...a));
    }
    a[0] = 10;
    heapFix(h, 0);
    expect(a[0]).toBe(2);
  });
});
