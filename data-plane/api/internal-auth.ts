/**
 * Cluster authentication of internal traffic (split mode). Every internal HTTP call carries
 * `Authorization: Bearer <cluster secret>`; a data-plane listener accepts `X-Scope-OrgID` only from
 * such a call, so a tenant who reaches an internal port cannot pose as another tenant.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { CredentialSource, Principal, Scope } from '../gateway/index.js';
import {
  BadDataError,
  isFederated,
  isTenantId,
  parseTenantList,
  type QueryTenant,
  queryTenantFor,
  type TenantId,
  tenantsOf,
  UnauthorizedError,
} from '../model/index.js';
import { prometheusErrorBody, statusOf } from './errors.js';

const ALL_SCOPES: readonly Scope[] = [
  'metrics:write',
  'metrics:read',
  'rules:read',
  'rules:write',
  'alerts:read',
  'alerts:write',
];

const digest = (s: string) => createHash('sha256').update(s).digest();

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on internal routes once the cluster credential is verified: the `X-Scope-OrgID` tenant. */
    peerTenant?: TenantId;
    /** Like `peerTenant`, on internal routes that serve federated queries: one tenant or `a|b|c`. */
    peerQueryTenant?: QueryTenant;
  }
}

/** The shared cluster secret: verifies peers (constant time) and builds the headers peers send. */
export class ClusterAuth {
  private readonly expected: Buffer;
  /** Per-process token standing for "a verified peer acting for tenant X" inside this listener only. */
  private readonly nonce = `cxpeer_${randomBytes(24).toString('base64url')}:`;

  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new BadDataError('the cluster secret must be at least 16 characters');
    this.expected = digest(`Bearer ${secret}`);
  }

  /** Whether an `Authorization` header carries the cluster secret (constant-time comparison). */
  verify(authorization: string | string[] | undefined): boolean {
    if (typeof authorization !== 'string') return false;
    return timingSafeEqual(digest(authorization), this.expected);
  }

  /** Headers of an internal call, optionally on behalf of a tenant. */
  headers(tenantId?: QueryTenant): Record<string, string> {
    return {
      authorization: `Bearer ${this.secret}`,
      ...(tenantId === undefined ? {} : { 'x-scope-orgid': tenantId }),
    };
  }

  /**
   * onRequest hook of internal routes: 401 without the cluster credential; sets `req.peerTenant`
   * from `X-Scope-OrgID` (400 when it is not a valid tenant ID).
   */
  requirePeer(opts: { tenant: boolean; federated?: boolean }): onRequestHookHandler {
    return async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        if (!this.verify(req.headers.authorization)) {
          throw new UnauthorizedError('internal endpoint: a valid cluster credential is required');
        }
        if (opts.tenant && opts.federated) req.peerQueryTenant = tenantHeader(req, true);
        else if (opts.tenant) req.peerTenant = tenantHeader(req);
      } catch (err) {
        reply.code(statusOf(err)).send(prometheusErrorBody(err));
        return reply;
      }
    };
  }

  /**
   * Lets cluster peers (the gateway) call this listener's tenant-facing routes with the cluster
   * credential and `X-Scope-OrgID` instead of a tenant token: an app-level hook (it runs before the
   * routes' own gateway hooks) turns a verified peer request into this process's private peer
   * token, which `credentials()` accepts. Any other `X-Scope-OrgID` is left for the gateway hook to
   * strip; `/internal/` routes and calls without `X-Scope-OrgID` are left alone.
   */
  acceptPeers(app: FastifyInstance): void {
    app.addHook('onRequest', async (req, reply) => {
      // Internal routes check the credential themselves; calls without a tenant are not for us.
      if (req.url.startsWith('/internal/') || req.headers['x-scope-orgid'] === undefined) return;
      if (!this.verify(req.headers.authorization)) return;
      try {
        // a federated set (a gateway passing on an authorised `a|b|c`) becomes a peer with that grant
        req.headers.authorization = `Bearer ${this.nonce}${tenantHeader(req, true)}`;
      } catch (err) {
        reply.code(statusOf(err)).send(prometheusErrorBody(err));
        return reply;
      }
    });
  }

  /** Peer tokens made by `acceptPeers`, else `tenants` (the real token source), if any. */
  credentials(tenants?: CredentialSource): CredentialSource {
    return {
      authenticate: async (token: string): Promise<Principal | undefined> => {
        if (token.startsWith(this.nonce)) {
          const q = token.slice(this.nonce.length) as QueryTenant;
          const tenants = tenantsOf(q);
          if (!tenants.every(isTenantId)) return undefined;
          const p: Principal = {
            tenantId: tenants[0]!,
            tokenId: 'cluster-peer',
            scopes: ALL_SCOPES,
            tenantStatus: 'active',
            expiresAtMs: null,
          };
          if (isFederated(q)) p.federate = tenants;
          return p;
        }
        return tenants ? await tenants.authenticate(token) : undefined;
      },
    };
  }
}

function tenantHeader(req: FastifyRequest): TenantId;
function tenantHeader(req: FastifyRequest, federated: true): QueryTenant;
function tenantHeader(req: FastifyRequest, federated = false): QueryTenant {
  const v = req.headers['x-scope-orgid'];
  if (federated && typeof v === 'string' && v.includes('|')) {
    return queryTenantFor(parseTenantList(v, '|', 'X-Scope-OrgID'));
  }
  if (typeof v !== 'string' || !isTenantId(v)) {
    throw new BadDataError('X-Scope-OrgID must name exactly one valid tenant ID');
  }
  return v;
}
