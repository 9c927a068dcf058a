/**
 * Admin API request and response shapes (docs/admin-api.md). Where the control plane publishes a
 * TypeBox schema (control-plane/api) the type is imported from there; the rest is declared here.
 */
import type {
  CreatedToken as ApiCreatedToken,
  Tenant as ApiTenant,
  Token as ApiToken,
  CreateTenantBody,
  CreateTokenBody,
  ErrorBody,
  TenantPage,
  UpdateTenantBody,
} from '../../control-plane/api/index.js';

/** Tenants and tokens use the control plane's published schemas (control-plane/api), types only. */
export type Tenant = ApiTenant;
export type TenantStatus = ApiTenant['status'];
export type TenantCreate = CreateTenantBody;
export type TenantUpdate = UpdateTenantBody;
export type Token = ApiToken;
/** The answer to token creation: the only time the secret is shown. */
export type CreatedToken = ApiCreatedToken;
export type TokenCreate = CreateTokenBody;
export type ApiErrorBody = ErrorBody;

export type { TenantPage };

export const TOKEN_SCOPES = [
  'metrics:write',
  'metrics:read',
  'rules:read',
  'rules:write',
  'alerts:read',
  'alerts:write',
] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** `POST /tenants/:id/delete-series`: Prometheus's delete_series parameters as JSON. */
export interface DeleteSeriesRequest {
  /** Series selectors, e.g. `up{job="api"}`; none may select every series. */
  match: string[];
  /** Unix seconds or RFC 3339; absent = from the beginning / to the end of time. */
  start?: string;
  end?: string;
}

export interface DeleteSeriesResult {
  tenantId: string;
  selectors: string[];
  start: string;
  end: string;
  samplesRemovedFromMemory: number;
}

export interface PendingDeletion {
  id: string;
  selector: string;
  start: string;
  end: string;
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
