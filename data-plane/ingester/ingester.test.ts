import { afterEach, describe, expect, it } from 'vitest';
import { isStaleNaN, Matcher, STALE_NAN } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { Ingester } from './index.js';
import { lbls, limits, ManualClock, readAll, req, SAMPLE_FORMS, series, T1, T2 } from './testing.js';

const up = { __name__: 'up', job: 'node', instance: 'a' };
const eq = (n: string, v: string) => new Matcher('=', n, v);

let ing: Ingester | undefined;
async function make(over: Parameters<typeof limits>[0] = {}): Promise<Ingester> {
  ing = new Ingester({ limits: limits(over), clock: new ManualClock() });
  await ing.start();
  return ing;
}
afterEach(async () => {
  await ing?.stop();
  ing = undefined;
});

describe.each(SAMPLE_FORMS)('ordering rules ($name samples)', ({ req }) => {
  const cases = [
    {
      name: 'in order',
      first: [[10, 1]],
      second: [[20, 2]],
      want: [
        [10, 1],
        [20, 2],
      ],
      errorId: undefined,
    },
    {
      name: 'same timestamp, same value: accepted silently',
      first: [[10, 1]],
      second: [[10, 1]],
      want: [[10, 1]],
      errorId: undefined,
    },
    {
      name: 'same timestamp, different value',
      first: [[10, 1]],
      second: [[10, 2]],
      want: [[10, 1]],
      errorId: 'err-cortex-sample-duplicate-timestamp',
    },
    {
      name: 'older than newest',
      first: [[10, 1]],
      second: [[5, 2]],
      want: [[10, 1]],
      errorId: 'err-cortex-sample-out-of-order',
    },
    {
      name: 'NaN then the same NaN at the same timestamp',
      first: [[10, Number.NaN]],
      second: [[10, Number.NaN]],
      want: [[10, Number.NaN]],
      errorId: undefined,
    },
    {
      name: 'stale marker replaces nothing at the same timestamp',
      first: [[10, 1]],
      second: [[10, STALE_NAN]],
      want: [[10, 1]],
      errorId: 'err-cortex-sample-duplicate-timestamp',
    },
  ] as const;

  it.each(cases)('$name', async ({ first, second, want, errorId }) => {
    const i = await make();
    await i.push(
      T1,
      req([
        series(
          up,
          first.map(([t, v]): [number, number] => [t, v]),
        ),
      ]),
    );
    const out = await i.push(
      T1,
      req([
        series(
          up,
          second.map(([t, v]): [number, number] => [t, v]),
        ),
      ]),
    );
    expect(out.errors.map((e) => e.error.id)).toEqual(errorId ? [errorId] : []);
    if (errorId) {
      expect(out.errors[0]!.error.kind).toBe('bad_data');
      expect(out.errors[0]!.dropped).toBe(1);
      expect(out.errors[0]!.labels.toString()).toBe(lbls(up).toString());
    }
    const got = await readAll(i.queryable(T1), [eq('__name__', 'up')]);
    expect(got).toEqual([[lbls(up).toString(), want.map(([t, v]) => [t, v])]]);
  });

  it('a rejected sample does not fail the rest of the request', async () => {
    const i = await make();
    await i.push(T1, req([series(up, [[100, 1]])]));
    const out = await i.push(
      T1,
      req([
        series(up, [
          [50, 9],
          [110, 2],
        ]),
        series({ ...up, instance: 'b' }, [[10, 3]]),
      ]),
    );
    expect(out.samplesAppended).toBe(2);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]!.error.message).toMatch(/out_of_order_time_window/);
    expect(await readAll(i.queryable(T1), [eq('__name__', 'up')])).toEqual([
      [
        'up{instance="a", job="node"}',
        [
          [100, 1],
          [110, 2],
        ],
      ],
      ['up{instance="b", job="node"}', [[10, 3]]],
    ]);
  });

  it('stores the staleness marker bit-exact', async () => {
    const i = await make();
    await i.push(
      T1,
      req([
        series(up, [
          { t: 10, v: 1 },
          { t: 20, v: STALE_NAN },
        ]),
      ]),
    );
    const [s] = await i
      .queryable(T1)
      .querier(0, 100)
      .select(false, undefined, [eq('job', 'node')]);
    const it2 = s!.iterator();
    it2.next();
    expect(it2.next()).toBe(ValueType.Float);
    expect(isStaleNaN(it2.atV())).toBe(true);
  });

  it('stores the staleness marker bit-exact in the out-of-order buffer too', async () => {
    const i = await make({ outOfOrderTimeWindowMs: 100 });
    await i.push(T1, req([series(up, [[50, 1]])]));
    await i.push(
      T1,
      req([
        series(up, [
          { t: 20, v: STALE_NAN },
          { t: 10, v: 2 },
        ]),
      ]),
    );
    const [s] = await i
      .queryable(T1)
      .querier(0, 100)
      .select(false, undefined, [eq('job', 'node')]);
    const it2 = s!.iterator();
    expect(it2.seek(20)).toBe(ValueType.Float);
    expect(isStaleNaN(it2.atV())).toBe(true);
  });

  it('rejects a sample whose distance to the previous one is not exactly representable', async () => {
    const i = await make();
    await i.push(T1, req([series(up, [[-(2 ** 53 - 1), 1]])]));
    const out = await i.push(T1, req([series(up, [[2 ** 53 - 1, 2]])]));
    expect(out.errors.map((e) => e.error.id)).toEqual(['err-cortex-sample-timestamp-invalid']);
    const next = await i.push(T1, req([series(up, [[0, 3]])]));
    expect(next.errors).toEqual([]);
    expect((await readAll(i.queryable(T1), [eq('job', 'node')]))[0]![1]).toEqual([
      [-(2 ** 53 - 1), 1],
      [0, 3],
    ]);
  });

  it('rejects non-integer timestamps per series instead of rounding', async () => {
    const i = await make();
    const out = await i.push(
      T1,
      req([
        series(up, [
          [10.5, 1],
          [2 ** 53, 1],
          [11, 2],
        ]),
      ]),
    );
    expect(out.samplesAppended).toBe(1);
    expect(out.errors.map((e) => [e.error.id, e.dropped])).toEqual([['err-cortex-sample-timestamp-invalid', 2]]);
  });
});

