import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { prometheusErrorBody, statusOf } from '../api/errors.js';
import { ForbiddenError, type TenantId, UnauthorizedError } from '../model/index.js';
import { AuthThrottle, AuthThrottledError } from './auth-throttle.js';
import type { CredentialSource, Principal, Scope } from './credentials.js';
import { authorizeTenants, requestedTenants } from './federation.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the gateway once the caller's token is verified; the only source of the tenant. */
    principal?: Principal;
  }
}

/** The tenant of an authenticated request; throws if the route forgot its gateway hook. */
export function tenantOf(req: FastifyRequest): TenantId {
  if (!req.principal) throw new UnauthorizedError('request was not authenticated');
  return req.principal.tenantId;
}

/**
 * Extracts the token from `Authorization: Bearer <token>` or Basic auth with user = tenant ID and
 * password = token (Grafana Cloud style). Returns the claimed tenant for Basic auth.
 */
export function parseAuthorization(header: string | undefined): { token: string; claimedTenant?: string } {
  if (!header) throw new UnauthorizedError('missing credentials: send Authorization: Bearer <token>');
  const sp = header.indexOf(' ');
  const scheme = (sp < 0 ? header : header.slice(0, sp)).toLowerCase();
  const rest = sp < 0 ? '' : header.slice(sp + 1).trim();
  if (scheme === 'bearer' && rest !== '') return { token: rest };
  if (scheme === 'basic' && rest !== '') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0 && colon < decoded.length - 1) {
      return { token: decoded.slice(colon + 1), claimedTenant: decoded.slice(0, colon) };
    }
  }
  throw new UnauthorizedError('malformed Authorization header: use Bearer <token> or Basic <tenant:token>');
}

/**
 * Returns an onRequest hook that authenticates the caller, enforces `scope` (any one of them, when
 * several are given) and tenant status, and strips headers a client must never control
 * (`X-Scope-OrgID`, `Cookie`). With `federated`, the tenants the request names (`X-Scope-OrgID:
 * a|b|c` or `?tenants=`) are authorised against the token's grant and set as `req.queryTenant`
 * (400 for a malformed list, 403 naming the tenants not covered); elsewhere the header is ignored.
 */
export function requireScope(
  credentials: CredentialSource,
  scope: Scope | readonly Scope[],
  opts: { federated?: boolean } = {},
): onRequestHookHandler {
  const accepted: readonly Scope[] = typeof scope === 'string' ? [scope] : scope;
  return async function gatewayAuth(req: FastifyRequest, reply: FastifyReply) {
    const orgIds = req.headers['x-scope-orgid'];
    delete req.headers['x-scope-orgid'];
    delete req.headers.cookie;
    const throttle = credentials.throttle;
    try {
      let parsed: ReturnType<typeof parseAuthorization>;
      try {
        parsed = parseAuthorization(req.headers.authorization);
      } catch (err) {
        // A malformed header is a failed attempt too; a missing one is not (nothing was guessed).
        if (throttle && req.headers.authorization) {
          const keys = AuthThrottle.keysOf(req.ip, undefined);
          throttle.check(keys);
          throttle.fail(keys);
        }
        throw err;
      }
      const { token, claimedTenant } = parsed;
      const keys = throttle ? AuthThrottle.keysOf(req.ip, claimedTenant) : [];
      throttle?.check(keys, () => credentials.knownGood?.(token) ?? false);
      const p = await credentials.authenticate(token);
      if (!p || (claimedTenant !== undefined && claimedTenant !== p.tenantId)) {
        throttle?.fail(keys);
        throw new UnauthorizedError('invalid, expired or revoked token');
      }
      if (p.tenantStatus === 'suspended') {
        throw new ForbiddenError(`tenant ${p.tenantId} is suspended; contact your administrator`);
      }
      if (!accepted.some((s) => p.scopes.includes(s))) {
        throw new ForbiddenError(
          `token lacks the ${accepted.join(' or ')} scope required for ${req.method} ${req.routeOptions.url}`,
        );
      }
      req.principal = p;
      if (opts.federated) req.queryTenant = authorizeTenants(p, requestedTenants(orgIds, req.query));
    } catch (err) {
      const status = statusOf(err);
      if (status === 401) reply.header('www-authenticate', 'Bearer realm="cortex"');
      if (err instanceof AuthThrottledError) reply.header('retry-after', String(err.retryAfterSeconds));
      reply.code(status).send(prometheusErrorBody(err));
      return reply;
    }
  };
}
