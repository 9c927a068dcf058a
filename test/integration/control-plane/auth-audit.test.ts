import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyId } from '../../../control-plane/plugins/sessions.js';
import { A, backends, type Harness, harness, JWT_KEYS, tenantId } from './harness.js';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function hs256(header: object, payload: object, key: string): string {
  const data = `${b64(header)}.${b64(payload)}`;
  return `${data}.${createHmac('sha256', key).update(data).digest('base64url')}`;
}

describe.each(backends())('control plane admin auth, sessions and audit on $name', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('admin tokens: create (secret once), list without secret, authenticate, revoke', async () => {
    const created = await h.admin('POST', '/admin-tokens', { name: 'ops' });
    expect(created.statusCode, created.body).toBe(201);
    const { id, token } = created.json();
    expect(token).toMatch(/^cxa_[0-9A-Za-z]{36}$/);
    const list = await h.admin('GET', '/admin-tokens');
    expect(list.body).not.toContain(token);
    expect(list.json().items.map((t: { id: string }) => t.id)).toContain(id);

    const t = tenantId();
    expect((await h.admin('POST', '/tenants', { id: t }, token)).statusCode).toBe(201);
    const entry = (await h.admin('GET', `/audit?tenant=${t}&action=tenant.create`)).json().items[0];
    expect(entry.actor).toBe(`admin:${id}`);

    expect((await h.admin('DELETE', `/admin-tokens/${id}`)).json().revokedAt).not.toBeNull();
    expect((await h.admin('GET', '/tenants', undefined, token)).statusCode).toBe(401);
  });

  it('revoking an admin token by an id that cannot exist is a 404 (a NUL byte was a 500)', async () => {
    for (const id of ['%00', 'nope', 'a%00b', '00000000-0000-0000-0000-000000000000'])
      expect((await h.admin('DELETE', `/admin-tokens/${id}`)).statusCode).toBe(404);
  });

  it('viewer admin tokens may read but not change (403)', async () => {
    const { token } = (await h.admin('POST', '/admin-tokens', { name: 'auditor', role: 'viewer' })).json();
    expect((await h.admin('GET', '/tenants', undefined, token)).statusCode).toBe(200);
    const r = await h.admin('POST', '/tenants', { id: tenantId() }, token);
    expect(r.statusCode).toBe(403);
    expect(r.json().error.kind).toBe('forbidden');
  });

  it('sessions: exchange a token for an HS256 JWT that works until it expires', async () => {
    const s = await h.app.inject({
      method: 'POST',
      url: `${A}/sessions`,
      payload: { token: 'root-token-for-tests-0123456789' },
    });
    expect(s.statusCode, s.body).toBe(200);
    const { jwt, expiresAt } = s.json();
    expect(JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString())).toMatchObject({
      alg: 'HS256',
      kid: keyId(JWT_KEYS[0]!),
    });
    expect(Date.parse(expiresAt)).toBe(h.clock.now() + 15 * 60_000);
    expect((await h.admin('GET', '/tenants', undefined, jwt)).statusCode).toBe(200);
    const login = (await h.admin('GET', '/audit?action=session.create', undefined, jwt)).json().items[0];
    expect(login).toMatchObject({ actor: 'root', action: 'session.create', tenantId: null });
    const bad = await h.app.inject({ method: 'POST', url: `${A}/sessions`, payload: { token: 'nope-nope-nope-nope' } });
    expect(bad.statusCode).toBe(401);
    h.clock.advance(16 * 60_000);
    try {
      expect((await h.admin('GET', '/tenants', undefined, jwt)).statusCode).toBe(401);
    } finally {
      h.clock.advance(-16 * 60_000);
    }
  });

  it('sessions: accepts the older rotated key by kid, rejects unknown kid, alg none and wrong key', async () => {
    const now = Math.floor(h.clock.now() / 1000);
    const claims = {
      sub: 'root',
      role: 'admin',
      iss: 'cortex-control-plane',
      aud: 'cortex-admin',
      iat: now,
      exp: now + 600,
    };
    const old = hs256({ alg: 'HS256', typ: 'JWT', kid: keyId(JWT_KEYS[1]!) }, claims, JWT_KEYS[1]!);
    expect((await h.admin('GET', '/tenants', undefined, old)).statusCode).toBe(200);
    const cases = [
      hs256({ alg: 'HS256', typ: 'JWT', kid: 'unknown' }, claims, JWT_KEYS[0]!),
      hs256({ alg: 'HS256', typ: 'JWT', kid: keyId(JWT_KEYS[0]!) }, claims, 'some-other-key-some-other-key-123'),
      `${b64({ alg: 'none', typ: 'JWT', kid: keyId(JWT_KEYS[0]!) })}.${b64(claims)}.`,
      hs256({ alg: 'HS256', typ: 'JWT', kid: keyId(JWT_KEYS[0]!) }, { ...claims, aud: 'someone-else' }, JWT_KEYS[0]!),
      hs256({ alg: 'HS256', typ: 'JWT', kid: keyId(JWT_KEYS[0]!) }, { ...claims, exp: undefined }, JWT_KEYS[0]!),
    ];
    for (const jwt of cases) expect((await h.admin('GET', '/tenants', undefined, jwt)).statusCode).toBe(401);
  });

  it('audit: records actor, action, tenant and before/after for limits and configs, with filters and paging', async () => {
    const t = tenantId();
    await h.admin('POST', '/tenants', { id: t });
    await h.admin('PATCH', `/tenants/${t}/limits`, { ingestion_rate: 7 });
    await h.admin('PATCH', `/tenants/${t}/limits`, { ingestion_rate: 8 });
    const tok = (await h.admin('POST', `/tenants/${t}/tokens`, { scopes: ['metrics:read'] })).json();
    const items = (await h.admin('GET', `/audit?tenant=${t}`)).json().items;
    expect(items.map((e: { action: string }) => e.action)).toEqual([
      'token.create',
      'limits.patch',
      'limits.patch',
      'tenant.create',
    ]);
    expect(items[1]).toMatchObject({ actor: 'root', before: { ingestion_rate: 7 }, after: { ingestion_rate: 8 } });
    expect(JSON.stringify(items)).not.toContain(tok.token);

    const page1 = (await h.admin('GET', `/audit?tenant=${t}&limit=3`)).json();
    expect(page1.items).toHaveLength(3);
    const page2 = (await h.admin('GET', `/audit?tenant=${t}&limit=3&cursor=${page1.nextCursor}`)).json();
    expect(page2.items.map((e: { action: string }) => e.action)).toEqual(['tenant.create']);
    expect(page2.nextCursor).toBeNull();
    const byAction = (await h.admin('GET', `/audit?tenant=${t}&action=limits.patch`)).json().items;
    expect(byAction).toHaveLength(2);
    const since = (await h.admin('GET', `/audit?tenant=${t}&since=2030-01-01T00:00:00Z`)).json().items;
    expect(since).toEqual([]);
  });

  it('internal auth-throttle events land in the audit log; malformed ones are 400', async () => {
    const t = tenantId();
    const event = { failures: 20, at: '2026-11-26T10:00:00.000Z', until: '2026-11-26T10:01:00.000Z' };
    const ok = await h.internal('POST', '/auth-throttle', { kind: 'user', value: t, ...event });
    expect(ok.statusCode, ok.body).toBe(200);
    const entry = (await h.admin('GET', `/audit?tenant=${t}&action=auth.throttle`)).json().items[0];
    expect(entry).toMatchObject({ actor: 'gateway', target: `user:${t}`, after: event });
    const bad = [
      { kind: 'user', value: 'no/such', ...event },
      { kind: 'nope', value: '10.0.0.1', ...event },
      { kind: 'address', value: '10.0.0.1', ...event, extra: 1 },
    ];
    for (const body of bad) expect((await h.internal('POST', '/auth-throttle', body)).statusCode).toBe(400);
    expect((await h.admin('POST', '/auth-throttle', { kind: 'address', value: 'x', ...event })).statusCode).toBe(404);
  });

  it('serves an OpenAPI 3 document describing every route', async () => {
    const r = await h.app.inject({ method: 'GET', url: `${A}/openapi.json` });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, m]) =>
      Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`),
    );
    for (const op of [
      'POST /admin/api/v1/tenants',
      'GET /admin/api/v1/tenants/{id}',
      'DELETE /admin/api/v1/tenants/{id}/tokens/{tokenId}',
      'PATCH /admin/api/v1/tenants/{id}/limits',
      'PUT /admin/api/v1/tenants/{id}/rules/{namespace}/{group}',
      'PUT /admin/api/v1/tenants/{id}/alertmanager',
      'GET /admin/api/v1/audit',
      'POST /admin/api/v1/sessions',
      'POST /admin/api/v1/admin-tokens',
      'POST /internal/v1/authenticate',
      'GET /internal/v1/overrides',
      'POST /internal/v1/purges/{tenantId}/complete',
    ]) {
      expect(ops).toContain(op);
    }
    expect(
      doc.paths['/admin/api/v1/tenants'].post.requestBody.content['application/json'].schema.properties.id,
    ).toBeDefined();
  });

  it('answers unknown admin and internal paths with the error envelope', async () => {
    const r = await h.admin('GET', '/nope');
    expect(r.statusCode).toBe(404);
    expect(r.json().error.kind).toBe('not_found');
  });
});
