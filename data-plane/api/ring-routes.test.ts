import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Lifecycler, memoryRingKV, RingClient, RingStore, type RingsStatus } from '../ring/index.js';
import { bearerAuthorizer, ringRoutes } from './ring-routes.js';

const SECRET = 'cluster-secret-0123456789';
const ROOT = 'root-token-abcdefghij';

describe('ring routes', () => {
  const apps: FastifyInstance[] = [];
  const stops: (() => void)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) s();
    for (const a of apps.splice(0)) await a.close();
  });

  const setup = async () => {
    let now = 10_000_000;
    const clock = () => now;
    const store = new RingStore(memoryRingKV());
    const join = async (ring: string, id: string, zone = '') => {
      const lc = new Lifecycler({
        store,
        ringName: ring,
        id,
        addr: `http://${id}:9009`,
        zone,
        numTokens: 8,
        now: clock,
      });
      stops.push(() => lc.stop());
      await lc.start();
      return lc;
    };
    await join('ingester', 'ing-1', 'a');
    const dead = await join('ingester', 'ing-2', 'b');
    dead.stop();
    await join('ruler', 'ruler-1');
    now += 120_000;
    await join('ingester', 'ing-3', 'c');
    const client = (name: string) => {
      const c = new RingClient(store, name, { replicationFactor: 3, heartbeatTimeoutMs: 60_000, now: clock });
      stops.push(() => c.stop());
      return c;
    };
    const rings = [client('ingester'), client('ruler')];
    await Promise.all(rings.map((r) => r.start()));
    const app = Fastify();
    apps.push(app);
    await app.register(ringRoutes, {
      rings: () => rings,
      authorizeForget: bearerAuthorizer([SECRET, ROOT]),
      now: clock,
    });
    return { app, rings, store };
  };

  it('GET /ring as JSON lists every ring with derived health', async () => {
    const { app } = await setup();
    for (const req of [{ url: '/ring?format=json' }, { url: '/ring', headers: { accept: 'application/json' } }]) {
      const res = await app.inject({ method: 'GET', ...req });
      expect(res.statusCode).toBe(200);
      const body = res.json<RingsStatus>();
      expect(body.rings.map((r) => r.name)).toEqual(['ingester', 'ruler']);
      const ing = body.rings[0]!;
      expect(ing).toMatchObject({ replicationFactor: 3, heartbeatTimeoutMs: 60_000, zoneAware: true });
      expect(ing.instances.map((i) => [i.id, i.status, i.zone, i.tokenCount])).toEqual([
        ['ing-1', 'UNHEALTHY', 'a', 8],
        ['ing-2', 'UNHEALTHY', 'b', 8],
        ['ing-3', 'ACTIVE', 'c', 8],
      ]);
      expect(ing.instances[0]?.heartbeatAgeMs).toBe(120_000);
      expect(ing.instances[0]?.tokens).toBeUndefined();
      const total = ing.instances.reduce((s, i) => s + i.ownershipPercent, 0);
      expect(total).toBeGreaterThan(99.9);
      expect(total).toBeLessThan(100.1);
    }
    const withTokens = (await app.inject({ method: 'GET', url: '/ring?format=json&tokens=true' })).json<RingsStatus>();
    expect(withTokens.rings[0]?.instances[0]?.tokens).toHaveLength(8);
  });

  it('GET /ring as HTML, escaped, with forget forms for unhealthy instances only', async () => {
    const { app } = await setup();
    const res = await app.inject({ method: 'GET', url: '/ring', headers: { accept: 'text/html,*/*' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('<h2>ingester</h2>');
    expect(res.body).toContain('UNHEALTHY (ACTIVE)');
    expect(res.body.match(/name="forget"/g)).toHaveLength(3); // ing-1, ing-2, ruler-1
    expect(res.body).toContain('action="/ring?ring=ingester"');
  });

  it.each([
    { path: '/ingester/ring', ring: 'ingester', status: 200 },
    { path: '/ruler/ring', ring: 'ruler', status: 200 },
    { path: '/multitenant_alertmanager/ring', ring: 'alertmanager', status: 404 },
    { path: '/distributor/ring', ring: 'distributor', status: 404 },
  ])('$path shows only the $ring ring ($status)', async ({ path, ring, status }) => {
    const { app } = await setup();
    const res = await app.inject({ method: 'GET', url: `${path}?format=json` });
    expect(res.statusCode).toBe(status);
    if (status === 200) expect(res.json<RingsStatus>().rings.map((r) => r.name)).toEqual([ring]);
  });

  it.each([
    { name: 'no credential', headers: {}, payload: { forget: 'ing-2' }, status: 401 },
    {
      name: 'a tenant-ish token',
      headers: { authorization: 'Bearer nope' },
      payload: { forget: 'ing-2' },
      status: 401,
    },
    { name: 'missing id', headers: { authorization: `Bearer ${SECRET}` }, payload: {}, status: 400 },
    { name: 'unknown id', headers: { authorization: `Bearer ${SECRET}` }, payload: { forget: 'x' }, status: 404 },
    {
      name: 'a healthy instance',
      headers: { authorization: `Bearer ${ROOT}` },
      payload: { forget: 'ing-3' },
      status: 409,
    },
    {
      name: 'cluster secret',
      headers: { authorization: `Bearer ${SECRET}` },
      payload: { forget: 'ing-2' },
      status: 200,
    },
    { name: 'root token', headers: { authorization: `Bearer ${ROOT}` }, payload: { forget: 'ing-2' }, status: 200 },
  ])('POST /ingester/ring forget: $name → $status', async ({ headers, payload, status }) => {
    const { app, rings } = await setup();
    const res = await app.inject({ method: 'POST', url: '/ingester/ring', headers, payload });
    expect(res.statusCode).toBe(status);
    const ids = Object.keys(rings[0]!.describe().instances).sort();
    expect(ids).toEqual(status === 200 ? ['ing-1', 'ing-3'] : ['ing-1', 'ing-2', 'ing-3']);
  });

  it('the HTML form posts to /ring with the ring name and the token field, then redirects', async () => {
    const { app, rings } = await setup();
    const res = await app.inject({
      method: 'POST',
      url: '/ring?ring=ruler',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `forget=ruler-1&token=${encodeURIComponent(SECRET)}`,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/ring');
    expect(Object.keys(rings[1]!.describe().instances)).toEqual([]);
  });

  it('forgetting is off without an authorizer', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(ringRoutes, { rings: () => [] });
    const res = await app.inject({ method: 'POST', url: '/ring', payload: { ring: 'x', forget: 'y' } });
    expect(res.statusCode).toBe(401);
    const page = await app.inject({ method: 'GET', url: '/ring' });
    expect(page.body).toContain('knows no rings');
  });
});
