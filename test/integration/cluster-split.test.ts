/**
 * Split mode end to end: control plane, three ingesters (RF 3), a gateway+distributor and a
 * querier+query-frontend, each its own `cortexctl server --target=…` process on loopback, rings and
 * chunks in the Bigtable emulator. Remote-write real bodies through the gateway with a tenant token,
 * query them back, kill -9 one ingester and keep writing and querying; tenants cannot reach an
 * ingester's internal API or pose as another tenant with X-Scope-OrgID.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { ensureBuilt, runCli } from '../helpers/cortexctl.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';
import { requireService } from '../helpers/require-service.js';

const pgUrl = requireService('pgUrl');
const bigtable = requireService('bigtableEmulator');

const TENANT = 'split-team';
const SERIES = 20;

/** Sample timestamps: now, but always after the previous one (the series reject out-of-order samples). */
let lastTs = 0;
function nextTs(): number {
  lastTs = Math.max(Date.now(), lastTs + 1);
  return lastTs;
}

async function push(
  c: Cluster,
  token: string,
  t: number,
  value: number,
  metric = 'split_test_metric',
): Promise<Response> {
  const body = remoteWriteBody(
    Array.from({ length: SERIES }, (_, k) => ({
      labels: { __name__: metric, series: String(k), job: 'split' },
      samples: [{ timestamp: t, value: value + k }],
    })),
  );
  return await fetch(`${c.gatewayUrl}/api/v1/push`, {
    method: 'POST',
    headers: remoteWriteHeaders(token),
    body,
    signal: AbortSignal.timeout(20_000),
  });
}

