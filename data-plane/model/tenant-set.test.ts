import { describe, expect, it } from 'vitest';
import { parseTenantId } from './tenant.js';
import { isFederated, parseTenantList, queryTenantFor, smallestLimit, tenantsOf } from './tenant-set.js';

describe('parseTenantList', () => {
  const ok = [
    { name: 'one', raw: 'a', sep: '|' as const, want: ['a'] },
    { name: 'several, order kept', raw: 'c|a|b', sep: '|' as const, want: ['c', 'a', 'b'] },
    { name: 'comma list with spaces', raw: 'a, b', sep: ',' as const, want: ['a', 'b'] },
    {
      name: 'exactly 100',
      raw: Array.from({ length: 100 }, (_, i) => `t${i}`).join('|'),
      sep: '|' as const,
      want: 100,
    },
  ];
  it.each(ok)('accepts $name', ({ raw, sep, want }) => {
    const got = parseTenantList(raw, sep, 'X-Scope-OrgID');
    if (typeof want === 'number') expect(got).toHaveLength(want);
    else expect(got).toEqual(want);
  });

  const bad = [
    { name: 'empty entry', raw: 'a||b', says: 'empty tenant ID' },
    { name: 'empty list', raw: '', says: 'empty tenant ID' },
    {
      name: '1,000 tenants',
      raw: Array.from({ length: 1000 }, (_, i) => `t${i}`).join('|'),
      says: '1000 tenants, at most 100',
    },
    { name: 'duplicate', raw: 'a|b|a', says: 'tenant a is listed twice' },
    { name: 'invalid ID', raw: 'a|-b', says: '"-b" is not a tenant ID' },
    { name: 'too long ID', raw: `a|${'x'.repeat(65)}`, says: 'is not a tenant ID' },
  ];
  it.each(bad)('refuses $name', ({ raw, says }) => {
    expect(() => parseTenantList(raw, '|', 'X-Scope-OrgID')).toThrow(says);
    expect(() => parseTenantList(raw, '|', 'X-Scope-OrgID')).toThrow('err-cortex-invalid-tenant-list');
  });
});

describe('query tenants', () => {
  const [a, b, c] = ['a', 'b', 'c'].map(parseTenantId) as [never, never, never];
  it('is the tenant itself for one, the sorted set for several', () => {
    expect(queryTenantFor([a])).toBe('a');
    expect(isFederated(queryTenantFor([a]))).toBe(false);
    const q = queryTenantFor([c, a, b, a]);
    expect(q).toBe('a|b|c');
    expect(isFederated(q)).toBe(true);
    expect(tenantsOf(q)).toEqual(['a', 'b', 'c']);
  });

  const limits: Record<string, number> = { a: 0, b: 50, c: 10 };
  const cases = [
    { name: 'single unlimited', set: [a], want: 0 },
    { name: 'single', set: [b], want: 50 },
    { name: 'smallest positive', set: [a, b, c], want: 10 },
    { name: 'unlimited ignored', set: [a, b], want: 50 },
  ];
  it.each(cases)('smallestLimit: $name', ({ set, want }) => {
    expect(smallestLimit(queryTenantFor(set), (t) => limits[t]!)).toBe(want);
  });
});
