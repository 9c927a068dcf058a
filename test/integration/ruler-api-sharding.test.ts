/**
 * Ruler API sharding: with groups split over rulers by the ring, each ruler's
 * /prometheus/api/v1/rules and /alerts show every group of the tenant, gathered from its peers over
 * loopback HTTP with the cluster secret (the peer endpoint refuses calls without it).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRulerPeers, RULER_PEER_PATH, rulerPeerRoutes, rulerRoutes } from '../../data-plane/api/index.js';
import { ClusterAuth } from '../../data-plane/api/internal-auth.js';
import type { CredentialSource } from '../../data-plane/gateway/index.js';
import { parseTenantId } from '../../data-plane/model/index.js';
import { type InstanceDesc, Ring } from '../../data-plane/ring/index.js';
import { MemoryRuleBackend, Ruler, ShardedRuleGroups, StaticRuleGroupSource } from '../../data-plane/ruler/index.js';

const T = parseTenantId('api-sharded');
const OTHER = parseTenantId('someone-else');
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const SECRET = 'a-cluster-secret-of-some-length';
const GROUPS = 12;

const credentials: CredentialSource = {
  authenticate: async (t) =>
    t === 'tenant-token'
      ? { tenantId: T, tokenId: 'tok', scopes: ['metrics:read'], tenantStatus: 'active', expiresAtMs: null }
      : undefined,
};

const apps: FastifyInstance[] = [];
const rulers: Ruler[] = [];
const ring = new Ring({ replicationFactor: 1, now: () => T0 });

beforeAll(async () => {
  const source = new StaticRuleGroupSource();
  source.set(T, [
    ...Array.from({ length: GROUPS }, (_, i) => ({
      namespace: `ns${i % 3}`,
      group: { name: `g${i}`, rules: [{ record: `r:g${i}`, expr: `vector(${i})` }] },
    })),
    { namespace: 'alerts', group: { name: 'a', rules: [{ alert: 'Always', expr: 'vector(1)' }] } },
  ]);
  source.set(OTHER, [{ namespace: 'x', group: { name: 'hidden', rules: [{ record: 'r:x', expr: '1' }] } }]);
  const backend = new MemoryRuleBackend();
  const auth = new ClusterAuth(SECRET);
  const peers = new HttpRulerPeers({ clusterSecret: SECRET, timeoutMs: 5_000 });
  const instances: Record<string, InstanceDesc> = {};
  for (const id of ['r1', 'r2', 'r3']) {
    const ruler = new Ruler({
      source,
      query: backend.query,
      writer: backend,
      limits: { get: () => 0 },
      clock: { now: () => T0 },
      ring: { ring, instanceId: id },
    });
    const app = Fastify();
    await app.register(rulerPeerRoutes, { ruler, auth });
    await app.register(rulerRoutes, {
      prefix: '/prometheus',
      ruler,
      credentials,
      sharded: new ShardedRuleGroups({ local: ruler, ring: { ring, instanceId: id }, peers, clock: { now: () => T0 } }),
    });
    const addr = await app.listen({ host: '127.0.0.1', port: 0 });
    apps.push(app);
    rulers.push(ruler);
    const k = rulers.length - 1;
    instances[id] = {
      id,
      addr,
      zone: '',
      state: 'ACTIVE',
      tokens: [0, 1, 2, 3, 4, 5].map((j) => Math.floor(((j * 3 + k) / 18) * 2 ** 32)),
      heartbeatMs: T0,
      registeredMs: T0,
    };
  }
  ring.update({ instances });
  for (const r of rulers) {
    r.sync();
    await r.evaluateAll(T0);
  }
});

afterAll(async () => {
  for (const r of rulers) r.stop();
  await Promise.all(apps.map((a) => a.close()));
});

const get = (app: FastifyInstance, url: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: 'Bearer tenant-token' } });

describe('ruler API sharding', () => {
  it('splits the groups over the rulers', () => {
    const counts = rulers.map((r) => r.groups(T).length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(GROUPS + 1);
    expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('every ruler lists every group of the tenant, filters applied after merging', async () => {
    for (const app of apps) {
      const res = await get(app, '/prometheus/api/v1/rules');
      expect(res.statusCode).toBe(200);
      const groups = res.json().data.groups as { name: string; file: string }[];
      expect(groups.map((g) => g.name).sort()).toEqual(
        ['a', ...Array.from({ length: GROUPS }, (_, i) => `g${i}`)].sort(),
      );
      const filtered = await get(app, '/prometheus/api/v1/rules?type=alert&exclude_alerts=true');
      expect(filtered.json().data.groups).toMatchObject([{ name: 'a', rules: [{ name: 'Always', type: 'alerting' }] }]);
      expect(filtered.json().data.groups[0].rules[0].alerts).toBeUndefined();
      const byFile = await get(app, '/prometheus/api/v1/rules?file[]=ns1');
      expect(byFile.json().data.groups.every((g: { file: string }) => g.file === 'ns1')).toBe(true);
      const alerts = await get(app, '/prometheus/api/v1/alerts');
      expect(alerts.json().data.alerts).toMatchObject([{ labels: { alertname: 'Always' }, state: 'firing' }]);
    }
  });

  it('the peer endpoint needs the cluster secret and answers for the named tenant only', async () => {
    const [app] = apps as [FastifyInstance];
    const none = await app.inject({ method: 'GET', url: RULER_PEER_PATH, headers: { 'x-scope-orgid': T } });
    expect(none.statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'GET',
      url: RULER_PEER_PATH,
      headers: { authorization: 'Bearer tenant-token', 'x-scope-orgid': T },
    });
    expect(wrong.statusCode).toBe(401);
    const other = await app.inject({
      method: 'GET',
      url: RULER_PEER_PATH,
      headers: { ...new ClusterAuth(SECRET).headers(OTHER) },
    });
    expect(other.statusCode).toBe(200);
    expect(other.json().data.groups.every((g: { name: string }) => g.name === 'hidden')).toBe(true);
  });

  it('fails with 503 when a healthy ruler does not answer', async () => {
    const saved = ring.describe();
    const broken = ring.describe();
    broken.instances.r3!.addr = 'http://127.0.0.1:1';
    ring.update(broken);
    try {
      const res = await get(apps[0]!, '/prometheus/api/v1/rules');
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toContain('ruler r3');
    } finally {
      ring.update(saved);
    }
  });
});
