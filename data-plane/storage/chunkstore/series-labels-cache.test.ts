import { describe, expect, it } from 'vitest';
import { Labels, parseTenantId } from '../../model/index.js';
import { SeriesLabelsCache } from './series-labels-cache.js';

const a = parseTenantId('a');
const b = parseTenantId('b');
const ls = (i: number) => Labels.fromObject({ __name__: 'up', i: String(i) });

describe('SeriesLabelsCache', () => {
  it('keeps labels per tenant and series ID', () => {
    const c = new SeriesLabelsCache(10);
    expect(c.set(a, 'sid1', ls(1))).toEqual(ls(1));
    // a second set keeps the first entry (a series ID always names the same labels)
    expect(c.set(a, 'sid1', ls(1))).toBe(c.get(a, 'sid1'));
    expect(c.get(a, 'sid1')).toEqual(ls(1));
    expect(c.get(b, 'sid1')).toBeUndefined();
  });

  it('evicts the oldest entries once full, a sixteenth at a time', () => {
    const c = new SeriesLabelsCache(32);
    for (let i = 0; i < 32; i++) c.set(a, `s${i}`, ls(i));
    expect(c.size).toBe(32);
    c.set(a, 's32', ls(32));
    expect(c.size).toBe(31);
    expect(c.get(a, 's0')).toBeUndefined();
    expect(c.get(a, 's1')).toBeUndefined();
    expect(c.get(a, 's2')).toEqual(ls(2));
    expect(c.get(a, 's32')).toEqual(ls(32));
  });

  it('holds nothing when sized 0, and forgets a deleted tenant', () => {
    const off = new SeriesLabelsCache(0);
    off.set(a, 's', ls(1));
    expect(off.size).toBe(0);
    const c = new SeriesLabelsCache(10);
    c.set(a, 's', ls(1));
    c.set(b, 's', ls(2));
    c.forgetTenant(a);
    expect(c.get(a, 's')).toBeUndefined();
    expect(c.get(b, 's')).toEqual(ls(2));
  });
});
