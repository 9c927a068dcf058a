import { describe, expect, it } from 'vitest';
import { addRef, filterRefs, type Postings, refsOf, someRef } from './postings.js';

function build(refs: readonly number[]): Postings {
  let p: Postings = [refs[0]!];
  for (const r of refs.slice(1)) p = addRef(p, r);
  return p;
}
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('postings lists', () => {
  const lengths = [
    { name: 'one ref', n: 1, typed: false },
    { name: 'just below the typed length', n: 255, typed: false },
    { name: 'at the typed length', n: 256, typed: true },
    { name: 'a typed list that grew', n: 5000, typed: true },
  ];

  it.each(lengths)('$name keeps every ref in order', ({ n, typed }) => {
    const want = range(1, n).map((i) => i * 3);
    const p = build(want);
    expect(Array.isArray(p)).toBe(!typed);
    expect(Array.from(refsOf(p))).toEqual(want);
  });

  it('a ref beyond 32 bits turns a typed list back into a plain one, losing nothing', () => {
    const big = 2 ** 32 + 5;
    const p = addRef(build(range(1, 300)), big);
    expect(Array.isArray(p)).toBe(true);
    expect(Array.from(refsOf(p))).toEqual([...range(1, 300), big]);
  });

  const filters = [
    { name: 'all kept: the same list', n: 300, keep: () => true, want: 'same' as const },
    { name: 'none kept', n: 300, keep: () => false, want: [] },
    {
      name: 'odd refs of a typed list',
      n: 600,
      keep: (r: number) => r % 2 === 1,
      want: range(0, 300).map((i) => 2 * i + 1),
    },
    { name: 'one ref of a plain list', n: 10, keep: (r: number) => r === 4, want: [4] },
  ];

  it.each(filters)('filterRefs: $name', ({ n, keep, want }) => {
    const p = build(range(1, n));
    const out = filterRefs(p, keep);
    if (want === 'same') expect(out).toBe(p);
    else if (want.length === 0) expect(out).toBeUndefined();
    else expect(Array.from(refsOf(out!))).toEqual(want);
  });

  it.each([
    { name: 'plain', n: 10 },
    { name: 'typed', n: 1000 },
  ])('someRef sees only the refs of a $name list, not its spare slots', ({ n }) => {
    const p = build(range(1, n));
    expect(someRef(p, (r) => r === n)).toBe(true);
    // Spare slots of a typed list hold 0.
    expect(someRef(p, (r) => r === 0 || r > n)).toBe(false);
  });
});