describe.each(SAMPLE_FORMS)('out-of-order window ($name samples)', ({ req }) => {
  it('stores late samples in order inside the window and rejects older ones', async () => {
    const i = await make({ outOfOrderTimeWindowMs: 1000 });
    await i.push(T1, req([series(up, [[5000, 5]])]));
    const out = await i.push(
      T1,
      req([
        series(up, [
          [4500, 4.5],
          [4200, 4.2],
          [3000, 3],
          [4500, 4.5],
          [4200, 9],
        ]),
      ]),
    );
    expect(out.samplesAppended).toBe(2);
    expect(out.errors.map((e) => [e.error.id, e.dropped]).sort()).toEqual([
      ['err-cortex-sample-duplicate-timestamp', 1],
      ['err-cortex-sample-out-of-order', 1],
    ]);
    await i.push(T1, req([series(up, [[6000, 6]])]));
    expect(await readAll(i.queryable(T1), [eq('job', 'node')])).toEqual([
      [
        'up{instance="a", job="node"}',
        [
          [4200, 4.2],
          [4500, 4.5],
          [5000, 5],
          [6000, 6],
        ],
      ],
    ]);
  });

  it('merges more than a chunk of late samples with in-order chunks', async () => {
    const i = await make({ outOfOrderTimeWindowMs: 10_000_000 });
    const even = Array.from({ length: 300 }, (_, k): [number, number] => [k * 20 + 1_000_000, k * 2]);
    const odd = Array.from({ length: 300 }, (_, k): [number, number] => [k * 20 + 10 + 1_000_000, k * 2 + 1]);
    await i.push(T1, req([series(up, even)]));
    const out = await i.push(T1, req([series(up, odd.reverse())]));
    expect(out.errors).toEqual([]);
    const [[, got]] = (await readAll(i.queryable(T1), [eq('job', 'node')])) as [[string, Array<[number, number]>]];
    expect(got).toHaveLength(600);
    expect(got.map(([, v]) => v)).toEqual(Array.from({ length: 600 }, (_, k) => k));
    // Seek lands on the right sample across in-order and out-of-order chunks.
    const [s] = await i
      .queryable(T1)
      .querier(0, Number.MAX_SAFE_INTEGER)
      .select(false, undefined, [eq('job', 'node')]);
    const it2 = s!.iterator();
    expect(it2.seek(1_000_000 + 5005)).toBe(ValueType.Float);
    expect([it2.atT(), it2.atV()]).toEqual([1_000_000 + 5010, 501]);
  });
});

