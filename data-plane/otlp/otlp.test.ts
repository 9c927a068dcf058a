import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Distributor, InMemoryIngesterClient } from '../distributor/index.js';
import { isStaleNaN, Labels, type TenantId } from '../model/index.js';
import { ProtoWriter } from '../remotewrite/index.js';
import { normalizeLabels, Overrides, StaticTenantLimitsSource } from '../validation/index.js';
import { decodeOtlpJson } from './decode-json.js';
import { decodeOtlpProto } from './decode-proto.js';
import {
  createOtlpHandler,
  DeltaToCumulative,
  defaultOtlpSettings,
  type OtlpSettings,
  otlpHandlerFor,
  translateOtlp,
} from './index.js';
import { buildMetricName, type NamerMetricType, type TranslationStrategy } from './names.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const NS = `${NOW}000000`;
const tenant = 'acme' as TenantId;

describe('metric names: prometheus/otlptranslator TestMetricNamer_Build, ported', () => {
  const fixture = JSON.parse(
    readFileSync(new URL('../../test/fixtures/otlp/metric-namer-cases.json', import.meta.url), 'utf8'),
  ) as {
    cases: {
      name: string;
      utf8: boolean;
      suffixes: boolean;
      metric: string;
      unit: string;
      type: string;
      want: string | null;
      error: boolean;
    }[];
  };
  const strategy = (utf8: boolean, suffixes: boolean): TranslationStrategy =>
    utf8
      ? suffixes
        ? 'NoUTF8EscapingWithSuffixes'
        : 'NoTranslation'
      : suffixes
        ? 'UnderscoreEscapingWithSuffixes'
        : 'UnderscoreEscapingWithoutSuffixes';
  it('has the upstream cases', () => expect(fixture.cases.length).toBeGreaterThanOrEqual(70));
  it.each(fixture.cases)('$name', (c) => {
    const got = buildMetricName(strategy(c.utf8, c.suffixes), c.metric, c.unit, c.type as NamerMetricType);
    if (c.error) expect(got).toHaveProperty('error');
    else expect(got).toEqual({ name: c.want });
  });
});

/** An OTLP/JSON request with one resource and the given metrics. */
function request(
  metrics: object[],
  resource: Record<string, string> = { 'service.name': 'api', 'service.instance.id': 'i-1' },
) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: Object.entries(resource).map(([key, v]) => ({ key, value: { stringValue: v } })) },
        scopeMetrics: [{ scope: { name: 's' }, metrics }],
      },
    ],
  };
}
const point = (extra: object = {}) => ({
  timeUnixNano: NS,
  attributes: [{ key: 'http.method', value: { stringValue: 'GET' } }],
  ...extra,
});
const translate = (metrics: object[], settings: Partial<OtlpSettings> = {}, resource?: Record<string, string>) =>
  translateOtlp(decodeOtlpJson(new TextEncoder().encode(JSON.stringify(request(metrics, resource)))), {
    ...defaultOtlpSettings,
    ...settings,
  });
const series = (t: ReturnType<typeof translate>) =>
  Object.fromEntries(
    t.wire.timeseries.map((s) => {
      const l = new Map<string, string>();
      for (let i = 0; i < s.labels.length; i += 2) l.set(s.labels[i]!, s.labels[i + 1]!);
      const key = `${l.get('__name__')}{${[...l]
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}}`;
      return [key, s.samples.map((x) => x.v)];
    }),
  );

