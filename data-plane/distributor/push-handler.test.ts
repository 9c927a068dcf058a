import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { Labels, type TenantId } from '../model/index.js';
import { encodeWriteRequest, snappyEncode } from '../remotewrite/index.js';
import { seededRandom } from '../remotewrite/test-rng.js';
import { type Limits, Overrides, StaticTenantLimitsSource } from '../validation/index.js';
import { badInputCases } from './bad-input-cases.js';
import { createPushHandler, DecodePool, Distributor, InMemoryIngesterClient } from './index.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const tenant = 'acme' as TenantId;

function setup(overrides: Partial<Limits> = {}, decodePool?: DecodePool) {
  const source = new StaticTenantLimitsSource(new Map([[tenant, overrides]]));
  const ingester = new InMemoryIngesterClient();
  const registry = new Registry();
  const clock = { now: () => NOW };
  const d = new Distributor({ limits: new Overrides(source), ingester, registry, clock });
  const handler = createPushHandler(d, {
    maxDecompressedBytes: 16 << 20,
    // Every body through the pool, however small, so the table covers the worker path too.
    ...(decodePool ? { decodePool, minPooledBytes: 0 } : {}),
  });
  return { handler, ingester, registry, source };
}

describe('push handler: bad-input table', () => {
  it('has at least 40 bad-input cases', () => {
    expect(badInputCases.filter((c) => c.expectedStatus !== 204).length).toBeGreaterThanOrEqual(40);
  });

  const pool = new DecodePool({ size: 1 });
  afterAll(() => pool.close());

  it.each(
    badInputCases.flatMap((c) => [
      { ...c, decode: 'main thread' },
      { ...c, decode: 'decode worker' },
    ]),
  )('$name → $expectedStatus ($decode)', async (c) => {
    const { handler, ingester } = setup({}, c.decode === 'decode worker' ? pool : undefined);
    const res = await handler({ tenantId: tenant, ...c.build(NOW) });
    if (c.decode === 'decode worker') {
      // Byte for byte what the main thread answers.
      const inline = await setup().handler({ tenantId: tenant, ...c.build(NOW) });
      expect(res).toEqual(inline);
    }
    expect(res.status).toBe(c.expectedStatus);
    expect(res.body).toContain(c.expectedMessage);
    if (c.expectedStatus === 204) expect(res.body).toBe('');
    const v2 = (c.build(NOW).contentType ?? '').includes('io.prometheus.write.v2.Request');
    if (!v2) expect(res.headers['x-prometheus-remote-write-samples-written']).toBeUndefined();
    if (c.expectedSamplesWritten !== undefined) {
      if (v2) expect(res.headers['x-prometheus-remote-write-samples-written']).toBe(String(c.expectedSamplesWritten));
      // Partial writes really stored the valid series.
      const stored = [...(ingester.tenants.get(tenant)?.values() ?? [])].reduce((n, s) => n + s.samples.length, 0);
      expect(stored).toBe(c.expectedSamplesWritten);
    }
    if (c.expectedStatus >= 400 && c.expectedStatus !== 415) expect(res.body.endsWith('\n')).toBe(true);
  });
});

const push = (now: number, series: { labels: string[]; t?: number }[], extra: Record<string, string> = {}) => ({
  tenantId: tenant,
  contentType: 'application/x-protobuf',
  contentEncoding: 'snappy',
  remoteWriteVersion: '0.1.0',
  ...extra,
  body: snappyEncode(
    encodeWriteRequest({ timeseries: series.map((s) => ({ labels: s.labels, samples: [{ t: s.t ?? now, v: 1 }] })) }),
  ),
});

