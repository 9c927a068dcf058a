/**
 * Numeric request parameters (limits, counts, durations, timestamps, cursors) are range-checked at
 * the edge: out-of-range, non-numeric, non-finite and inexact values answer a 400 naming the
 * parameter, never a 500 from the runtime call they would reach (the database, `Date`, timers).
 * Table-driven over the composed platform: the admin API, the usage and Alertmanager APIs, delete
 * series and the tenant config APIs. (The query API's own parameters are covered beside it.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_TOKEN, startPlatform, type TestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let token: string;

beforeAll(async () => {
  p = await startPlatform();
  token = await p.tenantToken('acme', ['metrics:read', 'alerts:read', 'alerts:write', 'rules:read', 'rules:write']);
}, 120_000);
afterAll(() => p?.close());

/** The usual suspects: negative, NaN, huge, non-numeric, beyond 2^53, fractional, hex, empty. */
const JUNK = ['-1', 'NaN', 'Infinity', '1e400', 'abc', '9007199254740993', '1.5', '0x10', ''];

async function http(method: string, path: string, opts: { admin?: boolean; body?: string; type?: string } = {}) {
  const res = await fetch(`${p.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${opts.admin ? ROOT_TOKEN : token}`,
      ...(opts.body !== undefined ? { 'content-type': opts.type ?? 'application/json' } : {}),
    },
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
  return { status: res.status, text: await res.text() };
}

const q = encodeURIComponent;
const b64 = (s: string) => Buffer.from(s).toString('base64url');

describe('admin API', () => {
  it.each([...JUNK, '0', '1001'])('GET /tenants?limit=%j → 400', async (v) => {
    const r = await http('GET', `/admin/api/v1/tenants?limit=${q(v)}`, { admin: true });
    expect(r.status).toBe(400);
    expect(r.text).toContain('querystring.limit');
  });

  it.each([...JUNK, '0', '1001'])('GET /audit?limit=%j → 400', async (v) => {
    const r = await http('GET', `/admin/api/v1/audit?limit=${q(v)}`, { admin: true });
    expect(r.status).toBe(400);
    expect(r.text).toContain('querystring.limit');
  });

  it.each(['1', '1000'])('GET /tenants and /audit with limit=%s → 200', async (v) => {
    expect((await http('GET', `/admin/api/v1/tenants?limit=${v}`, { admin: true })).status).toBe(200);
    expect((await http('GET', `/admin/api/v1/audit?limit=${v}`, { admin: true })).status).toBe(200);
  });

  const badTimes = [
    ...JUNK.filter((v) => v !== '1.5'),
    '99999999999999999999',
    '253402300800',
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2020-13-01T00:00:00Z',
  ];
  it.each(badTimes.flatMap((v) => [['since', v] as const, ['until', v] as const]))(
    'GET /audit?%s=%j → 400',
    async (param, v) => {
      const r = await http('GET', `/admin/api/v1/audit?${param}=${q(v)}`, { admin: true });
      expect(r.status).toBe(400);
      expect(r.text).toContain(`${param}: `);
    },
  );

  it.each(['0', '1.5', '1700000000', '253402300799', '2020-01-01T00:00:00Z', '9999-12-31T23:59:59.999+00:00'])(
    'GET /audit?since=%j → 200',
    async (v) => {
      expect((await http('GET', `/admin/api/v1/audit?since=${q(v)}&until=${q(v)}`, { admin: true })).status).toBe(200);
    },
  );

  it.each(['-1', '1.5', '1e400', '9007199254740993', '"abc"', 'null', '{}'])(
    'GET /audit with a forged cursor %s → 400',
    async (v) => {
      const r = await http('GET', `/admin/api/v1/audit?cursor=${b64(v)}`, { admin: true });
      expect(r.status).toBe(400);
      expect(r.text).toContain('invalid cursor');
    },
  );

  it('GET /audit with a real cursor → 200', async () => {
    expect((await http('GET', `/admin/api/v1/audit?cursor=${b64('5')}`, { admin: true })).status).toBe(200);
  });

  it.each([
    ['ingestion_rate', '-1'],
    ['ingestion_rate', '1e400'],
    ['ingestion_rate', '9007199254740993'],
    ['ingestion_rate', '"abc"'],
    ['ingestion_rate', 'NaN'],
    ['max_global_series_per_user', '1.5'],
    ['retention_period', '"-1d"'],
    ['retention_period', '"99999999999999y"'],
    ['retention_period', '1e400'],
  ])('PATCH limits {%s: %s} → 400', async (key, raw) => {
    const r = await http('PATCH', '/admin/api/v1/tenants/acme/limits', { admin: true, body: `{"${key}": ${raw}}` });
    expect(r.status).toBe(400);
  });

  it.each(['-1', '1e400', '9007199254740993', '+275760-09-13T00:00:00Z', '2000-01-01T00:00:00Z'])(
    'POST token with expiresAt %j → 400',
    async (v) => {
      const body = JSON.stringify({ scopes: ['metrics:read'], expiresAt: v });
      const r = await http('POST', '/admin/api/v1/tenants/acme/tokens', { admin: true, body });
      expect(r.status).toBe(400);
      expect(r.text).toContain('expiresAt');
    },
  );

  it.each([
    { start: 'NaN' },
    { start: '1e400' },
    { end: 'abc' },
    { end: 'Infinity' },
    { start: '9000000000000', end: '0' },
  ])('POST delete-series %j → 400', async (times) => {
    const body = JSON.stringify({ match: ['up'], ...times });
    const r = await http('POST', '/admin/api/v1/tenants/acme/delete-series', { admin: true, body });
    expect(r.status).toBe(400);
  });
});