describe('series limits', () => {
  it.each([
    {
      name: 'per user',
      over: { maxGlobalSeriesPerUser: 2 },
      id: 'err-cortex-max-series-per-user',
      flag: 'max_global_series_per_user',
    },
    {
      name: 'per metric',
      over: { maxGlobalSeriesPerMetric: 2 },
      id: 'err-cortex-max-series-per-metric',
      flag: 'max_global_series_per_metric',
    },
  ])('$name: rejects new series, keeps existing ones and names the limit', async ({ over, id, flag }) => {
    const i = await make(over);
    const out = await i.push(
      T1,
      req([
        series({ __name__: 'm', i: '1' }, [[1, 1]]),
        series({ __name__: 'm', i: '2' }, [[1, 1]]),
        series({ __name__: 'm', i: '3' }, [
          [1, 1],
          [2, 2],
        ]),
      ]),
    );
    expect(out.samplesAppended).toBe(2);
    expect(out.errors).toHaveLength(1);
    const e = out.errors[0]!;
    expect([e.error.kind, e.error.id, e.dropped, e.labels.get('i')]).toEqual(['limit_exceeded', id, 2, '3']);
    expect(e.error.message).toContain(`limits.${flag}`);
    expect(e.error.message).toContain('of 2 exceeded');
    // Existing series still take samples.
    const again = await i.push(T1, req([series({ __name__: 'm', i: '1' }, [[2, 2]])]));
    expect(again.errors).toEqual([]);
    expect(i.stats(T1).numSeries).toBe(2);
  });

  it.each([
    { name: 'share 1/2 of a global limit of 4', share: 0.5, global: 4, accepted: 2 },
    { name: 'share 3/4 rounds up', share: 0.75, global: 3, accepted: 3 },
    { name: 'tiny share still allows one series', share: 0.01, global: 5, accepted: 1 },
  ])('converts global series limits to local: $name', async ({ share, global, accepted }) => {
    ing = new Ingester({
      limits: limits({ maxGlobalSeriesPerUser: global }),
      clock: new ManualClock(),
      seriesLimitShare: () => share,
    });
    await ing.start();
    const out = await ing.push(
      T1,
      req(Array.from({ length: 6 }, (_, k) => series({ __name__: 'm', k: String(k) }, [[1, 1]]))),
    );
    expect(out.samplesAppended).toBe(accepted);
    expect(out.errors[0]?.error.message).toContain(`limit of ${global} exceeded`);
    if (accepted !== global) expect(out.errors[0]?.error.message).toContain(`this ingester's share: ${accepted}`);
  });

  it('counts per-metric limits per metric name', async () => {
    const i = await make({ maxGlobalSeriesPerMetric: 1 });
    const out = await i.push(T1, req([series({ __name__: 'a' }, [[1, 1]]), series({ __name__: 'b' }, [[1, 1]])]));
    expect(out.errors).toEqual([]);
  });
});

describe('exemplars and metadata', () => {
  it('keeps the newest exemplars per tenant in a ring buffer', async () => {
    const i = await make({ maxGlobalExemplarsPerUser: 3 });
    const ex = (t: number) => ({ labels: lbls({ trace_id: `t${t}` }), t, v: t });
    const out = await i.push(
      T1,
      req([
        series(up, [[1, 1]], { exemplars: [ex(1), ex(2)] }),
        series({ ...up, instance: 'b' }, [[1, 1]], { exemplars: [ex(3), ex(4)] }),
      ]),
    );
    expect(out.exemplarsAppended).toBe(4);
    const got = i.exemplars(T1, [[eq('__name__', 'up')]], 0, 100);
    expect(got.flatMap((g) => g.exemplars.map((e) => e.t)).sort()).toEqual([2, 3, 4]);
    expect(i.exemplars(T1, [[eq('instance', 'b')]], 4, 4).map((g) => g.exemplars.map((e) => e.t))).toEqual([[4]]);
    // A retried identical exemplar is not stored twice.
    const again = await i.push(T1, req([series({ ...up, instance: 'b' }, [], { exemplars: [ex(4)] })]));
    expect(again.exemplarsAppended).toBe(0);
    expect(i.exemplars(T2, [], 0, 100)).toEqual([]);
  });

  it('stores no exemplars when the limit is 0', async () => {
    const i = await make({ maxGlobalExemplarsPerUser: 0 });
    const out = await i.push(
      T1,
      req([series(up, [[1, 1]], { exemplars: [{ labels: lbls({ a: 'b' }), t: 1, v: 1 }] })]),
    );
    expect(out.exemplarsAppended).toBe(0);
  });

  it('bounds metadata per tenant and refreshes known entries', async () => {
    const i = await make({ maxMetadataPerUser: 2 });
    const md = (name: string, help = 'h') => ({ metricFamilyName: name, type: 'counter' as const, help, unit: '' });
    await i.push(T1, req([], [md('a'), md('b'), md('c')]));
    expect(i.metadata(T1).map((m) => m.metricFamilyName)).toEqual(['a', 'b']);
    await i.push(T1, req([], [md('a')]));
    expect(i.metadata(T1, { metric: 'a' })).toHaveLength(1);
    expect(i.metadata(T1, { limit: 1 }).map((m) => m.metricFamilyName)).toEqual(['a']);
    expect(i.metadata(T2)).toEqual([]);
  });
});