describe('translateOtlp: start_time_unix_nano as created timestamps', () => {
  const START = { startTimeUnixNano: String(BigInt(NS) - 60_000_000_000n) };
  const startMs = Number(BigInt(NS) / 1_000_000n) - 60_000;
  const cts = (t: ReturnType<typeof translate>) =>
    Object.fromEntries(
      t.wire.timeseries.map((s) => [
        `${s.labels[s.labels.indexOf('__name__') + 1]}${s.labels.includes('le') ? `{le=${s.labels[s.labels.indexOf('le') + 1]}}` : ''}`,
        s.createdTimestamps,
      ]),
    );
  const on = { createdTimestampZeroIngestion: true };
  it.each([
    {
      name: 'a monotonic cumulative sum (counter)',
      metric: {
        name: 'jobs',
        sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [point({ asInt: '3', ...START })] },
      },
      want: { jobs_total: [startMs] },
    },
    {
      name: 'a non-monotonic sum (gauge): none',
      metric: { name: 'queue', sum: { aggregationTemporality: 2, dataPoints: [point({ asInt: '3', ...START })] } },
      want: { queue: undefined },
    },
    {
      name: 'a gauge: none',
      metric: { name: 'temp', gauge: { dataPoints: [point({ asDouble: 3, ...START })] } },
      want: { temp: undefined },
    },
    {
      name: 'a classic histogram: every series',
      metric: {
        name: 'lat',
        histogram: {
          aggregationTemporality: 2,
          dataPoints: [point({ count: '2', sum: 3, bucketCounts: ['1', '1'], explicitBounds: [1], ...START })],
        },
      },
      want: {
        lat_sum: [startMs],
        lat_count: [startMs],
        'lat_bucket{le=1}': [startMs],
        'lat_bucket{le=+Inf}': [startMs],
      },
    },
    {
      name: 'a summary: _sum, _count and quantiles',
      metric: {
        name: 'rpc',
        summary: {
          dataPoints: [point({ count: '2', sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }], ...START })],
        },
      },
      want: { rpc_sum: [startMs], rpc_count: [startMs], rpc: [startMs] },
    },
    {
      name: 'an exponential histogram',
      metric: {
        name: 'size',
        exponentialHistogram: {
          aggregationTemporality: 2,
          dataPoints: [point({ count: '1', sum: 1, scale: 0, positive: { offset: 0, bucketCounts: ['1'] }, ...START })],
        },
      },
      want: { size: [startMs] },
    },
    {
      name: 'a start equal to the point: none',
      metric: {
        name: 'jobs',
        sum: {
          aggregationTemporality: 2,
          isMonotonic: true,
          dataPoints: [point({ asInt: '3', startTimeUnixNano: NS })],
        },
      },
      want: { jobs_total: undefined },
    },
    {
      name: 'a stale marker: none',
      metric: {
        name: 'jobs',
        sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [point({ asInt: '3', flags: 1, ...START })] },
      },
      want: { jobs_total: undefined },
    },
  ])('$name', ({ metric, want }) => {
    expect(cts(translate([metric], on))).toEqual(want);
    // Off (the default): nothing is kept.
    const off = cts(translate([metric]));
    expect(Object.values(off).every((v) => v === undefined)).toBe(true);
  });
});

