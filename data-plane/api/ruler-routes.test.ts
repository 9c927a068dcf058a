import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialSource, Principal, Scope } from '../gateway/index.js';
import { parseTenantId } from '../model/index.js';
import { MemoryRuleBackend, Ruler, StaticRuleGroupSource } from '../ruler/index.js';
import { rulerRoutes } from './ruler-routes.js';

const A = parseTenantId('tenant-a');
const B = parseTenantId('tenant-b');
const T0 = 1_700_000_040_000;

const tokens = new Map<string, Principal>([
  ['read-a', principal(A, ['metrics:read'])],
  ['rules-a', principal(A, ['rules:read'])],
  ['write-a', principal(A, ['metrics:write'])],
  ['read-b', principal(B, ['metrics:read'])],
]);

function principal(tenantId: typeof A, scopes: Scope[]): Principal {
  return { tenantId, tokenId: `t-${tenantId}`, scopes, tenantStatus: 'active', expiresAtMs: null };
}

const credentials: CredentialSource = { authenticate: async (t) => tokens.get(t) };
const app = Fastify();

beforeAll(async () => {
  const backend = new MemoryRuleBackend();
  const source = new StaticRuleGroupSource();
  source.set(A, [
    {
      namespace: 'team/ns',
      group: {
        name: 'g1',
        rules: [
          { record: 'r:one', expr: 'vector(1)' },
          { alert: 'Always', expr: 'vector(1)', annotations: { summary: 'value {{ $value }}' } },
          { record: 'r:broken', expr: '"s"' },
        ],
      },
    },
  ]);
  const ruler = new Ruler({
    source,
    query: backend.query,
    writer: backend,
    limits: { get: () => 0 },
    clock: { now: () => T0 },
  });
  ruler.sync();
  await ruler.evaluateAll(T0);
  await app.register(rulerRoutes, { prefix: '/prometheus', ruler, credentials });
  await app.ready();
});
afterAll(() => app.close());

const get = (url: string, token?: string) =>
  app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('ruler routes', () => {
  it('GET /api/v1/rules lists groups with file = namespace, health and errors', async () => {
    const res = await get('/prometheus/api/v1/rules', 'read-a');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('success');
    const [g] = body.data.groups;
    expect(g).toMatchObject({ name: 'g1', file: 'team/ns', interval: 60, lastEvaluation: new Date(T0).toISOString() });
    expect(g.rules.map((r: { name: string; type: string; health: string }) => [r.name, r.type, r.health])).toEqual([
      ['r:one', 'recording', 'ok'],
      ['Always', 'alerting', 'ok'],
      ['r:broken', 'recording', 'err'],
    ]);
    expect(g.rules[1]).toMatchObject({
      state: 'firing',
      annotations: { summary: 'value {{ $value }}' },
      alerts: [
        { labels: { alertname: 'Always' }, annotations: { summary: 'value 1' }, state: 'firing', value: '1e+00' },
      ],
    });
    expect(g.rules[2].lastError).toBe('rule result is not a vector or scalar');
  });

  it.each([
    { name: 'type=record', q: 'type=record', want: ['r:one', 'r:broken'] },
    { name: 'type=alert', q: 'type=alert', want: ['Always'] },
    { name: 'rule_name[]', q: 'rule_name[]=r:one&rule_name[]=Always', want: ['r:one', 'Always'] },
    { name: 'rule_group[] miss', q: 'rule_group[]=other', want: [] },
    { name: 'file[]', q: `file[]=${encodeURIComponent('team/ns')}`, want: ['r:one', 'Always', 'r:broken'] },
  ])('filters: $name', async ({ q, want }) => {
    const res = await get(`/prometheus/api/v1/rules?${q}`, 'read-a');
    const names = res.json().data.groups.flatMap((g: { rules: { name: string }[] }) => g.rules.map((r) => r.name));
    expect(names).toEqual(want);
  });

  it('rejects a bad type filter with bad_data', async () => {
    const res = await get('/prometheus/api/v1/rules?type=nope', 'read-a');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });

  it('GET /api/v1/alerts lists active alerts; rules:read is enough', async () => {
    const res = await get('/prometheus/api/v1/alerts', 'rules-a');
    expect(res.statusCode).toBe(200);
    expect(res.json().data.alerts).toEqual([
      {
        labels: { alertname: 'Always' },
        annotations: { summary: 'value 1' },
        state: 'firing',
        activeAt: new Date(T0).toISOString(),
        value: '1e+00',
      },
    ]);
  });

  it.each([
    { name: 'no token', token: undefined, status: 401 },
    { name: 'unknown token', token: 'nope', status: 401 },
    { name: 'write-only token', token: 'write-a', status: 403 },
  ])('auth: $name → $status', async ({ token, status }) => {
    expect((await get('/prometheus/api/v1/rules', token)).statusCode).toBe(status);
  });

  it('another tenant sees none of these rules or alerts', async () => {
    expect((await get('/prometheus/api/v1/rules', 'read-b')).json().data.groups).toEqual([]);
    expect((await get('/prometheus/api/v1/alerts', 'read-b')).json().data.alerts).toEqual([]);
  });
});
