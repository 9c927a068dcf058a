/** Domain (ms timestamps) → API (ISO-8601 strings) at the HTTP edge. */
import type * as api from '../api/index.js';
import type { AdminTokenInfo, AuditEntry, Tenant, TokenInfo } from '../domain/index.js';

const iso = (t: number): string => new Date(t).toISOString();
const isoOrNull = (t: number | null): string | null => (t === null ? null : iso(t));

export function tenantOut(t: Tenant): api.Tenant {
  return { ...t, labels: { ...t.labels }, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) };
}

export function tokenOut(t: TokenInfo): api.Token {
  return {
    id: t.id,
    tenantId: t.tenantId,
    name: t.name,
    prefix: t.prefix,
    scopes: [...t.scopes],
    federate: [...t.federate],
    createdAt: iso(t.createdAt),
    createdBy: t.createdBy,
    lastUsedAt: isoOrNull(t.lastUsedAt),
    expiresAt: isoOrNull(t.expiresAt),
    revokedAt: isoOrNull(t.revokedAt),
  };
}

export function adminTokenOut(t: AdminTokenInfo): api.AdminToken {
  return {
    ...t,
    createdAt: iso(t.createdAt),
    lastUsedAt: isoOrNull(t.lastUsedAt),
    expiresAt: isoOrNull(t.expiresAt),
    revokedAt: isoOrNull(t.revokedAt),
  };
}

export function auditOut(e: AuditEntry) {
  return { ...e, at: iso(e.at) };
}
