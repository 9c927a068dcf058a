/**
 * The real OpenTelemetry JS SDK (`@opentelemetry/sdk-metrics`) exporting to the platform over
 * OTLP/HTTP, once with the protobuf exporter and once with the JSON one, configured with nothing but
 * the URL and an `Authorization: Bearer` header. A counter, an up-down counter, a gauge, a histogram
 * and an exponential histogram are queried back through PromQL under the names and labels
 * Prometheus 3.x gives them (UnderscoreEscapingWithSuffixes, job = namespace/name, instance =
 * service.instance.id, the rest of the resource on target_info).
 */

import { createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as HttpJsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminService } from '../../gen/cortex/admin/v1/admin_pb.js';
import { ROOT_TOKEN, startPlatform, type TestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
beforeAll(async () => {
  p = await startPlatform();
}, 120_000);
afterAll(() => p?.close());

async function query(token: string, q: string): Promise<any[]> {
  const res = await fetch(`${p.url}/prometheus/api/v1/query?query=${encodeURIComponent(q)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.data.result;
}

const exporters = [
  {
    name: 'protobuf',
    make: (url: string, token: string) => new ProtoExporter({ url, headers: { Authorization: `Bearer ${token}` } }),
  },
  {
    name: 'JSON',
    make: (url: string, token: string) => new HttpJsonExporter({ url, headers: { Authorization: `Bearer ${token}` } }),
  },
];

/** Exports one of each instrument from a `shop/checkout` service through `exporter`, then shuts down. */
async function exportOnce(exporter: PushMetricExporter): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'service.namespace': 'shop',
      'service.instance.id': 'pod-1',
      'deployment.environment': 'prod',
    }),
    views: [{ instrumentName: 'rpc.latency', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    readers: [reader],
  });
  const meter = provider.getMeter('e2e', '1.0.0');
  const requests = meter.createCounter('http.server.requests', {
    unit: '{request}',
    description: 'Requests served.',
  });
  const queue = meter.createUpDownCounter('queue.length', { unit: '{item}' });
  const temp = meter.createGauge('cpu.temperature', { unit: 'Cel' });
  const duration = meter.createHistogram('http.server.duration', { unit: 'ms' });
  const latency = meter.createHistogram('rpc.latency', { unit: 's' });
  requests.add(5, { 'http.route': '/cart' });
  requests.add(2, { 'http.route': '/cart' });
  queue.add(10);
  queue.add(-3);
  temp.record(61.5, { core: '0' });
  for (const v of [3, 30, 300]) duration.record(v, { 'http.route': '/cart' });
  for (const v of [0.1, 0.2, 0.4, 0.8]) latency.record(v);
  await provider.forceFlush();
  await provider.shutdown();
}

describe.each(exporters)('OpenTelemetry JS SDK over OTLP/HTTP ($name)', ({ name, make }) => {
  const tenant = `otel-${name === 'JSON' ? 'json' : 'proto'}`;
  let read = '';

  beforeAll(async () => {
    const write = await p.tenantToken(tenant, ['metrics:write']);
    read = await p.tenantToken(tenant, ['metrics:read']);
    await exportOnce(make(`${p.url}/otlp/v1/metrics`, write));
  });

  const id = { job: 'shop/checkout', instance: 'pod-1' };

  it('a counter becomes <name>_total with job and instance from the resource', async () => {
    const r = await query(read, 'http_server_requests_total');
    expect(r).toHaveLength(1);
    expect(r[0].metric).toEqual({ __name__: 'http_server_requests_total', http_route: '/cart', ...id });
    expect(Number(r[0].value[1])).toBe(7);
  });

  it('an up-down counter becomes a gauge without suffix', async () => {
    const r = await query(read, 'queue_length');
    expect(r.map((x) => [x.metric, Number(x.value[1])])).toEqual([[{ __name__: 'queue_length', ...id }, 7]]);
  });

  it('a gauge gets its unit suffix', async () => {
    const r = await query(read, 'cpu_temperature_celsius');
    expect(r.map((x) => [x.metric, Number(x.value[1])])).toEqual([
      [{ __name__: 'cpu_temperature_celsius', core: '0', ...id }, 61.5],
    ]);
  });

  it('a histogram becomes classic _bucket/_sum/_count series', async () => {
    const count = await query(read, 'http_server_duration_milliseconds_count');
    expect(Number(count[0].value[1])).toBe(3);
    const sum = await query(read, 'http_server_duration_milliseconds_sum');
    expect(Number(sum[0].value[1])).toBe(333);
    const le = await query(read, 'http_server_duration_milliseconds_bucket{le="+Inf"}');
    expect(le[0].metric).toEqual({
      __name__: 'http_server_duration_milliseconds_bucket',
      le: '+Inf',
      http_route: '/cart',
      ...id,
    });
    const q = await query(read, 'histogram_quantile(0.5, http_server_duration_milliseconds_bucket)');
    expect(Number(q[0].value[1])).toBeGreaterThan(10);
    expect(Number(q[0].value[1])).toBeLessThanOrEqual(50);
  });

  it('an exponential histogram becomes a native histogram', async () => {
    const count = await query(read, 'histogram_count(rpc_latency_seconds)');
    expect(count.map((x) => [x.metric, Number(x.value[1])])).toEqual([[id, 4]]);
    const sum = await query(read, 'histogram_sum(rpc_latency_seconds)');
    expect(Number(sum[0].value[1])).toBeCloseTo(1.5, 10);
  });

  it('the rest of the resource lands on target_info', async () => {
    const r = await query(read, 'target_info');
    expect(r.map((x) => x.metric)).toEqual([{ __name__: 'target_info', deployment_environment: 'prod', ...id }]);
  });

  it('metadata (type, unit, help) is in /api/v1/metadata', async () => {
    const res = await fetch(`${p.url}/prometheus/api/v1/metadata?metric=http_server_requests_total`, {
      headers: { authorization: `Bearer ${read}` },
    });
    const body = (await res.json()) as any;
    expect(body.data.http_server_requests_total).toEqual([{ type: 'counter', help: 'Requests served.', unit: '' }]);
  });
});

describe('per-tenant OTLP settings, set through the admin API', () => {
  const tenant = 'otel-settings';
  let read = '';

  beforeAll(async () => {
    const write = await p.tenantToken(tenant, ['metrics:write']);
    read = await p.tenantToken(tenant, ['metrics:read']);
    const set = await p.admin('PATCH', `/tenants/${tenant}/limits`, {
      otlp_translation_strategy: 'UnderscoreEscapingWithoutSuffixes',
      promote_otel_resource_attributes: ['deployment.environment', 'service.namespace'],
    });
    expect(set.status, JSON.stringify(set.json)).toBe(200);
    expect(set.json.limits.otlp_translation_strategy).toBe(1);
    expect(set.json.limits.promote_otel_resource_attributes).toEqual(['deployment.environment', 'service.namespace']);
    // The data plane reads overrides from the control plane's feed: wait until it has them.
    for (let i = 0; ; i++) {
      const res = await fetch(`${p.url}/prometheus/api/v1/user_limits`, {
        headers: { authorization: `Bearer ${read}` },
      });
      const body = (await res.json()) as any;
      if (body.data?.promote_otel_resource_attributes?.length === 2) break;
      if (i > 100) throw new Error(`limits never reached the data plane: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await exportOnce(
      new ProtoExporter({ url: `${p.url}/otlp/v1/metrics`, headers: { Authorization: `Bearer ${write}` } }),
    );
  });

  it('promotes the listed resource attributes to labels, under the tenant strategy', async () => {
    // UnderscoreEscapingWithoutSuffixes: no `_total` or unit suffix; promoted names escaped like labels.
    const r = await query(read, 'http_server_requests');
    expect(r.map((x) => x.metric)).toEqual([
      {
        __name__: 'http_server_requests',
        deployment_environment: 'prod',
        http_route: '/cart',
        service_namespace: 'shop',
        job: 'shop/checkout',
        instance: 'pod-1',
      },
    ]);
  });

  it('refuses an unknown strategy name and a list with a repeated name, and keeps the settings', async () => {
    const bad = await p.admin('PATCH', `/tenants/${tenant}/limits`, { otlp_translation_strategy: 'Underscores' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/not one of UnderscoreEscapingWithSuffixes/);
    const twice = await p.admin('PATCH', `/tenants/${tenant}/limits`, {
      promote_otel_resource_attributes: ['a', 'a'],
    });
    expect(twice.status).toBe(400);
    expect(twice.json.error.message).toMatch(/"a" is listed twice/);
    const now = await p.admin('GET', `/tenants/${tenant}/limits`);
    expect(now.json.limits.otlp_translation_strategy).toBe(1);
  });
});

