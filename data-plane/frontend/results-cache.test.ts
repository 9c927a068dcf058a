import { describe, expect, it } from 'vitest';
import { ResultsCache } from './results-cache.js';

const extent = { start: 0, end: 0, series: [], points: 1 };

describe('ResultsCache.invalidateTenant', () => {
  const cases = [
    { name: 'the tenant alone', drop: 'b', left: ['a\x00q', 'a|c\x00q', 'ab\x00q'] },
    { name: 'a tenant in sets', drop: 'a', left: ['b\x00q', 'ab\x00q', 'b|cb\x00q'] },
    { name: 'a tenant only in a set', drop: 'c', left: ['a\x00q', 'b\x00q', 'a|b\x00q', 'ab\x00q', 'b|cb\x00q'] },
  ];
  it.each(cases)('drops the entries of $name, federated sets it is part of included', ({ drop, left }) => {
    const c = new ResultsCache(100);
    const keys = ['a\x00q', 'b\x00q', 'a|b\x00q', 'a|c\x00q', 'ab\x00q', 'b|cb\x00q'];
    for (const k of keys) c.set(k, extent);
    c.invalidateTenant(drop);
    expect(keys.filter((k) => c.get(k) !== undefined).sort()).toEqual([...left].sort());
  });
});
