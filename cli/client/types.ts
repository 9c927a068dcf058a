/**
 * Admin API request and response shapes (docs/admin-api.md). Declared here until the control plane
 * publishes TypeBox schemas in control-plane/api; then these become `import type` re-exports.
 */
export type TenantStatus = 'active' | 'suspended' | 'deleted';

export interface Tenant {
  id: string;
  displayName: string | null;
  labels: Record<string, string>;
  status: TenantStatus;
  createdAt: string;
  updatedAt: string;
}

export interface TenantCreate {
  id: string;
  displayName?: string;
  labels?: Record<string, string>;
}

export interface TenantUpdate {
  displayName?: string;
  labels?: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const TOKEN_SCOPES = [
  'metrics:write',
  'metrics:read',
  'rules:read',
  'rules:write',
  'alerts:read',
  'alerts:write',
] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface Token {
  id: string;
  tenantId: string;
  name: string | null;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** The answer to token creation: the only time the secret is shown. */
export interface CreatedToken extends Token {
  token: string;
}

export interface TokenCreate {
  scopes: string[];
  name?: string;
  expiresAt?: string;
}

/** Limit values as the API returns them: numbers, or duration strings for duration limits. */
export type LimitValue = number | string;

export interface TenantLimits {
  tenantId: string;
  limits: Record<string, LimitValue>;
  overridden: string[];
  defaults: Record<string, LimitValue>;
}

/** A Prometheus rule group; rules are kept as plain objects so unknown fields survive a round trip. */
export interface RuleGroup {
  name: string;
  interval?: string;
  limit?: number;
  query_offset?: string;
  labels?: Record<string, string>;
  rules: Rule[];
  [extra: string]: unknown;
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [extra: string]: unknown;
}

export interface RuleNamespaces {
  namespaces: Record<string, RuleGroup[]>;
}

export interface AlertmanagerConfig {
  config: string;
  templates: Record<string, string>;
  revision?: number;
}

/** Error body of every non-2xx admin API answer. */
export interface ApiErrorBody {
  error: { kind: string; id?: string; message: string };
}