describe('usage API', () => {
  const bad = [...JUNK.filter((v) => v !== ''), '501', '1e1', ' 5'];
  it.each(bad.flatMap((v) => [['label_names', v] as const, ['label_values', v] as const]))(
    'GET cardinality/%s?limit=%j → 400',
    async (report, v) => {
      const r = await http('GET', `/api/v1/cardinality/${report}?label_names[]=job&limit=${q(v)}`);
      expect(r.status).toBe(400);
      expect(r.text).toContain('invalid parameter \\"limit\\"');
    },
  );

  it.each(['', '0', '500'])('GET cardinality/label_names?limit=%j → 200', async (v) => {
    expect((await http('GET', `/api/v1/cardinality/label_names?limit=${q(v)}`)).status).toBe(200);
  });
});

describe('Alertmanager v2 API times', () => {
  const badTimes = [...JUNK, '+275760-09-13T00:00:00Z', '2020-13-01T00:00:00Z', '2020-01-01', 'tomorrow'];
  const hour = () => new Date(Date.now() + 3_600_000).toISOString();

  it.each(badTimes.flatMap((v) => [['startsAt', v] as const, ['endsAt', v] as const]))(
    'POST /silences with %s %j → 400',
    async (field, v) => {
      const silence = {
        matchers: [{ name: 'job', value: 'x', isRegex: false }],
        startsAt: new Date().toISOString(),
        endsAt: hour(),
        createdBy: 't',
        comment: 'c',
        [field]: v,
      };
      const r = await http('POST', '/alertmanager/api/v2/silences', { body: JSON.stringify(silence) });
      expect(r.status).toBe(400);
      expect(r.text).toContain(field);
    },
  );

  it.each(badTimes.filter((v) => v !== '').flatMap((v) => [['startsAt', v] as const, ['endsAt', v] as const]))(
    'POST /alerts with %s %j → 400',
    async (field, v) => {
      const r = await http('POST', '/alertmanager/api/v2/alerts', {
        body: JSON.stringify([{ labels: { alertname: 'x' }, [field]: v }]),
      });
      expect(r.status).toBe(400);
      expect(r.text).toContain(field);
    },
  );

  it('takes RFC 3339 times up to year 9999 and lists them', async () => {
    const alerts = [
      { labels: { alertname: 'far' }, startsAt: '9999-12-31T23:00:00Z' },
      { labels: { alertname: 'offset' }, startsAt: '2020-01-01T00:00:00.123456789+02:00', endsAt: hour() },
    ];
    expect((await http('POST', '/alertmanager/api/v2/alerts', { body: JSON.stringify(alerts) })).status).toBe(200);
    const r = await http('GET', '/alertmanager/api/v2/alerts');
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as unknown[]).length).toBe(2);
  });
});

describe('tenant config APIs', () => {
  const group = (extra: string) => `name: g\n${extra}\nrules:\n  - record: a:b\n    expr: up\n`;
  it.each([
    'limit: -1',
    'limit: 1.5',
    'limit: 1e400',
    'limit: .inf',
    'limit: .nan',
    'limit: 9007199254740993',
    'limit: abc',
    'interval: 0s',
    'interval: -1m',
    'interval: 1e400s',
    'interval: 99999999999999999y',
    'query_offset: 99999999999999999y',
  ])('rule group with %j → 400', async (extra) => {
    const r = await http('POST', '/prometheus/config/v1/rules/ns', { body: group(extra), type: 'application/yaml' });
    expect(r.status).toBe(400);
    if (/^limit: (1e400|\.inf|\.nan)$/.test(extra)) expect(r.text).toContain('is not a finite number');
  });

  const am = (route: string, webhook = '') =>
    `route:\n  receiver: r\n${route}\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: https://example.com/hook\n${webhook}`;
  it.each([
    ['  group_wait: -1s', ''],
    ['  group_interval: 0s', ''],
    ['  repeat_interval: 99999999999999999y', ''],
    ['', '        max_alerts: -1\n'],
    ['', '        max_alerts: 1e400\n'],
    ['', '        max_alerts: 9007199254740993\n'],
  ])('Alertmanager config with %j %j → 400', async (route, webhook) => {
    const r = await http('POST', '/api/v1/alerts', { body: am(route, webhook), type: 'application/yaml' });
    expect(r.status).toBe(400);
  });
});
