import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { type CredentialSource, requireScope, tenantOf } from '../gateway/index.js';
import { parseTenantId } from '../model/index.js';
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
