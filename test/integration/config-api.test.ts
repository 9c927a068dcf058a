/**
 * Tenant-facing config APIs over real HTTP, backed by the real control plane: Mimir's ruler config API
 * (what Grafana's rule editor calls) and Cortex's Alertmanager config API, with scopes and isolation.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let rw: string;
let ro: string;
let other: string;

beforeAll(async () => {
  p = await startPlatform();
  rw = await p.tenantToken('acme', ['rules:read', 'rules:write', 'alerts:read', 'alerts:write']);
  ro = await p.tenantToken('acme', ['metrics:read']);
  other = await p.tenantToken('beta', ['rules:read', 'rules:write', 'alerts:read', 'alerts:write']);
}, 120_000);
afterAll(() => p?.close());

async function call(token: string, method: string, path: string, body?: string) {
  const res = await fetch(`${p.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/yaml' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: res.status, text: await res.text() };
}

const GROUP = `name: api
interval: 30s
rules:
  - record: job:http_requests:rate5m
    expr: sum by (job) (rate(http_requests_total[5m]))
  - alert: HighErrorRate
    expr: job:http_requests:rate5m > 10
    for: 5m
    labels: { severity: page }
    annotations: { summary: "{{ $labels.job }} is failing" }
`;

describe('ruler config API (/prometheus/config/v1/rules)', () => {
  it('creates a group with a rules:write token and lists it as YAML', async () => {
    expect((await call(rw, 'POST', '/prometheus/config/v1/rules/team-a', GROUP)).status).toBe(202);
    const all = await call(rw, 'GET', '/prometheus/config/v1/rules');
    expect(all.status).toBe(200);
    const doc = parse(all.text);
    expect(doc['team-a'][0].name).toBe('api');
    expect(doc['team-a'][0].rules).toHaveLength(2);
    const one = parse((await call(rw, 'GET', '/prometheus/config/v1/rules/team-a/api')).text);
    expect(one.rules[1].alert).toBe('HighErrorRate');
  });

  it('rejects an invalid PromQL expression with 400 and stores nothing', async () => {
    const bad = GROUP.replace('name: api', 'name: broken').replace('sum by (job)', 'sum by (job');
    const r = await call(rw, 'POST', '/prometheus/config/v1/rules/team-a', bad);
    expect(r.status).toBe(400);
    expect((await call(rw, 'GET', '/prometheus/config/v1/rules/team-a/broken')).status).toBe(404);
  });

  it('rejects malformed YAML with 400', async () => {
    expect((await call(rw, 'POST', '/prometheus/config/v1/rules/team-a', 'name: [')).status).toBe(400);
  });

  // found by the rules-yaml fuzz target (test/fuzz/): names over 100 characters came back as 503
  // (fastify's path parameter limit, in the in-process admin API call), lone surrogates as 500
  it('stores a group and namespace named with up to 255 characters; refuses unencodable names with 400', async () => {
    const ns = 'n'.repeat(255);
    const name = 'é'.repeat(255);
    const long = GROUP.replace('name: api', `name: ${name}`);
    expect((await call(rw, 'POST', `/prometheus/config/v1/rules/${ns}`, long)).status).toBe(202);
    const back = await call(rw, 'GET', `/prometheus/config/v1/rules/${ns}/${encodeURIComponent(name)}`);
    expect(back.status).toBe(200);
    expect(parse(back.text).name).toBe(name);
    expect((await call(rw, 'DELETE', `/prometheus/config/v1/rules/${ns}`)).status).toBe(202);
    const tooLong = GROUP.replace('name: api', `name: ${'x'.repeat(256)}`);
    expect((await call(rw, 'POST', '/prometheus/config/v1/rules/team-a', tooLong)).status).toBe(400);
    const surrogate = GROUP.replace('name: api', 'name: "\\ud900"');
    const r = await call(rw, 'POST', '/prometheus/config/v1/rules/team-a', surrogate);
    expect(r.status).toBe(400);
    expect(r.text).toContain('surrogate');
  });

  it('needs rules scopes', async () => {
    expect((await call(ro, 'GET', '/prometheus/config/v1/rules')).status).toBe(403);
    expect((await call(ro, 'POST', '/prometheus/config/v1/rules/x', GROUP)).status).toBe(403);
  });

  it('never shows or deletes another tenant’s groups', async () => {
    const doc = parse((await call(other, 'GET', '/prometheus/config/v1/rules')).text) ?? {};
    expect(doc['team-a']).toBeUndefined();
    await call(other, 'DELETE', '/prometheus/config/v1/rules/team-a');
    expect((await call(rw, 'GET', '/prometheus/config/v1/rules/team-a/api')).status).toBe(200);
  });

  it('deletes a group and a namespace', async () => {
    expect((await call(rw, 'DELETE', '/prometheus/config/v1/rules/team-a/api')).status).toBe(202);
    expect((await call(rw, 'GET', '/prometheus/config/v1/rules/team-a/api')).status).toBe(404);
  });
});

const AM = `route:
  receiver: team
  group_by: [alertname]
receivers:
  - name: team
    webhook_configs:
      - url: https://hooks.example.com/alerts
`;

describe('Alertmanager config API (/api/v1/alerts)', () => {
  it('is 404 before a config is pushed', async () => {
    expect((await call(rw, 'GET', '/api/v1/alerts')).status).toBe(404);
  });

  it('stores and returns a Cortex-style config', async () => {
    const body = `template_files:\n  default.tmpl: '{{ define "x" }}y{{ end }}'\nalertmanager_config: |\n${AM.replace(/^/gm, '  ')}`;
    expect((await call(rw, 'POST', '/api/v1/alerts', body)).status).toBe(201);
    const doc = parse((await call(rw, 'GET', '/api/v1/alerts')).text);
    expect(parse(doc.alertmanager_config).route.receiver).toBe('team');
    expect(doc.template_files['default.tmpl']).toContain('define');
    expect((await call(other, 'GET', '/api/v1/alerts')).status).toBe(404);
  });

  it('rejects *_file fields and non-http URLs with 400', async () => {
    const withFile = AM.replace('url: https://hooks.example.com/alerts', 'url_file: /etc/passwd');
    expect((await call(rw, 'POST', '/api/v1/alerts', withFile)).status).toBe(400);
    const fileUrl = AM.replace('https://hooks.example.com/alerts', 'file:///etc/passwd');
    expect((await call(rw, 'POST', '/api/v1/alerts', fileUrl)).status).toBe(400);
  });
});
