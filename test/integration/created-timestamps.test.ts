/**
 * Created-timestamp zero ingestion (Prometheus's `created-timestamp-zero-ingestion` feature, per
 * tenant as `created_timestamp_zero_ingestion_enabled`): remote write 2.0 start timestamps and OTLP
 * `start_time_unix_nano` become a zero sample at the created timestamp, read back through PromQL
 * over the real HTTP routes, distributor and ingester; nothing is added when the option is off, when
 * the created timestamp is not older than the sample, or when the series already holds newer data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInternalPush } from '../../data-plane/api/internal-ingester.js';
import { Labels } from '../../data-plane/model/index.js';
import { decodeWriteRequest, encodeWriteRequest, snappyEncode } from '../../data-plane/remotewrite/index.js';
import { buildDataPlaneApp, type TestDataPlane } from '../helpers/data-plane-app.js';
import { generateRequest, histogram } from '../helpers/rw2-compliance.js';

let dp: TestDataPlane;
const ON = 'ct-on';
const OFF = 'ct-off';
const now = Date.now() - 60_000;

beforeAll(async () => {
  dp = await buildDataPlaneApp();
  dp.limits.replace(new Map([[ON, { created_timestamp_zero_ingestion_enabled: 1 }]]));
});
afterAll(() => dp?.close());

async function pushRw2(
  tenant: string,
  r: { headers: Record<string, string>; body: Uint8Array },
  written = { samples: 1, histograms: 0 },
): Promise<void> {
  const res = await dp.app.inject({
    method: 'POST',
    url: '/api/v1/push',
    headers: { ...r.headers, authorization: `Bearer ${dp.token(tenant)}` },
    payload: Buffer.from(r.body),
  });
  expect(res.statusCode, res.body).toBe(204);
  // The zero is not one of the client's samples: the written counts are the request's.
  expect(res.headers['x-prometheus-remote-write-samples-written']).toBe(String(written.samples));
  expect(res.headers['x-prometheus-remote-write-histograms-written']).toBe(String(written.histograms));
}

/** [seconds, value] points of `selector` over the last 10 minutes before `at`. */
async function points(tenant: string, selector: string, at = now + 1): Promise<[number, string][]> {
  const r = await dp.get(tenant, '/prometheus/api/v1/query', { query: `${selector}[10m]`, time: String(at / 1000) });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return (r.json.data.result[0]?.values ?? []) as [number, string][];
}

describe('remote write 2.0 start_timestamp', () => {
  const counter = (name: string, value: number, t: number, ct?: number) =>
    generateRequest({ samples: [{ labels: { __name__: name, job: 'api' }, value, createdTimestamp: ct }] }, t);

  it.each([
    {
      name: 'on: a zero at the created timestamp',
      tenant: ON,
      ct: now - 30_000,
      want: [
        [now - 30_000, '0'],
        [now, '5'],
      ],
    },
    { name: 'off: only the sample', tenant: OFF, ct: now - 30_000, want: [[now, '5']] },
    { name: 'on, created timestamp equal to the sample: only the sample', tenant: ON, ct: now, want: [[now, '5']] },
  ])('$name', async ({ tenant, ct, want }) => {
    const metric = `ct_${tenant.replace('-', '_')}_${ct === now ? 'eq' : 'lt'}_total`;
    // generateRequest's `now` is the sample timestamp; offsets are 0.
    await pushRw2(tenant, counter(metric, 5, now, ct));
    expect(await points(tenant, metric)).toEqual(want.map(([t, v]) => [(t as number) / 1000, v]));
  });

  it('a created timestamp older than what the series holds adds nothing; a restart (newer one) does', async () => {
    const metric = 'ct_restart_total';
    await pushRw2(ON, counter(metric, 5, now - 20_000, now - 40_000));
    await pushRw2(ON, counter(metric, 8, now - 10_000, now - 40_000));
    await pushRw2(ON, counter(metric, 1, now, now - 5_000));
    expect(await points(ON, metric)).toEqual([
      [(now - 40_000) / 1000, '0'],
      [(now - 20_000) / 1000, '5'],
      [(now - 10_000) / 1000, '8'],
      [(now - 5_000) / 1000, '0'],
      [now / 1000, '1'],
    ]);
  });

  it('a native histogram gets an empty histogram at its created timestamp', async () => {
    const r = generateRequest(
      {
        histograms: [
          {
            labels: { __name__: 'ct_hist', job: 'api' },
            histogram: histogram(1.5, true, false, true, false, false),
            createdTimestamp: now - 30_000,
          },
        ],
      },
      now,
    );
    await pushRw2(ON, r, { samples: 0, histograms: 1 });
    const c = await dp.get(ON, '/prometheus/api/v1/query', {
      query: 'count_over_time(ct_hist[10m])',
      time: String((now + 1) / 1000),
    });
    expect(c.json.data.result.map((x: any) => x.value[1])).toEqual(['2']);
    const zero = await dp.get(ON, '/prometheus/api/v1/query', {
      query: 'histogram_count(ct_hist)',
      time: String((now - 30_000) / 1000),
    });
    expect(zero.json.data.result.map((x: any) => x.value[1])).toEqual(['0']);
  });
});

describe('OTLP start_time_unix_nano', () => {
  const ns = (ms: number) => `${ms}000000`;
  const body = (name: string, startMs: number, tMs: number) =>
    JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name,
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [{ startTimeUnixNano: ns(startMs), timeUnixNano: ns(tMs), asDouble: 4 }],
                  },
                },
                {
                  name: `${name}.gauge`,
                  gauge: { dataPoints: [{ startTimeUnixNano: ns(startMs), timeUnixNano: ns(tMs), asDouble: 2 }] },
                },
              ],
            },
          ],
        },
      ],
    });
  const send = async (tenant: string, name: string) => {
    const res = await dp.app.inject({
      method: 'POST',
      url: '/otlp/v1/metrics',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${dp.token(tenant)}` },
      payload: body(name, now - 30_000, now),
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  it('on: the counter gets a zero at its start, the gauge does not', async () => {
    await send(ON, 'otel.jobs');
    expect(await points(ON, 'otel_jobs_total')).toEqual([
      [(now - 30_000) / 1000, '0'],
      [now / 1000, '4'],
    ]);
    expect(await points(ON, 'otel_jobs_gauge')).toEqual([[now / 1000, '2']]);
  });

  it('off: only the points', async () => {
    await send(OFF, 'otel.jobs');
    expect(await points(OFF, 'otel_jobs_total')).toEqual([[now / 1000, '4']]);
  });
});

describe('created timestamps between distributor and ingester in split mode', () => {
  it('travel in the internal push and are ignored in a remote-write 1.0 body', () => {
    const req = {
      timeseries: [
        {
          labels: Labels.fromObject({ __name__: 'c_total' }),
          samples: [{ t: 1_000, v: 1 }],
          histograms: [],
          exemplars: [],
          createdTimestamps: [400, 2 ** 41],
        },
      ],
      metadata: [],
    };
    const bytes = encodeWriteRequest(req).slice();
    expect(decodeInternalPush(snappyEncode(bytes)).timeseries[0]!.createdTimestamps).toEqual([400, 2 ** 41]);
    expect(decodeWriteRequest(bytes).timeseries[0]!.createdTimestamps).toBeUndefined();
  });
});
