import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Labels, parseTenantId, type TenantId } from '../model/index.js';
import type { InstanceDesc } from '../ring/index.js';
import { ClusterAuth } from './internal-auth.js';
import {
  internalQuerierRoutes,
  type QueryAnswer,
  type QueryValue,
  queriersOf,
  RemoteQuerier,
} from './internal-querier.js';

const auth = new ClusterAuth('querier-test-secret-0123456789');
const T = 'tenant-q' as TenantId;
const h = {
  count: 2,
  sum: 3,
  schema: 1,
  zeroThreshold: 0,
  zeroCount: 0,
  positiveSpans: [{ offset: 0, length: 1 }],
  positiveBuckets: [2],
  negativeSpans: [],
  negativeBuckets: [],
  counterResetHint: 'unknown' as const,
};
const values: Record<string, QueryValue> = {
  scalar: { type: 'scalar', t: 1000, v: Number.NaN },
  string: { type: 'string', t: 1000, v: 'hi' },
  vector: {
    type: 'vector',
    samples: [
      { labels: Labels.fromObject({ a: '1' }), t: 2 ** 53 - 1, v: 1.5 },
      { labels: Labels.EMPTY, t: 5, h },
    ],
  },
  matrix: {
    type: 'matrix',
    series: [
      {
        labels: Labels.fromObject({ __name__: 'm', b: 'x' }),
        floats: [
          { t: 1, v: Number.POSITIVE_INFINITY },
          { t: 2, v: -0.5 },
        ],
        histograms: [{ t: 3, h }],
      },
    ],
  },
};

describe('internal querier API', () => {
  const app = Fastify({ logger: false });
  let url = '';
  const seen: string[] = [];
  beforeAll(async () => {
    const answer = (q: string): QueryAnswer => {
      if (q === 'bad') throw Object.assign(new Error('x'), {});
      return { value: values[q], warnings: ['w'], infos: [], stats: { samplesLoaded: 7 } };
    };
    await internalQuerierRoutes(app, {
      auth,
      querier: {
        instantQuery: async (t, q, time) => {
          seen.push(`${t} ${q} @${time}`);
          return answer(q);
        },
        rangeQuery: async (t, q, s, e, st) => {
          seen.push(`${t} ${q} ${s}..${e}/${st}`);
          return answer(q);
        },
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const a = app.server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => app.close());

  const inst = (addr: string): InstanceDesc => ({
    id: addr,
    addr,
    zone: '',
    state: 'ACTIVE',
    tokens: [1],
    heartbeatMs: 0,
    registeredMs: 0,
  });

  it('round-trips every value type exactly', async () => {
    const rq = new RemoteQuerier(() => [inst(url)], auth);
    for (const [name, v] of Object.entries(values)) {
      const got = await rq.instantQuery(T, name, 1000);
      expect(got.warnings).toEqual(['w']);
      expect(got.stats).toEqual({ samplesLoaded: 7 });
      const norm = (x: unknown) =>
        JSON.stringify(x, (_k, val) => (val instanceof Labels ? val.toString() : Number.isNaN(val) ? 'NaN' : val));
      expect(JSON.parse(norm(got.value)), name).toEqual(JSON.parse(norm(v)));
    }
    await rq.rangeQuery(T, 'matrix', 0, 60_000, 15_000);
    expect(seen).toContain(`${T} matrix 0..60000/15000`);
  });

  it('skips an unreachable querier, maps errors to kinds, and needs the cluster secret', async () => {
    const rq = new RemoteQuerier(() => [inst('http://127.0.0.1:1'), inst(url)], auth);
    expect((await rq.instantQuery(T, 'string', 1)).value).toEqual(values.string);
    await expect(rq.instantQuery(T, 'bad', 1)).rejects.toMatchObject({ kind: 'internal' });
    const res = await fetch(`${url}/internal/querier/query`, {
      method: 'POST',
      headers: { 'x-scope-orgid': T },
      body: '{"query":"scalar","time":1}',
    });
    expect(res.status).toBe(401);
  });
});

describe('queriersOf (max_queriers_per_tenant)', () => {
  const all: InstanceDesc[] = ['q1', 'q2', 'q3', 'q4', 'q5'].map((id) => ({
    id,
    addr: `http://${id}`,
    zone: '',
    state: 'ACTIVE',
    tokens: [1],
    heartbeatMs: 0,
    registeredMs: 0,
  }));
  const cases = [
    { name: 'all when unlimited', n: 0, want: 5 },
    { name: 'all when the limit is at least the count', n: 9, want: 5 },
    { name: 'a subset of the limit', n: 2, want: 2 },
  ];
  it.each(cases)('$name', ({ n, want }) => {
    expect(queriersOf(parseTenantId('acme'), all, n)).toHaveLength(want);
  });
  it('is stable per tenant, differs between tenants, and keeps most choices when a querier leaves', () => {
    const pick = (t: string, list = all) => queriersOf(parseTenantId(t), list, 2).map((i) => i.id);
    expect(pick('acme')).toEqual(pick('acme'));
    const tenants = Array.from({ length: 20 }, (_, i) => `t${i}`);
    expect(new Set(tenants.map((t) => pick(t).join())).size).toBeGreaterThan(3);
    const gone = pick('acme')[0]!;
    expect(
      pick(
        'acme',
        all.filter((i) => i.id !== gone),
      ),
    ).toContain(pick('acme')[1]);
  });
});