describe('translateOtlp', () => {
  it('keeps label sets apart whose text joins alike (values holding the key separator ÿ)', () => {
    const attrs = (kv: Record<string, string>) =>
      Object.entries(kv).map(([key, v]) => ({ key, value: { stringValue: v } }));
    const t = translate([
      {
        name: 'g',
        gauge: {
          dataPoints: [
            { timeUnixNano: NS, asDouble: 1, attributes: attrs({ a: 'xÿb', c: 'dÿe' }) },
            { timeUnixNano: NS, asDouble: 2, attributes: attrs({ a: 'x', b: 'c', d: 'e' }) },
            { timeUnixNano: NS, asDouble: 3, attributes: attrs({ a: 'x', b: 'c', d: 'e' }) },
          ],
        },
      },
    ]);
    expect(
      t.wire.timeseries.map((s) => [s.labels.filter((_, i) => i % 2 === 0).join(','), s.samples.map((x) => x.v)]),
    ).toEqual([
      ['__name__,a,c,instance,job', [1]],
      ['__name__,a,b,d,instance,job', [2, 3]],
    ]);
  });

  it('monotonic cumulative sum → counter with _total, job and instance from the resource', () => {
    const t = translate([
      {
        name: 'http.requests',
        unit: '{request}',
        sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [point({ asInt: '7' })] },
      },
    ]);
    expect(series(t)).toEqual({ 'http_requests_total{http_method="GET",instance="i-1",job="api"}': [7] });
    expect(t.wire.metadata).toEqual([{ metricFamilyName: 'http_requests_total', type: 'counter', help: '', unit: '' }]);
  });

  it('non-monotonic sum → gauge; gauge with unit 1 → _ratio; service.namespace joins job', () => {
    const t = translate(
      [
        { name: 'queue.size', sum: { aggregationTemporality: 2, dataPoints: [point({ asDouble: 3 })] } },
        { name: 'cpu.utilization', unit: '1', gauge: { dataPoints: [point({ asDouble: 0.5 })] } },
      ],
      {},
      { 'service.name': 'api', 'service.namespace': 'shop' },
    );
    expect(series(t)).toEqual({
      'queue_size{http_method="GET",job="shop/api"}': [3],
      'cpu_utilization_ratio{http_method="GET",job="shop/api"}': [0.5],
    });
  });

  it('classic histogram → _sum, _count and cumulative _bucket series with le', () => {
    const t = translate([
      {
        name: 'latency',
        unit: 'ms',
        histogram: {
          aggregationTemporality: 2,
          dataPoints: [point({ count: '6', sum: 60, bucketCounts: ['1', '2', '3'], explicitBounds: [5, 10] })],
        },
      },
    ]);
    const s = series(t);
    const l = 'http_method="GET",instance="i-1",job="api"';
    expect(s[`latency_milliseconds_sum{${l}}`]).toEqual([60]);
    expect(s[`latency_milliseconds_count{${l}}`]).toEqual([6]);
    expect(s[`latency_milliseconds_bucket{${l},le="5"}`]).toEqual([1]);
    expect(s[`latency_milliseconds_bucket{${l},le="10"}`]).toEqual([3]);
    expect(s[`latency_milliseconds_bucket{${l},le="+Inf"}`]).toEqual([6]);
  });

  it('classic histogram → native histogram with custom buckets when enabled', () => {
    const t = translate(
      [
        {
          name: 'latency',
          unit: 's',
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [point({ count: '6', sum: 6, bucketCounts: ['1', '2', '3'], explicitBounds: [0.5, 1] })],
          },
        },
      ],
      { convertHistogramsToNHCB: true },
    );
    expect(t.wire.timeseries).toHaveLength(1);
    expect(t.wire.timeseries[0]!.histograms[0]!.h).toMatchObject({
      schema: -53,
      customValues: [0.5, 1],
      positiveBuckets: [1, 2, 3],
      count: 6,
    });
  });

  it('exponential histogram → native histogram (index shifted by one, scale capped at 8)', () => {
    const t = translate([
      {
        name: 'rpc.latency',
        unit: 's',
        exponentialHistogram: {
          aggregationTemporality: 2,
          dataPoints: [
            point({
              count: '4',
              sum: 1.5,
              scale: 10,
              zeroCount: '0',
              positive: { offset: -5, bucketCounts: ['1', '1', '1', '1'] },
            }),
          ],
        },
      },
    ]);
    const h = t.wire.timeseries[0]!.histograms[0]!;
    expect(h.integer).toBe(true);
    // scale 10 → 8 merges 4 OTel buckets into one: indexes -5, -4, -3, -2 → floor(i/4)+1 = -1, 0, 0, 0.
    expect(h.h).toMatchObject({
      schema: 8,
      count: 4,
      sum: 1.5,
      positiveSpans: [{ offset: -1, length: 2 }],
      positiveBuckets: [1, 3],
    });
  });

  it('summary → _sum, _count and quantile series', () => {
    const t = translate([
      {
        name: 'rt',
        summary: {
          dataPoints: [
            point({
              count: '2',
              sum: 3,
              quantileValues: [
                { quantile: 0.5, value: 1 },
                { quantile: 0.99, value: 2 },
              ],
            }),
          ],
        },
      },
    ]);
    const l = 'http_method="GET",instance="i-1",job="api"';
    expect(series(t)).toEqual({
      [`rt_sum{${l}}`]: [3],
      [`rt_count{${l}}`]: [2],
      [`rt{${l},quantile="0.5"}`]: [1],
      [`rt{${l},quantile="0.99"}`]: [2],
    });
  });

  it('FLAG_NO_RECORDED_VALUE → a stale marker', () => {
    const t = translate([{ name: 'g', gauge: { dataPoints: [point({ asDouble: 1, flags: 1 })] } }]);
    expect(isStaleNaN(t.wire.timeseries[0]!.samples[0]!.v)).toBe(true);
  });

  it('delta temporality is refused with a clear message unless the tenant allows it', () => {
    const m = [
      { name: 'd', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point({ asInt: '1' })] } },
    ];
    const refused = translate(m);
    expect(refused.rejectedPoints).toBe(1);
    expect(refused.wire.rejected![0]!.error.message).toContain('delta aggregation temporality');
    expect(refused.wire.rejected![0]!.error.id).toBe('err-cortex-otlp-delta-temporality');
    expect(translate(m, { allowDeltaTemporality: true }).rejectedPoints).toBe(0);
  });

  describe('with otlp_convert_delta_to_cumulative: delta points become running sums', () => {
    const at = (i: number) => ({
      startTimeUnixNano: `${NOW + (i - 1) * 10_000}000000`,
      timeUnixNano: `${NOW + i * 10_000}000000`,
    });
    const l = 'http_method="GET",instance="i-1",job="api"';
    const cases: { name: string; metric: (i: number) => object; want: Record<string, number[]> }[] = [
      {
        name: 'a monotonic delta sum → a counter with _total',
        metric: (i) => ({
          name: 'd',
          sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point({ asInt: String(i), ...at(i) })] },
        }),
        want: { [`d_total{${l}}`]: [1, 3, 6] },
      },
      {
        name: 'a delta histogram → cumulative _bucket/_sum/_count series',
        metric: (i) => ({
          name: 'h',
          histogram: {
            aggregationTemporality: 1,
            dataPoints: [point({ count: '2', sum: i, bucketCounts: ['1', '1'], explicitBounds: [1], ...at(i) })],
          },
        }),
        want: {
          [`h_bucket{${l},le="1"}`]: [1, 2, 3],
          [`h_bucket{${l},le="+Inf"}`]: [2, 4, 6],
          [`h_count{${l}}`]: [2, 4, 6],
          [`h_sum{${l}}`]: [1, 3, 6],
        },
      },
    ];
    it.each(cases)('$name', ({ metric, want }) => {
      const deltaToCumulative = new DeltaToCumulative().forTenant(tenant, 100);
      const got: Record<string, number[]> = {};
      for (const i of [1, 2, 3]) {
        const t = translate([metric(i)], { deltaToCumulative });
        expect(t.rejectedPoints).toBe(0);
        for (const [k, v] of Object.entries(series(t))) (got[k] ??= []).push(...v);
      }
      expect(got).toEqual(want);
    });

    it('a delta exponential histogram → a cumulative native histogram (counter-reset hint unknown)', () => {
      const deltaToCumulative = new DeltaToCumulative().forTenant(tenant, 100);
      const m = (i: number) => ({
        name: 'e',
        exponentialHistogram: {
          aggregationTemporality: 1,
          dataPoints: [
            point({
              count: '3',
              sum: 3,
              scale: 1,
              zeroCount: '1',
              positive: { offset: 0, bucketCounts: ['2'] },
              ...at(i),
            }),
          ],
        },
      });
      translate([m(1)], { deltaToCumulative });
      const h = translate([m(2)], { deltaToCumulative }).wire.timeseries[0]!.histograms[0]!.h;
      expect([h.count, h.sum, h.zeroCount, h.positiveBuckets, h.counterResetHint]).toEqual([6, 6, 2, [4], 'unknown']);
    });

    it('refuses an out-of-order point per point, and a stale marker ends the stream', () => {
      const deltaToCumulative = new DeltaToCumulative().forTenant(tenant, 100);
      const m = (i: number, extra: object = {}) => [
        {
          name: 'd',
          sum: {
            aggregationTemporality: 1,
            isMonotonic: true,
            dataPoints: [point({ asInt: '5', ...at(i), ...extra })],
          },
        },
      ];
      translate(m(2), { deltaToCumulative });
      const late = translate(m(1), { deltaToCumulative });
      expect(late.rejectedPoints).toBe(1);
      expect(late.wire.rejected![0]!.error.id).toBe('err-cortex-otlp-delta-out-of-order');
      expect(late.wire.rejected![0]!.error.message).toMatch(
        /metric "d_total": a delta point starting at 2026-11-26T12:00:00.000Z is older than the running sum/,
      );
      expect(isStaleNaN(translate(m(3, { flags: 1 }), { deltaToCumulative }).wire.timeseries[0]!.samples[0]!.v)).toBe(
        true,
      );
      expect(series(translate(m(4), { deltaToCumulative }))).toEqual({ [`d_total{${l}}`]: [5] });
    });

    it('refuses points of new streams beyond the tenant limit, naming the limit', () => {
      const deltaToCumulative = new DeltaToCumulative().forTenant(tenant, 1);
      const m = (method: string) => [
        {
          name: 'd',
          sum: {
            aggregationTemporality: 1,
            isMonotonic: true,
            dataPoints: [point({ asInt: '1', attributes: [{ key: 'm', value: { stringValue: method } }] })],
          },
        },
      ];
      expect(translate(m('GET'), { deltaToCumulative }).rejectedPoints).toBe(0);
      const over = translate([...m('PUT'), ...m('POST')], { deltaToCumulative });
      expect(over.rejectedPoints).toBe(2);
      // One reason per metric, however many points: a flood of refused points stays one line.
      expect(over.wire.rejected).toHaveLength(1);
      expect(over.wire.rejected![0]!.dropped).toBe(2);
      expect(over.wire.rejected![0]!.error.message).toContain('(and 1 more points of this metric)');
      expect(over.wire.rejected![0]!.error.id).toBe('err-cortex-otlp-delta-streams-limit');
      expect(over.wire.rejected![0]!.error.message).toContain('otlp_delta_to_cumulative_max_streams');
    });
  });

  it('resource attributes land on target_info; promoted ones on every series', () => {
    const t = translate(
      [{ name: 'g', gauge: { dataPoints: [point({ asDouble: 1 })] } }],
      { promoteResourceAttributes: ['k8s.cluster.name'] },
      { 'service.name': 'api', 'k8s.cluster.name': 'eu-1', 'host.name': 'h' },
    );
    expect(Object.keys(series(t)).sort()).toEqual([
      'g{http_method="GET",job="api",k8s_cluster_name="eu-1"}',
      'target_info{host_name="h",job="api",k8s_cluster_name="eu-1"}',
    ]);
  });

  it('colliding sanitised attribute names are joined with ;, leading digits get key_', () => {
    const t = translate([
      {
        name: 'g',
        gauge: {
          dataPoints: [
            {
              timeUnixNano: NS,
              asDouble: 1,
              attributes: [
                { key: 'a.b', value: { stringValue: 'x' } },
                { key: 'a_b', value: { stringValue: 'y' } },
                { key: '1x', value: { intValue: '5' } },
              ],
            },
          ],
        },
      },
    ]);
    expect(Object.keys(series(t))).toEqual(['g{a_b="x;y",instance="i-1",job="api",key_1x="5"}']);
  });

  it('exemplars carry trace_id and span_id in hex', () => {
    const t = translate([
      {
        name: 'c',
        sum: {
          aggregationTemporality: 2,
          isMonotonic: true,
          dataPoints: [
            point({
              asInt: '1',
              exemplars: [
                {
                  timeUnixNano: NS,
                  asDouble: 1,
                  traceId: '0102030405060708090a0b0c0d0e0f10',
                  spanId: '0102030405060708',
                },
              ],
            }),
          ],
        },
      },
    ]);
    expect(t.wire.timeseries[0]!.exemplars).toEqual([
      { labels: ['trace_id', '0102030405060708090a0b0c0d0e0f10', 'span_id', '0102030405060708'], t: NOW, v: 1 },
    ]);
  });
});

