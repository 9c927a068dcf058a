import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type Harness, harness, tenantId } from './harness.js';

const GROUP_YAML = `name: api
interval: 1m
rules:
  - record: job:http_requests:rate5m
    expr: sum by (job) (rate(http_requests_total[5m]))
  - alert: HighErrors
    expr: job:http_requests:rate5m > 10
    for: 5m
    labels: { severity: page }
    annotations:
      summary: "{{ $labels.job }} errors high"
`;

const AM_YAML = `route:
  receiver: team
  group_by: [alertname]
  routes:
    - matchers: ['severity="page"']
      receiver: pager
receivers:
  - name: team
    webhook_configs: [{ url: 'https://hooks.example.com/team' }]
  - name: pager
    webhook_configs: [{ url: 'http://pager.example.com/x' }]
`;

describe.each(backends())('control plane limits, rules, alertmanager and feeds on $name', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function tenant() {
    const id = tenantId();
    expect((await h.admin('POST', '/tenants', { id })).statusCode).toBe(201);
    return id;
  }

  it('limits: GET effective values, PUT replaces, PATCH merges with null unsetting, DELETE unsets one key', async () => {
    const id = await tenant();
    const base = (await h.admin('GET', `/tenants/${id}/limits`)).json();
    expect(base.overridden).toEqual([]);
    expect(base.limits.ingestion_rate).toBe(10000);
    expect(base.limits.reject_old_samples_max_age).toBe('2w');

    const put = await h.admin('PUT', `/tenants/${id}/limits`, { ingestion_rate: 50000, max_query_length: '7d' });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      overridden: ['ingestion_rate', 'max_query_length'],
      limits: { ingestion_rate: 50000, max_query_length: '1w' },
    });
    expect(put.json().defaults.ingestion_rate).toBe(10000);

    const patch = await h.admin('PATCH', `/tenants/${id}/limits`, {
      ingestion_rate: null,
      retention_period: 86_400_000,
    });
    expect(patch.json().overridden).toEqual(['max_query_length', 'retention_period']);
    expect(patch.json().limits).toMatchObject({ ingestion_rate: 10000, retention_period: '1d' });

    const del = await h.admin('DELETE', `/tenants/${id}/limits/max_query_length`);
    expect(del.json().overridden).toEqual(['retention_period']);

    const feed = (await h.internal('GET', '/overrides')).json();
    expect(feed.tenants[id]).toEqual({ retention_period: 86_400_000 });

    const replaced = await h.admin('PUT', `/tenants/${id}/limits`, {});
    expect(replaced.json().overridden).toEqual([]);
    expect((await h.internal('GET', '/overrides')).json().tenants[id]).toBeUndefined();
  });

  it('rules: PUT YAML and JSON, GET by tenant and namespace, DELETE group and namespace', async () => {
    const id = await tenant();
    const put = await h.admin('PUT', `/tenants/${id}/rules/prod/api`, GROUP_YAML, undefined, {
      'content-type': 'application/yaml',
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      name: 'api',
      interval: '1m',
      rules: [{ record: 'job:http_requests:rate5m' }, { alert: 'HighErrors', for: '5m' }],
    });

    const json = await h.admin('PUT', `/tenants/${id}/rules/prod/other`, {
      name: 'other',
      rules: [{ record: 'x:sum', expr: 'sum(x)' }],
    });
    expect(json.statusCode, json.body).toBe(200);
    await h.admin('PUT', `/tenants/${id}/rules/staging/other`, { name: 'other', rules: [{ record: 'y', expr: 'y' }] });

    const all = (await h.admin('GET', `/tenants/${id}/rules`)).json();
    expect(Object.keys(all.namespaces).sort()).toEqual(['prod', 'staging']);
    expect(all.namespaces.prod.map((g: { name: string }) => g.name)).toEqual(['api', 'other']);
    const ns = (await h.admin('GET', `/tenants/${id}/rules/prod`)).json();
    expect(ns.groups).toHaveLength(2);

    const feed = (await h.internal('GET', '/rules')).json();
    expect(feed.tenants[id]).toHaveLength(3);

    expect((await h.admin('DELETE', `/tenants/${id}/rules/prod/api`)).statusCode).toBe(200);
    expect((await h.admin('DELETE', `/tenants/${id}/rules/prod/api`)).statusCode).toBe(404);
    expect((await h.admin('DELETE', `/tenants/${id}/rules/staging`)).statusCode).toBe(200);
    expect((await h.admin('GET', `/tenants/${id}/rules/staging`)).statusCode).toBe(404);
    expect(Object.keys((await h.admin('GET', `/tenants/${id}/rules`)).json().namespaces)).toEqual(['prod']);
  });

  it('rules: enforces per-tenant group and rule counts from limits', async () => {
    const id = await tenant();
    await h.admin('PATCH', `/tenants/${id}/limits`, {
      ruler_max_rule_groups_per_tenant: 1,
      ruler_max_rules_per_rule_group: 2,
    });
    const rule = { record: 'a', expr: 'up' };
    expect((await h.admin('PUT', `/tenants/${id}/rules/ns/g1`, { name: 'g1', rules: [rule] })).statusCode).toBe(200);
    // Replacing an existing group does not count as a new one.
    expect((await h.admin('PUT', `/tenants/${id}/rules/ns/g1`, { name: 'g1', rules: [rule, rule] })).statusCode).toBe(
      200,
    );
    const tooManyGroups = await h.admin('PUT', `/tenants/${id}/rules/ns/g2`, { name: 'g2', rules: [rule] });
    expect(tooManyGroups.statusCode).toBe(400);
    expect(tooManyGroups.json().error).toMatchObject({ id: 'err-cortex-max-rule-groups-per-tenant' });
    const tooManyRules = await h.admin('PUT', `/tenants/${id}/rules/ns/g1`, { name: 'g1', rules: [rule, rule, rule] });
    expect(tooManyRules.json().error.message).toContain('ruler_max_rules_per_rule_group');
  });

  it('rules: concurrent uploads cannot exceed the rule-group limit', async () => {
    const id = await tenant();
    await h.admin('PATCH', `/tenants/${id}/limits`, { ruler_max_rule_groups_per_tenant: 3 });
    const puts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        h.admin('PUT', `/tenants/${id}/rules/ns/g${i}`, { name: `g${i}`, rules: [{ record: 'r', expr: 'up' }] }),
      ),
    );
    expect(puts.filter((r) => r.statusCode === 200)).toHaveLength(3);
    expect(puts.filter((r) => r.statusCode === 400)).toHaveLength(5);
    expect((await h.admin('GET', `/tenants/${id}/rules/ns`)).json().groups).toHaveLength(3);
  });

  it('alertmanager: PUT raw YAML and JSON shape, GET, DELETE, with revisions', async () => {
    const id = await tenant();
    expect((await h.admin('GET', `/tenants/${id}/alertmanager`)).statusCode).toBe(404);
    const raw = await h.admin('PUT', `/tenants/${id}/alertmanager`, AM_YAML, undefined, {
      'content-type': 'application/yaml',
    });
    expect(raw.statusCode, raw.body).toBe(200);
    const rev1 = raw.json().revision;
    const json = await h.admin('PUT', `/tenants/${id}/alertmanager`, {
      config: AM_YAML,
      templates: { 'default.tmpl': '{{ define "x" }}hi{{ end }}' },
    });
    expect(json.statusCode, json.body).toBe(200);
    expect(json.json().revision).toBeGreaterThan(rev1);
    const got = (await h.admin('GET', `/tenants/${id}/alertmanager`)).json();
    expect(got).toEqual({
      config: AM_YAML,
      templates: { 'default.tmpl': '{{ define "x" }}hi{{ end }}' },
      revision: json.json().revision,
    });
    const feed = (await h.internal('GET', '/alertmanager')).json();
    expect(feed.tenants[id]).toEqual(got);
    expect((await h.admin('DELETE', `/tenants/${id}/alertmanager`)).statusCode).toBe(200);
    expect((await h.internal('GET', '/alertmanager')).json().tenants[id]).toBeUndefined();
  });

  it('alertmanager: enforces alertmanager_max_config_size_bytes', async () => {
    const id = await tenant();
    await h.admin('PATCH', `/tenants/${id}/limits`, { alertmanager_max_config_size_bytes: 100 });
    const r = await h.admin('PUT', `/tenants/${id}/alertmanager`, { config: AM_YAML });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.id).toBe('err-cortex-alertmanager-max-config-size');
  });

  it.each([
    ['overrides', (id: string) => ['PATCH', `/tenants/${id}/limits`, { ingestion_rate: 5 }]],
    ['rules', (id: string) => ['PUT', `/tenants/${id}/rules/n/g`, { name: 'g', rules: [{ record: 'r', expr: 'up' }] }]],
    ['alertmanager', (id: string) => ['PUT', `/tenants/${id}/alertmanager`, { config: AM_YAML }]],
    ['tenants', (id: string) => ['POST', `/tenants/${id}/suspend`, undefined]],
  ] as const)('feed %s answers 304 until a change bumps its revision', async (feed, change) => {
    const id = await tenant();
    const first = await h.internal('GET', `/${feed}`);
    const etag = first.headers.etag as string;
    expect(etag).toBe(`"${feed}-${first.json().revision}"`);
    expect((await h.internal('GET', `/${feed}`, undefined, { 'if-none-match': etag })).statusCode).toBe(304);
    const [method, path, body] = change(id) as unknown as [string, string, unknown];
    expect((await h.admin(method, path, body)).statusCode).toBeLessThan(300);
    const after = await h.internal('GET', `/${feed}`, undefined, { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.json().revision).toBeGreaterThan(first.json().revision);
  });

  it('feeds drop a deleted tenant', async () => {
    const id = await tenant();
    await h.admin('PATCH', `/tenants/${id}/limits`, { ingestion_rate: 5 });
    await h.admin('PUT', `/tenants/${id}/rules/n/g`, { name: 'g', rules: [{ record: 'r', expr: 'up' }] });
    await h.admin('PUT', `/tenants/${id}/alertmanager`, { config: AM_YAML });
    await h.admin('DELETE', `/tenants/${id}`);
    expect((await h.cp.internal.overrides()).tenants[id]).toBeUndefined();
    expect((await h.cp.internal.rules()).tenants[id]).toBeUndefined();
    expect((await h.cp.internal.alertmanager()).tenants[id]).toBeUndefined();
    expect((await h.cp.internal.tenants()).tenants.map((t) => t.id)).not.toContain(id);
  });
});
