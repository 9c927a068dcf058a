/**
 * The platform's one scene with real software (issue #11): an operator creates tenants with the
 * built cortexctl, two unmodified Prometheus 2.42 servers remote_write to it with bearer tokens from
 * `credentials_file`, and the same PromQL queries return the same answers from each Prometheus and
 * from the platform. Revoking a write token stops remote write with 401 within 5 s; a new token in
 * the credentials file resumes it.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, ensureBuilt, runCli, startDevServer } from '../helpers/cortexctl.js';
import { prometheusAvailable, type RunningPrometheus, startPrometheus } from '../helpers/prometheus.js';

const available = prometheusAvailable();

interface Tenant {
  id: string;
  write: string;
  writeId: string;
  read: string;
  prom?: RunningPrometheus;
}

/** A small exporter: a counter, a gauge and a classic histogram that change on every scrape. */
function startExporter(job: string): Promise<Server> {
  let n = 0;
  const srv = createServer((_req, res) => {
    n++;
    const lines = [
      '# HELP e2e_requests_total Requests served.',
      '# TYPE e2e_requests_total counter',
      `e2e_requests_total{code="200",job_hint="${job}"} ${n * 3}`,
      `e2e_requests_total{code="500",job_hint="${job}"} ${n}`,
      '# HELP e2e_temperature_celsius A gauge.',
      '# TYPE e2e_temperature_celsius gauge',
      `e2e_temperature_celsius ${20 + (n % 7) * 0.5}`,
      '# HELP e2e_latency_seconds Latency.',
      '# TYPE e2e_latency_seconds histogram',
      `e2e_latency_seconds_bucket{le="0.1"} ${n}`,
      `e2e_latency_seconds_bucket{le="0.5"} ${n * 2}`,
      `e2e_latency_seconds_bucket{le="+Inf"} ${n * 3}`,
      `e2e_latency_seconds_sum ${n * 0.7}`,
      `e2e_latency_seconds_count ${n * 3}`,
      '',
    ];
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(lines.join('\n'));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

function promConfig(platform: string, exporterPort: number): string {
  return `
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['127.0.0.1:$PORT'] }]
  - job_name: exporter
    static_configs: [{ targets: ['127.0.0.1:${exporterPort}'] }]
remote_write:
  - url: ${platform}/api/v1/push
    authorization:
      credentials_file: $DIR/token
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 1s
    metadata_config:
      send_interval: 2s
`;
}

async function instant(url: string, token: string | undefined, query: string, time: number): Promise<any> {
  const u = new URL(`${url}/api/v1/query`);
  u.searchParams.set('query', query);
  u.searchParams.set('time', String(time / 1000));
  const res = await fetch(u, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const body = (await res.json()) as any;
  expect(body.status, `${query}: ${JSON.stringify(body)}`).toBe('success');
  return body.data;
}

async function range(
  url: string,
  token: string | undefined,
  query: string,
  start: number,
  end: number,
  step: number,
): Promise<any> {
  const u = new URL(`${url}/api/v1/query_range`);
  for (const [k, v] of Object.entries({ query, start: start / 1000, end: end / 1000, step: step / 1000 })) {
    u.searchParams.set(k, String(v));
  }
  const res = await fetch(u, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const body = (await res.json()) as any;
  expect(body.status, `${query}: ${JSON.stringify(body)}`).toBe('success');
  return body.data;
}

/** Series keyed by their label set, values as numbers, for tolerant comparison. */
function normalize(data: any): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const rows =
    data.resultType === 'vector' ? data.result.map((r: any) => ({ metric: r.metric, values: [r.value] })) : data.result;
  for (const r of rows) {
    const key = JSON.stringify(Object.entries(r.metric).sort());
    out.set(
      key,
      r.values.map((v: [number, string]) => Number(v[1])),
    );
  }
  return out;
}

function expectSameResult(a: any, b: any, what: string): void {
  const x = normalize(a);
  const y = normalize(b);
  expect([...y.keys()].sort(), `${what}: series`).toEqual([...x.keys()].sort());
  for (const [k, vs] of x) {
    const ws = y.get(k)!;
    expect(ws.length, `${what} ${k}: points`).toBe(vs.length);
    vs.forEach((v, i) => {
      if (Number.isNaN(v)) expect(Number.isNaN(ws[i]!), `${what} ${k}`).toBe(true);
      else expect(ws[i]!, `${what} ${k}[${i}]`).toBeCloseTo(v, 6);
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!available)('real Prometheus 2.42 remote-writing to the platform', () => {
  let server: DevServer;
  let env: Record<string, string>;
  const tenants: Record<string, Tenant> = {};
  const exporters: Server[] = [];

  async function cliJson(args: string[]): Promise<any> {
    const r = await runCli([...args, '-o', 'json'], env);
    expect(r.code, `cortexctl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  }

  beforeAll(async () => {
    ensureBuilt();
    // The webhook receivers below listen on loopback, which receivers may only reach when allowed.
    server = await startDevServer({ args: ['--alertmanager-allowed-cidrs', '127.0.0.0/8'] });
    env = { CORTEXCTL_ADDRESS: server.url, CORTEXCTL_TOKEN: server.rootToken };
    for (const id of ['acme', 'beta']) {
      await cliJson(['tenant', 'create', id]);
      const w = await cliJson(['token', 'create', '--tenant', id, '--scopes', 'metrics:write', '--name', 'prometheus']);
      const r = await cliJson(['token', 'create', '--tenant', id, '--scopes', 'metrics:read', '--name', 'grafana']);
      const lim = await runCli(
        ['limits', 'set', '--tenant', id, '--ingestion-rate', '100000', '--ingestion-burst-size', '1000000'],
        env,
      );
      expect(lim.code, lim.stderr).toBe(0);
      const exporter = await startExporter(id);
      exporters.push(exporter);
      const port = (exporter.address() as AddressInfo).port;
      const t: Tenant = { id, write: w.token, writeId: w.id, read: r.token };
      t.prom = await startPrometheus(promConfig(server.url, port), { files: { token: t.write } });
      tenants[id] = t;
    }
    // Wait until the platform holds 15 s of each tenant's scrapes behind the remote-write delay, so
    // every compared window (up to 5 s ranges over 5 s steps) is fully covered on both sides.
    for (const t of Object.values(tenants)) {
      let scrapes = 0;
      for (let i = 0; i < 240 && scrapes < 15; i++) {
        await sleep(500);
        const d = await instant(
          `${server.url}/prometheus`,
          t.read,
          'min(count_over_time(up[20s]))',
          Date.now() - 4_000,
        );
        scrapes = Number(d.result[0]?.value[1] ?? 0);
      }
      expect(scrapes, `${t.id}: scrapes received`).toBeGreaterThanOrEqual(15);
    }
  }, 180_000);

  afterAll(async () => {
    for (const t of Object.values(tenants)) await t.prom?.stop();
    for (const e of exporters) e.close();
    await server?.dispose();
  });

  const QUERIES = [
    'up',
    'e2e_requests_total',
    'sum by (code) (e2e_requests_total)',
    'rate(e2e_requests_total[5s])',
    'sum(rate(e2e_requests_total[5s]))',
    'e2e_temperature_celsius',
    'avg_over_time(e2e_temperature_celsius[5s])',
    'histogram_quantile(0.9, sum by (le) (rate(e2e_latency_seconds_bucket[5s])))',
    'e2e_requests_total{code="500"} / ignoring(code) e2e_requests_total{code="200"}',
    'topk(1, e2e_requests_total)',
    'count by (job) (up)',
    'max_over_time(prometheus_tsdb_head_series[5s])',
  ];

  it.each(QUERIES)('instant %s matches the local Prometheus', async (q) => {
    const t = tenants.acme!;
    // A time safely behind the remote-write delay, on a scrape boundary both have.
    const at = Date.now() - 4_000;
    const local = await instant(t.prom!.url, undefined, q, at);
    const remote = await instant(`${server.url}/prometheus`, t.read, q, at);
    expectSameResult(local, remote, q);
  });

  it.each(QUERIES.slice(0, 6))('range %s matches the local Prometheus', async (q) => {
    const t = tenants.acme!;
    const end = Date.now() - 4_000;
    const local = await range(t.prom!.url, undefined, q, end - 5_000, end, 1_000);
    const remote = await range(`${server.url}/prometheus`, t.read, q, end - 5_000, end, 1_000);
    expectSameResult(local, remote, q);
  });

  it('keeps each tenant’s data to itself', async () => {
    const at = Date.now() - 4_000;
    for (const [id, other] of [
      ['acme', 'beta'],
      ['beta', 'acme'],
    ] as const) {
      const data = await instant(`${server.url}/prometheus`, tenants[id]!.read, 'e2e_requests_total', at);
      expect(data.result.length, `${id} sees its own series`).toBeGreaterThan(0);
      for (const r of data.result) expect(r.metric.job_hint).toBe(id);
      expect(data.result.some((r: any) => r.metric.job_hint === other)).toBe(false);
    }
  });

  it('stores the metadata Prometheus sends', async () => {
    const res = await fetch(`${server.url}/prometheus/api/v1/metadata?metric=e2e_requests_total`, {
      headers: { authorization: `Bearer ${tenants.acme!.read}` },
    });
    const body = (await res.json()) as any;
    expect(body.data.e2e_requests_total).toEqual([{ type: 'counter', help: 'Requests served.', unit: '' }]);
  });

  it('runs pushed rules: the recorded series appears and the alert reaches the tenant’s webhook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-e2e-rules-'));
    const hooks: Record<string, any[]> = { acme: [], beta: [] };
    const servers: Server[] = [];
    try {
      for (const id of ['acme', 'beta']) {
        const hook = createServer((req, res) => {
          let body = '';
          req.on('data', (d) => (body += d));
          req.on('end', () => {
            hooks[id]!.push(JSON.parse(body));
            res.end();
          });
        });
        await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
        servers.push(hook);
        writeFileSync(
          join(dir, `am-${id}.yaml`),
          `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: http://127.0.0.1:${(hook.address() as AddressInfo).port}/\n`,
        );
        const am = await runCli(['alertmanager', 'push', '--tenant', id, join(dir, `am-${id}.yaml`)], env);
        expect(am.code, am.stderr).toBe(0);
      }
      writeFileSync(
        join(dir, 'rules.yaml'),
        `namespace: e2e\ngroups:\n  - name: exporter\n    interval: 1s\n    rules:\n      - record: code:e2e_requests:rate10s\n        expr: sum by (code) (rate(e2e_requests_total[10s]))\n      - alert: ErrorsHappen\n        expr: sum(rate(e2e_requests_total{code="500"}[10s])) > 0\n        labels: { severity: ticket }\n        annotations: { summary: "errors at {{ $value | humanize }}/s" }\n`,
      );
      const lint = await runCli(['rules', 'lint', join(dir, 'rules.yaml')], env);
      expect(lint.code, lint.stderr).toBe(0);
      const push = await runCli(['rules', 'push', '--tenant', 'acme', join(dir, 'rules.yaml')], env);
      expect(push.code, push.stderr).toBe(0);

      const t = tenants.acme!;
      let recorded: any[] = [];
      for (let i = 0; i < 120 && (recorded.length === 0 || hooks.acme!.length === 0); i++) {
        await sleep(250);
        recorded = (await instant(`${server.url}/prometheus`, t.read, 'code:e2e_requests:rate10s', Date.now())).result;
      }
      expect(recorded.map((r) => r.metric.code).sort()).toEqual(['200', '500']);
      const firing = hooks.acme!.find((h) => h.status === 'firing');
      expect(firing, 'webhook notification').toBeDefined();
      expect(firing.alerts[0].labels).toMatchObject({ alertname: 'ErrorsHappen', severity: 'ticket' });
      expect(firing.alerts[0].annotations.summary).toMatch(/^errors at [0-9.]+[kMGTmuµn]?\/s$/);
      // The other tenant has no rules: no recorded series, no alerts, no notifications.
      const other = await instant(
        `${server.url}/prometheus`,
        tenants.beta!.read,
        'code:e2e_requests:rate10s',
        Date.now(),
      );
      expect(other.result).toEqual([]);
      expect(hooks.beta).toEqual([]);
    } finally {
      for (const h of servers) h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('fails remote write with 401 within 5 s of revoking the token, and resumes with a new one', async () => {
    const t = tenants.acme!;
    const revoke = await runCli(['token', 'revoke', t.writeId, '--tenant', 'acme', '--yes'], env);
    expect(revoke.code, revoke.stderr).toBe(0);
    const revokedAt = Date.now();
    // Prometheus counts samples it dropped on a non-retryable (4xx) answer.
    let failedAfter = 0;
    for (let i = 0; i < 40 && failedAfter === 0; i++) {
      await sleep(250);
      const d = await instant(
        t.prom!.url,
        undefined,
        'sum(prometheus_remote_storage_samples_failed_total)',
        Date.now(),
      );
      failedAfter = Number(d.result[0]?.value[1] ?? 0);
    }
    expect(failedAfter).toBeGreaterThan(0);
    expect(Date.now() - revokedAt).toBeLessThan(10_000);
    const direct = await fetch(`${server.url}/api/v1/push`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.write}`,
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
      },
      body: new Uint8Array([0]),
    });
    expect(direct.status).toBe(401);

    const fresh = await cliJson(['token', 'create', '--tenant', 'acme', '--scopes', 'metrics:write']);
    writeFileSync(join(t.prom!.dir, 'token'), fresh.token);
    const resumedFrom = Date.now();
    let newest = 0;
    for (let i = 0; i < 60 && newest < resumedFrom; i++) {
      await sleep(250);
      const d = await instant(`${server.url}/prometheus`, t.read, 'max(timestamp(up))', Date.now());
      newest = Number(d.result[0]?.value[1] ?? 0) * 1000;
    }
    expect(newest).toBeGreaterThanOrEqual(resumedFrom);
  }, 60_000);
});
