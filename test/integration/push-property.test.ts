/**
 * A fast-check property over remote write 1.0 and 2.0 pushes through the real HTTP route,
 * distributor and ingester: generated requests (valid and invalid names under both name validation
 * schemes, empty and duplicate labels, timestamps too far ahead, NaN and infinite values, native
 * histograms with a wrong count) and byte mutations of them are answered 204 or 400, never 5xx, and
 * what the server acknowledged is queryable through PromQL: all of a 204, and exactly the written
 * counts of a 2.0 partial 400. Seeded and bounded (a few hundred bodies) so CI time stays small;
 * each run writes to a fresh tenant, so runs do not interfere.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FloatHistogram, isStaleNaN } from '../../data-plane/model/index.js';
import {
  decodeWriteRequest,
  decodeWriteRequestV2,
  type EncodableSeries,
  encodeWriteRequest,
  encodeWriteRequestV2,
  snappyDecode,
  snappyEncode,
  type WireWriteRequest,
} from '../../data-plane/remotewrite/index.js';
import { normalizeLabels } from '../../data-plane/validation/index.js';
import { buildDataPlaneApp, type TestDataPlane } from '../helpers/data-plane-app.js';

const NOW = Date.now() - 10 * 60_000;
/** The PromQL window that counts stored samples: (END - 1h, END]. */
const END = NOW + 5 * 60_000;
const V1_TYPE = 'application/x-protobuf';
const V2_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

let dp: TestDataPlane;
const utf8Tenants = new Map<string, { name_validation_scheme: number }>();
beforeAll(async () => {
  dp = await buildDataPlaneApp();
});
afterAll(() => dp?.close());

const histogram = (count: number): FloatHistogram => ({
  counterResetHint: 'unknown',
  schema: 0,
  zeroThreshold: 0,
  zeroCount: 1,
  count,
  sum: 2,
  positiveSpans: [{ offset: 0, length: 2 }],
  negativeSpans: [],
  positiveBuckets: [1, 1],
  negativeBuckets: [],
});

// Mostly valid, so both answers are common: names valid only under utf8, and a few never valid.
const labelName = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('job', 'instance', 'le') },
  { weight: 3, arbitrary: fc.constantFrom('a.b', 'service name', 'héllo') },
  { weight: 1, arbitrary: fc.constantFrom('', '__name__') },
);
const mostly = fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const labelValue = fc.constantFrom('x', 'api', '', 'ü', 'a\nb');
const metricName = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('up', 'http_requests_total') },
  { weight: 3, arbitrary: fc.constant('http.server.duration') },
  { weight: 1, arbitrary: fc.constant('') },
);
const timestamp = fc.oneof(
  { weight: 40, arbitrary: fc.integer({ min: 0, max: 3000 }).map((s) => NOW - s * 1000) },
  { weight: 1, arbitrary: fc.constant(NOW + 30 * 60_000) }, // beyond the creation grace period
);
const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0),
);
const series: fc.Arbitrary<EncodableSeries> = fc
  .record({
    name: fc.option(metricName, { nil: undefined, freq: 20 }),
    labels: fc.oneof(
      {
        weight: 9,
        arbitrary: fc.uniqueArray(fc.tuple(labelName, labelValue), { maxLength: 3, selector: (l) => l[0] }),
      },
      { weight: 1, arbitrary: fc.array(fc.tuple(labelName, labelValue), { maxLength: 3 }) },
    ),
    samples: fc.array(fc.record({ t: timestamp, v: value }), { maxLength: 3 }),
    histograms: fc.array(fc.record({ t: timestamp, ok: mostly }), { maxLength: 1 }),
  })
  .map(({ name, labels, samples, histograms }) => ({
    labels: [...(name === undefined ? [] : ['__name__', name]), ...labels.flat()],
    // In time order, as senders send them (the ingester refuses out-of-order samples).
    samples: samples.sort((a, b) => a.t - b.t),
    histograms: histograms.map(({ t, ok }) => ({ t, integer: true, h: histogram(ok ? 3 : 7) })),
  }));
