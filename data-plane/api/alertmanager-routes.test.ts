import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MultitenantAlertmanager } from '../alertmanager/index.js';
import type { CredentialSource, Principal, Scope } from '../gateway/index.js';
import { parseTenantId } from '../model/index.js';
import { alertmanagerRoutes } from './alertmanager-routes.js';

const CONFIG = `
route:
  receiver: team
  group_by: [alertname]
  routes:
    - matchers: [severity="critical"]
      receiver: pager
receivers:
  - name: team
  - name: pager
`;

async function build() {
  const tokens = new Map<string, Principal>();
  const add = (tok: string, tenant: string, scopes: Scope[]) =>
    tokens.set(tok, {
      tenantId: parseTenantId(tenant),
      tokenId: tok,
      scopes,
      tenantStatus: 'active',
      expiresAtMs: null,
    });
  add('rw-a', 'a', ['alerts:read', 'alerts:write']);
  add('r-a', 'a', ['alerts:read']);
  add('rw-b', 'b', ['alerts:read', 'alerts:write']);
  const credentials: CredentialSource = { authenticate: async (t) => tokens.get(t) };
  const am = new MultitenantAlertmanager({
    fetchConfigs: async () => ({ revision: 1, tenants: { a: { config: CONFIG, templates: {}, revision: 1 } } }),
    externalUrl: 'http://localhost/alertmanager',
  });
  await am.start();
  const app = Fastify();
  await app.register(alertmanagerRoutes, { alertmanager: am, credentials });
  await app.ready();
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, payload?: unknown) => {
    const res = await app.inject({
      method,
      url: `/alertmanager/api/v2${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, json: res.body === '' ? undefined : res.json() };
  };
  return { app, am, call };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
});

const hour = 3600_000;

describe('alertmanager v2 routes', () => {
  it('posts alerts and lists them with receivers and status, per tenant', async () => {
    const { app, am, call } = await build();
    cleanup = async () => {
      am.stop();
      await app.close();
    };
    const posted = await call('POST', '/alerts', 'rw-a', [
      { labels: { alertname: 'Down', severity: 'critical' }, annotations: { summary: 'x' } },
      { labels: { alertname: 'Slow' } },
    ]);
    expect(posted.status).toBe(200);
    const alerts = await call('GET', '/alerts', 'r-a');
    expect(alerts.status).toBe(200);
    expect(alerts.json).toHaveLength(2);
    const down = alerts.json.find((a: { labels: { alertname: string } }) => a.labels.alertname === 'Down');
    expect(down).toMatchObject({
      annotations: { summary: 'x' },
      receivers: [{ name: 'pager' }],
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const filtered = await call('GET', '/alerts?filter=alertname%3D%22Slow%22', 'r-a');
    expect(filtered.json.map((a: { labels: { alertname: string } }) => a.labels.alertname)).toEqual(['Slow']);
    const groups = await call('GET', '/alerts/groups', 'r-a');
    expect(
      groups.json.map((g: { labels: unknown; receiver: { name: string } }) => [g.labels, g.receiver.name]).sort(),
    ).toEqual([
      [{ alertname: 'Down' }, 'pager'],
      [{ alertname: 'Slow' }, 'team'],
    ]);
    expect((await call('GET', '/alerts', 'rw-b')).json).toEqual([]);
  });

  it('creates, reads, lists, filters and expires silences', async () => {
    const { app, am, call } = await build();
    cleanup = async () => {
      am.stop();
      await app.close();
    };
    await call('POST', '/alerts', 'rw-a', [{ labels: { alertname: 'Down' } }]);
    const now = Date.now();
    const created = await call('POST', '/silences', 'rw-a', {
      matchers: [{ name: 'alertname', value: 'Down', isRegex: false, isEqual: true }],
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + hour).toISOString(),
      createdBy: 'ops',
      comment: 'deploy',
    });
    expect(created.status).toBe(200);
    const id = created.json.silenceID as string;
    const one = await call('GET', `/silence/${id}`, 'r-a');
    expect(one.json).toMatchObject({ id, status: { state: 'active' }, createdBy: 'ops', comment: 'deploy' });
    const alerts = await call('GET', '/alerts', 'r-a');
    expect(alerts.json[0].status).toMatchObject({ state: 'suppressed', silencedBy: [id] });
    expect((await call('GET', '/alerts?silenced=false', 'r-a')).json).toEqual([]);
    expect((await call('GET', '/silences?filter=alertname%3DDown', 'r-a')).json).toHaveLength(1);
    expect((await call('GET', '/silences?filter=alertname%3DOther', 'r-a')).json).toHaveLength(0);
    expect((await call('DELETE', `/silence/${id}`, 'rw-a')).status).toBe(200);
    expect((await call('GET', `/silence/${id}`, 'r-a')).json.status.state).toBe('expired');
    expect((await call('GET', `/silence/${id}`, 'rw-b')).status).toBe(404);
  });

  it.each([
    {
      name: 'read token cannot post alerts',
      method: 'POST' as const,
      url: '/alerts',
      token: 'r-a',
      body: [],
      status: 403,
    },
    {
      name: 'read token cannot expire silences',
      method: 'DELETE' as const,
      url: '/silence/x',
      token: 'r-a',
      status: 403,
    },
    { name: 'unknown token', method: 'GET' as const, url: '/alerts', token: 'nope', status: 401 },
    {
      name: 'alert without labels',
      method: 'POST' as const,
      url: '/alerts',
      token: 'rw-a',
      body: [{ labels: {} }],
      status: 400,
    },
    {
      name: 'null alert in the list',
      method: 'POST' as const,
      url: '/alerts',
      token: 'rw-a',
      body: [null],
      status: 400,
    },
    {
      name: 'body not a list',
      method: 'POST' as const,
      url: '/alerts',
      token: 'rw-a',
      body: { labels: {} },
      status: 400,
    },
    {
      name: 'silence matching everything',
      method: 'POST' as const,
      url: '/silences',
      token: 'rw-a',
      body: {
        matchers: [{ name: 'a', value: '.*', isRegex: true }],
        startsAt: '2026-01-01T00:00:00Z',
        endsAt: '2099-01-01T00:00:00Z',
        createdBy: 'x',
        comment: 'y',
      },
      status: 400,
    },
    { name: 'unknown silence', method: 'GET' as const, url: '/silence/does-not-exist', token: 'r-a', status: 404 },
    { name: 'bad filter', method: 'GET' as const, url: '/alerts?filter=nope', token: 'r-a', status: 400 },
  ])('$name → $status', async ({ method, url, token, body, status }) => {
    const { app, am, call } = await build();
    cleanup = async () => {
      am.stop();
      await app.close();
    };
    const res = await call(method, url, token, body);
    expect(res.status).toBe(status);
  });

  it('reports status with the original config and the receivers; fallback for unconfigured tenants', async () => {
    const { app, am, call } = await build();
    cleanup = async () => {
      am.stop();
      await app.close();
    };
    const st = await call('GET', '/status', 'r-a');
    expect(st.json).toMatchObject({
      cluster: { status: 'disabled' },
      config: { original: CONFIG },
      versionInfo: { version: '0.25.0' },
    });
    expect((await call('GET', '/receivers', 'r-a')).json).toEqual([{ name: 'team' }, { name: 'pager' }]);
    expect((await call('GET', '/receivers', 'rw-b')).json).toEqual([{ name: 'empty-receiver' }]);
  });
});
