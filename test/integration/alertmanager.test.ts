/**
 * The Alertmanager against real sockets: the SSRF guard refuses private destinations at connect time,
 * an operator allow-list lets a local webhook through, and state in the embedded KV survives a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AlertmanagerStateStore,
  Firewall,
  type FirewallOptions,
  httpPost,
  KVStateStore,
  ManualScheduler,
  MultitenantAlertmanager,
} from '../../data-plane/alertmanager/index.js';
import { parseTenantId } from '../../data-plane/model/index.js';
import { EmbeddedKV } from '../../data-plane/storage/embedded/index.js';

const T = parseTenantId('acme');
const START = Date.parse('2026-11-26T10:00:00Z');

interface Receiver {
  url: string;
  port: number;
  bodies: Record<string, unknown>[];
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      bodies.push(JSON.parse(data));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const config = (url: string) => `
global:
  resolve_timeout: 1h
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs: [{url: "${url}"}]
`;

function build(
  url: string,
  opts: {
    firewall?: FirewallOptions;
    state?: AlertmanagerStateStore;
    sched?: ManualScheduler;
    registry?: Registry;
  } = {},
) {
  const sched = opts.sched ?? new ManualScheduler(START);
  const warnings: string[] = [];
  const am = new MultitenantAlertmanager({
    fetchConfigs: async () => ({ revision: 1, tenants: { [T]: { config: config(url), templates: {}, revision: 1 } } }),
    externalUrl: 'http://am.example/alertmanager',
    clock: sched,
    scheduler: sched,
    maxAttempts: 1,
    ...(opts.firewall ? { firewall: opts.firewall } : {}),
    ...(opts.state ? { state: opts.state } : {}),
    ...(opts.registry ? { registry: opts.registry } : {}),
    logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
  });
  return { am, sched, warnings };
}

/** Runs the group_wait flush and waits for its real HTTP round trip. */
async function flush(sched: ManualScheduler, ms = 30_000) {
  await sched.advance(ms);
  await sched.idle();
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('receiver SSRF guard', () => {
  it.each([
    { name: 'loopback literal', url: (p: number) => `http://127.0.0.1:${p}/hook` },
    { name: 'IPv6 loopback', url: (p: number) => `http://[::1]:${p}/hook` },
    { name: 'hostname resolving to loopback', url: (p: number) => `http://localhost:${p}/hook` },
    { name: 'cloud metadata', url: () => 'http://169.254.169.254/latest/meta-data/' },
    { name: 'RFC 1918', url: () => 'http://10.0.0.1:9/hook' },
    { name: 'IPv4-mapped IPv6 loopback', url: (p: number) => `http://[::ffff:127.0.0.1]:${p}/hook` },
  ])('blocks $name before any byte is sent', async ({ url }) => {
    const canary = await receiver();
    cleanups.push(canary.close);
    await expect(httpPost(url(canary.port), '{}', { firewall: new Firewall(), timeoutMs: 2000 })).rejects.toThrow(
      /blocked by the firewall/,
    );
    expect(canary.bodies).toEqual([]);
  });

  it('a tenant webhook at 127.0.0.1 fails in the full pipeline and the canary sees nothing', async () => {
    const canary = await receiver();
    cleanups.push(canary.close);
    const registry = new Registry();
    const { am, sched, warnings } = build(canary.url, { registry });
    await am.start();
    cleanups.push(async () => am.stop());
    await am.postAlerts(T, [{ labels: { alertname: 'A' } }]);
    await flush(sched);
    expect(canary.bodies).toEqual([]);
    expect((await am.tenant(T)).stats.failed).toBe(1);
    expect(warnings.join('\n')).toMatch(/blocked by the firewall/);
    const failed = await registry.getSingleMetric('cortex_alertmanager_notifications_failed_total')!.get();
    expect(failed.values).toEqual([{ labels: { user: 'acme', integration: 'webhook', reason: 'firewall' }, value: 1 }]);
  });

  it('does not follow a redirect from an allowed receiver to an internal address', async () => {
    const canary = await receiver();
    cleanups.push(canary.close);
    const redirector = createServer((_req, res) => res.writeHead(302, { location: canary.url }).end());
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => redirector.close(() => r())));
    const url = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`;
    // Redirects are never followed, so the target behind the 302 is never dialled.
    const res = await httpPost(url, '{}', {
      firewall: new Firewall({ allowedCidrs: ['127.0.0.1/32'] }),
      timeoutMs: 2000,
    });
    expect(res.status).toBe(302);
    expect(canary.bodies).toEqual([]);
  });
});

describe('webhook delivery (operator allow-listed loopback)', () => {
  it('sends Alertmanager webhook payloads: firing, then resolved', async () => {
    const hook = await receiver();
    cleanups.push(hook.close);
    const { am, sched } = build(hook.url, { firewall: { allowedCidrs: ['127.0.0.1/32'] } });
    await am.start();
    cleanups.push(async () => am.stop());
    await am.postAlerts(T, [
      {
        labels: { alertname: 'Down', job: 'api', instance: 'b' },
        annotations: { summary: 'down' },
        generatorURL: 'http://prom/graph',
      },
      { labels: { alertname: 'Down', job: 'api', instance: 'a' }, annotations: { summary: 'down' } },
    ]);
    await flush(sched);
    expect(hook.bodies).toHaveLength(1);
    const body = hook.bodies[0]!;
    expect(body).toMatchObject({
      version: '4',
      groupKey: '{}:{alertname="Down"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'hook',
      groupLabels: { alertname: 'Down' },
      commonLabels: { alertname: 'Down', job: 'api' },
      commonAnnotations: { summary: 'down' },
      externalURL: 'http://am.example/alertmanager',
    });
    const alerts = body.alerts as Record<string, unknown>[];
    expect(alerts.map((a) => (a.labels as Record<string, string>).instance)).toEqual(['a', 'b']);
    expect(alerts[0]).toMatchObject({
      status: 'firing',
      startsAt: '2026-11-26T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
    });
    expect(alerts[1]).toMatchObject({
      generatorURL: 'http://prom/graph',
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    await am.postAlerts(T, [
      { labels: { alertname: 'Down', job: 'api', instance: 'a' }, endsAt: new Date(sched.now()).toISOString() },
      { labels: { alertname: 'Down', job: 'api', instance: 'b' }, endsAt: new Date(sched.now()).toISOString() },
    ]);
    await flush(sched, 5 * 60_000);
    expect(hook.bodies).toHaveLength(2);
    expect(hook.bodies[1]).toMatchObject({
      status: 'resolved',
      alerts: [{ status: 'resolved', endsAt: '2026-11-26T10:00:30Z' }, { status: 'resolved' }],
    });
  });
});

describe('state in the sorted KV', () => {
  it('keeps silences and the notification log across a restart: no duplicate notification', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'am-state-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const hook = await receiver();
    cleanups.push(hook.close);
    const firewall = { allowedCidrs: ['127.0.0.1/32'] };

    let kv = await EmbeddedKV.open({ dir });
    const first = build(hook.url, { firewall, state: new KVStateStore(kv) });
    await first.am.start();
    const t1 = await first.am.tenant(T);
    const silenceId = await t1.silences.set({
      matchers: [{ name: 'alertname', value: 'Muted', isRegex: false, isEqual: true }],
      startsAt: first.sched.now(),
      endsAt: first.sched.now() + 24 * 3600_000,
      createdBy: 'ops',
      comment: 'noisy',
    });
    await first.am.postAlerts(T, [{ labels: { alertname: 'A' } }, { labels: { alertname: 'Muted' } }]);
    await flush(first.sched);
    expect(hook.bodies.map((b) => b.groupKey)).toEqual(['{}:{alertname="A"}']);
    first.am.stop();
    await kv.close();

    // A new process: same store, clock a minute later, the ruler re-sends its alerts.
    kv = await EmbeddedKV.open({ dir });
    cleanups.push(() => kv.close());
    const second = build(hook.url, {
      firewall,
      state: new KVStateStore(kv),
      sched: new ManualScheduler(START + 60_000),
    });
    await second.am.start();
    cleanups.push(async () => second.am.stop());
    const t2 = await second.am.tenant(T);
    expect(t2.silences.list().map((s) => s.id)).toEqual([silenceId]);
    await second.am.postAlerts(T, [
      { labels: { alertname: 'A' }, startsAt: new Date(START).toISOString() },
      { labels: { alertname: 'Muted' } },
    ]);
    await flush(second.sched);
    await flush(second.sched, 5 * 60_000);
    expect(hook.bodies).toHaveLength(1);
    // Something new in the group is still notified.
    await second.am.postAlerts(T, [{ labels: { alertname: 'A', instance: '2' } }]);
    await flush(second.sched, 5 * 60_000);
    expect(hook.bodies).toHaveLength(2);
  });
});
