/**
 * Sharded, replicated Alertmanager (Cortex's multi-tenant AM sharding): three instances on one real
 * ring (data-plane/ring over the embedded KV), one shared state store (KVStateStore over the embedded
 * KV, as the Bigtable table is shared in split mode), a real webhook on loopback. Time is a manual
 * clock; heartbeats are driven by the test, so a "killed" instance turns unhealthy exactly when its
 * heartbeat is older than the timeout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AlertmanagerApi,
  type AlertmanagerPeers,
  KVStateStore,
  ManualScheduler,
  MultitenantAlertmanager,
} from '../../data-plane/alertmanager/index.js';
import { parseTenantId, type TenantId, UnavailableError } from '../../data-plane/model/index.js';
import { Lifecycler, RingClient, RingStore } from '../../data-plane/ring/index.js';
import { EmbeddedKV } from '../../data-plane/storage/embedded/index.js';

const START = Date.parse('2026-11-26T10:00:00Z');
const S = 1000;
const HEARTBEAT_TIMEOUT = 60 * S;
const PEER_TIMEOUT = 15 * S;
const T = parseTenantId('acme');

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

interface Hook {
  url: string;
  /** alertname of each alert of each notification, e.g. [["A"], ["B"]]. */
  names: string[][];
  close(): Promise<void>;
}

async function webhook(): Promise<Hook> {
  const names: string[][] = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const body = JSON.parse(data) as { alerts: { labels: { alertname: string } }[] };
      names.push(body.alerts.map((a) => a.labels.alertname));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, names, close: () => new Promise((r) => server.close(() => r())) };
}

/** Polls a condition the test cannot await directly (real sockets, file I/O), bounded. */
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Node {
  id: string;
  am: MultitenantAlertmanager;
  api: AlertmanagerApi;
  lc: Lifecycler;
  registry: Registry;
  alive: boolean;
}

