import { BadDataError } from './errors.js';

declare const tenantBrand: unique symbol;
/** A validated tenant ID: 1–64 characters of `[A-Za-z0-9_-]`, starting with a letter or digit. */
export type TenantId = string & { readonly [tenantBrand]: true };

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isTenantId(s: string): s is TenantId {
  return TENANT_ID.test(s);
}

/** Validates at every layer: a tenant ID is never used raw in a path, key or SQL string. */
export function parseTenantId(s: unknown): TenantId {
  if (typeof s !== 'string' || !TENANT_ID.test(s)) {
    throw new BadDataError(
      `invalid tenant ID ${JSON.stringify(String(s)).slice(0, 80)}: must be 1-64 characters of [A-Za-z0-9_-], starting with a letter or digit (err-cortex-invalid-tenant-id)`,
      { id: 'err-cortex-invalid-tenant-id' },
    );
  }
  return s as TenantId;
}

/** Most tenants one federated query (or one token's federation grant) may name. */
export const MAX_FEDERATED_TENANTS = 100;
