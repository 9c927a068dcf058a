/**
 * Every malformed or hostile input answers 400 bad_data with a message naming the problem, and
 * changes nothing (the audit log and the feeds stay as they were).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type Harness, harness, tenantId } from './harness.js';

const billionLaughs = `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
name: g
rules: [*f]
`;
const deepFlow = `name: g\nrules: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
const deepBlock = `name: g\nrules:\n${Array.from({ length: 100 }, (_, i) => `${'  '.repeat(i + 1)}- a:`).join('\n')}\n`;
const deepJson = { name: 'g', rules: [JSON.parse(`${'['.repeat(200)}1${']'.repeat(200)}`)] };
const yaml = { 'content-type': 'application/yaml' };
const okAm = (extra: string) => `route:\n  receiver: r\nreceivers:\n  - name: r\n${extra}`;

interface Case {
  name: string;
  method: string;
  path: (t: string) => string;
  body?: unknown;
  headers?: Record<string, string>;
  message: RegExp;
}

const cases: Case[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    path: () => '/tenants',
    body: '{"id": "x",',
    headers: { 'content-type': 'application/json' },
    message: /JSON/i,
  },
  {
    name: 'oversized body',
    method: 'POST',
    path: () => '/tenants',
    body: { id: 'x', displayName: 'a'.repeat(300_000) },
    message: /too large/,
  },
  {
    name: 'prototype poisoning',
    method: 'POST',
    path: () => '/tenants',
    // `__proto__` is an ordinary own key after parsing, and not a field of this body.
    body: '{"id":"x","__proto__":{"admin":true}}',
    headers: { 'content-type': 'application/json' },
    message: /body\.__proto__: Unexpected property/,
  },
  {
    name: 'constructor poisoning',
    method: 'POST',
    path: () => '/tenants',
    body: '{"id":"x","constructor":{"prototype":{"admin":true}}}',
    headers: { 'content-type': 'application/json' },
    message: /"constructor" key holding a "prototype" key is not accepted/,
  },
  {
    name: 'unknown field',
    method: 'POST',
    path: () => '/tenants',
    body: { id: 'x', plan: 'gold' },
    message: /body.*plan|Unexpected property/,
  },
  {
    name: 'invalid tenant ID',
    method: 'POST',
    path: () => '/tenants',
    body: { id: '../etc' },
    message: /invalid tenant ID/,
  },
  {
    name: 'SQL-looking tenant ID',
    method: 'POST',
    path: () => '/tenants',
    body: { id: "x'; DROP TABLE tenants;--" },
    message: /invalid tenant ID/,
  },
  {
    name: 'unicode tenant ID',
    method: 'POST',
    path: () => '/tenants',
    body: { id: 'ténant' },
    message: /invalid tenant ID/,
  },
  { name: 'empty tenant ID', method: 'POST', path: () => '/tenants', body: { id: '' }, message: /invalid tenant ID/ },
  {
    name: 'invalid ID in path',
    method: 'GET',
    path: () => `/tenants/${encodeURIComponent("a' OR 1=1")}`,
    message: /invalid tenant ID/,
  },
  {
    name: 'label key with spaces',
    method: 'PATCH',
    path: (t) => `/tenants/${t}`,
    body: { labels: { 'a b': 'x' } },
    message: /labels: invalid key/,
  },
  {
    name: 'control characters in displayName',
    method: 'PATCH',
    path: (t) => `/tenants/${t}`,
    body: { displayName: 'a\u0000b' },
    message: /control characters/,
  },
  {
    name: 'unknown scope',
    method: 'POST',
    path: (t) => `/tenants/${t}/tokens`,
    body: { scopes: ['admin:all'] },
    message: /unknown scope "admin:all"/,
  },
  { name: 'no scopes', method: 'POST', path: (t) => `/tenants/${t}/tokens`, body: { scopes: [] }, message: /scopes/ },
  {
    name: 'expiry in the past',
    method: 'POST',
    path: (t) => `/tenants/${t}/tokens`,
    body: { scopes: ['metrics:read'], expiresAt: '2020-01-01T00:00:00Z' },
    message: /future/,
  },
  {
    name: 'expiry not a date',
    method: 'POST',
    path: (t) => `/tenants/${t}/tokens`,
    body: { scopes: ['metrics:read'], expiresAt: 'tomorrow' },
    message: /ISO-8601/,
  },
  {
    name: 'negative limit',
    method: 'PATCH',
    path: (t) => `/tenants/${t}/limits`,
    body: { ingestion_rate: -1 },
    message: /ingestion_rate: -1 is out of range/,
  },
  {
    name: 'absurd limit',
    method: 'PATCH',
    path: (t) => `/tenants/${t}/limits`,
    body: { max_label_names_per_series: 1e12 },
    message: /out of range/,
  },
  {
    name: 'fractional integer limit',
    method: 'PUT',
    path: (t) => `/tenants/${t}/limits`,
    body: { max_label_names_per_series: 1.5 },
    message: /integer/,
  },
  {
    name: 'unknown limit',
    method: 'PUT',
    path: (t) => `/tenants/${t}/limits`,
    body: { max_fun: 1 },
    message: /unknown limit "max_fun"/,
  },
  {
    name: 'bad duration',
    method: 'PATCH',
    path: (t) => `/tenants/${t}/limits`,
    body: { max_query_length: '3 days' },
    message: /not a duration/,
  },
  {
    name: 'string for a count',
    method: 'PATCH',
    path: (t) => `/tenants/${t}/limits`,
    body: { ingestion_rate: '5' },
    message: /must be a number/,
  },
  { name: 'unset unknown limit', method: 'DELETE', path: (t) => `/tenants/${t}/limits/nope`, message: /unknown limit/ },
  {
    name: 'YAML alias bomb',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: billionLaughs,
    headers: yaml,
    message: /alias|nodes/i,
  },
  {
    name: 'deeply nested flow YAML',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: deepFlow,
    headers: yaml,
    message: /nested deeper/,
  },
  {
    name: 'deeply nested block YAML',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: deepBlock,
    headers: yaml,
    message: /nested deeper/,
  },
  {
    name: 'deeply nested JSON',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: deepJson,
    message: /nested deeper/,
  },
  {
    name: 'rule YAML over the body limit',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: `name: g\nrules:\n${'- {record: a, expr: up}\n'.repeat(60_000)}`,
    headers: yaml,
    message: /too large/,
  },
  {
    name: 'rule YAML with too many nodes',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: `name: g\nrules:\n${'- x\n'.repeat(30_000)}`,
    headers: yaml,
    message: /more than 20000 YAML nodes/,
  },
  {
    name: 'two YAML documents',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: 'name: g\nrules: []\n---\nname: h\n',
    headers: yaml,
    message: /one YAML document/,
  },
  {
    name: 'duplicate YAML keys',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: 'name: g\nname: g\nrules: []\n',
    headers: yaml,
    message: /invalid YAML/,
  },
  {
    name: 'rule file instead of group',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: { groups: [] },
    message: /not a rule file/,
  },
  {
    name: 'unknown rule field',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: { name: 'g', rules: [{ record: 'a', expr: 'up', severity: 1 }] },
    message: /unknown field "severity"/,
  },
  {
    name: 'record and alert',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: { name: 'g', rules: [{ record: 'a', alert: 'b', expr: 'up' }] },
    message: /exactly one of "record" or "alert"/,
  },
  {
    name: 'invalid PromQL',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: { name: 'g', rules: [{ record: 'a', expr: 'sum(rate(x[5m])' }] },
    message: /rules\[0\]\.expr: invalid PromQL/,
  },
  {
    name: 'invalid record name',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: { name: 'g', rules: [{ record: 'a-b', expr: 'up' }] },
    message: /not a valid metric name/,
  },
  {
    name: 'invalid for duration',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: { name: 'g', rules: [{ alert: 'A', expr: 'up', for: '-5m' }] },
    message: /for: "-5m" is not a valid duration/,
  },
  {
    name: 'invalid label name',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: { name: 'g', rules: [{ alert: 'A', expr: 'up', labels: { 'bad-name': 'x' } }] },
    message: /invalid label name "bad-name"/,
  },
  {
    name: 'broken template',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: { name: 'g', rules: [{ alert: 'A', expr: 'up', annotations: { s: '{{ $value ' } }] },
    message: /not closed/,
  },
  {
    name: 'group name mismatch',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/ns/g`,
    body: { name: 'h', rules: [] },
    message: /does not match the URL/,
  },
  {
    name: 'dot-dot namespace',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/../g`,
    body: { name: 'g', rules: [] },
    message: /not allowed|no route/,
  },
  {
    name: 'encoded slash in namespace',
    method: 'PUT',
    path: (t) => `/tenants/${t}/rules/a%2Fb/g`,
    body: { name: 'g', rules: [] },
    message: /contains "\/"/,
  },
  {
    name: 'AM *_file field',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: okAm(
      '    webhook_configs:\n      - url: https://x.example\n        http_config: { authorization: { credentials_file: /etc/passwd } }\n',
    ),
    headers: yaml,
    message: /credentials_file: fields that read local files/,
  },
  {
    name: 'AM http_headers files',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: okAm(
      '    webhook_configs:\n      - url: https://x.example\n        http_config: { http_headers: { X: { files: [/etc/shadow] } } }\n',
    ),
    headers: yaml,
    message: /files: fields that read local files/,
  },
  {
    name: 'AM file URL',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: okAm('    webhook_configs: [{ url: "file:///etc/passwd" }]\n'),
    headers: yaml,
    message: /only http and https/,
  },
  {
    name: 'AM gopher proxy_url',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: okAm('    webhook_configs: [{ url: "https://a.example", http_config: { proxy_url: "gopher://x:70" } }]\n'),
    headers: yaml,
    message: /only http and https/,
  },
  {
    name: 'AM template path',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: `templates: ['/etc/*.tmpl']\n${okAm('')}`,
    headers: yaml,
    message: /templates\[0\]: template "\/etc\/\*\.tmpl" must name an uploaded template/,
  },
  {
    name: 'AM template never uploaded',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: { config: `templates: ['team.tmpl']\n${okAm('')}`, templates: {} },
    message: /templates\[0\]: no uploaded template is named "team\.tmpl"/,
  },
  {
    name: 'AM unknown receiver',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: 'route:\n  receiver: nobody\nreceivers:\n  - name: r\n',
    headers: yaml,
    message: /"nobody" is not a defined receiver/,
  },
  {
    name: 'AM bad matcher',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: 'route:\n  receiver: r\n  routes: [{ matchers: ["severity page"] }]\nreceivers:\n  - name: r\n',
    headers: yaml,
    message: /cannot parse matcher/,
  },
  {
    name: 'AM bad regex matcher',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: 'route:\n  receiver: r\n  routes: [{ matchers: ["a=~\\"(\\""] }]\nreceivers:\n  - name: r\n',
    headers: yaml,
    message: /invalid regular expression/,
  },
  {
    name: 'AM missing route',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: 'receivers:\n  - name: r\n',
    headers: yaml,
    message: /"route" is required/,
  },
  {
    name: 'AM alias bomb',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: billionLaughs,
    headers: yaml,
    message: /alias|nodes/i,
  },
  {
    name: 'AM bad template name',
    method: 'PUT',
    path: (t) => `/tenants/${t}/alertmanager`,
    body: { config: okAm(''), templates: { '../x': 'hi' } },
    message: /invalid name/,
  },
  { name: 'bad audit time', method: 'GET', path: () => '/audit?since=yesterday', message: /since/ },
  { name: 'bad cursor', method: 'GET', path: () => '/tenants?cursor=%%%', message: /cursor/ },
  { name: 'limit out of range', method: 'GET', path: () => '/tenants?limit=100000', message: /querystring\.limit/ },
  { name: 'bad status filter', method: 'GET', path: () => '/tenants?status=zombie', message: /querystring\.status/ },
];

describe.each(backends())('control plane bad input on $name', (backend) => {
  let h: Harness;
  let tenant: string;
  beforeAll(async () => {
    h = await harness(backend);
    tenant = tenantId();
    expect((await h.admin('POST', '/tenants', { id: tenant })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(cases)('$name → 400 bad_data, nothing changed', async (c) => {
    const auditBefore = (await h.admin('GET', '/audit?limit=1000')).json().items.length;
    const feedsBefore = await Promise.all(
      ['overrides', 'rules', 'alertmanager', 'tenants'].map((f) => h.internal('GET', `/${f}`)),
    );
    const r = await h.admin(c.method, c.path(tenant), c.body, undefined, c.headers);
    expect(r.statusCode, r.body).toBe(c.name === 'dot-dot namespace' && r.statusCode === 404 ? 404 : 400);
    const err = r.json().error;
    expect(err.kind).toBe(r.statusCode === 404 ? 'not_found' : 'bad_data');
    expect(err.message).toMatch(c.message);
    expect((await h.admin('GET', '/audit?limit=1000')).json().items.length).toBe(auditBefore);
    const feedsAfter = await Promise.all(
      ['overrides', 'rules', 'alertmanager', 'tenants'].map((f) => h.internal('GET', `/${f}`)),
    );
    expect(feedsAfter.map((f) => f.json().revision)).toEqual(feedsBefore.map((f) => f.json().revision));
  });

  it('keeps the tenant unchanged after all the bad input', async () => {
    const t = (await h.admin('GET', `/tenants/${tenant}`)).json();
    expect(t).toMatchObject({ displayName: '', labels: {}, status: 'active' });
    expect((await h.admin('GET', `/tenants/${tenant}/limits`)).json().overridden).toEqual([]);
    expect((await h.admin('GET', `/tenants/${tenant}/tokens`)).json().items).toEqual([]);
    expect((await h.admin('GET', `/tenants/${tenant}/rules`)).json().namespaces).toEqual({});
    expect((await h.admin('GET', `/tenants/${tenant}/alertmanager`)).statusCode).toBe(404);
  });
});
