import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { type CredentialSource, queryTenantOf, requireScope, tenantOf } from '../gateway/index.js';
import { parseTenantId, queryTenantFor } from '../model/index.js';
import { ClusterAuth } from './internal-auth.js';

const SECRET = 'auth-test-cluster-secret-0123';

async function app(tenants?: CredentialSource) {
  const auth = new ClusterAuth(SECRET);
  const a = Fastify({ logger: false });
  auth.acceptPeers(a);
  a.get('/tenant', { onRequest: requireScope(auth.credentials(tenants), 'metrics:read') }, async (req) => ({
    tenant: tenantOf(req),
  }));
  a.get('/internal/x', { onRequest: auth.requirePeer({ tenant: true }) }, async (req) => ({ tenant: req.peerTenant }));
  const query = requireScope(auth.credentials(tenants), 'metrics:read', { federated: true });
  a.get('/query', { onRequest: query }, async (req) => ({ tenants: queryTenantOf(req) }));
  a.get('/internal/q', { onRequest: auth.requirePeer({ tenant: true, federated: true }) }, async (req) => ({
    tenants: req.peerQueryTenant,
  }));
  return a;
}

const tenantToken: CredentialSource = {
  authenticate: async (t) =>
    t === 'tenant-a-token'
      ? {
          tenantId: parseTenantId('tenant-a'),
          tokenId: '1',
          scopes: ['metrics:read'],
          tenantStatus: 'active',
          expiresAtMs: null,
        }
      : undefined,
};

describe('ClusterAuth', () => {
  it('rejects short secrets', () => {
    expect(() => new ClusterAuth('short')).toThrow(/16 characters/);
  });

  it('lets a peer act for the tenant in X-Scope-OrgID, on tenant routes and internal ones', async () => {
    const a = await app();
    const h = new ClusterAuth(SECRET).headers(parseTenantId('tenant-b'));
    expect((await a.inject({ url: '/tenant', headers: h })).json()).toEqual({ tenant: 'tenant-b' });
    expect((await a.inject({ url: '/internal/x', headers: h })).json()).toEqual({ tenant: 'tenant-b' });
  });

  it('passes a federated tenant set on from a gateway to query routes, and to no tenant-only route', async () => {
    const a = await app(tenantToken);
    const set = queryTenantFor(['tenant-b', 'tenant-a'].map(parseTenantId));
    const h = new ClusterAuth(SECRET).headers(set);
    expect(h['x-scope-orgid']).toBe('tenant-a|tenant-b');
    expect((await a.inject({ url: '/query', headers: h })).json()).toEqual({ tenants: 'tenant-a|tenant-b' });
    expect((await a.inject({ url: '/internal/q', headers: h })).json()).toEqual({ tenants: 'tenant-a|tenant-b' });
    // an internal route that serves one tenant refuses a set; a malformed set is a 400 everywhere
    expect((await a.inject({ url: '/internal/x', headers: h })).statusCode).toBe(400);
    const bad = { ...h, 'x-scope-orgid': 'tenant-a||tenant-b' };
    expect((await a.inject({ url: '/query', headers: bad })).statusCode).toBe(400);
    expect((await a.inject({ url: '/internal/q', headers: bad })).statusCode).toBe(400);
    // a tenant's own token with a set it has no grant for: 403, never the peer's trust
    const asTenant = { authorization: 'Bearer tenant-a-token', 'x-scope-orgid': 'tenant-a|tenant-b' };
    const r = await a.inject({ url: '/query', headers: asTenant });
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toContain('token does not cover tenants: tenant-b;');
  });

  it('never trusts X-Scope-OrgID from a tenant: the token decides, and without a gateway it is 401', async () => {
    const noGateway = await app();
    const asTenant = { authorization: 'Bearer tenant-a-token', 'x-scope-orgid': 'tenant-b' };
    expect((await noGateway.inject({ url: '/tenant', headers: asTenant })).statusCode).toBe(401);
    expect((await noGateway.inject({ url: '/internal/x', headers: asTenant })).statusCode).toBe(401);
    const gateway = await app(tenantToken);
    expect((await gateway.inject({ url: '/tenant', headers: asTenant })).json()).toEqual({ tenant: 'tenant-a' });
  });

  it('refuses a peer credential without a valid tenant, and a wrong secret', async () => {
    const a = await app();
    const bad = { authorization: `Bearer ${SECRET}`, 'x-scope-orgid': '../x' };
    expect((await a.inject({ url: '/tenant', headers: bad })).statusCode).toBe(400);
    const none = { authorization: `Bearer ${SECRET}` };
    expect((await a.inject({ url: '/tenant', headers: none })).statusCode).toBe(401);
    const wrong = { authorization: `Bearer ${SECRET}0`, 'x-scope-orgid': 'tenant-b' };
    expect((await a.inject({ url: '/tenant', headers: wrong })).statusCode).toBe(401);
    // A forged peer token (another process's nonce is unknown) is just an unknown token.
    const forged = { authorization: 'Bearer cxpeer_guess:tenant-b' };
    expect((await a.inject({ url: '/tenant', headers: forged })).statusCode).toBe(401);
  });
});
