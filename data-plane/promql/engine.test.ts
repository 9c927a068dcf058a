import { describe, expect, it } from 'vitest';
import {
  BadDataError,
  CanceledError,
  ExecutionError,
  type FloatHistogram,
  Labels,
  STALE_NAN,
  TimeoutError,
} from '../model/index.js';
import { MemoryStorage } from '../storage/memory/index.js';
import { toApiData } from './api.js';
import { Engine } from './engine.js';

async function storage(): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const app = s.appender();
  for (let i = 0; i < 3; i++) {
    const l = Labels.fromObject({ __name__: 'req_total', job: 'api', instance: String(i) });
    for (let t = 0; t <= 600; t += 15) app.append(l, t * 1000, t * (i + 1));
  }
  const stale = Labels.fromObject({ __name__: 'gone', job: 'api' });
  app.append(stale, 0, 1);
  app.append(stale, 60_000, STALE_NAN);
  await app.commit();
  return s;
}

describe('Engine', () => {
  it('evaluates rate and sum at an instant', async () => {
    const r = await new Engine().instantQuery(await storage(), 'sum by (job) (rate(req_total[1m]))', 600_000);
    expect(r.value.type).toBe('vector');
    if (r.value.type !== 'vector') return;
    expect(r.value.samples).toHaveLength(1);
    expect(r.value.samples[0]!.labels.toObject()).toEqual({ job: 'api' });
    expect(r.value.samples[0]!.v).toBeCloseTo(6, 9);
  });

  it.each<{ name: string; values: Record<string, string>[] }>([
    { name: 'a value that spells another label', values: [{ a: 'x', b: 'y' }, { a: 'x\u0000b\u0000y' }] },
    { name: 'a value holding the 0xff separator', values: [{ a: 'x', b: 'y' }, { a: 'x\xffb\xffy' }] },
    {
      name: 'one value split across two labels',
      values: [
        { a: '1:b1:y', b: '' },
        { a: '1', b: 'y' },
      ],
    },
  ])('sum by keeps groups apart whatever their values hold: $name', async ({ values }) => {
    const s = new MemoryStorage();
    const app = s.appender();
    for (const [i, v] of values.entries()) app.append(Labels.fromObject({ __name__: 'm', ...v }), 0, i + 1);
    await app.commit();
    const r = await new Engine().instantQuery(s, 'sum by (a, b) (m)', 1000);
    if (r.value.type !== 'vector') throw new Error('not a vector');
    expect(r.value.samples.map((x) => x.v).sort()).toEqual([1, 2]);
  });

  it('returns a label-sorted matrix for range queries', async () => {
    const r = await new Engine().rangeQuery(await storage(), 'req_total * 2', 0, 120_000, 60_000);
    expect(r.value.type).toBe('matrix');
    if (r.value.type !== 'matrix') return;
    expect(r.value.series.map((s) => s.labels.get('instance'))).toEqual(['0', '1', '2']);
    expect(r.value.series[1]!.floats).toEqual([
      { t: 0, v: 0 },
      { t: 60_000, v: 240 },
      { t: 120_000, v: 480 },
    ]);
    expect(r.value.series[0]!.labels.has('__name__')).toBe(false);
  });

  it('hides series after a staleness marker', async () => {
    const s = await storage();
    const before = await new Engine().instantQuery(s, 'gone', 30_000);
    const after = await new Engine().instantQuery(s, 'gone', 90_000);
    expect(before.value.type === 'vector' && before.value.samples.length).toBe(1);
    expect(after.value.type === 'vector' && after.value.samples.length).toBe(0);
  });

  it('enforces maxSamples with an ExecutionError carrying the error id', async () => {
    const err = await new Engine({ maxSamples: 10 })
      .rangeQuery(await storage(), 'req_total', 0, 600_000, 15_000)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecutionError);
    expect((err as ExecutionError).message).toContain('query processing would load too many samples into memory');
    expect((err as ExecutionError).id).toBe('err-cortex-max-samples-per-query');
  });

  it('times out with an injected clock', async () => {
    let now = 0;
    const engine = new Engine({ timeoutMs: 10, now: () => (now += 1000) });
    await expect(engine.instantQuery(await storage(), 'req_total', 0)).rejects.toBeInstanceOf(TimeoutError);
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      new Engine().instantQuery(await storage(), 'req_total', 0, { signal: ac.signal }),
    ).rejects.toBeInstanceOf(CanceledError);
  });

  it('rejects range queries over range vectors', async () => {
    await expect(new Engine().rangeQuery(await storage(), 'req_total[5m]', 0, 60_000, 15_000)).rejects.toBeInstanceOf(
      BadDataError,
    );
  });

  it('reports duplicate label sets after dropping names', async () => {
    const s = new MemoryStorage();
    const app = s.appender();
    app.append(Labels.fromObject({ __name__: 'a_total', x: '1' }), 0, 1);
    app.append(Labels.fromObject({ __name__: 'b_total', x: '1' }), 0, 2);
    await app.commit();
    await expect(new Engine().instantQuery(s, '{x="1"} * 2', 0)).rejects.toThrow(
      'vector cannot contain metrics with the same labelset',
    );
  });
});

