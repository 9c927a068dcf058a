import { describe, expect, it } from 'vitest';
import { Labels, Matcher, type TenantId } from '../model/index.js';
import { hashLabels, TenantHead } from './head.js';
import { AppendResult } from './series.js';

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
    // Another head sees nothing through the slot, even where its own series has the same ref.
    const other = new TenantHead('u' as TenantId);
    const mine = Labels.fromSortedFlat(['__name__', 'up', 'job', 'b']);
    expect(other.create(mine, hashLabels(mine), unlimited).ref).toBe(s.ref);
    expect(other.lookup(pushed)).toBeUndefined();
    // Dropped from memory: the next push must create a new series.
    head.delete(s);
    expect(head.lookup(pushed)).toBeUndefined();
    expect(head.get(pushed, hashLabels(pushed))).toBeUndefined();
  });
});

describe('TenantHead selecting series through its postings', () => {
  const l = (job: string, instance: string) =>
    Labels.fromSortedFlat(['__name__', 'up', 'instance', instance, 'job', job]);

  it.each([
    // matchers, the instances found
    [[new Matcher('=', 'job', 'a')], ['1', '2']],
    [
      [new Matcher('=~', 'job', 'a|b'), new Matcher('!=', 'instance', '2')],
      ['1', '3'],
    ],
    [
      [new Matcher('=', '__name__', 'up'), new Matcher('=~', 'instance', '.*')],
      ['1', '2', '3'],
    ],
    [[new Matcher('!~', 'job', 'a'), new Matcher('=~', 'env', '')], ['3']],
    [[new Matcher('=', 'job', 'a'), new Matcher('=', 'instance', '3')], []],
  ])('%s', (matchers, want) => {
    const head = new TenantHead('t' as TenantId);
    for (const [job, instance] of [
      ['a', '1'],
      ['a', '2'],
      ['b', '3'],
    ] as const) {
      const s = head.create(l(job, instance), hashLabels(l(job, instance)), unlimited);
      expect(s.append(1000, 1, false)).toBe(AppendResult.Appended);
    }
    const found = head.matching(matchers, 0, 2000).map((s) => s.labels.get('instance'));
    expect(found.sort()).toEqual(want);
  });

  it('gives a ref restored twice with other labels a new one, so postings never name the wrong series', () => {
    const head = new TenantHead('t' as TenantId);
    const first = head.restore(7, l('a', '1'));
    const second = head.restore(7, l('b', '2'));
    expect(second.ref).not.toBe(first.ref);
    for (const s of [first, second]) expect(s.append(1000, 1, false)).toBe(AppendResult.Appended);
    expect(head.matching([new Matcher('=', 'job', 'a')], 0, 2000).map((s) => s.labels.get('instance'))).toEqual(['1']);
    expect(head.matching([new Matcher('=', 'job', 'b')], 0, 2000).map((s) => s.labels.get('instance'))).toEqual(['2']);
  });
});

describe('native histograms in the head', () => {
  const h = (k: number, hint: 'unknown' | 'gauge' = 'unknown') => ({
    counterResetHint: hint,
    schema: 3,
    zeroThreshold: 0.001,
    zeroCount: k,
    count: 3 * k,
    sum: k,
    positiveSpans: [{ offset: 0, length: 2 }],
    negativeSpans: [],
    positiveBuckets: [k, k],
    negativeBuckets: [],
  });

  it('encodes in-order histograms into the open chunk as they come; only out-of-order ones wait as objects', () => {
    const head = new TenantHead('t' as TenantId);
    const l = Labels.fromSortedFlat(['__name__', 'h']);
    const s = head.create(l, hashLabels(l), unlimited);
    for (let k = 1; k <= 130; k++) expect(s.appendHistogram(k * 1000, h(k), true, true)).toBe(AppendResult.Appended);
    expect(s.histograms).toBeUndefined();
    // cut full at 120 (sealed), the rest in the open chunk
    expect(s.histChunks!.map((c) => [c.chunk.numSamples(), c.sealed, c.mint, c.maxt])).toEqual([
      [120, true, 1000, 120_000],
      [10, false, 121_000, 130_000],
    ]);
    expect(s.openHistogramChunk()).toBe(s.histChunks![1]);
    // a duplicate in a chunk, a changed value, an out-of-order sample
    expect(s.appendHistogram(5000, h(5), false, true)).toBe(AppendResult.Duplicate);
    expect(s.appendHistogram(125_000, h(7), false, true)).toBe(AppendResult.DuplicateTimestamp);
    expect(s.appendHistogram(125_500, h(7), false, true)).toBe(AppendResult.OutOfOrder);
    expect(s.appendHistogram(125_500, h(7), true, true)).toBe(AppendResult.Appended);
    expect(s.histograms?.map((x) => x.t)).toEqual([125_500]);
    // a gauge histogram cuts a chunk of its own; sealing leaves no open chunk
    s.appendHistogram(131_000, h(1, 'gauge'), false, true);
    expect(s.histChunks!.map((c) => c.sealed)).toEqual([true, true, false]);
    s.sealOpenHistogram();
    expect(s.openHistogramChunk()).toBeUndefined();
    expect(s.histChunks!.every((c) => c.sealed)).toBe(true);
    s.sealHistograms();
    expect(s.histograms).toBeUndefined();
    expect(s.histChunks!.length).toBe(4);
  });
});