/**
 * UTF-8 names as Prometheus 3.x keeps them: the tenant's name_validation_scheme utf8 with the
 * NoTranslation strategy, set through the admin RPC (Connect on the HTTP port). The OTel names come
 * back unescaped, selected by Prometheus 3's quoted syntax, and the series APIs answer them as sent.
 */
describe('UTF-8 metric and label names (name_validation_scheme utf8, NoTranslation)', () => {
  const tenant = 'otel-utf8';
  let read = '';
  const admin = () => createClient(AdminService, createConnectTransport({ baseUrl: p.url, httpVersion: '1.1' }));
  const headers = { authorization: `Bearer ${ROOT_TOKEN}` };
  const name = (value: string) => ({ kind: { case: 'name' as const, value } });

  beforeAll(async () => {
    const write = await p.tenantToken(tenant, ['metrics:write']);
    read = await p.tenantToken(tenant, ['metrics:read']);
    // The strategy alone is refused: under the legacy scheme every dotted name would be dropped.
    await expect(
      admin().setLimits(
        { tenantId: tenant, limits: { otlp_translation_strategy: name('NoTranslation') } },
        { headers },
      ),
    ).rejects.toThrow(/set name_validation_scheme to utf8/);
    const set = await admin().setLimits(
      {
        tenantId: tenant,
        limits: { otlp_translation_strategy: name('NoTranslation'), name_validation_scheme: name('utf8') },
      },
      { headers },
    );
    expect(set.limits?.limits.name_validation_scheme?.kind).toEqual({ case: 'number', value: 1 });
    for (let i = 0; ; i++) {
      const res = await fetch(`${p.url}/prometheus/api/v1/user_limits`, {
        headers: { authorization: `Bearer ${read}` },
      });
      const body = (await res.json()) as any;
      if (body.data?.name_validation_scheme === 1 && body.data?.otlp_translation_strategy === 3) break;
      if (i > 100) throw new Error(`limits never reached the data plane: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await exportOnce(
      new ProtoExporter({ url: `${p.url}/otlp/v1/metrics`, headers: { Authorization: `Bearer ${write}` } }),
    );
  });

  const id = { job: 'shop/checkout', instance: 'pod-1' };

  it.each([
    ['a quoted name', '{"http.server.requests"}'],
    ['__name__ equality', '{__name__="http.server.requests"}'],
    ['a quoted name and a quoted label matcher', '{"http.server.requests", "http.route"="/cart"}'],
  ])('the dotted counter is selected by %s', async (_, q) => {
    const r = await query(read, q);
    expect(r.map((x) => [x.metric, Number(x.value[1])])).toEqual([
      [{ __name__: 'http.server.requests', 'http.route': '/cart', ...id }, 7],
    ]);
  });

  it('aggregates by a quoted label name', async () => {
    const r = await query(read, 'sum by ("http.route") ({"http.server.duration_count"})');
    expect(r.map((x) => [x.metric, Number(x.value[1])])).toEqual([[{ 'http.route': '/cart' }, 3]]);
  });

  it('series, label names and label values answer the names as sent', async () => {
    const get = async (path: string) => {
      const res = await fetch(`${p.url}/prometheus/api/v1/${path}`, { headers: { authorization: `Bearer ${read}` } });
      const body = (await res.json()) as any;
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body.data;
    };
    expect(await get(`series?match[]=${encodeURIComponent('{"queue.length"}')}`)).toEqual([
      { __name__: 'queue.length', ...id },
    ]);
    expect(await get('labels')).toEqual(expect.arrayContaining(['deployment.environment', 'http.route', 'core']));
    expect(await get('label/U__http_2e_route/values')).toEqual(['/cart']);
    expect(await get('label/__name__/values')).toEqual(
      expect.arrayContaining(['cpu.temperature', 'http.server.requests', 'queue.length', 'target_info']),
    );
  });
});

/**
 * The SDK exporting in delta temporality (`temporalityPreference: DELTA`: counters and histograms
 * report the increase since the last export), three exports in a row. A tenant with
 * `otlp_convert_delta_to_cumulative` reads cumulative counters and histograms back; a tenant without
 * it gets the points refused in a partial success.
 */
async function exportDeltas(token: string): Promise<void> {
  const exporter = new ProtoExporter({
    url: `${p.url}/otlp/v1/metrics`,
    headers: { Authorization: `Bearer ${token}` },
    temporalityPreference: AggregationTemporalityPreference.DELTA,
  });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'billing', 'service.instance.id': 'pod-7' }),
    views: [{ instrumentName: 'rpc.latency', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    readers: [reader],
  });
  const meter = provider.getMeter('e2e-delta');
  const requests = meter.createCounter('http.server.requests', { unit: '{request}' });
  const duration = meter.createHistogram('http.server.duration', { unit: 'ms' });
  const latency = meter.createHistogram('rpc.latency', { unit: 's' });
  // Up-down counters stay cumulative under the delta preference (the OTel spec's mapping).
  const queue = meter.createUpDownCounter('queue.length');
  for (const [n, ms, s] of [
    [5, 3, 0.1],
    [2, 30, 0.2],
    [3, 300, 0.4],
  ] as const) {
    requests.add(n, { 'http.route': '/pay' });
    duration.record(ms);
    latency.record(s);
    queue.add(1);
    await provider.forceFlush();
    // Each export gets its own millisecond (the platform keeps millisecond timestamps).
    await new Promise((r) => setTimeout(r, 5));
  }
  await provider.shutdown();
}

describe('OpenTelemetry JS SDK in delta temporality', () => {
  const id = { job: 'billing', instance: 'pod-7' };
  let read = '';
  let plainRead = '';

  beforeAll(async () => {
    const tenant = 'otel-delta';
    const write = await p.tenantToken(tenant, ['metrics:write']);
    read = await p.tenantToken(tenant, ['metrics:read']);
    const set = await p.admin('PATCH', `/tenants/${tenant}/limits`, { otlp_convert_delta_to_cumulative: 1 });
    expect(set.status, JSON.stringify(set.json)).toBe(200);
    for (let i = 0; ; i++) {
      const res = await fetch(`${p.url}/prometheus/api/v1/user_limits`, {
        headers: { authorization: `Bearer ${read}` },
      });
      const body = (await res.json()) as any;
      if (body.data?.otlp_convert_delta_to_cumulative === 1) break;
      if (i > 100) throw new Error(`limits never reached the data plane: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await exportDeltas(write);
    const plain = 'otel-delta-off';
    plainRead = await p.tenantToken(plain, ['metrics:read']);
    await exportDeltas(await p.tenantToken(plain, ['metrics:write']));
  });

  it('a delta counter is read back as a cumulative counter, one sample per export', async () => {
    const r = await query(read, 'http_server_requests_total');
    expect(r.map((x) => [x.metric, Number(x.value[1])])).toEqual([
      [{ __name__: 'http_server_requests_total', http_route: '/pay', ...id }, 10],
    ]);
    const samples = await query(read, 'count_over_time(http_server_requests_total[1h])');
    expect(Number(samples[0].value[1])).toBe(3);
    const increase = await query(
      read,
      'max_over_time(http_server_requests_total[1h]) - min_over_time(http_server_requests_total[1h])',
    );
    expect(Number(increase[0].value[1])).toBe(5);
  });

  it('a delta histogram is read back as cumulative classic series', async () => {
    const count = await query(read, 'http_server_duration_milliseconds_count');
    expect(Number(count[0].value[1])).toBe(3);
    const sum = await query(read, 'http_server_duration_milliseconds_sum');
    expect(Number(sum[0].value[1])).toBe(333);
  });

  it('a delta exponential histogram is read back as a cumulative native histogram', async () => {
    const count = await query(read, 'histogram_count(rpc_latency_seconds)');
    expect(count.map((x) => [x.metric, Number(x.value[1])])).toEqual([[id, 3]]);
    const sum = await query(read, 'histogram_sum(rpc_latency_seconds)');
    expect(Number(sum[0].value[1])).toBeCloseTo(0.7, 10);
  });

  it('without the setting the delta points are refused, and the cumulative ones stored', async () => {
    const q = await query(plainRead, 'queue_length');
    expect(q.map((x) => Number(x.value[1]))).toEqual([3]);
    expect(await query(plainRead, 'http_server_requests_total')).toEqual([]);
    expect(await query(plainRead, 'http_server_duration_milliseconds_count')).toEqual([]);
  });
});

describe('Content-Encoding: zstd through the gateway', () => {
  it('stores a zstd body and refuses a zstd bomb with a 400', async () => {
    const tenant = 'otel-zstd';
    const write = await p.tenantToken(tenant, ['metrics:write']);
    const read = await p.tenantToken(tenant, ['metrics:read']);
    const body = new TextEncoder().encode(
      JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'z' } }] },
            scopeMetrics: [
              {
                metrics: [
                  { name: 'zstd.up', gauge: { dataPoints: [{ timeUnixNano: `${Date.now()}000000`, asDouble: 1 }] } },
                ],
              },
            ],
          },
        ],
      }),
    );
    // One zstd frame of one raw (stored) block: valid zstd that needs no compressor in the test.
    const h = 1 | (body.length << 3);
    const frame = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3, h & 0xff, (h >> 8) & 0xff, h >> 16, ...body]);
    const post = (b: Uint8Array) =>
      fetch(`${p.url}/otlp/v1/metrics`, {
        method: 'POST',
        headers: { authorization: `Bearer ${write}`, 'content-type': 'application/json', 'content-encoding': 'zstd' },
        body: b,
      });
    const ok = await post(frame);
    expect([ok.status, await ok.text()]).toEqual([200, '{}']);
    expect((await query(read, 'zstd_up')).map((x) => x.metric)).toEqual([{ __name__: 'zstd_up', job: 'z' }]);
    // 1000 RLE blocks of 128 KiB of zeros: 4 KB on the wire, 125 MiB inflated; the default limit is 64 MiB.
    const blocks = Array.from({ length: 1000 }, (_, i) => {
      const b = (i === 999 ? 1 : 0) | (1 << 1) | ((128 << 10) << 3);
      return [b & 0xff, (b >> 8) & 0xff, b >> 16, 0];
    }).flat();
    const bomb = await post(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3, ...blocks]));
    expect(bomb.status).toBe(400);
    expect(((await bomb.json()) as { message: string }).message).toContain('err-cortex-request-too-large');
  });
});