describe('toApiData', () => {
  it('formats values like the Prometheus API', () => {
    // util/jsonutil MarshalFloat: Go's 'e' format below 1e-6 and from 1e21 up.
    expect(toApiData({ type: 'scalar', t: 1500, v: 1e21 })).toEqual({ resultType: 'scalar', result: [1.5, '1e+21'] });
    expect(toApiData({ type: 'scalar', t: 1500, v: 9.5e20 }).result).toEqual([1.5, '950000000000000000000']);
    expect(toApiData({ type: 'scalar', t: 1500, v: -2.5e-7 }).result).toEqual([1.5, '-2.5e-07']);
    expect(toApiData({ type: 'scalar', t: 1500, v: 1e-6 }).result).toEqual([1.5, '0.000001']);
    expect(toApiData({ type: 'scalar', t: 0, v: Number.NEGATIVE_INFINITY }).result).toEqual([0, '-Inf']);
    const v = toApiData({ type: 'vector', samples: [{ labels: Labels.fromObject({ a: 'b' }), t: 2000, v: 0.1 }] });
    expect(v).toEqual({ resultType: 'vector', result: [{ metric: { a: 'b' }, value: [2, '0.1'] }] });
  });

  it('writes native histograms as Prometheus does', () => {
    // Prometheus web/api/v1/json_codec_test.go (TestJsonCodec_Encode, the histogram case).
    const h: FloatHistogram = {
      schema: 2,
      zeroThreshold: 0.001,
      zeroCount: 12,
      count: 10,
      sum: 20,
      positiveSpans: [
        { offset: 3, length: 2 },
        { offset: 1, length: 3 },
      ],
      negativeSpans: [{ offset: 2, length: 2 }],
      positiveBuckets: [1, 2, 2, 1, 1],
      negativeBuckets: [2, 1],
      counterResetHint: 'unknown',
    };
    const m = toApiData({
      type: 'matrix',
      series: [{ labels: Labels.fromObject({ __name__: 'foo' }), floats: [], histograms: [{ t: 1000, h }] }],
    });
    expect(JSON.stringify(m)).toBe(
      '{"resultType":"matrix","result":[{"metric":{"__name__":"foo"},"histograms":[[1,{"count":"10","sum":"20","buckets":[[1,"-1.6817928305074288","-1.414213562373095","1"],[1,"-1.414213562373095","-1.189207115002721","2"],[3,"-0.001","0.001","12"],[0,"1.414213562373095","1.6817928305074288","1"],[0,"1.6817928305074288","2","2"],[0,"2.378414230005442","2.82842712474619","2"],[0,"2.82842712474619","3.3635856610148576","1"],[0,"3.3635856610148576","4","1"]]}]]}]}',
    );
    // Custom buckets: the first is closed and starts at -Inf; empty buckets are left out.
    const nhcb: FloatHistogram = {
      schema: -53,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 6,
      sum: 1.2345678e-67,
      positiveSpans: [{ offset: 0, length: 4 }],
      positiveBuckets: [1, 0, 2, 3],
      negativeSpans: [],
      negativeBuckets: [],
      customValues: [0.5, 1, 2],
      counterResetHint: 'unknown',
    };
    expect(toApiData({ type: 'vector', samples: [{ labels: Labels.EMPTY, t: 1, h: nhcb }] }).result).toEqual([
      {
        metric: {},
        histogram: [
          0.001,
          {
            count: '6',
            sum: '1.2345678e-67',
            buckets: [
              [3, '-Inf', '0.5', '1'],
              [0, '1', '2', '2'],
              [0, '2', '+Inf', '3'],
            ],
          },
        ],
      },
    ]);
  });

  // Range queries take shortcuts the instant path does not: a window without a counter reset skips
  // its scan, and `sum(rate(…))` aggregates the rate's points as they are produced. Both must give
  // exactly the instant query's answer at every step, resets or not.
  it.each([1, 2, 3])('answers range rate, increase and their sums as instant queries do (seed %i)', async (seed) => {
    let a = seed;
    const rnd = () => {
      a = (a * 1103515245 + 12345) % 2147483648;
      return a / 2147483648;
    };
    const s = new MemoryStorage();
    const app = s.appender();
    for (let k = 0; k < 6; k++) {
      const l = Labels.fromObject({ __name__: 'c_total', g: String(k % 2), k: String(k) });
      let v = 0;
      for (let t = 0; t <= 1800; t += 15) {
        v = rnd() < 0.04 ? rnd() * 10 : v + rnd() * 100;
        app.append(l, t * 1000, v);
      }
    }
    await app.commit();
    const e = new Engine();
    for (const q of [
      'rate(c_total[2m])',
      'increase(c_total[5m])',
      'sum by (g) (rate(c_total[2m]))',
      'avg(increase(c_total[1m]))',
      'max by (g) (rate(c_total[3m]))',
      'quantile(0.9, rate(c_total[2m]))',
      'quantile by (g) (0.25, increase(c_total[5m]))',
    ]) {
      const range = await e.rangeQuery(s, q, 60_000, 1_800_000, 30_000);
      if (range.value.type !== 'matrix') throw new Error('matrix expected');
      const unfusedQuery = q.replace(/(\(|, )(rate|increase)\(/, '$1+$2(');
      // the same aggregation over a unary plus, which the fused path does not take
      if (!/^(rate|increase)\(/.test(q)) expect(unfusedQuery).not.toBe(q);
      const unfused = await e.rangeQuery(s, unfusedQuery, 60_000, 1_800_000, 30_000);
      expect(unfused.value).toEqual(range.value);
      for (let t = 60_000; t <= 1_800_000; t += 30_000) {
        const inst = await e.instantQuery(s, q, t);
        if (inst.value.type !== 'vector') throw new Error('vector expected');
        const want = inst.value.samples.map((x) => [x.labels.toString(), x.v]).sort();
        const got = range.value.series
          .flatMap((x) => x.floats.filter((p) => p.t === t).map((p) => [x.labels.toString(), p.v]))
          .sort();
        expect(got).toEqual(want);
      }
    }
  });
});