/** Instant query half a second after `tMs` (a float `time` may round to just before the sample). */
async function query(c: Cluster, token: string, q: string, tMs: number) {
  const time = ((tMs + 500) / 1000).toFixed(3);
  const res = await fetch(`${c.gatewayUrl}/prometheus/api/v1/query?query=${encodeURIComponent(q)}&time=${time}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, json: (await res.json()) as { data?: { result: { value: [number, string] }[] } } };
}

describe.skipIf(!pgUrl || !bigtable)('split mode: gateway, distributor, 3 ingesters RF 3, querier', () => {
  let c: Cluster;
  let token: string;

  // The tenant's webhook receiver (loopback, allowed by the operator flag below).
  const received: { status: string; alerts: { labels: Record<string, string> }[] }[] = [];
  let hook: Server;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    c = await startCluster({
      pgUrl: pgUrl!,
      bigtableEmulator: bigtable!,
      ingesters: 3,
      args: ['--alertmanager-allowed-cidrs', '127.0.0.1/32'],
      processes: [
        { name: 'gateway', targets: ['gateway', 'distributor'] },
        { name: 'querier', targets: ['querier', 'query-frontend'] },
        { name: 'rules', targets: ['ruler', 'alertmanager'] },
      ],
    });
    await c.waitForIngesters(3);
    token = await c.tenantToken(TENANT, [
      'metrics:write',
      'metrics:read',
      'rules:read',
      'rules:write',
      'alerts:read',
      'alerts:write',
    ]);
  }, 180_000);

  afterAll(async () => {
    hook?.close();
    await c?.stop();
  }, 120_000);

  it('writes through the gateway and reads every series back', async () => {
    const t = nextTs();
    const res = await push(c, token, t, 100);
    expect(res.status, await res.text()).toBeLessThan(300);
    const r = await query(c, token, 'count(split_test_metric)', t);
    expect(r.status).toBe(200);
    expect(r.json.data?.result[0]?.value[1]).toBe(String(SERIES));
    const sum = await query(c, token, 'sum(split_test_metric)', t);
    // Replicas are de-duplicated: each series counted once.
    expect(sum.json.data?.result[0]?.value[1]).toBe(String(SERIES * 100 + (SERIES * (SERIES - 1)) / 2));
  });

  it('refuses tenants at an ingester: X-Scope-OrgID without the cluster secret is 401', async () => {
    const ing = c.ingesters[0]!;
    for (const headers of [
      { 'x-scope-orgid': TENANT },
      { 'x-scope-orgid': TENANT, authorization: `Bearer ${token}` },
    ] as Record<string, string>[]) {
      const stats = await fetch(`${ing.url}/internal/ingester/stats`, { headers });
      expect(stats.status).toBe(401);
      const q = await fetch(`${ing.url}/prometheus/api/v1/query?query=up`, { headers });
      expect([401, 404]).toContain(q.status);
    }
    // The gateway ignores a client's X-Scope-OrgID: the token decides the tenant.
    const other = await fetch(`${c.gatewayUrl}/prometheus/api/v1/query?query=count(split_test_metric)`, {
      headers: { 'x-scope-orgid': 'someone-else' },
    });
    expect(other.status).toBe(401);
  });

  it('keeps accepting writes and answering complete queries with one ingester killed', async () => {
    // Acknowledged samples of a metric of their own, before, during and after the fault.
    let acked = 0;
    const ackedPush = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await push(c, token, nextTs(), i, 'split_fault_metric');
        expect(res.status, await res.text()).toBeLessThan(300);
        acked += SERIES;
      }
    };
    await ackedPush(5);
    expect(await c.kill('ingester-2', 'SIGKILL')).toBe('SIGKILL');
    await ackedPush(10);
    const t = nextTs();
    for (let i = 0; i < 5; i++) {
      const res = await push(c, token, i === 0 ? t : nextTs(), 200);
      expect(res.status, await res.text()).toBeLessThan(300);
    }
    const r = await query(c, token, 'count(split_test_metric)', lastTs);
    expect(r.status).toBe(200);
    expect(r.json.data?.result[0]?.value[1]).toBe(String(SERIES));
    const sum = await query(c, token, 'sum(split_test_metric)', lastTs);
    expect(sum.json.data?.result[0]?.value[1]).toBe(String(SERIES * 200 + (SERIES * (SERIES - 1)) / 2));

    // It comes back with the same id and address, replays its WAL and rejoins.
    await c.restart('ingester-2');
    await c.waitForIngesters(3);
    await ackedPush(5);
    const n = await query(c, token, 'sum(count_over_time(split_fault_metric[10m]))', lastTs);
    console.log(
      `kill -9 one of 3 ingesters (RF 3): ${acked} samples acknowledged, ${n.json.data?.result[0]?.value[1]} queryable`,
    );
    expect(n.json.data?.result[0]?.value[1]).toBe(String(acked));
  });

  it('operator delete-series reaches every ingester and the store', async () => {
    const before = await query(c, token, 'count(count_over_time(split_fault_metric[10m]))', lastTs);
    expect(before.json.data?.result[0]?.value[1]).toBe(String(SERIES));
    const del = await c.admin('POST', `/tenants/${TENANT}/delete-series`, {
      match: ['split_fault_metric{series="3"}'],
    });
    expect(del.status, JSON.stringify(del.json)).toBe(200);
    const after = await query(c, token, 'count(count_over_time(split_fault_metric[10m]))', lastTs);
    expect(after.json.data?.result[0]?.value[1]).toBe(String(SERIES - 1));
  });

  it('SIGTERM: an ingester flushes, leaves the ring and exits 0; the rest keep serving', async () => {
    expect(await c.kill('ingester-1', 'SIGTERM')).toBe(0);
    expect(c.process('ingester-1').output()).toMatch(/received SIGTERM/);
    expect(c.process('ingester-1').output()).toMatch(/flushed everything to the chunk store and left the ring/);
    await c.waitForIngesters(2);
    const t = nextTs();
    const res = await push(c, token, t, 300);
    expect(res.status, await res.text()).toBeLessThan(300);
    const r = await query(c, token, 'sum(split_test_metric)', t);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.data?.result[0]?.value[1], JSON.stringify(r.json)).toBe(
      String(SERIES * 300 + (SERIES * (SERIES - 1)) / 2),
    );
    await c.restart('ingester-1');
    await c.waitForIngesters(3);
  });

  it('evaluates recording rules on the ruler process over the rings, listed through the gateway', async () => {
    // Through the gateway's Mimir-compatible config API (what Grafana and mimirtool use).
    const put = await fetch(`${c.gatewayUrl}/prometheus/config/v1/rules/split`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
      body: 'name: recording\ninterval: 1s\nrules:\n  - record: split:sum\n    expr: sum(split_test_metric)\n',
    });
    expect(put.status, await put.text()).toBe(202);
    const deadline = Date.now() + 40_000;
    let last = '';
    for (;;) {
      const t = nextTs();
      await push(c, token, t, 400);
      const r = await query(c, token, 'split:sum', t);
      last = JSON.stringify(r.json);
      if (r.status === 200 && (r.json.data?.result.length ?? 0) > 0) break;
      if (Date.now() > deadline) throw new Error(`no recorded series: ${last}\n${c.output().slice(-5000)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
    const rules = await fetch(`${c.gatewayUrl}/prometheus/api/v1/rules`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(rules.status).toBe(200);
    expect(JSON.stringify(await rules.json())).toContain('split:sum');
    const am = await fetch(`${c.gatewayUrl}/alertmanager/api/v2/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(am.status, await am.text()).toBeLessThan(500);
  });

  it('routes an alert from the ruler process through the alertmanager ring to the tenant webhook', async () => {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' };
    const port = (hook.address() as AddressInfo).port;
    const am = `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: http://127.0.0.1:${port}/alerts\n`;
    const putAm = await fetch(`${c.gatewayUrl}/api/v1/alerts`, { method: 'POST', headers: auth, body: am });
    expect(putAm.status, await putAm.text()).toBe(201);
    const rule = 'name: paging\ninterval: 1s\nrules:\n  - alert: SplitHigh\n    expr: split_test_metric > 100\n';
    const putRule = await fetch(`${c.gatewayUrl}/prometheus/config/v1/rules/split-alerts`, {
      method: 'POST',
      headers: auth,
      body: rule,
    });
    expect(putRule.status, await putRule.text()).toBe(202);
    const deadline = Date.now() + 45_000;
    for (;;) {
      await push(c, token, nextTs(), 400);
      const firing = received.find((r) => r.status === 'firing' && r.alerts[0]?.labels.alertname === 'SplitHigh');
      if (firing) {
        expect(firing.alerts.length).toBe(SERIES);
        break;
      }
      if (Date.now() > deadline)
        throw new Error(`no notification: ${JSON.stringify(received)}\n${c.output().slice(-5000)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  });

  it('serves /ring as JSON and HTML on every process', async () => {
    const json = await fetch(`${c.ingesters[0]!.url}/ring`, { headers: { accept: 'application/json' } });
    const body = (await json.json()) as { rings: { name: string; replicationFactor: number }[] };
    expect(body.rings.find((r) => r.name === 'ingester')?.replicationFactor).toBe(3);
    const html = await fetch(`${c.gatewayUrl}/ring`);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toContain('ingester-0');
  });
});

describe.skipIf(!pgUrl || !bigtable)('split mode: every target its own process (gateway proxies), zone-aware', () => {
  let c: Cluster;
  let token: string;

  beforeAll(async () => {
    c = await startCluster({
      pgUrl: pgUrl!,
      bigtableEmulator: bigtable!,
      ingesters: 2,
      replicationFactor: 2,
      // Zone-aware replication: one replica per zone.
      zones: ['zone-a', 'zone-b'],
      processes: [
        { name: 'gateway', targets: ['gateway'] },
        { name: 'distributor', targets: ['distributor'] },
        // A second distributor: with the global ingestion-rate strategy they share the tenant's rate.
        { name: 'distributor-2', targets: ['distributor'] },
        { name: 'query-frontend', targets: ['query-frontend'] },
        { name: 'querier', targets: ['querier'] },
      ],
    });
    await c.waitForIngesters(2);
    token = await c.tenantToken(TENANT, ['metrics:write', 'metrics:read']);
  }, 180_000);

  afterAll(async () => {
    await c?.stop();
  }, 120_000);

  it('gateway → distributor → ingesters, gateway → query-frontend → querier → ingesters', async () => {
    const t = nextTs();
    const res = await push(c, token, t, 7);
    expect(res.status, await res.text()).toBeLessThan(300);
    const r = await query(c, token, 'sum(split_test_metric)', t);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.data?.result[0]?.value[1]).toBe(String(SERIES * 7 + (SERIES * (SERIES - 1)) / 2));
    // A range query: the frontend splits and queues it, a querier of the ring evaluates it.
    const end = ((t + 500) / 1000).toFixed(3);
    const start = ((t - 60_000) / 1000).toFixed(3);
    const range = await fetch(
      `${c.gatewayUrl}/prometheus/api/v1/query_range?query=${encodeURIComponent('count(split_test_metric)')}&start=${start}&end=${end}&step=15`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    const rj = (await range.json()) as { data?: { resultType: string; result: { values: [number, string][] }[] } };
    expect(range.status, JSON.stringify(rj)).toBe(200);
    expect(rj.data?.resultType).toBe('matrix');
    expect(rj.data?.result[0]?.values.at(-1)?.[1]).toBe(String(SERIES));
    for (const path of ['/api/v1/user_stats', '/prometheus/api/v1/user_stats']) {
      const us = await fetch(`${c.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await us.json()) as { data?: { numSeries: number } };
      expect(us.status, JSON.stringify(body)).toBe(200);
      expect(body.data?.numSeries).toBe(SERIES);
    }
    const ringJson = (await (await fetch(`${c.ingesters[0]!.url}/ring?format=json`)).json()) as {
      rings: { name: string; zoneAware: boolean }[];
    };
    expect(ringJson.rings.find((x) => x.name === 'ingester')?.zoneAware).toBe(true);
    // A wrong token is refused at the gateway, before any proxying.
    const bad = await fetch(`${c.gatewayUrl}/api/v1/push`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
    });
    expect(bad.status).toBe(401);
    // A tenant reaching the distributor directly cannot pose with X-Scope-OrgID.
    const direct = await fetch(`${c.process('distributor').url}/api/v1/push`, {
      method: 'POST',
      headers: { 'x-scope-orgid': TENANT, authorization: `Bearer ${token}` },
    });
    expect(direct.status).toBe(401);
  });

  it('federates a query across tenants: gateway → query-frontend → querier processes (issue #23)', async () => {
    const other = `${TENANT}-fed`;
    const t = nextTs();
    const res = await push(c, await c.tenantToken(other, ['metrics:write']), t, 1);
    expect(res.status, await res.text()).toBeLessThan(300);
    expect((await push(c, token, t, 1)).status).toBeLessThan(300);
    const grant = await c.admin('POST', `/tenants/${TENANT}/tokens`, { scopes: ['metrics:read'], federate: [other] });
    expect(grant.status, JSON.stringify(grant.json)).toBe(201);
    const ask = (path: string, secret: string, orgId: string) =>
      fetch(`${c.gatewayUrl}/prometheus/api/v1/${path}`, {
        headers: { authorization: `Bearer ${secret}`, 'x-scope-orgid': orgId },
        signal: AbortSignal.timeout(20_000),
      });
    const q = encodeURIComponent('count by (__tenant_id__) (split_test_metric)');
    const time = ((t + 500) / 1000).toFixed(3);
    const instant = await ask(`query?query=${q}&time=${time}`, grant.json.token, `${other}|${TENANT}`);
    const ij = (await instant.json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    expect(instant.status, JSON.stringify(ij)).toBe(200);
    expect(ij.data.result.map((r) => [r.metric.__tenant_id__, r.value[1]]).sort()).toEqual(
      [TENANT, other].sort().map((x) => [x, String(SERIES)]),
    );
    // a range query the frontend hands to a querier of the ring as the tenant set
    const range = await ask(
      `query_range?query=${q}&start=${((t - 30_000) / 1000).toFixed(3)}&end=${time}&step=15`,
      grant.json.token,
      `${TENANT}|${other}`,
    );
    const rj = (await range.json()) as { data: { result: { metric: Record<string, string> }[] } };
    expect(range.status, JSON.stringify(rj)).toBe(200);
    expect(rj.data.result.map((r) => r.metric.__tenant_id__).sort()).toEqual([TENANT, other].sort());
    // the tenant's plain token is refused the set at the gateway
    const refused = await ask(`query?query=${q}`, token, `${TENANT}|${other}`);
    expect(refused.status).toBe(403);
  });

  it('registers both distributors in the distributor ring (global ingestion-rate strategy)', async () => {
    // Each distributor divides the tenant's ingestion_rate by the healthy members it sees here.
    for (const name of ['distributor', 'distributor-2']) {
      const deadline = Date.now() + 20_000;
      let ids: string[] = [];
      while (Date.now() < deadline) {
        const res = await fetch(`${c.process(name).url}/ring?format=json`, { signal: AbortSignal.timeout(2_000) });
        const body = (await res.json()) as {
          rings: { name: string; instances: { id: string; state: string; healthy: boolean }[] }[];
        };
        ids = (body.rings.find((r) => r.name === 'distributor')?.instances ?? [])
          .filter((i) => i.state === 'ACTIVE' && i.healthy)
          .map((i) => i.id)
          .sort();
        if (ids.length === 2) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(ids, name).toEqual(['distributor', 'distributor-2']);
    }
  });
});

describe('split mode flag validation', () => {
  beforeAll(() => ensureBuilt(), 300_000);
  const base = ['server', '--port', '19999', '--control-plane-url', 'http://127.0.0.1:1'];

  it('exits 2 for an unknown target, listing the valid ones', async () => {
    const r = await runCli([...base, '--target=ingester,bogus']);
    expect(r.code).toBe(2);
    const msg = r.stderr.replace(/\s*›?\s+/g, ' ');
    expect(msg).toMatch(/unknown target bogus; valid targets: all, control-plane, gateway, distributor, ingester/);
  });

  it('exits 2 without a cluster secret or without Bigtable', async () => {
    const noSecret = await runCli([...base, '--target=ingester', '--bigtable-project=p', '--bigtable-instance=i']);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/--cluster-secret/);
    const noBigtable = await runCli([...base, '--target=querier', '--cluster-secret', 'x'.repeat(20)]);
    expect(noBigtable.code).toBe(2);
    expect(noBigtable.stderr).toMatch(/Bigtable/);
  });
});
