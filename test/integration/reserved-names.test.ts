/**
 * Names that are also members of Object.prototype (`__proto__`, `constructor`, `toString`,
 * `hasOwnProperty`, `valueOf`) are ordinary names wherever a tenant or operator chooses one: rule
 * namespaces and groups, rule labels, Alertmanager receivers, template files and alert labels, and
 * tenant IDs. Before the fix a namespace named `constructor` was accepted with 202 and then every rule
 * listing of the tenant answered 503 (the control plane's 500), and a tenant named `constructor`
 * got 500 from every Alertmanager v2 endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;
/** Valid tenant IDs (`__proto__` is not one: it starts with `_`). */
const TENANTS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;
const SCOPES = ['rules:read', 'rules:write', 'alerts:read', 'alerts:write', 'metrics:read', 'metrics:write'];

let p: TestPlatform;
const tokens = new Map<string, string>();

beforeAll(async () => {
  p = await startPlatform();
  for (const t of ['acme', ...TENANTS]) tokens.set(t, await p.tenantToken(t, SCOPES));
}, 120_000);
afterAll(() => p?.close());

async function call(tenant: string, method: string, path: string, body?: string, type = 'application/yaml') {
  const res = await fetch(`${p.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens.get(tenant)}`,
      ...(body !== undefined ? { 'content-type': type } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, text };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An own property of parsed YAML/JSON (`doc.__proto__` would be Object.prototype when absent). */
const own = (o: unknown, k: string): unknown =>
  o !== null && typeof o === 'object' && Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined;

const group = (name: string, labels: Record<string, string>) =>
  `name: ${name}\nrules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n    labels: ${JSON.stringify(labels)}\n`;

describe('ruler config API: namespace, group and label names', () => {
  const RULES = '/prometheus/config/v1/rules';

  it('a namespace that is not one of these names is listed alongside them', async () => {
    expect((await call('acme', 'POST', `${RULES}/team-a`, group('plain', {}))).status).toBe(202);
  });

  it.each(NAMES)('%s as namespace, group and label name: push, list, get, delete', async (n) => {
    // `__…` label names are reserved (refused with a precise 400); the rest are ordinary rule labels.
    const labels: Record<string, string> = n === '__proto__' ? {} : Object.fromEntries([[n, n]]);
    expect((await call('acme', 'POST', `${RULES}/${n}`, group(n, labels))).status).toBe(202);

    const all = await call('acme', 'GET', RULES);
    expect(all.status).toBe(200);
    const doc = parse(all.text);
    expect(Object.keys(doc)).toEqual(expect.arrayContaining([n, 'team-a']));
    expect((own(doc, n) as { name: string }[]).map((g) => g.name)).toEqual([n]);

    const ns = await call('acme', 'GET', `${RULES}/${n}`);
    expect(ns.status).toBe(200);
    expect(Object.keys(parse(ns.text))).toEqual([n]);

    const one = await call('acme', 'GET', `${RULES}/${n}/${n}`);
    expect(one.status).toBe(200);
    const g = parse(one.text);
    expect(g.name).toBe(n);
    expect(g.rules[0].labels ?? {}).toEqual(labels);

    expect((await call('acme', 'DELETE', `${RULES}/${n}/${n}`)).status).toBe(202);
    expect((await call('acme', 'GET', `${RULES}/${n}`)).status).toBe(404);
    const after = parse((await call('acme', 'GET', RULES)).text);
    expect(Object.keys(after)).toEqual(['team-a']);
  });

  it('refuses the reserved label name __proto__ with a precise 400', async () => {
    const r = await call('acme', 'POST', `${RULES}/ns`, group('g', Object.fromEntries([['__proto__', 'x']])));
    expect(r.status).toBe(400);
    expect(r.text).toContain('invalid label name \\"__proto__\\"');
  });

  it('every name at once: the ruler evaluates them and /api/v1/rules lists them', async () => {
    for (const n of NAMES) expect((await call('acme', 'POST', `${RULES}/${n}`, group(n, {}))).status).toBe(202);
    const listed = await until('the ruler to load the groups', async () => {
      const r = await call('acme', 'GET', '/prometheus/api/v1/rules');
      expect(r.status).toBe(200);
      const groups = JSON.parse(r.text).data.groups as { name: string; file: string }[];
      return groups.length === NAMES.length + 1 ? groups : undefined;
    });
    expect(listed.filter((g) => g.name === g.file).map((g) => g.name)).toEqual([...NAMES].sort());
    for (const n of NAMES) expect((await call('acme', 'DELETE', `${RULES}/${n}`)).status).toBe(202);
    expect(Object.keys(parse((await call('acme', 'GET', RULES)).text))).toEqual(['team-a']);
  });
});

describe('Alertmanager: receiver, route, template and label names', () => {
  const receivers = NAMES.map((n) => `  - name: ${n}`).join('\n');
  const routes = NAMES.map((n) => `    - receiver: ${n}\n      matchers: ['${n}="${n}"']`).join('\n');
  const config = `route:\n  receiver: __proto__\n  group_by: [constructor, toString]\n  routes:\n${routes}\nreceivers:\n${receivers}\ntemplates: [${NAMES.join(', ')}]\n`;
  const templateFiles = NAMES.map((n) => `  ${n}: '{{ define "${n}" }}${n}{{ end }}'`).join('\n');
  const body = `template_files:\n${templateFiles}\nalertmanager_config: |\n${config.replace(/^/gm, '  ')}`;

  it('stores and returns the config with every template file', async () => {
    expect((await call('acme', 'POST', '/api/v1/alerts', body)).status).toBe(201);
    const got = await call('acme', 'GET', '/api/v1/alerts');
    expect(got.status).toBe(200);
    const doc = parse(got.text);
    expect(Object.keys(doc.template_files).sort()).toEqual([...NAMES].sort());
    for (const n of NAMES) expect(own(doc.template_files, n)).toContain(`define "${n}"`);
    expect(parse(doc.alertmanager_config).receivers.map((r: { name: string }) => r.name)).toEqual([...NAMES]);
  });

  it('loads it: the v2 API lists every receiver', async () => {
    const names = await until('the Alertmanager to load the config', async () => {
      const r = await call('acme', 'GET', '/alertmanager/api/v2/receivers');
      expect(r.status).toBe(200);
      const list = (JSON.parse(r.text) as { name: string }[]).map((x) => x.name);
      return list.length === NAMES.length ? list : undefined;
    });
    expect(names.sort()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)('an alert labelled %s is stored, listed and routed by that label', async (n) => {
    const labels = Object.fromEntries([
      ['alertname', `A-${n}`],
      [n, n],
    ]);
    const post = await call(
      'acme',
      'POST',
      '/alertmanager/api/v2/alerts',
      JSON.stringify([{ labels }]),
      'application/json',
    );
    expect(post.status).toBe(200);
    const list = await call(
      'acme',
      'GET',
      `/alertmanager/api/v2/alerts?filter=${encodeURIComponent(`alertname="A-${n}"`)}`,
    );
    expect(list.status).toBe(200);
    const [alert] = JSON.parse(list.text) as { labels: Record<string, string>; receivers: { name: string }[] }[];
    expect(Object.keys(alert!.labels).sort()).toEqual(Object.keys(labels).sort());
    expect(own(alert!.labels, n)).toBe(n);
    expect(alert!.receivers).toEqual([{ name: n }]);
    const groups = await call('acme', 'GET', '/alertmanager/api/v2/alerts/groups');
    expect(groups.status).toBe(200);
  });

  it('silences match on these label names', async () => {
    const silence = {
      matchers: [{ name: 'constructor', value: 'constructor', isRegex: false }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'test',
      comment: 'reserved names',
    };
    const r = await call('acme', 'POST', '/alertmanager/api/v2/silences', JSON.stringify(silence), 'application/json');
    expect(r.status).toBe(200);
    const list = await call('acme', 'GET', '/alertmanager/api/v2/alerts?silenced=true&active=false');
    const silenced = (JSON.parse(list.text) as { labels: Record<string, string> }[]).map((a) => a.labels.alertname);
    expect(silenced).toEqual(['A-constructor']);
  });
});

describe.each(TENANTS)('tenant %s', (tenant) => {
  it('rules: push, list, evaluate (the rules feed is keyed by tenant), delete', async () => {
    const RULES = '/prometheus/config/v1/rules';
    expect((await call(tenant, 'POST', `${RULES}/ns`, group('g', {}))).status).toBe(202);
    const all = await call(tenant, 'GET', RULES);
    expect(all.status).toBe(200);
    expect(Object.keys(parse(all.text))).toEqual(['ns']);
    await until('the ruler to load the group', async () => {
      const r = await call(tenant, 'GET', '/prometheus/api/v1/rules');
      expect(r.status).toBe(200);
      return JSON.parse(r.text).data.groups.length === 1 ? true : undefined;
    });
    expect((await call(tenant, 'DELETE', `${RULES}/ns`)).status).toBe(202);
  });

  it('Alertmanager without a config answers from the fallback', async () => {
    for (const path of ['/status', '/receivers', '/alerts', '/alerts/groups', '/silences']) {
      expect((await call(tenant, 'GET', `/alertmanager/api/v2${path}`)).status).toBe(200);
    }
    const alert = JSON.stringify([{ labels: { alertname: 'x' } }]);
    expect((await call(tenant, 'POST', '/alertmanager/api/v2/alerts', alert, 'application/json')).status).toBe(200);
    const listed = JSON.parse((await call(tenant, 'GET', '/alertmanager/api/v2/alerts')).text) as unknown[];
    expect(listed).toHaveLength(1);
  });

  it('Alertmanager config: push, get, delete', async () => {
    const am = 'route:\n  receiver: r\nreceivers:\n  - name: r\n';
    expect((await call(tenant, 'POST', '/api/v1/alerts', am)).status).toBe(201);
    expect(parse((await call(tenant, 'GET', '/api/v1/alerts')).text).alertmanager_config).toBe(am);
    expect((await call(tenant, 'DELETE', '/api/v1/alerts')).status).toBe(200);
    expect((await call(tenant, 'GET', '/api/v1/alerts')).status).toBe(404);
  });
});
