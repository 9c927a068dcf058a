import type { TenantId } from '../../data-plane/model/index.js';

export type TenantStatus = 'active' | 'suspended' | 'deleted';

/** A tenant as the domain sees it. Timestamps are ms since the epoch. */
export interface Tenant {
  readonly id: TenantId;
  readonly displayName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: TenantStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The closed set of tenant token scopes (docs/admin-api.md). */
export const TOKEN_SCOPES = [
  'metrics:write',
  'metrics:read',
  'rules:read',
  'rules:write',
  'alerts:read',
  'alerts:write',
] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export function isTokenScope(s: string): s is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(s);
}

/** Token metadata; never carries the secret. Timestamps are ms since the epoch, null when unset. */
export interface TokenInfo {
  readonly id: string;
  readonly tenantId: TenantId;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: readonly TokenScope[];
  /** Federation grant: tenants (sorted, its own included) it may read together; empty = its own only. */
  readonly federate: readonly TenantId[];
  readonly createdAt: number;
  /** The audit actor that created it ('' for tokens older than this field). */
  readonly createdBy: string;
  readonly lastUsedAt: number | null;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

export type AdminRole = 'admin' | 'viewer';

export interface AdminTokenInfo {
  readonly id: string;
  readonly name: string;
  readonly role: AdminRole;
  readonly prefix: string;
  readonly createdAt: number;
  /** The audit actor that created it ('' for tokens older than this field). */
  readonly createdBy: string;
  readonly lastUsedAt: number | null;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

/** Who is calling the admin API. `actor` is what the audit log records. */
export interface AdminPrincipal {
  readonly actor: string;
  readonly role: AdminRole;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly tenantId: string | null;
  readonly target: string | null;
  readonly before: unknown;
  readonly after: unknown;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditFilter {
  readonly tenantId?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly since?: number;
  readonly until?: number;
  /** Return entries with id < before (newest first). */
  readonly before?: number;
  /** Return entries with id > after, oldest first (for following the log); excludes `before`. */
  readonly after?: number;
  readonly limit: number;
}

/** The change feeds of the internal API; each has its own revision counter (its ETag). */
export type Feed = 'tenants' | 'overrides' | 'rules' | 'alertmanager';

export interface StoredRuleGroup {
  readonly namespace: string;
  readonly name: string;
  readonly group: RuleGroup;
  readonly revision: number;
}

/** A Prometheus rule group, normalised (durations as strings, as in Prometheus rule files). */
export interface RuleGroup {
  name: string;
  interval?: string;
  limit?: number;
  query_offset?: string;
  labels?: Record<string, string>;
  /** Federated group: the tenants its queries read (Mimir's `source_tenants`); results go to its own. */
  source_tenants?: string[];
  rules: Rule[];
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface AlertmanagerConfig {
  readonly config: string;
  readonly templates: Readonly<Record<string, string>>;
  readonly revision: number;
}

export interface PurgeRequest {
  readonly tenantId: TenantId;
  readonly requestedAt: number;
}

/** Limit overrides as stored: numbers (durations in ms) and lists of names. */
export type StoredOverrides = Record<string, number | readonly string[]>;
