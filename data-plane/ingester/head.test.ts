import { describe, expect, it } from 'vitest';
import { Labels, type TenantId } from '../model/index.js';
import { hashLabels, TenantHead } from './head.js';

const unlimited = { perUser: 0, perMetric: 0, globalPerUser: 0, globalPerMetric: 0 };

describe('TenantHead lookup by Labels identity', () => {
  it('finds a remembered series by the pushed object, never a dropped one, and only in its own head', () => {
    const head = new TenantHead('t' as TenantId);
    const pushed = Labels.fromSortedFlat(['__name__', 'up', 'job', 'a']);
    expect(head.lookup(pushed)).toBeUndefined();
    const s = head.create(pushed, hashLabels(pushed), unlimited);
    head.remember(pushed, s);
    expect(head.lookup(pushed)).toBe(s);
    // An equal but distinct object is not found by identity (the hash path finds it).
    const twin = Labels.fromSortedFlat(['__name__', 'up', 'job', 'a']);
    expect(head.lookup(twin)).toBeUndefined();
    expect(head.get(twin, hashLabels(twin))).toBe(s);
    // Another head sees nothing through the slot.
    const other = new TenantHead('u' as TenantId);
    expect(other.lookup(pushed)).toBeUndefined();
    // Dropped from memory: the next push must create a new series.
    head.delete(s);
    expect(head.lookup(pushed)).toBeUndefined();
    expect(head.get(pushed, hashLabels(pushed))).toBeUndefined();
  });
});
