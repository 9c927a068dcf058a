/**
 * Side by side with the real Alertmanager 0.25 (`/usr/bin/prometheus-alertmanager`): the same config
 * and alert sequence must produce the same webhook notifications (receiver, groupKey, status,
 * alerts), at about the same times. Loopback only, free ports, a temp dir. Skips loudly when the
 * binary is missing, unless CI=true.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultitenantAlertmanager } from '../../data-plane/alertmanager/index.js';
import { parseTenantId } from '../../data-plane/model/index.js';

const BIN = '/usr/bin/prometheus-alertmanager';
const present = existsSync(BIN);
if (!present && process.env.CI === 'true') throw new Error(`${BIN} is required in CI`);
if (!present) console.warn(`SKIPPING Alertmanager side-by-side test: ${BIN} not found`);

interface Note {
  t: number;
  receiver: string;
  groupKey: string;
  status: string;
  alerts: string[];
}

async function sink(start: () => number): Promise<{ url: string; notes: Note[]; server: Server }> {
  const notes: Note[] = [];
  const server = createServer((req, res) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => {
      const b = JSON.parse(s);
      notes.push({
        t: Date.now() - start(),
        receiver: b.receiver,
        groupKey: b.groupKey,
        status: b.status,
        alerts: b.alerts.map(
          (a: { labels: Record<string, string>; status: string; fingerprint: string }) =>
            `${a.labels.alertname}/${a.labels.instance}:${a.status}:${a.fingerprint}`,
        ),
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, notes, server };
}

const config = (url: string) => `
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
    - matchers: ['team="db"']
      receiver: db
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [cluster]
receivers:
  - name: default
    webhook_configs: [{url: "${url}"}]
  - name: pager
    webhook_configs: [{url: "${url}"}]
  - name: db
    webhook_configs: [{url: "${url}", send_resolved: false}]
`;

type Posted = { labels: Record<string, string>; endsAt?: string }[];

/** The scripted sequence: (ms from start, alerts). */
const script = (): [number, Posted][] => [
  [
    0,
    [
      { labels: { alertname: 'Down', instance: 'a', severity: 'critical', cluster: 'eu' } },
      { labels: { alertname: 'Slow', instance: 'a', severity: 'warning', cluster: 'eu' } },
      { labels: { alertname: 'Slow', instance: 'b', severity: 'warning', cluster: 'us' } },
      { labels: { alertname: 'Db', instance: 'x', team: 'db' } },
    ],
  ],
  [1500, [{ labels: { alertname: 'Down', instance: 'b', severity: 'critical', cluster: 'eu' } }]],
  [
    3600,
    [
      {
        labels: { alertname: 'Down', instance: 'a', severity: 'critical', cluster: 'eu' },
        endsAt: new Date().toISOString(),
      },
      {
        labels: { alertname: 'Down', instance: 'b', severity: 'critical', cluster: 'eu' },
        endsAt: new Date().toISOString(),
      },
      { labels: { alertname: 'Db', instance: 'x', team: 'db' }, endsAt: new Date().toISOString() },
    ],
  ],
];

async function runScript(post: (alerts: Posted) => Promise<void>, start: number): Promise<void> {
  for (const [at, alerts] of script()) {
    const wait = start + at - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const stamped = alerts.map((a) => (a.endsAt ? { ...a, endsAt: new Date().toISOString() } : a));
    await post(stamped);
  }
  await new Promise((r) => setTimeout(r, start + 7500 - Date.now()));
}

const canon = (notes: Note[]) =>
  notes.map((n) => `${n.receiver} ${n.groupKey} ${n.status} ${[...n.alerts].sort().join(',')}`).sort();

describe.skipIf(!present)('side by side with Alertmanager 0.25', () => {
  let dir: string;
  let proc: ChildProcess | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'am-real-'));
  });
  afterAll(async () => {
    // Wait for the real Alertmanager to exit before removing the directory it writes to.
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('sends the same notifications', { timeout: 40_000 }, async () => {
    let realStart = 0;
    const real = await sink(() => realStart);
    const port = await freePort();
    await writeFile(join(dir, 'am.yml'), config(real.url));
    proc = spawn(BIN, [
      `--config.file=${join(dir, 'am.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ]);
    const base = `http://127.0.0.1:${port}/api/v2`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${base}/status`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }

    let oursStart = 0;
    const ours = await sink(() => oursStart);
    const am = new MultitenantAlertmanager({
      fetchConfigs: async () => ({
        revision: 1,
        tenants: { t: { config: config(ours.url), templates: {}, revision: 1 } },
      }),
      externalUrl: 'http://am',
      firewall: { allowedCidrs: ['127.0.0.1/32'] },
    });
    await am.start();
    const T = parseTenantId('t');

    realStart = Date.now();
    oursStart = realStart;
    await Promise.all([
      runScript(async (alerts) => {
        const r = await fetch(`${base}/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(alerts),
        });
        expect(r.status).toBe(200);
      }, realStart),
      runScript((alerts) => am.postAlerts(T, alerts), realStart),
    ]);
    am.stop();
    real.server.close();
    ours.server.close();

    expect(real.notes.length).toBeGreaterThan(0);
    expect(canon(ours.notes)).toEqual(canon(real.notes));
    // Timing: each of our notifications within 700 ms of the real one with the same content.
    for (const n of ours.notes) {
      const key = canon([n])[0];
      const match = real.notes.find((r) => canon([r])[0] === key);
      expect(Math.abs(match!.t - n.t), key).toBeLessThan(700);
    }
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