function setup() {
  const ingester = new InMemoryIngesterClient();
  const limits = new Overrides(new StaticTenantLimitsSource(new Map([[tenant, {}]])));
  const d = new Distributor({ limits, ingester, registry: new Registry(), clock: { now: () => NOW } });
  const handler = createOtlpHandler(d, { settings: () => defaultOtlpSettings, maxDecompressedBytes: () => 1 << 20 });
  return { handler, ingester };
}
const json = (o: object) => new TextEncoder().encode(JSON.stringify(o));
const gauge = [{ name: 'up', gauge: { dataPoints: [point({ asDouble: 1 })] } }];

describe('OTLP/HTTP handler', () => {
  it('answers 200 with an empty ExportMetricsServiceResponse in JSON for JSON', async () => {
    const { handler, ingester } = setup();
    const res = await handler({
      tenantId: tenant,
      contentType: 'application/json',
      contentEncoding: undefined,
      body: json(request(gauge)),
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(String(res.body))).toEqual({});
    expect(ingester.seriesCount(tenant)).toBe(1);
  });

  it('accepts gzip and reports partial success with rejected points and a message', async () => {
    const { handler } = setup();
    const body = gzipSync(
      json(request([...gauge, { name: 'd', sum: { aggregationTemporality: 1, dataPoints: [point({ asInt: '1' })] } }])),
    );
    const res = await handler({ tenantId: tenant, contentType: 'application/json', contentEncoding: 'gzip', body });
    expect(res.status).toBe(200);
    const r = JSON.parse(String(res.body));
    expect(r.partialSuccess.rejectedDataPoints).toBe('1');
    expect(r.partialSuccess.errorMessage).toContain('err-cortex-otlp-delta-temporality');
  });

  it('refuses a gzip bomb before inflating it past the limit', async () => {
    const { handler } = setup();
    const bomb = gzipSync(new Uint8Array(64 << 20));
    expect(bomb.length).toBeLessThan(100_000);
    const res = await handler({
      tenantId: tenant,
      contentType: 'application/x-protobuf',
      contentEncoding: 'gzip',
      body: bomb,
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(Buffer.from(res.body as Uint8Array).toString('latin1')).toContain('err-cortex-request-too-large');
  });

  it('otlpHandlerFor: delta → cumulative per tenant setting, streams counted in a gauge', async () => {
    const ingester = new InMemoryIngesterClient();
    const other = 'other' as TenantId;
    const limits = new Overrides(
      new StaticTenantLimitsSource(
        new Map([
          [tenant, { otlp_convert_delta_to_cumulative: 1 }],
          [other, {}],
        ]),
      ),
    );
    const registry = new Registry();
    const d = new Distributor({ limits, ingester, registry, clock: { now: () => NOW } });
    const handler = otlpHandlerFor(d, limits, { now: () => NOW, registry });
    const body = (i: number) =>
      json(
        request([
          {
            name: 'd',
            sum: {
              aggregationTemporality: 1,
              isMonotonic: true,
              dataPoints: [point({ asInt: '2', timeUnixNano: `${NOW - 60_000 + i * 10_000}000000` })],
            },
          },
        ]),
      );
    const send = (t: TenantId, i: number) =>
      handler({ tenantId: t, contentType: 'application/json', contentEncoding: undefined, body: body(i) });
    for (const i of [1, 2, 3]) expect((await send(tenant, i)).status).toBe(200);
    const labels = Labels.fromSortedFlat(
      normalizeLabels(['__name__', 'd_total', 'http_method', 'GET', 'instance', 'i-1', 'job', 'api']),
    );
    expect(ingester.samples(tenant, labels)?.map((x) => x.v)).toEqual([2, 4, 6]);
    const refused = JSON.parse(String((await send(other, 1)).body));
    expect(refused.partialSuccess.errorMessage).toContain('err-cortex-otlp-delta-temporality');
    expect(await registry.metrics()).toContain('cortex_distributor_otlp_delta_streams{user="acme"} 1');
  });

  describe('Content-Encoding: zstd', () => {
    const fixture = (name: string) =>
      new Uint8Array(readFileSync(new URL(`../../test/fixtures/otlp/${name}`, import.meta.url)));
    const zst = fixture('fifty-gauges.json.zst');
    const send = (body: Uint8Array, contentType = 'application/json') =>
      setup().handler({ tenantId: tenant, contentType, contentEncoding: 'zstd', body });

    it('stores a body compressed by the zstd CLI', async () => {
      const { handler, ingester } = setup();
      const res = await handler({
        tenantId: tenant,
        contentType: 'application/json',
        contentEncoding: 'zstd',
        body: zst,
      });
      expect([res.status, String(res.body)]).toEqual([200, '{}']);
      expect(ingester.seriesCount(tenant)).toBe(50); // no target_info: the resource has service.name only
    });

    const refused: { name: string; body: Uint8Array; id: string }[] = [
      { name: 'a truncated body', body: zst.subarray(0, zst.length - 30), id: 'err-cortex-zstd-corrupt' },
      { name: 'garbage', body: Uint8Array.from([1, 2, 3, 4, 5, 6]), id: 'err-cortex-zstd-corrupt' },
      {
        // 1000 RLE blocks of 128 KiB: 4 KB of body, 125 MiB of output.
        name: 'a bomb',
        body: Uint8Array.from([
          0x28,
          0xb5,
          0x2f,
          0xfd,
          0x00,
          7 << 3,
          ...Array.from({ length: 1000 }, (_, i) => {
            const h = (i === 999 ? 1 : 0) | (1 << 1) | ((128 << 10) << 3);
            return [h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, 0];
          }).flat(),
        ]),
        id: 'err-cortex-request-too-large',
      },
    ];
    it.each(refused)('refuses $name with a 400 and its ID', async ({ body, id }) => {
      const res = await send(body);
      expect(res.status).toBe(400);
      expect(JSON.parse(String(res.body)).message).toContain(id);
    });

    it('never answers 5xx for mutated zstd bodies', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(zst.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          fc.nat(zst.length),
          async (edits, cut) => {
            const b = zst.slice(0, Math.max(1, cut));
            for (const [i, v] of edits) if (i < b.length) b[i] = v;
            expect((await send(b)).status).toBeLessThan(500);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  it('answers 415 for other media types and encodings, 400 for garbage', async () => {
    const { handler } = setup();
    const body = json(request(gauge));
    expect(
      (await handler({ tenantId: tenant, contentType: 'text/plain', contentEncoding: undefined, body })).status,
    ).toBe(415);
    expect(
      (await handler({ tenantId: tenant, contentType: 'application/json', contentEncoding: 'br', body })).status,
    ).toBe(415);
    const garbage = await handler({
      tenantId: tenant,
      contentType: 'application/json',
      contentEncoding: undefined,
      body: json([1]),
    });
    expect(garbage.status).toBe(400);
    expect(JSON.parse(String(garbage.body)).message).toContain('err-cortex-invalid-otlp-json');
    const trunc = await handler({
      tenantId: tenant,
      contentType: 'application/x-protobuf',
      contentEncoding: undefined,
      body: Uint8Array.from([0x0a, 0x05, 0x0a]),
    });
    expect(trunc.status).toBe(400);
  });

  it('never answers 5xx or throws for generated and mutated bodies; acknowledged points are stored', async () => {
    const { handler, ingester } = setup();
    const valid = json(request(gauge));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
            const m = valid.slice();
            m[i] = b;
            return m;
          }),
        ),
        fc.constantFrom('application/json', 'application/x-protobuf'),
        fc.constantFrom(undefined, 'gzip'),
        async (body, contentType, contentEncoding) => {
          const res = await handler({
            tenantId: tenant,
            contentType,
            contentEncoding,
            body: contentEncoding === 'gzip' ? gzipSync(body) : body,
          });
          expect(res.status).toBeLessThan(500);
          const whole =
            res.status === 200 &&
            (contentType === 'application/json' ? String(res.body) === '{}' : (res.body as Uint8Array).length === 0);
          if (whole) {
            // Every point of a fully acknowledged request is stored.
            const decoded = contentType === 'application/json' ? decodeOtlpJson(body) : decodeOtlpProto(body);
            for (const ts of translateOtlp(decoded, defaultOtlpSettings).wire.timeseries) {
              if (ts.samples.length === 0) continue;
              const labels = Labels.fromSortedFlat(normalizeLabels(ts.labels.slice()));
              expect(ingester.samples(tenant, labels)?.length ?? 0).toBeGreaterThan(0);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('protobuf attributes', () => {
  /** One gauge point whose attribute `k` carries the given encoded AnyValue. */
  function body(anyValue: number[]): Uint8Array {
    const w = new ProtoWriter();
    const msg = (field: number, inner: () => void) => {
      w.tag(field, 2);
      const m = w.begin();
      inner();
      w.finish(m);
    };
    msg(1, () =>
      msg(2, () =>
        msg(2, () => {
          w.tag(1, 2);
          w.string('g');
          msg(5, () =>
            msg(1, () => {
              msg(7, () => {
                w.tag(1, 2);
                w.string('k');
                w.tag(2, 2);
                w.bytes(Uint8Array.from(anyValue));
              });
              w.tag(3, 1);
              w.double(new Float64Array(new BigUint64Array([1_700_000_000_000_000_000n]).buffer)[0]!);
              w.tag(4, 1);
              w.double(2);
            }),
          );
        }),
      ),
    );
    return w.finishAll();
  }
  const attrs = (b: Uint8Array) =>
    (decodeOtlpProto(b).resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.data as { points: { attributes: unknown }[] })
      .points[0]!.attributes;

  it.each([
    { name: 'string', any: [0x0a, 2, 0x61, 0x62], want: 'ab' },
    { name: 'empty string', any: [0x0a, 0], want: '' },
    { name: 'int', any: [0x18, 5], want: '5' },
    { name: 'bool', any: [0x10, 1], want: 'true' },
    { name: 'string, then an int that wins (last field)', any: [0x0a, 1, 0x61, 0x18, 7], want: '7' },
  ])('reads a $name value', ({ any, want }) => {
    expect(attrs(body(any))).toEqual([['k', want]]);
  });
});
