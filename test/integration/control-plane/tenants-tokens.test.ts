import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type Harness, harness, tenantId } from './harness.js';

describe.each(backends())('control plane tenants and tokens on $name', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function createTenant(id = tenantId()) {
    const r = await h.admin('POST', '/tenants', { id, displayName: 'Acme', labels: { plan: 'pro' } });
    expect(r.statusCode, r.body).toBe(201);
    return id;
  }

  async function createToken(id: string, scopes = ['metrics:write', 'metrics:read'], extra: object = {}) {
    const r = await h.admin('POST', `/tenants/${id}/tokens`, { scopes, name: 'prom', ...extra });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; token: string; prefix: string };
  }

  it('creates, gets, lists and updates a tenant', async () => {
    const id = await createTenant();
    const got = (await h.admin('GET', `/tenants/${id}`)).json();
    expect(got).toMatchObject({ id, displayName: 'Acme', labels: { plan: 'pro' }, status: 'active' });
    expect(got.createdAt).toBe('2026-11-26T10:00:00.000Z');

    const patched = await h.admin('PATCH', `/tenants/${id}`, { displayName: 'Acme Inc' });
    expect(patched.json()).toMatchObject({ displayName: 'Acme Inc', labels: { plan: 'pro' } });

    const dup = await h.admin('POST', '/tenants', { id });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.kind).toBe('conflict');
  });

  it('lets exactly one of several concurrent creates of one ID win', async () => {
    const id = tenantId('race');
    const codes = await Promise.all(Array.from({ length: 6 }, () => h.admin('POST', '/tenants', { id })));
    expect(codes.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const created = (await h.admin('GET', `/audit?tenant=${id}&action=tenant.create`)).json().items;
    expect(created).toHaveLength(1);
  });

  it('paginates the tenant list and filters by status', async () => {
    const prefix = tenantId('page');
    const ids = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
    for (const id of ids) await createTenant(id);
    await h.admin('POST', `/tenants/${ids[1]}/suspend`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const page = (await h.admin('GET', `/tenants?limit=2${q}`)).json() as {
        items: Array<{ id: string }>;
        nextCursor: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(ids));
    const suspended = (await h.admin('GET', '/tenants?status=suspended&limit=1000')).json();
    expect(suspended.items.map((t: { id: string }) => t.id)).toContain(ids[1]);
    expect(suspended.items.map((t: { id: string }) => t.id)).not.toContain(ids[0]);
  });

  it('issues a token once, lists it without the secret, and authenticates it', async () => {
    const id = await createTenant();
    const tok = await createToken(id);
    expect(tok.token).toMatch(/^cxt_[0-9A-Za-z]{36}$/);
    expect(tok.token.startsWith(tok.prefix)).toBe(true);
    const list = await h.admin('GET', `/tenants/${id}/tokens`);
    expect(list.body).not.toContain(tok.token);
    expect(list.json().items).toEqual([
      expect.objectContaining({
        id: tok.id,
        prefix: tok.prefix,
        scopes: ['metrics:write', 'metrics:read'],
        revokedAt: null,
      }),
    ]);

    const auth = await h.cp.internal.authenticate(tok.token);
    expect(auth).toEqual({
      tenantId: id,
      tokenId: tok.id,
      scopes: ['metrics:write', 'metrics:read'],
      tenantStatus: 'active',
      expiresAt: null,
    });
    const viaHttp = await h.internal('POST', '/authenticate', { token: tok.token });
    expect(viaHttp.statusCode).toBe(200);
    expect(viaHttp.json()).toEqual(auth);
    const lastUsed = async () => (await h.admin('GET', `/tenants/${id}/tokens`)).json().items[0].lastUsedAt;
    expect(await lastUsed()).toBe('2026-11-26T10:00:00.000Z');
    // lastUsedAt is written at most once a minute, so authentication stays a read.
    h.clock.advance(59_000);
    try {
      await h.cp.internal.authenticate(tok.token);
      expect(await lastUsed()).toBe('2026-11-26T10:00:00.000Z');
      h.clock.advance(2_000);
      await h.cp.internal.authenticate(tok.token);
      expect(await lastUsed()).toBe('2026-11-26T10:01:01.000Z');
    } finally {
      h.clock.advance(-61_000);
    }
  });

  it('makes revocation, suspension and deletion visible to authenticate immediately', async () => {
    const id = await createTenant();
    const t1 = await createToken(id);
    const t2 = await createToken(id, ['rules:read']);
    expect((await h.admin('DELETE', `/tenants/${id}/tokens/${t1.id}`)).json().revokedAt).not.toBeNull();
    expect(await h.cp.internal.authenticate(t1.token)).toBeUndefined();
    expect((await h.internal('POST', '/authenticate', { token: t1.token })).statusCode).toBe(404);

    // Clients that send a JSON content type without a body are fine.
    const suspend = await h.admin('POST', `/tenants/${id}/suspend`, undefined, undefined, {
      'content-type': 'application/json',
    });
    expect(suspend.statusCode, suspend.body).toBe(200);
    expect((await h.cp.internal.authenticate(t2.token))?.tenantStatus).toBe('suspended');
    await h.admin('POST', `/tenants/${id}/resume`);
    expect((await h.cp.internal.authenticate(t2.token))?.tenantStatus).toBe('active');

    const del = await h.admin('DELETE', `/tenants/${id}`);
    expect(del.json().status).toBe('deleted');
    expect(await h.cp.internal.authenticate(t2.token)).toBeUndefined();
    const tokens = (await h.admin('GET', `/tenants/${id}/tokens`)).json().items;
    expect(tokens.every((t: { revokedAt: string | null }) => t.revokedAt !== null)).toBe(true);
  });

  it('expires tokens by the injected clock', async () => {
    const id = await createTenant();
    const tok = await createToken(id, ['metrics:read'], { expiresAt: '2026-11-26T11:00:00Z' });
    expect((await h.cp.internal.authenticate(tok.token))?.expiresAt).toBe('2026-11-26T11:00:00.000Z');
    h.clock.advance(3600_000);
    try {
      expect(await h.cp.internal.authenticate(tok.token)).toBeUndefined();
    } finally {
      h.clock.advance(-3600_000);
    }
  });

  it('rejects tampered and unknown tokens without leaking which', async () => {
    const id = await createTenant();
    const tok = await createToken(id);
    const flipped = tok.token.slice(0, 10) + (tok.token[10] === 'a' ? 'b' : 'a') + tok.token.slice(11);
    for (const bad of [flipped, `${tok.token}x`, '', 'cxt_', ROOT_LIKE]) {
      expect(await h.cp.internal.authenticate(bad)).toBeUndefined();
    }
  });

  it('blocks re-creating a deleted tenant until its purge completes', async () => {
    const id = await createTenant();
    await h.admin('DELETE', `/tenants/${id}`);
    expect((await h.admin('POST', '/tenants', { id })).statusCode).toBe(409);
    const feed = (await h.internal('GET', '/tenants')).json();
    expect(feed.purges.map((p: { tenantId: string }) => p.tenantId)).toContain(id);
    expect(feed.tenants.map((t: { id: string }) => t.id)).not.toContain(id);

    expect((await h.internal('POST', `/purges/${id}/complete`)).statusCode).toBe(200);
    expect((await h.internal('POST', `/purges/${id}/complete`)).statusCode).toBe(404);
    expect((await h.admin('GET', `/tenants/${id}`)).statusCode).toBe(404);
    expect((await h.admin('POST', '/tenants', { id })).statusCode).toBe(201);
    expect((await h.admin('GET', `/tenants/${id}/tokens`)).json().items).toEqual([]);
  });

  it('requires credentials on admin and internal routes', async () => {
    expect((await h.admin('GET', '/tenants', undefined, '')).statusCode).toBe(401);
    expect((await h.admin('GET', '/tenants', undefined, 'wrong-token-wrong-token')).json().error.kind).toBe(
      'unauthorized',
    );
    const r = await h.app.inject({
      method: 'GET',
      url: '/internal/v1/tenants',
      headers: { authorization: `Bearer ${'x'.repeat(40)}` },
    });
    expect(r.statusCode).toBe(401);
    const t = await createTenant();
    const tok = await createToken(t);
    // A tenant token is not an admin credential.
    expect((await h.admin('GET', '/tenants', undefined, tok.token)).statusCode).toBe(401);
    const i = await h.app.inject({
      method: 'GET',
      url: '/internal/v1/tenants',
      headers: { authorization: `Bearer ${tok.token}` },
    });
    expect(i.statusCode).toBe(401);
  });
});

const ROOT_LIKE = `cxt_${'A'.repeat(36)}`;
