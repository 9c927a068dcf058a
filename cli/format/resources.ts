import type { AdminToken, DeleteSeriesResult, Tenant, TenantLimits, Token } from '../client/index.js';
import type { Column } from './table.js';

/** Table columns for each admin API resource; used by list and single-resource commands alike. */
export const tenantColumns: Column<Tenant>[] = [
  { header: 'id', get: (t) => t.id },
  { header: 'status', get: (t) => t.status },
  { header: 'display name', get: (t) => t.displayName },
  { header: 'labels', get: (t) => t.labels },
  { header: 'created', get: (t) => t.createdAt },
];

export const deleteSeriesColumns: Column<DeleteSeriesResult>[] = [
  { header: 'tenant', get: (r) => r.tenantId },
  { header: 'selectors', get: (r) => r.selectors.join(' ') },
  { header: 'start', get: (r) => r.start },
  { header: 'end', get: (r) => r.end },
  { header: 'removed from memory', get: (r) => String(r.samplesRemovedFromMemory) },
];

export const tokenColumns: Column<Token>[] = [
  { header: 'id', get: (t) => t.id },
  { header: 'name', get: (t) => t.name },
  { header: 'prefix', get: (t) => t.prefix },
  { header: 'scopes', get: (t) => t.scopes },
  { header: 'federate', get: (t) => t.federate },
  { header: 'created', get: (t) => t.createdAt },
  { header: 'created by', get: (t) => t.createdBy },
  { header: 'last used', get: (t) => t.lastUsedAt },
  { header: 'expires', get: (t) => t.expiresAt },
  { header: 'revoked', get: (t) => t.revokedAt },
];

export const adminTokenColumns: Column<AdminToken>[] = [
  { header: 'id', get: (t) => t.id },
  { header: 'name', get: (t) => t.name },
  { header: 'role', get: (t) => t.role },
  { header: 'prefix', get: (t) => t.prefix },
  { header: 'created', get: (t) => t.createdAt },
  { header: 'created by', get: (t) => t.createdBy },
  { header: 'last used', get: (t) => t.lastUsedAt },
  { header: 'expires', get: (t) => t.expiresAt },
  { header: 'revoked', get: (t) => t.revokedAt },
];

export interface LimitRow {
  key: string;
  value: number | string | string[];
  default: number | string | string[] | undefined;
  overridden: boolean;
}

export function limitRows(l: TenantLimits): LimitRow[] {
  const overridden = new Set(l.overridden);
  return Object.keys(l.limits)
    .sort()
    .map((key) => ({ key, value: l.limits[key]!, default: l.defaults[key], overridden: overridden.has(key) }));
}

export const limitColumns: Column<LimitRow>[] = [
  { header: 'limit', get: (r) => r.key },
  { header: 'value', get: (r) => r.value },
  { header: 'default', get: (r) => r.default },
  { header: 'overridden', get: (r) => (r.overridden ? 'yes' : '') },
];