describe('native histograms', () => {
  const h = (count: number) => ({
    counterResetHint: 'unknown' as const,
    schema: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    count,
    sum: count,
    positiveSpans: [{ offset: 0, length: 1 }],
    negativeSpans: [],
    positiveBuckets: [count],
    negativeBuckets: [],
  });

  it('are stored and read back through atHistogram', async () => {
    const i = await make();
    const out = await i.push(
      T1,
      req([
        series({ __name__: 'lat' }, [], {
          histograms: [
            { t: 10, h: h(1) },
            { t: 20, h: h(2) },
          ],
        }),
      ]),
    );
    expect(out.histogramsAppended).toBe(2);
    const [s] = await i
      .queryable(T1)
      .querier(0, 100)
      .select(false, undefined, [eq('__name__', 'lat')]);
    const it2 = s!.iterator();
    expect(it2.next()).toBe(ValueType.Histogram);
    expect(it2.atHistogram().count).toBe(1);
    expect(it2.next()).toBe(ValueType.Histogram);
    expect([it2.atT(), it2.atHistogram().count]).toEqual([20, 2]);
    expect(it2.next()).toBe(ValueType.None);
  });

  it('follow the same duplicate and out-of-order rules', async () => {
    const i = await make();
    await i.push(T1, req([series({ __name__: 'lat' }, [], { histograms: [{ t: 20, h: h(2) }] })]));
    const out = await i.push(
      T1,
      req([
        series({ __name__: 'lat' }, [], {
          histograms: [
            { t: 20, h: h(2) },
            { t: 20, h: h(3) },
            { t: 10, h: h(1) },
          ],
        }),
      ]),
    );
    expect(out.histogramsAppended).toBe(0);
    expect(out.errors.map((e) => e.error.id).sort()).toEqual([
      'err-cortex-sample-duplicate-timestamp',
      'err-cortex-sample-out-of-order',
    ]);
  });

  // Found by test/integration/push-property.test.ts: a float and a histogram at the same timestamp were
  // both acknowledged, and a query showed one. As in Prometheus, one series has one timeline.
  it.each<{ name: string; hist: number; error?: string }>([
    { name: 'a histogram at the newest float', hist: 20, error: 'duplicate-timestamp' },
    { name: 'a histogram before the newest float', hist: 10, error: 'out-of-order' },
    { name: 'a histogram after the newest float', hist: 30 },
  ])('share the float timeline: $name', async ({ hist, error }) => {
    const i = await make();
    const out = await i.push(T1, req([series({ __name__: 'mix' }, [[20, 1]], { histograms: [{ t: hist, h: h(1) }] })]));
    expect(out.samplesAppended).toBe(1);
    expect(out.histogramsAppended).toBe(error ? 0 : 1);
    expect(out.errors.map((e) => e.error.id)).toEqual(error ? [`err-cortex-sample-${error}`] : []);
    // And the other way round: a float at or before the newest histogram.
    const back = await i.push(T1, req([series({ __name__: 'mix2' }, [], { histograms: [{ t: 20, h: h(1) }] })]));
    expect(back.histogramsAppended).toBe(1);
    const f = await i.push(T1, req([series({ __name__: 'mix2' }, [[20, 5]])]));
    expect(f.errors.map((e) => e.error.id)).toEqual(['err-cortex-sample-duplicate-timestamp']);
  });
});

describe('lifecycle', () => {
  it('refuses writes after stop with unavailable', async () => {
    const i = await make();
    await i.stop();
    await expect(i.push(T1, req([series(up, [[1, 1]])]))).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('concurrent stop() calls all wait for the same shutdown', async () => {
    const i = await make();
    const a = i.stop();
    const b = i.stop();
    expect(b).toBe(a);
    await a;
  });

  it('lists tenants and counts ingested samples', async () => {
    const i = await make();
    await i.push(
      T1,
      req([
        series(up, [
          [1, 1],
          [2, 2],
        ]),
      ]),
    );
    await i.push(T2, req([series(up, [[1, 1]])]));
    expect(i.tenants().sort()).toEqual([T1, T2]);
    expect(i.stats(T1)).toEqual({ numSeries: 1, ingestedSamples: 2 });
  });
});
