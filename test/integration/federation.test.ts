/**
 * Federated queries (issue #23 part 1) through the real HTTP gateway of the whole platform, with the
 * control plane on a real PostgreSQL: a token's federation grant decides which tenants
 * `X-Scope-OrgID: a|b|c` (or `?tenants=`) may read; results carry `__tenant_id__`; without a grant a
 * token never reads another tenant; the query-frontend's cache is keyed by the tenant set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import {
  type FixtureMetadata,
  type FixtureSeries,
  remoteWriteBody,
  remoteWriteHeaders,
} from '../helpers/remote-write.js';
import { requireService } from '../helpers/require-service.js';
import { createDatabase } from './control-plane/harness.js';

const pgUrl = requireService('pgUrl');
const NOW = Date.now();
const MIN = 60_000;
// old enough for the results cache (10 min freshness), recent enough for the head
const T = Math.floor((NOW - 60 * MIN) / MIN) * MIN;

let p: TestPlatform;
let drop: () => Promise<void>;
const tokens: Record<string, string> = {};

async function push(token: string, series: FixtureSeries[], metadata: FixtureMetadata[] = []): Promise<void> {
  const res = await fetch(`${p.url}/api/v1/push`, {
    method: 'POST',
    headers: remoteWriteHeaders(token),
    body: remoteWriteBody(series, metadata),
  });
  expect(res.status, await res.text()).toBe(204);
}

function series(name: string, labels: Record<string, string>, value: number, from = T): FixtureSeries {
  const samples = [];
  for (let t = from; t <= T + 30 * MIN; t += MIN) samples.push({ value, timestamp: t });
  return { labels: { __name__: name, ...labels }, samples };
}

async function get(path: string, token: string, orgId?: string) {
  const res = await fetch(`${p.url}/prometheus/api/v1/${path}`, {
    headers: { authorization: `Bearer ${token}`, ...(orgId === undefined ? {} : { 'x-scope-orgid': orgId }) },
  });
  return { status: res.status, json: (await res.json()) as any };
}

const at = (T + 20 * MIN) / 1000;
const instant = (q: string) => `query?query=${encodeURIComponent(q)}&time=${at}`;
const range = (q: string) =>
  `query_range?query=${encodeURIComponent(q)}&start=${T / 1000}&end=${(T + 30 * MIN) / 1000}&step=60`;
const tenantsOfResult = (json: any): string[] =>
  json.data.result.map((s: any) => s.metric.__tenant_id__ ?? '(none)').sort();

describe.skipIf(!pgUrl)('federated queries through the gateway (real PostgreSQL)', () => {
  beforeAll(async () => {
    const db = await createDatabase(pgUrl!);
    drop = db.drop;
    p = await startPlatform({ postgresUrl: db.url });
    for (const t of ['fed-a', 'fed-b', 'fed-c']) {
      const w = await p.tenantToken(t, ['metrics:write']);
      // fed-b's series already has a __tenant_id__ label of its own
      const extra: Record<string, string> = t === 'fed-b' ? { __tenant_id__: 'mine' } : {};
      const s = series('fed_up', { job: 'fed', ...extra }, t.charCodeAt(4));
      s.exemplars = [{ labels: { trace_id: `trace-of-${t}` }, value: 1, timestamp: T + 10 * MIN }];
      await push(w, [s], [{ type: 2, metricFamilyName: 'fed_up', help: `help of ${t}`, unit: '' }]);
      tokens[t] = await p.tenantToken(t, ['metrics:read']);
    }
    const grant = async (tenant: string, federate: string[], scopes = ['metrics:read']) => {
      const r = await p.admin('POST', `/tenants/${tenant}/tokens`, { scopes, federate, name: 'grafana' });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      return r.json as { token: string; federate: string[] };
    };
    const ab = await grant('fed-a', ['fed-b']);
    expect(ab.federate).toEqual(['fed-a', 'fed-b']);
    tokens.ab = ab.token;
    tokens.abc = (await grant('fed-a', ['fed-a', 'fed-b', 'fed-c'])).token;
  });
  afterAll(async () => {
    await p?.close();
    await drop?.();
  });

  it('answers a covered tenant set, every series labelled with its tenant', async () => {
    const r = await get(instant('fed_up'), tokens.ab!, 'fed-a|fed-b');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(tenantsOfResult(r.json)).toEqual(['fed-a', 'fed-b']);
    const b = r.json.data.result.find((s: any) => s.metric.__tenant_id__ === 'fed-b');
    expect(b.metric.original___tenant_id__).toBe('mine');
    // the same through ?tenants= for clients that cannot set headers, and aggregated by tenant
    const q = await get(`${instant('sum by (__tenant_id__) (fed_up)')}&tenants=fed-b,fed-a`, tokens.ab!);
    expect(q.status).toBe(200);
    expect(q.json.data.result.map((s: any) => [s.metric.__tenant_id__, s.value[1]]).sort()).toEqual([
      ['fed-a', '97'],
      ['fed-b', '98'],
    ]);
  });

  it('refuses with 403 naming the tenants the token does not cover', async () => {
    const cases = [
      { name: 'grant lacks fed-c', token: 'ab', orgId: 'fed-a|fed-b|fed-c', missing: 'fed-c' },
      { name: 'no grant, other tenant', token: 'fed-a', orgId: 'fed-b', missing: 'fed-b' },
      { name: 'no grant, own and others', token: 'fed-a', orgId: 'fed-a|fed-b|fed-c', missing: 'fed-b, fed-c' },
      { name: 'unknown tenant', token: 'abc', orgId: 'fed-a|nobody', missing: 'nobody' },
    ];
    for (const c of cases) {
      for (const path of [instant('fed_up'), 'series?match[]=fed_up', 'labels', 'label/job/values']) {
        const r = await get(path, tokens[c.token]!, c.orgId);
        expect(r.status, `${c.name} ${path}`).toBe(403);
        expect(r.json.error).toContain(`token does not cover tenants: ${c.missing};`);
      }
    }
  });

  it('never lets a token without a grant read another tenant', async () => {
    const own = await get(instant('fed_up'), tokens['fed-a']!, 'fed-a');
    expect(own.status).toBe(200);
    // its own tenant only, as without the header: no __tenant_id__ on a single-tenant answer
    expect(tenantsOfResult(own.json)).toEqual(['(none)']);
    const param = await get(`${instant('fed_up')}&tenants=fed-b`, tokens['fed-a']!);
    expect(param.status).toBe(403);
    const ab = await get(instant('fed_up'), tokens.ab!);
    expect(tenantsOfResult(ab.json)).toEqual(['(none)']);
    expect(ab.json.data.result[0].value[1]).toBe('97');
  });

  it('reads only the tenants that __tenant_id__ matchers select', async () => {
    const cases = [
      { q: 'fed_up{__tenant_id__="fed-a"}', want: ['fed-a'] },
      { q: 'fed_up{__tenant_id__!="fed-a"}', want: ['fed-b', 'fed-c'] },
      { q: 'fed_up{__tenant_id__=~"fed-(b|c)"}', want: ['fed-b', 'fed-c'] },
      { q: 'fed_up{__tenant_id__="other"}', want: [] },
    ];
    for (const c of cases) {
      const r = await get(instant(c.q), tokens.abc!, 'fed-a|fed-b|fed-c');
      expect(r.status, c.q).toBe(200);
      expect(tenantsOfResult(r.json), c.q).toEqual(c.want);
    }
  });

  it('serves series, labels, label values, metadata and exemplars federated', async () => {
    const s = await get('series?match[]=fed_up{__tenant_id__=~"fed-a|fed-c"}', tokens.abc!, 'fed-a|fed-b|fed-c');
    expect(s.status).toBe(200);
    expect(s.json.data.map((m: any) => m.__tenant_id__)).toEqual(['fed-a', 'fed-c']);
    const l = await get('labels', tokens.ab!, 'fed-a|fed-b');
    expect(l.json.data).toEqual(['__name__', '__tenant_id__', 'job', 'original___tenant_id__']);
    const v = await get('label/__tenant_id__/values', tokens.abc!, 'fed-a|fed-b|fed-c');
    expect(v.json.data).toEqual(['fed-a', 'fed-b', 'fed-c']);
    // metadata of the tenants merged (it carries no tenant, as in Mimir)
    const m = await get('metadata?metric=fed_up', tokens.ab!, 'fed-a|fed-b');
    expect(m.json.data.fed_up.map((x: { help: string }) => x.help).sort()).toEqual(['help of fed-a', 'help of fed-b']);
    // exemplars: each series labelled with its tenant, and __tenant_id__ matchers choose the tenants
    const ex = (q: string) => `query_exemplars?query=${encodeURIComponent(q)}&start=${T / 1000}&end=${at}`;
    const e = await get(ex('fed_up'), tokens.ab!, 'fed-a|fed-b');
    expect(e.json.data.map((r: any) => [r.seriesLabels.__tenant_id__, r.exemplars[0].labels.trace_id]).sort()).toEqual([
      ['fed-a', 'trace-of-fed-a'],
      ['fed-b', 'trace-of-fed-b'],
    ]);
    const eb = await get(ex('fed_up{__tenant_id__="fed-b"}'), tokens.ab!, 'fed-a|fed-b');
    expect(eb.json.data.map((r: any) => r.seriesLabels.__tenant_id__)).toEqual(['fed-b']);
  });

  it('refuses malformed tenant lists with 400 saying why', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => `t${i}`).join('|');
    const cases = [
      { name: 'empty entry', orgId: 'fed-a||fed-b', says: 'empty tenant ID' },
      { name: 'trailing separator', orgId: 'fed-a|', says: 'empty tenant ID' },
      { name: '1,000 tenants', orgId: many, says: '1000 tenants, at most 100' },
      { name: 'duplicate', orgId: 'fed-a|fed-b|fed-a', says: 'tenant fed-a is listed twice' },
      { name: 'invalid ID', orgId: 'fed-a|bad/id', says: '"bad/id" is not a tenant ID' },
    ];
    for (const c of cases) {
      const r = await get(instant('fed_up'), tokens.abc!, c.orgId);
      expect(r.status, c.name).toBe(400);
      expect(r.json.errorType).toBe('bad_data');
      expect(r.json.error, c.name).toContain(c.says);
      expect(r.json.error).toContain('err-cortex-invalid-tenant-list');
    }
    const both = await get(`${instant('fed_up')}&tenants=fed-a,fed-c`, tokens.abc!, 'fed-a|fed-b');
    expect(both.status).toBe(400);
  });

  it('keys the query-frontend results cache by the tenant set', async () => {
    const q = range('count by (__tenant_id__) ({job="fed"})');
    const first = await get(q, tokens.abc!, 'fed-a|fed-b');
    expect(first.status).toBe(200);
    expect(tenantsOfResult(first.json)).toEqual(['fed-a', 'fed-b']);
    // a series fed-b writes now into the cached past: a cached answer cannot show it
    await push(await p.tenantToken('fed-b', ['metrics:write']), [series('fed_late', { job: 'fed' }, 1, T)]);
    const again = await get(q, tokens.abc!, 'fed-b|fed-a');
    expect(again.json.data.result.find((s: any) => s.metric.__tenant_id__ === 'fed-b').values[0][1]).toBe('1');
    // another tenant set (or one tenant) is another key: evaluated afresh, fed_late included
    const wider = await get(q, tokens.abc!, 'fed-a|fed-b|fed-c');
    expect(tenantsOfResult(wider.json)).toEqual(['fed-a', 'fed-b', 'fed-c']);
    expect(wider.json.data.result.find((s: any) => s.metric.__tenant_id__ === 'fed-b').values[0][1]).toBe('2');
    const b = await get(range('count({job="fed"})'), tokens.abc!, 'fed-b');
    expect(b.json.data.result[0].values[0][1]).toBe('2');
    // and one tenant's cached answer never answers a set, nor the other way round
    const a = await get(q, tokens.abc!, 'fed-a');
    expect(a.json.data.result).toHaveLength(1);
  });

  it('evaluates a federated rule group over its source tenants and writes to its own tenant', async () => {
    const rulesToken = (
      await p.admin('POST', '/tenants/fed-a/tokens', {
        scopes: ['rules:read', 'rules:write'],
        federate: ['fed-b'],
      })
    ).json.token as string;
    const putGroup = (token: string, yaml: string) =>
      fetch(`${p.url}/prometheus/config/v1/rules/fed`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
        body: yaml,
      });
    const group = (sources: string) =>
      `name: across\ninterval: 1s\nsource_tenants: [${sources}]\nrules:\n  - record: fed:live:count\n    expr: count by (__tenant_id__) (fed_live)\n`;
    // refused: a tenant outside the grant, a token without any grant, a malformed list
    const outside = await putGroup(rulesToken, group('fed-a, fed-b, fed-c'));
    expect(outside.status).toBe(403);
    expect(await outside.text()).toContain('token does not cover tenants: fed-c;');
    const plain = await p.tenantToken('fed-a', ['rules:write']);
    expect((await putGroup(plain, group('fed-a, fed-b'))).status).toBe(403);
    const dup = await putGroup(rulesToken, group('fed-a, fed-a'));
    expect(dup.status).toBe(400);
    expect(await dup.text()).toContain('listed twice');
    const put = await putGroup(rulesToken, group('fed-a, fed-b'));
    expect(put.status, await put.text()).toBe(202);
    // the config API and the ruler API show the group's source tenants
    const yaml = await (
      await fetch(`${p.url}/prometheus/config/v1/rules/fed/across`, {
        headers: { authorization: `Bearer ${rulesToken}` },
      })
    ).text();
    expect(yaml).toMatch(/source_tenants:\s*\n\s*- fed-a\n\s*- fed-b/);

    const writers = {
      'fed-a': await p.tenantToken('fed-a', ['metrics:write']),
      'fed-b': await p.tenantToken('fed-b', ['metrics:write']),
    };
    const deadline = Date.now() + 30_000;
    let last: any;
    for (;;) {
      const now = Date.now();
      for (const [t, w] of Object.entries(writers)) {
        await push(w, [{ labels: { __name__: 'fed_live', tenant: t }, samples: [{ value: 1, timestamp: now }] }]);
      }
      // read back as fed-a alone: the results were written to the group's own tenant
      last = await get(`query?query=fed:live:count&time=${now / 1000}`, tokens['fed-a']!);
      if (last.json.data?.result?.length === 2) break;
      if (Date.now() > deadline) throw new Error(`no federated rule output: ${JSON.stringify(last.json)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(tenantsOfResult(last.json)).toEqual(['fed-a', 'fed-b']);
    // fed-b holds none of it
    const inB = await get('query?query=fed:live:count', tokens['fed-b']!);
    expect(inB.json.data.result).toEqual([]);
    const api = await get('rules', rulesToken);
    const g = api.json.data.groups.find((x: any) => x.name === 'across');
    expect(g.sourceTenants).toEqual(['fed-a', 'fed-b']);
    expect(g.rules[0].health).toBe('ok');
  });

  it('takes and shows source_tenants through the admin API (what cortexctl rules uses)', async () => {
    const body = {
      name: 'ops',
      source_tenants: ['fed-b', 'fed-c'],
      rules: [{ record: 'fed:ops', expr: 'count(fed_up)' }],
    };
    const put = await p.admin('PUT', '/tenants/fed-a/rules/ops/ops', body);
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json.source_tenants).toEqual(['fed-b', 'fed-c']);
    const got = await p.admin('GET', '/tenants/fed-a/rules/ops');
    expect(got.json.groups[0].source_tenants).toEqual(['fed-b', 'fed-c']);
    const cases = [
      { name: 'unknown tenant', source_tenants: ['fed-b', 'ghost'], says: 'source_tenants not found: ghost' },
      { name: 'invalid ID', source_tenants: ['a|b'], says: '"a|b" is not a tenant ID' },
      { name: 'duplicate', source_tenants: ['fed-b', 'fed-b'], says: 'tenant fed-b is listed twice' },
      { name: 'not a list', source_tenants: 'fed-b', says: 'must be a list of tenant IDs' },
    ];
    for (const c of cases) {
      const r = await p.admin('PUT', '/tenants/fed-a/rules/ops/ops', { ...body, source_tenants: c.source_tenants });
      expect(r.status, c.name).toBe(400);
      expect(r.json.error.message, c.name).toContain(c.says);
    }
    expect((await p.admin('DELETE', '/tenants/fed-a/rules/ops/ops')).status).toBeLessThan(300);
  });

  it('stops honouring a grant when its tenant is suspended, within the revocation bound', async () => {
    expect((await get(instant('fed_up'), tokens.abc!, 'fed-a|fed-c')).status).toBe(200);
    const r = await p.admin('POST', '/tenants/fed-c/suspend');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    let status = 0;
    for (let i = 0; i < 60 && status !== 403; i++) {
      await new Promise((res) => setTimeout(res, 100));
      status = (await get(instant('fed_up'), tokens.abc!, 'fed-a|fed-c')).status;
    }
    expect(status).toBe(403);
    expect((await get(instant('fed_up'), tokens.abc!, 'fed-a|fed-b')).status).toBe(200);
  });

  it('validates grants when a token is created', async () => {
    const cases = [
      { name: 'unknown tenant', body: { scopes: ['metrics:read'], federate: ['fed-b', 'ghost'] }, status: 404 },
      { name: 'duplicate', body: { scopes: ['metrics:read'], federate: ['fed-b', 'fed-b'] }, status: 400 },
      { name: 'invalid ID', body: { scopes: ['metrics:read'], federate: ['no|pe'] }, status: 400 },
      { name: 'write-only token', body: { scopes: ['metrics:write'], federate: ['fed-b'] }, status: 400 },
    ];
    for (const c of cases) {
      const r = await p.admin('POST', '/tenants/fed-a/tokens', c.body);
      expect(r.status, `${c.name}: ${JSON.stringify(r.json)}`).toBe(c.status);
    }
    const list = await p.admin('GET', '/tenants/fed-a/tokens');
    expect(list.json.items.filter((t: any) => t.federate.length > 0)).toHaveLength(3);
  });
});