async function cluster(tenants: TenantId[]) {
  const dir = await mkdtemp(join(tmpdir(), 'am-sharding-'));
  const ringKV = await EmbeddedKV.open({ dir: join(dir, 'ring'), sync: false });
  const stateKV = await EmbeddedKV.open({ dir: join(dir, 'state'), sync: false });
  const state = new KVStateStore(stateKV);
  const sched = new ManualScheduler(START);
  const now = () => sched.now();
  const store = new RingStore(ringKV);
  const ring = new RingClient(store, 'alertmanager', {
    replicationFactor: 2,
    heartbeatTimeoutMs: HEARTBEAT_TIMEOUT,
    now,
  });
  const hook = await webhook();
  const nodes = new Map<string, Node>();
  /** Instances other instances cannot reach (a network partition), although alive. */
  const unreachable = new Set<string>();
  const peers: AlertmanagerPeers = {
    async call(inst, tenant, call) {
      const n = nodes.get(inst.id);
      if (!n?.alive || unreachable.has(inst.id)) throw new UnavailableError(`${inst.id} is down`);
      // Through JSON, as over HTTP.
      const r = await n.api.handlePeer(tenant, JSON.parse(JSON.stringify(call)));
      return JSON.parse(JSON.stringify(r ?? null));
    },
  };
  const feed = {
    revision: 1,
    tenants: Object.fromEntries(tenants.map((t) => [t, { config: config(hook.url), templates: {}, revision: 1 }])),
  };
  for (const id of ['am-1', 'am-2', 'am-3']) {
    const lc = new Lifecycler({
      store,
      ringName: 'alertmanager',
      id,
      addr: `http://${id}.invalid:9009`,
      numTokens: 128,
      heartbeatPeriodMs: 3600_000,
      now,
    });
    await lc.start();
    const registry = new Registry();
    const am = new MultitenantAlertmanager({
      fetchConfigs: async () => feed,
      externalUrl: 'http://am.example/alertmanager',
      clock: sched,
      scheduler: sched,
      state,
      registry,
      maxAttempts: 1,
      firewall: { allowedCidrs: ['127.0.0.0/8'] },
      sharding: { ring, instanceId: id, replicationFactor: 2, peers, peerTimeoutMs: PEER_TIMEOUT },
    });
    nodes.set(id, { id, am, api: new AlertmanagerApi(am, { version: 'test', now }), lc, registry, alive: true });
  }
  await ring.refresh();
  for (const n of nodes.values()) await n.am.start();

  /** Moves time in steps of ≤ 10 s; live instances heartbeat after each step, the ring is re-read. */
  const step = async (ms: number) => {
    for (let left = ms; left > 0; left -= 10 * S) {
      await sched.advance(Math.min(left, 10 * S));
      for (const n of nodes.values()) if (n.alive) await n.lc.heartbeat();
      await ring.refresh();
    }
  };
  const kill = (id: string) => {
    const n = nodes.get(id)!;
    n.alive = false;
    n.lc.stop();
    n.am.stop();
  };
  const deduplicated = async (id: string) => {
    const m = nodes.get(id)!.registry.getSingleMetric('cortex_alertmanager_replica_notifications_deduplicated_total');
    return ((await m?.get())?.values ?? []).reduce((s, v) => s + v.value, 0);
  };
  const close = async () => {
    for (const n of nodes.values()) {
      n.lc.stop();
      n.am.stop();
    }
    ring.stop();
    await hook.close();
    await ringKV.close();
    await stateKV.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { nodes, sched, ring, state, hook, step, kill, deduplicated, unreachable, close };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const alert = (name: string) => ({ labels: { alertname: name, severity: 'page' } });

describe('sharded Alertmanager (ring, RF 2 of 3 instances, shared state)', () => {
  it('each tenant runs on exactly RF instances; any instance serves its API', async () => {
    const tenants = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'].map(parseTenantId);
    const c = await cluster(tenants);
    cleanup = c.close;
    const nodes = [...c.nodes.values()];
    for (const t of tenants) {
      const replicas = nodes[0]!.am
        .replicas(t)
        .instances.map((i) => i.id)
        .sort();
      expect(replicas).toHaveLength(2);
      const running = nodes.filter((n) => n.am.runningTenants().includes(t)).map((n) => n.id);
      expect(running.sort()).toEqual(replicas);
      // Every instance agrees on the replicas.
      for (const n of nodes)
        expect(
          n.am
            .replicas(t)
            .instances.map((i) => i.id)
            .sort(),
        ).toEqual(replicas);
      // Posted through the instance that does not run the tenant, listed through each instance.
      const outsider = nodes.find((n) => !replicas.includes(n.id))!;
      await outsider.api.postAlerts(t, [alert(`X-${t}`)]);
      for (const n of nodes) {
        const listed = (await n.api.getAlerts(t, {})) as { labels: { alertname: string } }[];
        expect(listed.map((a) => a.labels.alertname)).toEqual([`X-${t}`]);
      }
      expect(outsider.am.runningTenants()).not.toContain(t);
    }
  });

  it('one notification per alert across replicas; the replica takes over from a dead primary without a duplicate, silences kept', async () => {
    const c = await cluster([T]);
    cleanup = c.close;
    const nodes = [...c.nodes.values()];
    const [primary, secondary] = nodes[0]!.am.replicas(T).instances.map((i) => c.nodes.get(i.id)!);
    const third = nodes.find((n) => n !== primary && n !== secondary)!;
    expect(primary!.am.position(T)).toBe(0);
    expect(secondary!.am.position(T)).toBe(1);

    // A silence created through the instance that does not run the tenant reaches both replicas.
    const { silenceID } = await third.api.postSilence(T, {
      matchers: [{ name: 'alertname', value: 'Silenced', isRegex: false, isEqual: true }],
      startsAt: new Date(START).toISOString(),
      endsAt: new Date(START + 24 * 3600 * S).toISOString(),
      createdBy: 'ops',
      comment: 'maintenance',
    });
    for (const n of [primary!, secondary!]) {
      await waitFor(`silence on ${n.id}`, async () =>
        (await n.am.tenant(T)).silences.list().some((s) => s.id === silenceID),
      );
    }

    await third.api.postAlerts(T, [alert('A'), alert('Silenced')]);
    expect((await primary!.am.tenant(T)).listAlerts()).toHaveLength(2);
    expect((await secondary!.am.tenant(T)).listAlerts()).toHaveLength(2);

    // group_wait: the primary notifies at once…
    await c.step(30 * S);
    await waitFor('the primary notification', () => c.hook.names.length === 1);
    await waitFor('the shared log entry', async () => (await c.state.loadNotificationLog(T)).length === 1);
    // …the secondary waits one peer timeout, finds it in the shared log and stays quiet.
    await c.step(PEER_TIMEOUT);
    await waitFor('the secondary to deduplicate', async () => (await c.deduplicated(secondary!.id)) >= 1);
    expect(c.hook.names).toEqual([['A']]);

    // The primary dies: no heartbeat for longer than the timeout.
    c.kill(primary!.id);
    await c.step(HEARTBEAT_TIMEOUT + 10 * S);
    await waitFor('the takeover', () => third.am.runningTenants().includes(T));
    expect(
      secondary!.am
        .replicas(T)
        .instances.map((i) => i.id)
        .sort(),
    ).toEqual([secondary!.id, third.id].sort());
    expect(secondary!.am.position(T)).toBe(0);
    expect(third.am.position(T)).toBe(1);
    // The new replica restored the silence and the notification log from the store.
    const taken = await third.am.tenant(T);
    expect(taken.silences.list().map((s) => s.id)).toEqual([silenceID]);
    const [logged] = await c.state.loadNotificationLog(T);
    expect(logged?.receiver).toBe('hook/webhook/0');
    expect(taken.nflog.query(logged!.groupKey, logged!.receiver)).toEqual(logged);

    // The ruler re-sends its firing alerts (every minute); nothing is notified again.
    const before3 = await c.deduplicated(third.id);
    await secondary!.api.postAlerts(T, [alert('A'), alert('Silenced')]);
    await c.step(30 * S + PEER_TIMEOUT);
    await waitFor('the new replica to deduplicate', async () => (await c.deduplicated(third.id)) > before3);
    const before2 = await c.deduplicated(secondary!.id);
    await c.step(5 * 60 * S + PEER_TIMEOUT); // the secondary's group_interval flush
    await waitFor('the new primary to deduplicate', async () => (await c.deduplicated(secondary!.id)) > before2);
    expect(c.hook.names).toEqual([['A']]);

    // A new alert is notified exactly once by the new primary.
    await third.api.postAlerts(T, [alert('B')]);
    const beforeB = await c.deduplicated(third.id);
    await c.step(30 * S);
    await waitFor('the B notification', () => c.hook.names.length === 2);
    await c.step(PEER_TIMEOUT);
    await waitFor('the replica to deduplicate B', async () => (await c.deduplicated(third.id)) > beforeB);
    expect(c.hook.names).toEqual([['A'], ['B']]);

    // The silence is still listed (and still active) through any live instance.
    for (const n of [secondary!, third]) {
      const listed = (await n.api.getSilences(T, {})) as { id: string; status: { state: string } }[];
      expect(listed.map((s) => [s.id, s.status.state])).toEqual([[silenceID, 'active']]);
    }
  });

  it('a silence whose push was lost reaches the replica through the store; a leaving instance hands over', async () => {
    const c = await cluster([T]);
    cleanup = c.close;
    const nodes = [...c.nodes.values()];
    const [primary, secondary] = nodes[0]!.am.replicas(T).instances.map((i) => c.nodes.get(i.id)!);
    const third = nodes.find((n) => n !== primary && n !== secondary)!;

    c.unreachable.add(secondary!.id);
    const { silenceID } = await primary!.api.postSilence(T, {
      matchers: [{ name: 'alertname', value: 'Silenced', isRegex: false, isEqual: true }],
      startsAt: new Date(START).toISOString(),
      endsAt: new Date(START + 24 * 3600 * S).toISOString(),
      createdBy: 'ops',
      comment: '',
    });
    const has = async (n: Node) => (await n.am.tenant(T)).silences.list().some((s) => s.id === silenceID);
    expect(await has(secondary!)).toBe(false);
    c.unreachable.clear();
    await c.step(15 * S); // the state refresh period
    await waitFor('the silence from the store', () => has(secondary!));

    // Graceful shutdown: LEAVING, then unregistered; the third instance takes the tenant over.
    await primary!.lc.leave();
    primary!.alive = false;
    primary!.am.stop();
    await c.ring.refresh(); // RingClient polls every second
    await c.step(10 * S);
    await waitFor('the takeover', () => third.am.runningTenants().includes(T));
    expect(secondary!.am.position(T)).toBe(0);
    expect(await has(third)).toBe(true);
    await secondary!.api.postAlerts(T, [alert('Silenced'), alert('C')]);
    await c.step(30 * S);
    await waitFor('the C notification', () => c.hook.names.length === 1);
    await c.step(PEER_TIMEOUT);
    await waitFor('the replica to deduplicate', async () => (await c.deduplicated(third.id)) >= 1);
    expect(c.hook.names).toEqual([['C']]);
  });
});
