import type { FastifyRequest } from 'fastify';
import {
  BadDataError,
  ForbiddenError,
  parseTenantList,
  type QueryTenant,
  queryTenantFor,
  type TenantId,
  UnauthorizedError,
} from '../model/index.js';
import type { Principal } from './credentials.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the gateway on federation-aware routes: the tenants this request reads, authorised. */
    queryTenant?: QueryTenant;
  }
}

/**
 * The tenants a query asks to read: `X-Scope-OrgID: a|b|c` (what Grafana and Mimir's clients send),
 * or `?tenants=a,b,c` for clients that cannot set headers. Undefined when it names none (the
 * token's own tenant is read). Both at once must name the same set.
 */
export function requestedTenants(header: string | string[] | undefined, query: unknown): TenantId[] | undefined {
  if (Array.isArray(header)) {
    throw new BadDataError('X-Scope-OrgID was sent more than once (err-cortex-invalid-tenant-list)', {
      id: 'err-cortex-invalid-tenant-list',
    });
  }
  const param = (query as Record<string, unknown> | undefined)?.tenants;
  if (Array.isArray(param)) {
    throw new BadDataError('the tenants parameter was sent more than once (err-cortex-invalid-tenant-list)', {
      id: 'err-cortex-invalid-tenant-list',
    });
  }
  const fromHeader = header === undefined ? undefined : parseTenantList(header, '|', 'X-Scope-OrgID');
  const fromParam = typeof param === 'string' ? parseTenantList(param, ',', 'tenants parameter') : undefined;
  if (fromHeader && fromParam && queryTenantFor(fromHeader) !== queryTenantFor(fromParam)) {
    throw new BadDataError(
      'X-Scope-OrgID and the tenants parameter name different tenants; send one (err-cortex-invalid-tenant-list)',
      { id: 'err-cortex-invalid-tenant-list' },
    );
  }
  return fromHeader ?? fromParam;
}

/**
 * Authorises a tenant list against the token: each tenant must be the token's own or in its
 * federation grant, else 403 naming those that are not. Nothing asked reads the token's own tenant.
 */
export function authorizeTenants(p: Principal, requested: readonly TenantId[] | undefined): QueryTenant {
  if (requested === undefined) return p.tenantId;
  const covered = new Set<TenantId>([p.tenantId, ...(p.federate ?? [])]);
  const missing = requested.filter((t) => !covered.has(t));
  if (missing.length > 0) {
    throw new ForbiddenError(
      `token does not cover tenants: ${missing.join(', ')}; a token reads other tenants only with a federation grant (err-cortex-tenants-not-covered)`,
      { id: 'err-cortex-tenants-not-covered' },
    );
  }
  return queryTenantFor(requested);
}

/** The tenants an authenticated query reads (the token's own tenant on routes without federation). */
export function queryTenantOf(req: FastifyRequest): QueryTenant {
  if (req.queryTenant !== undefined) return req.queryTenant;
  if (!req.principal) throw new UnauthorizedError('request was not authenticated');
  return req.principal.tenantId;
}
