/**
 * Sharded Alertmanager over real HTTP: three listening servers (the v2 API behind bearer-token auth
 * and the peer endpoint behind the cluster credential, `ClusterAuth.acceptPeers` installed as in split
 * mode), one ring (embedded KV), one shared state store, `HttpAlertmanagerPeers` between them and a
 * loopback webhook. A tenant talks to the instance that does not run it; everything is forwarded.
 * Alertmanager timing runs on a manual clock; only the sockets are real.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KVStateStore, ManualScheduler, MultitenantAlertmanager } from '../../data-plane/alertmanager/index.js';
import {
  ALERTMANAGER_PEER_PATH,
  alertmanagerRoutes,
  HttpAlertmanagerPeers,
} from '../../data-plane/api/alertmanager-routes.js';
import { ClusterAuth } from '../../data-plane/api/internal-auth.js';
import type { CredentialSource } from '../../data-plane/gateway/index.js';
import { parseTenantId } from '../../data-plane/model/index.js';
import { Lifecycler, RingClient, RingStore } from '../../data-plane/ring/index.js';
import { EmbeddedKV } from '../../data-plane/storage/embedded/index.js';

const START = Date.parse('2026-11-26T10:00:00Z');
const T = parseTenantId('acme');
const TOKEN = 'acme-alerts-token';
const AUTH = new ClusterAuth('e2e-cluster-secret-0123456789');

interface Node {
  id: string;
  url: string;
  app: FastifyInstance;
  am: MultitenantAlertmanager;
  lc: Lifecycler;
  registry: Registry;
}

describe('sharded Alertmanager over HTTP (3 instances, RF 2)', () => {
  let dir: string;
  let ringKV: EmbeddedKV;
  let stateKV: EmbeddedKV;
  let ring: RingClient;
  let hookServer: Server;
  const hookNames: string[][] = [];
  const sched = new ManualScheduler(START);
  const nodes: Node[] = [];

  const credentials: CredentialSource = {
    authenticate: async (t) =>
      t === TOKEN
        ? {
            tenantId: T,
            tokenId: 't',
            scopes: ['alerts:read', 'alerts:write'],
            tenantStatus: 'active',
            expiresAtMs: null,
          }
        : undefined,
  };

  const call = async (n: Node, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${n.url}/alertmanager/api/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'am-sharded-http-'));
    ringKV = await EmbeddedKV.open({ dir: join(dir, 'ring'), sync: false });
    stateKV = await EmbeddedKV.open({ dir: join(dir, 'state'), sync: false });
    const state = new KVStateStore(stateKV);
    hookServer = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        hookNames.push(
          (JSON.parse(data) as { alerts: { labels: { alertname: string } }[] }).alerts.map((a) => a.labels.alertname),
        );
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
    const config = `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
receivers:
  - name: hook
    webhook_configs: [{url: "${hookUrl}"}]
`;
    const store = new RingStore(ringKV);
    const now = () => sched.now();
    ring = new RingClient(store, 'alertmanager', { replicationFactor: 2, heartbeatTimeoutMs: 60_000, now });
    for (const id of ['am-a', 'am-b', 'am-c']) {
      const registry = new Registry();
      const am = new MultitenantAlertmanager({
        fetchConfigs: async () => ({ revision: 1, tenants: { [T]: { config, templates: {}, revision: 1 } } }),
        externalUrl: 'http://am.example/alertmanager',
        clock: sched,
        scheduler: sched,
        state,
        registry,
        maxAttempts: 1,
        firewall: { allowedCidrs: ['127.0.0.0/8'] },
        sharding: {
          ring,
          instanceId: id,
          replicationFactor: 2,
          peers: new HttpAlertmanagerPeers({ clusterSecret: AUTH, timeoutMs: 10_000 }),
        },
      });
      const app = Fastify();
      AUTH.acceptPeers(app);
      await app.register(alertmanagerRoutes, {
        alertmanager: am,
        credentials: AUTH.credentials(credentials),
        clusterAuth: AUTH,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const lc = new Lifecycler({ store, ringName: 'alertmanager', id, addr: url, heartbeatPeriodMs: 3600_000, now });
      await lc.start();
      nodes.push({ id, url, app, am, lc, registry });
    }
    await ring.refresh();
    for (const n of nodes) await n.am.start();
  });

  afterAll(async () => {
    for (const n of nodes) {
      n.lc.stop();
      n.am.stop();
      await n.app.close();
    }
    ring?.stop();
    await new Promise<void>((r) => (hookServer ? hookServer.close(() => r()) : r()));
    await ringKV?.close();
    await stateKV?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a tenant using the instance that does not run it: alerts, silences, status, one notification', async () => {
    const replicas = nodes[0]!.am.replicas(T).instances.map((i) => i.id);
    expect(replicas).toHaveLength(2);
    const outsider = nodes.find((n) => !replicas.includes(n.id))!;
    const [primary, secondary] = replicas.map((id) => nodes.find((n) => n.id === id)!);

    expect(
      (await call(outsider, 'POST', '/alerts', [{ labels: { alertname: 'A' } }, { labels: { alertname: 'Quiet' } }]))
        .status,
    ).toBe(200);
    const silence = await call(outsider, 'POST', '/silences', {
      matchers: [{ name: 'alertname', value: 'Quiet', isRegex: false, isEqual: true }],
      startsAt: new Date(START).toISOString(),
      endsAt: new Date(START + 3600_000).toISOString(),
      createdBy: 'ops',
      comment: 'e2e',
    });
    expect(silence.status).toBe(200);
    const id = (silence.json as { silenceID: string }).silenceID;
    for (const n of nodes) {
      const alerts = await call(n, 'GET', '/alerts');
      expect(alerts.status).toBe(200);
      expect((alerts.json as { labels: { alertname: string } }[]).map((a) => a.labels.alertname).sort()).toEqual([
        'A',
        'Quiet',
      ]);
      expect((await call(n, 'GET', `/silence/${id}`)).json).toMatchObject({ id, status: { state: 'active' } });
    }
    expect((await call(outsider, 'GET', '/silence/nope')).status).toBe(404);
    const status = await call(outsider, 'GET', '/status');
    expect(status.json.cluster.status).toBe('ready');
    expect((status.json.cluster.peers as { name: string }[]).map((p) => p.name).sort()).toEqual([...replicas].sort());
    expect(outsider.am.runningTenants()).toEqual([]);

    // group_wait on both replicas: the primary sends, the secondary waits a peer timeout and skips.
    await sched.advance(30_000);
    const deadline = Date.now() + 10_000;
    while (hookNames.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    while (
      (await stateKV.scan({ prefix: new TextEncoder().encode(`alertmanager/${T}/n/`) })).length < 1 &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await sched.advance(15_000);
    const skipped = async () =>
      (
        (
          await secondary!.registry
            .getSingleMetric('cortex_alertmanager_replica_notifications_deduplicated_total')
            ?.get()
        )?.values ?? []
      ).reduce((s, v) => s + v.value, 0);
    while ((await skipped()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await skipped()).toBe(1);
    expect(hookNames).toEqual([['A']]);
    expect(primary!.am.position(T)).toBe(0);
  });

  it('the peer endpoint refuses a tenant token and a missing credential', async () => {
    for (const authorization of [`Bearer ${TOKEN}`, undefined]) {
      const res = await fetch(`${nodes[0]!.url}${ALERTMANAGER_PEER_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-scope-orgid': T,
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ op: 'api', call: { op: 'getStatus' } }),
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(401);
    }
  });
});
