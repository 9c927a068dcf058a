import { BadDataError } from './errors.js';
import { isTenantId, MAX_FEDERATED_TENANTS, type TenantId } from './tenant.js';

declare const federatedBrand: unique symbol;
/**
 * Several tenants read by one query: their IDs sorted, unique, joined by `|` (Mimir's
 * `X-Scope-OrgID: a|b|c` form). `|` is never part of a tenant ID, so this value can neither be
 * mistaken for a tenant nor reach a store: it is split back into tenants before any data is read.
 */
export type FederatedTenantId = string & { readonly [federatedBrand]: true };

/** Whom a query reads: one tenant, or a federated set of at least two. */
export type QueryTenant = TenantId | FederatedTenantId;

/** The label every series of a federated result carries: the tenant it came from (Mimir's name). */
export const TENANT_ID_LABEL = '__tenant_id__';

/** The query tenant of a set: the tenant itself for one, else the sorted `a|b|c` form. */
export function queryTenantFor(tenants: readonly TenantId[]): QueryTenant {
  const set = [...new Set(tenants)].sort();
  if (set.length === 0) throw new BadDataError('a query needs at least one tenant');
  return set.length === 1 ? set[0]! : (set.join('|') as FederatedTenantId);
}

export function isFederated(q: QueryTenant): q is FederatedTenantId {
  return q.includes('|');
}

/** The tenants a query reads, sorted. */
export function tenantsOf(q: QueryTenant): TenantId[] {
  return q.split('|') as TenantId[];
}

/**
 * Parses a client's tenant list (`a|b|c` in `X-Scope-OrgID`, `a,b,c` in `?tenants=`). Strict, as a
 * list an authorisation decision rests on must be: an empty entry, an invalid ID, a duplicate or more
 * than MAX_FEDERATED_TENANTS entries is a 400 that says which.
 */
export function parseTenantList(raw: string, separator: '|' | ',', source: string): TenantId[] {
  const fail = (why: string) =>
    new BadDataError(`invalid ${source}: ${why} (err-cortex-invalid-tenant-list)`, {
      id: 'err-cortex-invalid-tenant-list',
    });
  // counted before splitting so a huge list costs no more than its length
  let n = 1;
  for (let i = 0; i < raw.length; i++) if (raw[i] === separator) n++;
  if (n > MAX_FEDERATED_TENANTS) throw fail(`${n} tenants, at most ${MAX_FEDERATED_TENANTS} may be queried together`);
  const out: TenantId[] = [];
  const seen = new Set<string>();
  for (const part of raw.split(separator)) {
    const id = part.trim();
    if (id === '') throw fail(`empty tenant ID in ${JSON.stringify(raw.slice(0, 200))}`);
    if (!isTenantId(id)) {
      throw fail(
        `${JSON.stringify(id.slice(0, 80))} is not a tenant ID (1-64 characters of [A-Za-z0-9_-], starting with a letter or digit)`,
      );
    }
    if (seen.has(id)) throw fail(`tenant ${id} is listed twice`);
    seen.add(id);
    out.push(id);
  }
  return out;
}

/**
 * A per-tenant limit for a query: the tenant's, or for a federated query the smallest positive value
 * among its tenants (Mimir's rule; 0 when every tenant's is 0, i.e. unlimited).
 */
export function smallestLimit(q: QueryTenant, limit: (t: TenantId) => number): number {
  let out = 0;
  for (const t of tenantsOf(q)) {
    const v = limit(t);
    if (v > 0 && (out === 0 || v < out)) out = v;
  }
  return out;
}