describe('push handler: status mapping', () => {
  it('answers 429 with Retry-After when the tenant is rate limited', async () => {
    const { handler } = setup({ ingestion_rate: 2, ingestion_burst_size: 3 });
    const three = [1, 2, 3].map((i) => ({ labels: ['__name__', 'm', 'i', String(i)] }));
    expect((await handler(push(NOW, three))).status).toBe(204);
    const res = await handler(push(NOW, three));
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.body).toContain('err-cortex-tenant-ingestion-rate-limited');
    expect(res.body).toContain('-distributor.ingestion-rate-limit');
  });

  it('answers 503 when the ingester is unavailable, so Prometheus retries', async () => {
    const { handler, ingester } = setup();
    ingester.unavailable = true;
    const res = await handler(push(NOW, [{ labels: ['__name__', 'up'] }]));
    expect(res.status).toBe(503);
    expect(res.body).toContain('should be retried');
  });

  it('reports ingester per-series errors as a partial 400, merged with validation drops', async () => {
    const { handler, ingester } = setup();
    expect((await handler(push(NOW, [{ labels: ['__name__', 'up'] }]))).status).toBe(204);
    const res = await handler(
      push(NOW, [
        { labels: ['__name__', 'up'], t: NOW - 1000 },
        { labels: ['job', 'x'] },
        { labels: ['__name__', 'ok'] },
      ]),
    );
    expect(res.status).toBe(400);
    expect(res.body).toContain('err-cortex-missing-metric-name');
    expect(res.body).toContain('err-cortex-sample-out-of-order');
    expect(res.body.trim().split('\n')).toHaveLength(2);
    expect(ingester.samples(tenant, Labels.fromObject({ __name__: 'ok' }))).toHaveLength(1);
  });

  it('lists one line per reason and counts repeats', async () => {
    const { handler } = setup();
    const res = await handler(push(NOW, [{ labels: ['job', 'a'] }, { labels: ['job', 'b'] }, { labels: ['a', 'c'] }]));
    expect(res.status).toBe(400);
    const lines = res.body.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('series: \'{job="a"}\'');
    expect(lines[0]).toContain('[3 items were rejected for this reason, 3 samples in total]');
  });

  it('stores series with their labels sorted and counts metrics per tenant', async () => {
    const { handler, ingester, registry } = setup();
    const res = await handler(
      push(NOW, [{ labels: ['zone', 'a', '__name__', 'up', 'job', 'n'] }, { labels: ['x', 'y'] }]),
    );
    expect(res.status).toBe(400);
    expect(ingester.samples(tenant, Labels.fromObject({ __name__: 'up', job: 'n', zone: 'a' }))).toEqual([
      { t: NOW, v: 1 },
    ]);
    const text = await registry.metrics();
    expect(text).toContain('cortex_distributor_received_samples_total{user="acme"} 1');
    expect(text).toContain('cortex_discarded_samples_total{reason="err-cortex-missing-metric-name",user="acme"} 1');
    expect(text).toContain('cortex_distributor_samples_in_total{user="acme"} 2');
  });

  it('answers only 204 or 400 (never 5xx, never throws) for mutated bodies', async () => {
    const { handler } = setup();
    const rnd = seededRandom(99);
    const raw = encodeWriteRequest({
      timeseries: [
        { labels: ['__name__', 'up', 'job', 'node', 'instance', 'a:9100'], samples: [{ t: NOW, v: 1 }] },
        {
          labels: ['__name__', 'h'],
          histograms: [
            {
              t: NOW,
              integer: true,
              h: {
                counterResetHint: 'unknown',
                schema: 1,
                zeroThreshold: 0,
                zeroCount: 1,
                count: 3,
                sum: 2,
                positiveSpans: [{ offset: 0, length: 2 }],
                negativeSpans: [],
                positiveBuckets: [1, 1],
                negativeBuckets: [],
              },
            },
          ],
          exemplars: [{ labels: ['trace_id', 'x'], t: NOW, v: 1 }],
        },
      ],
      metadata: [{ metricFamilyName: 'up', type: 'gauge', help: 'h', unit: '' }],
    });
    const statuses = new Set<number>();
    for (let i = 0; i < 1500; i++) {
      const m = raw.slice();
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
      const body = rnd() < 0.8 ? snappyEncode(m) : snappyEncode(raw).map((b) => (rnd() < 0.02 ? b ^ 0xff : b));
      const res = await handler({ ...push(NOW, []), body });
      statuses.add(res.status);
      expect([204, 400]).toContain(res.status);
    }
    expect(statuses.has(400)).toBe(true);
  });
});
