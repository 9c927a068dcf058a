/**
 * Rules to alerts in the composed platform: a rule group and an Alertmanager config pushed through the
 * tenant-facing config APIs; the ruler records a series and fires an alert from remote-written data;
 * the tenant's Alertmanager routes it to a webhook receiver; /rules, /alerts and the v2 API show it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';

let p: TestPlatform;
let token: string;
let hook: Server;
const received: any[] = [];
let pushing: NodeJS.Timeout | undefined;

beforeAll(async () => {
  p = await startPlatform({ alertmanagerAllowedCidrs: ['127.0.0.0/8'] });
  token = await p.tenantToken('acme', [
    'metrics:write',
    'metrics:read',
    'rules:read',
    'rules:write',
    'alerts:read',
    'alerts:write',
  ]);
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  // Fresh samples every second, as a scraping Prometheus would send them.
  const push = () =>
    fetch(`${p.url}/api/v1/push`, {
      method: 'POST',
      headers: remoteWriteHeaders(token),
      body: remoteWriteBody([
        { labels: { __name__: 'queue_depth', queue: 'emails' }, samples: [{ value: 120, timestamp: Date.now() }] },
        { labels: { __name__: 'queue_depth', queue: 'sms' }, samples: [{ value: 3, timestamp: Date.now() }] },
      ]),
    });
  await push();
  pushing = setInterval(() => void push(), 1_000);
}, 120_000);

afterAll(async () => {
  if (pushing) clearInterval(pushing);
  hook?.close();
  await p?.close();
});

async function call(method: string, path: string, body?: string) {
  const res = await fetch(`${p.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/yaml' } : {}) },
    ...(body ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('rules → ruler → Alertmanager → webhook', () => {
  it('delivers a firing alert and records a series', async () => {
    const port = (hook.address() as AddressInfo).port;
    const am = `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:${port}/alerts
`;
    expect((await call('POST', '/api/v1/alerts', am)).status).toBe(201);
    const group = `name: queues
interval: 1s
rules:
  - record: queue:depth:sum
    expr: sum(queue_depth)
  - alert: QueueBacklog
    expr: queue_depth > 100
    labels: { severity: page }
    annotations: { summary: "queue {{ $labels.queue }} has {{ $value }} items" }
`;
    expect((await call('POST', '/prometheus/config/v1/rules/ops', group)).status).toBe(202);

    const payload = await until('webhook', async () => received.find((r) => r.status === 'firing'));
    expect(payload.version).toBe('4');
    expect(payload.receiver).toBe('hook');
    expect(payload.groupLabels).toEqual({ alertname: 'QueueBacklog' });
    expect(payload.alerts).toHaveLength(1);
    expect(payload.alerts[0].labels).toMatchObject({ alertname: 'QueueBacklog', queue: 'emails', severity: 'page' });
    expect(payload.alerts[0].annotations.summary).toBe('queue emails has 120 items');

    const recorded = await until('recorded series', async () => {
      const r = await call('GET', `/prometheus/api/v1/query?query=${encodeURIComponent('queue:depth:sum')}`);
      const result = r.json().data.result;
      return result.length > 0 ? result : undefined;
    });
    expect(recorded[0].value[1]).toBe('123');
  });

  it('shows the rule group and the alert through the Prometheus and Alertmanager APIs', async () => {
    const rules = (await call('GET', '/prometheus/api/v1/rules')).json();
    const g = rules.data.groups.find((x: any) => x.name === 'queues');
    expect(g.file).toBe('ops');
    expect(g.rules.map((r: any) => r.type)).toEqual(['recording', 'alerting']);
    expect(g.rules.every((r: any) => r.health === 'ok')).toBe(true);
    const alerts = (await call('GET', '/prometheus/api/v1/alerts')).json();
    expect(alerts.data.alerts.map((a: any) => a.labels.queue)).toEqual(['emails']);
    const v2 = (await call('GET', '/alertmanager/api/v2/alerts')).json();
    expect(v2.map((a: any) => a.labels.alertname)).toEqual(['QueueBacklog']);
    const amStatus = await call('GET', '/alertmanager/api/v2/status');
    expect(amStatus.status).toBe(200);
  });

  it('ALERTS series is queryable', async () => {
    const r = await call('GET', `/prometheus/api/v1/query?query=${encodeURIComponent('ALERTS{alertstate="firing"}')}`);
    expect(r.json().data.result.map((x: any) => x.metric.queue)).toEqual(['emails']);
  });
});
