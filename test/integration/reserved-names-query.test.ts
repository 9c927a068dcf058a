/**
 * Label names, label values and metric names that are also members of Object.prototype are ordinary
 * names on the data path: remote write, the series, labels, label values, query, metadata and
 * cardinality APIs return them as sent (DESIGN.md: labels are never plain objects keyed by name).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataPlaneApp, type TestDataPlane } from '../helpers/data-plane-app.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;
/** Own keys even for `__proto__` (an object literal would set the prototype instead). */
const obj = (pairs: [string, string][]): Record<string, string> => Object.fromEntries(pairs);

let dp: TestDataPlane;
const now = Date.now();
const time = String(now / 1000);
/** One series carrying every name as a label, with the name itself as value too. */
const WIDE = obj([['__name__', 'wide'], ...NAMES.map((n): [string, string] => [n, n])]);

beforeAll(async () => {
  dp = await buildDataPlaneApp();
  const series = [
    { labels: WIDE, samples: [{ value: 1, timestamp: now }] },
    // One series per name, as its metric name.
    ...NAMES.map((n) => ({
      labels: obj([
        ['__name__', n],
        ['job', n],
      ]),
      samples: [{ value: 2, timestamp: now }],
    })),
  ];
  const metadata = NAMES.map((n) => ({ type: 1, metricFamilyName: n, help: `help of ${n}`, unit: '' }));
  const res = await dp.app.inject({
    method: 'POST',
    url: '/api/v1/push',
    headers: remoteWriteHeaders(dp.token('acme')),
    payload: Buffer.from(remoteWriteBody(series, metadata)),
  });
  expect(res.statusCode).toBe(204);
});
afterAll(() => dp?.close());

const get = (path: string, query: Record<string, string | string[]> = {}) => dp.get('acme', path, query);
const keys = (o: object) => Object.keys(o).sort();

describe('series and labels APIs', () => {
  it('/series returns every label as an own key', async () => {
    const r = await get('/prometheus/api/v1/series', { 'match[]': 'wide' });
    expect(r.status).toBe(200);
    expect(r.json.data).toHaveLength(1);
    expect(keys(r.json.data[0])).toEqual(keys(WIDE));
    for (const n of NAMES) expect(Object.hasOwn(r.json.data[0], n) && r.json.data[0][n]).toBe(n);
  });

  it('/labels lists every name', async () => {
    const r = await get('/prometheus/api/v1/labels');
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual(expect.arrayContaining([...NAMES]));
  });

  it.each(NAMES)('/label/%s/values', async (n) => {
    const r = await get(`/prometheus/api/v1/label/${n}/values`);
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual([n]);
  });
});

describe('query API', () => {
  it.each(NAMES)('selects and returns the label %s', async (n) => {
    const r = await get('/prometheus/api/v1/query', { query: `wide{${n}="${n}"}`, time });
    expect(r.status).toBe(200);
    expect(r.json.data.result).toHaveLength(1);
    expect(keys(r.json.data.result[0].metric)).toEqual(keys(WIDE));
  });

  it.each(NAMES)('selects the metric named %s by __name__', async (n) => {
    const r = await get('/prometheus/api/v1/query', { query: `{__name__="${n}"}`, time });
    expect(r.status).toBe(200);
    expect(r.json.data.result.map((s: { metric: Record<string, string> }) => s.metric)).toEqual([
      obj([
        ['__name__', n],
        ['job', n],
      ]),
    ]);
  });

  it('groups by and drops these names', async () => {
    const by = await get('/prometheus/api/v1/query', { query: `count by (${NAMES.join(', ')}) (wide)`, time });
    expect(by.status).toBe(200);
    expect(keys(by.json.data.result[0].metric)).toEqual([...NAMES].sort());
    const without = await get('/prometheus/api/v1/query', {
      query: 'sum without (__proto__, constructor) (wide)',
      time,
    });
    expect(keys(without.json.data.result[0].metric)).toEqual(['hasOwnProperty', 'toString', 'valueOf']);
  });

  it('query_range returns the labels', async () => {
    const r = await get('/prometheus/api/v1/query_range', {
      query: 'wide',
      start: String(now / 1000 - 60),
      end: time,
      step: '15',
    });
    expect(r.status).toBe(200);
    expect(keys(r.json.data.result[0].metric)).toEqual(keys(WIDE));
  });
});

describe('metadata and cardinality APIs', () => {
  it('/metadata keys metric families by these names', async () => {
    const r = await get('/prometheus/api/v1/metadata');
    expect(r.status).toBe(200);
    expect(keys(r.json.data)).toEqual([...NAMES].sort());
    for (const n of NAMES) {
      const one = await get('/prometheus/api/v1/metadata', { metric: n });
      expect(one.json.data[n]).toEqual([{ type: 'counter', help: `help of ${n}`, unit: '' }]);
    }
  });

  it('cardinality reports count these label names', async () => {
    const names = await get('/prometheus/api/v1/cardinality/label_names');
    expect(names.status).toBe(200);
    const counted = names.json.data.cardinality.map((c: { label_name: string }) => c.label_name);
    expect(counted).toEqual(expect.arrayContaining([...NAMES]));
    const values = await get('/prometheus/api/v1/cardinality/label_values', { 'label_names[]': [...NAMES] });
    expect(values.status).toBe(200);
    for (const l of values.json.data.labels) {
      expect(l.cardinality).toEqual([{ label_value: l.label_name, series_count: 1 }]);
    }
  });
});
