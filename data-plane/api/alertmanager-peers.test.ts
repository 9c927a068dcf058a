import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MultitenantAlertmanager } from '../alertmanager/index.js';
import { CortexError, parseTenantId, UnavailableError } from '../model/index.js';
import type { InstanceDesc } from '../ring/types.js';
import { ALERTMANAGER_PEER_PATH, HttpAlertmanagerPeers } from './alertmanager-peers.js';
import { alertmanagerRoutes } from './alertmanager-routes.js';
import { ClusterAuth } from './internal-auth.js';

const SECRET = 'peer-test-cluster-secret-0123456789';
const AUTH = new ClusterAuth(SECRET);
const T = parseTenantId('acme');

async function peer() {
  const am = new MultitenantAlertmanager({
    fetchConfigs: async () => ({ revision: 1, tenants: {} }),
    externalUrl: 'http://localhost/alertmanager',
  });
  await am.start();
  const app = Fastify();
  // The split-mode listener hook that rewrites peer credentials before route hooks run.
  AUTH.acceptPeers(app);
  await app.register(alertmanagerRoutes, {
    alertmanager: am,
    credentials: { authenticate: async () => undefined },
    clusterAuth: AUTH,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  const inst: InstanceDesc = {
    id: 'am-x',
    addr: `http://127.0.0.1:${addr.port}`,
    zone: '',
    state: 'ACTIVE',
    tokens: [],
    heartbeatMs: 0,
    registeredMs: 0,
  };
  return {
    am,
    app,
    inst,
    close: async () => {
      am.stop();
      await app.close();
    },
  };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('HttpAlertmanagerPeers ↔ the peer endpoint', () => {
  it('delivers alerts, serves API calls and merges silences on the peer', async () => {
    const p = await peer();
    cleanup = p.close;
    const peers = new HttpAlertmanagerPeers({ clusterSecret: SECRET, timeoutMs: 5_000 });
    await peers.call(p.inst, T, { op: 'receiveAlerts', alerts: [{ labels: { alertname: 'A' } }] });
    const listed = (await peers.call(p.inst, T, { op: 'api', call: { op: 'getAlerts', query: {} } })) as {
      labels: Record<string, string>;
    }[];
    expect(listed.map((a) => a.labels)).toEqual([{ alertname: 'A' }]);
    const now = Date.now();
    await peers.call(p.inst, T, {
      op: 'mergeSilences',
      silences: [
        {
          id: 's-1',
          matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }],
          startsAt: now - 1000,
          endsAt: now + 3600_000,
          updatedAt: now,
          createdBy: 'ops',
          comment: '',
        },
      ],
    });
    expect((await p.am.tenant(T)).silences.get('s-1').createdBy).toBe('ops');
    // Deleting returns nothing (null on the wire).
    expect(await peers.call(p.inst, T, { op: 'api', call: { op: 'deleteSilence', id: 's-1' } })).toBeNull();
  });

  it('carries alert labels named __proto__ or constructor (a series may have them, a rule passes them on)', async () => {
    const p = await peer();
    cleanup = p.close;
    const peers = new HttpAlertmanagerPeers({ clusterSecret: SECRET, timeoutMs: 5_000 });
    const labels = JSON.parse('{"alertname":"A","__proto__":"p","constructor":"c"}');
    await peers.call(p.inst, T, { op: 'receiveAlerts', alerts: [{ labels }] });
    const listed = (await peers.call(p.inst, T, { op: 'api', call: { op: 'getAlerts', query: {} } })) as {
      labels: Record<string, string>;
    }[];
    expect(Object.entries(listed[0]!.labels)).toEqual([
      ['__proto__', 'p'],
      ['alertname', 'A'],
      ['constructor', 'c'],
    ]);
  });

  it("returns the peer's error kind and message; a wrong secret or a dead peer is unavailable", async () => {
    const p = await peer();
    cleanup = p.close;
    const peers = new HttpAlertmanagerPeers({ clusterSecret: SECRET, timeoutMs: 5_000 });
    const err = await peers.call(p.inst, T, { op: 'api', call: { op: 'getSilence', id: 'nope' } }).catch((e) => e);
    expect(err).toBeInstanceOf(CortexError);
    expect((err as CortexError).kind).toBe('not_found');
    expect((err as Error).message).toMatch(/silence nope not found/);
    const bad = await peers
      .call(p.inst, T, { op: 'receiveAlerts', alerts: [{ labels: {} }] })
      .catch((e: unknown) => e as CortexError);
    expect((bad as CortexError).kind).toBe('bad_data');

    const wrong = new HttpAlertmanagerPeers({ clusterSecret: 'another-secret-0123456789', timeoutMs: 5_000 });
    await expect(wrong.call(p.inst, T, { op: 'api', call: { op: 'getStatus' } })).rejects.toBeInstanceOf(
      UnavailableError,
    );
    // The endpoint itself refuses a request without the secret, whatever the tenant header says.
    const res = await p.app.inject({
      method: 'POST',
      url: ALERTMANAGER_PEER_PATH,
      headers: { 'x-scope-orgid': 'acme' },
      payload: { op: 'api', call: { op: 'getStatus' } },
    });
    expect(res.statusCode).toBe(401);
    const addr = p.inst.addr;
    await p.close();
    cleanup = undefined;
    await expect(peers.call({ ...p.inst, addr }, T, { op: 'api', call: { op: 'getStatus' } })).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });
});