const mutation = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
  },
);

/** Distinct (series, timestamp) points of a decoded request inside the counting window. */
function pointsInWindow(wire: WireWriteRequest): number {
  const seen = new Set<string>();
  for (const ts of wire.timeseries) {
    const key = normalizeLabels(ts.labels.slice()).join('\xff');
    const ok = (t: number) => t > END - 3_600_000 && t <= END;
    for (const s of ts.samples) if (ok(s.t) && !isStaleNaN(s.v)) seen.add(`${key}\xfe${s.t}`);
    for (const h of ts.histograms) if (ok(h.t)) seen.add(`${key}\xfe${h.t}`);
  }
  return seen.size;
}

async function storedInWindow(tenant: string): Promise<number> {
  const r = await dp.get(tenant, '/prometheus/api/v1/query', {
    query: 'sum(count_over_time({__name__=~".+"}[1h]))',
    time: String(END / 1000),
  });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return Number(r.json.data.result[0]?.value[1] ?? 0);
}

let run = 0;
describe('remote write property: no 5xx, everything acknowledged is queryable', () => {
  it('holds for generated and mutated 1.0 and 2.0 bodies', async () => {
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(series, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('1.0', '2.0'),
        fc.boolean(),
        mutation,
        async (timeseries, version, utf8, mutations) => {
          const tenant = `prop-${run++}`;
          if (utf8) {
            utf8Tenants.set(tenant, { name_validation_scheme: 1 });
            dp.limits.replace(new Map(utf8Tenants));
          }
          const raw = (version === '1.0' ? encodeWriteRequest : encodeWriteRequestV2)({ timeseries }).slice();
          for (const [i, b] of mutations ?? []) if (raw.length > 0) raw[i % raw.length] = b;
          const res = await dp.app.inject({
            method: 'POST',
            url: '/api/v1/push',
            headers: {
              authorization: `Bearer ${dp.token(tenant)}`,
              'content-type': version === '1.0' ? V1_TYPE : V2_TYPE,
              'content-encoding': 'snappy',
            },
            payload: Buffer.from(snappyEncode(raw)),
          });
          const kind = `${version} ${mutations ? 'mutated' : 'generated'} ${res.statusCode}`;
          statuses.set(kind, (statuses.get(kind) ?? 0) + 1);
          expect([204, 400], res.body).toContain(res.statusCode);

          // What the server decoded from these bytes (a body it could not decode stores nothing).
          let wire: WireWriteRequest | undefined;
          try {
            const bytes = snappyDecode(snappyEncode(raw), 1 << 24);
            wire = version === '1.0' ? decodeWriteRequest(bytes) : decodeWriteRequestV2(bytes);
          } catch {
            wire = undefined;
          }
          const stored = await storedInWindow(tenant);
          if (res.statusCode === 204) {
            expect(wire, 'a 204 for a body our decoder refuses').toBeDefined();
            expect(stored).toBe(pointsInWindow(wire!));
          } else if (wire === undefined) {
            expect(stored).toBe(0);
          } else if (version === '2.0') {
            const written =
              Number(res.headers['x-prometheus-remote-write-samples-written']) +
              Number(res.headers['x-prometheus-remote-write-histograms-written']);
            // Mutated timestamps may fall outside the counting window.
            if (mutations === undefined) expect(stored).toBe(written);
            else expect(stored).toBeLessThanOrEqual(written);
          } else {
            expect(stored).toBeLessThanOrEqual(pointsInWindow(wire));
          }
        },
      ),
      { numRuns: 400, seed: 21 },
    );
    // The generators reach both answers for both protocols.
    const seen = [...statuses.keys()].join(', ');
    for (const k of [
      '1.0 generated 204',
      '1.0 generated 400',
      '2.0 generated 204',
      '2.0 generated 400',
      '2.0 mutated 400',
    ])
      expect(seen).toContain(k);
  }, 120_000);
});
