/**
 * A Grafana session replayed against the composed platform: the calls Grafana's Prometheus data
 * source makes (health check, flavour detection, metrics browser, variables, panels, Explore,
 * exemplars, recording-rule expansion, alerting UI), with the methods and parameters it uses
 * (reference/ecosystem.md §1). Every call must succeed in Prometheus's envelope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';

let p: TestPlatform;
let token: string;
const now = Math.floor(Date.now() / 60_000) * 60_000;
const s = (ms: number) => String(ms / 1000);

beforeAll(async () => {
  p = await startPlatform();
  token = await p.tenantToken('grafana', ['metrics:write', 'metrics:read', 'rules:read']);
  const series = [];
  for (const code of ['200', '500']) {
    series.push({
      labels: { __name__: 'http_requests_total', job: 'api', code },
      samples: Array.from({ length: 60 }, (_, i) => ({
        value: i * (code === '200' ? 10 : 1),
        timestamp: now - (59 - i) * 15_000,
      })),
    });
  }
  const res = await fetch(`${p.url}/api/v1/push`, {
    method: 'POST',
    headers: remoteWriteHeaders(token),
    body: remoteWriteBody(series),
  });
  expect(res.status).toBe(204);
}, 120_000);
afterAll(() => p?.close());

interface Call {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  params: Record<string, string>;
  check?: (data: any) => void;
}

const start = now - 15 * 60_000;
const session: Call[] = [
  {
    name: 'health check (Save & test)',
    method: 'POST',
    path: '/api/v1/query',
    params: { query: '1+1', time: '4' },
    check: (d) => expect(d).toEqual({ resultType: 'scalar', result: [4, '2'] }),
  },
  {
    name: 'flavour detection',
    method: 'GET',
    path: '/api/v1/status/buildinfo',
    params: {},
    check: (d) => expect(d.features.ruler_config_api).toBe('true'),
  },
  {
    name: 'metrics browser: metric names',
    method: 'GET',
    path: '/api/v1/label/__name__/values',
    params: { start: s(start), end: s(now), limit: '40000' },
    check: (d) => expect(d).toContain('http_requests_total'),
  },
  {
    name: 'metrics browser: label names',
    method: 'POST',
    path: '/api/v1/labels',
    params: { start: s(start), end: s(now) },
    check: (d) => expect(d).toEqual(['__name__', 'code', 'job']),
  },
  {
    name: 'metrics browser: series',
    method: 'POST',
    path: '/api/v1/series',
    params: { 'match[]': '{__name__!=""}', start: s(start), end: s(now), limit: '40000' },
    check: (d) => expect(d).toHaveLength(2),
  },
  {
    name: 'autocomplete metadata',
    method: 'GET',
    path: '/api/v1/metadata',
    params: {},
    check: (d) => expect(typeof d).toBe('object'),
  },
  {
    name: 'variable label_values(http_requests_total, code)',
    method: 'GET',
    path: '/api/v1/label/code/values',
    params: { 'match[]': 'http_requests_total', start: s(start), end: s(now) },
    check: (d) => expect(d).toEqual(['200', '500']),
  },
  {
    name: 'variable query_result',
    method: 'POST',
    path: '/api/v1/query',
    params: { query: 'count(http_requests_total)', time: s(now) },
    check: (d) => expect(d.result[0].value[1]).toBe('2'),
  },
  {
    name: 'panel range query',
    method: 'POST',
    path: '/api/v1/query_range',
    params: {
      query: 'sum by (code) (rate(http_requests_total[1m]))',
      start: s(start),
      end: s(now),
      step: '15',
      timeout: '60s',
    },
    check: (d) => {
      expect(d.resultType).toBe('matrix');
      expect(d.result.map((r: any) => r.metric.code)).toEqual(['200', '500']);
    },
  },
  {
    name: 'Explore instant query',
    method: 'POST',
    path: '/api/v1/query',
    params: { query: 'http_requests_total{code="500"}', time: s(now + 7_300) },
    check: (d) => expect(d.result[0].value[1]).toBe('59'),
  },
  {
    name: 'exemplars availability check (ms timestamps)',
    method: 'GET',
    path: '/api/v1/query_exemplars',
    params: { query: 'test', start: String(start), end: String(now) },
    check: (d) => expect(d).toEqual([]),
  },
  {
    name: 'recording-rule expansion',
    method: 'GET',
    path: '/api/v1/rules',
    params: {},
    check: (d) => expect(d.groups).toEqual([]),
  },
  {
    name: 'alerting UI: alerts',
    method: 'GET',
    path: '/api/v1/alerts',
    params: {},
    check: (d) => expect(d.alerts).toEqual([]),
  },
  {
    name: 'query inspector: format',
    method: 'POST',
    path: '/api/v1/format_query',
    params: { query: 'sum(rate(x[5m]))by(job)' },
    check: (d) => expect(d).toBe('sum by (job) (rate(x[5m]))'),
  },
  {
    name: 'tree view: parse_query',
    method: 'POST',
    path: '/api/v1/parse_query',
    params: { query: 'sum by (job) (rate(x{a="b"}[5m]))' },
    check: (d) => {
      expect(d.type).toBe('aggregation');
      expect(d.grouping).toEqual(['job']);
      expect(d.expr.type).toBe('call');
      expect(d.expr.func.name).toBe('rate');
      expect(d.expr.args[0]).toMatchObject({
        type: 'matrixSelector',
        name: 'x',
        range: 300_000,
        matchers: [
          { type: '=', name: 'a', value: 'b' },
          { type: '=', name: '__name__', value: 'x' },
        ],
      });
    },
  },
];

describe('recorded Grafana session', () => {
  it.each(session)('$name', async ({ method, path, params, check }) => {
    const url = new URL(`${p.url}/prometheus${path}`);
    const init: RequestInit = { method, headers: { authorization: `Bearer ${token}` } };
    if (method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    else {
      init.headers = { ...init.headers, 'content-type': 'application/x-www-form-urlencoded' };
      init.body = new URLSearchParams(params).toString();
    }
    const res = await fetch(url, init);
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe('success');
    check?.(body.data);
  });

  it('Grafana Basic auth (user = tenant, password = token) works too', async () => {
    const res = await fetch(`${p.url}/prometheus/api/v1/query?query=1`, {
      headers: { authorization: `Basic ${Buffer.from(`grafana:${token}`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
  });
});
