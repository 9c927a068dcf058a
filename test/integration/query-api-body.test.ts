/**
 * Requests that fail before a query handler runs (the form body) still answer in Prometheus's error
 * envelope with a 4xx, never fastify's own shape or a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataPlaneApp, type TestDataPlane } from '../helpers/data-plane-app.js';

let h: TestDataPlane;
beforeAll(async () => {
  h = await buildDataPlaneApp();
});
afterAll(() => h?.close());

describe('query API request bodies', () => {
  const cases = [
    { name: 'a form body over the limit', body: `query=${'a'.repeat(5 << 20)}` },
    {
      name: 'a form body of a 128 KiB query in 4-byte characters',
      body: `query=${encodeURIComponent('😀'.repeat(32 << 10))}`,
    },
  ];
  it.each(cases)('$name', async ({ body }) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/prometheus/api/v1/query',
      headers: { authorization: `Bearer ${h.token('acme')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: body,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });
});
