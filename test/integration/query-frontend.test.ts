/**
 * The query-frontend (day splitting + results cache) returns exactly what the querier returns for the
 * unsplit query, over the real engine and ingester (property test with a seeded PRNG).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTenantId } from '../../data-plane/model/index.js';
import { toApiData } from '../../data-plane/promql/index.js';
import { buildDataPlaneApp, type TestDataPlane } from '../helpers/data-plane-app.js';

const DAY = 86_400_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % DAY);
const NOW = T0 + 4 * DAY + 7 * 3_600_000;
const tenant = parseTenantId('acme');
let h: TestDataPlane;

beforeAll(async () => {
  h = await buildDataPlaneApp({ clock: { now: () => NOW } });
  const series = [];
  for (let i = 0; i < 6; i++) {
    const samples = [];
    // A gap every few hours so absent steps also cross split boundaries.
    for (let t = T0; t <= NOW; t += 300_000)
      if ((t / 300_000 + i) % 37 !== 0) samples.push({ value: (t - T0) / 1000 + i, timestamp: t });
    series.push({ labels: { __name__: 'metric_total', instance: `i${i}`, job: i % 2 ? 'a' : 'b' }, samples });
  }
  expect((await h.push('acme', series)).status).toBe(204);
});
afterAll(() => h.close());

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const QUERIES = [
  'metric_total',
  'sum by (job) (rate(metric_total[15m]))',
  'max_over_time(metric_total[1h])',
  'avg_over_time(rate(metric_total[10m])[1h:5m])',
  'metric_total offset 1d',
];

describe('query-frontend equals the unsplit query', () => {
  it('on random ranges and steps, cold and cached', async () => {
    const r = rng(1234);
    for (let i = 0; i < 25; i++) {
      const q = QUERIES[i % QUERIES.length]!;
      const step = [60_000, 300_000, 900_000, 3_600_000, 420_000][Math.floor(r() * 5)]!;
      const end = NOW - Math.floor(r() * DAY);
      const start = Math.max(T0, end - Math.floor(r() * 3.5 * DAY));
      const direct = await h.dp.querier.rangeQuery(tenant, q, start, end, step);
      for (const pass of ['cold', 'cached']) {
        const viaFrontend = await h.dp.frontend.rangeQuery(tenant, q, start, end, step);
        expect(toApiData(viaFrontend.value as never), `${pass} ${q} ${start}..${end} step ${step}`).toEqual(
          toApiData(direct.value),
        );
      }
    }
  });
});

describe('a query refused before it is evaluated', () => {
  // found by the query-params fuzzer (seed 7, after 550,000 inputs): each of these was a correct 400,
  // but kept one of the tenant's slots in the frontend's queue, and the tenant's fifth query waited
  // forever (the querier refused the range synchronously, which the queue did not expect)
  it.each([
    ['an unparseable query', 'up{'],
    ['a query the frontend does not split', 'up @ start()'],
  ])('over a range past max_query_length (%s) leaves the queue serving', async (_what, query) => {
    const long = { query, start: '0', end: '10000000000', step: '1000000000' };
    for (let i = 0; i < 6; i++) {
      const r = await answered(h.get('acme', '/prometheus/api/v1/query_range', long));
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(/err-cortex-max-query-length/);
    }
    const ok = await answered(
      h.get('acme', '/prometheus/api/v1/query_range', { query: 'metric_total', start: '0', end: '60', step: '15' }),
    );
    expect(ok.status).toBe(200);
  });
});

/** The answer, or a failure naming the hang (instead of the test's own timeout). */
function answered<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer after 20 s: the query waits for a queue slot')), 20_000);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}
