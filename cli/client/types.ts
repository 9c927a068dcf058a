/**
 * Admin API request and response shapes (docs/admin-api.md). Where the control plane publishes a
 * TypeBox schema (control-plane/api) the type is imported from there; the rest is declared here.
 */
import type {
  AlertmanagerConfig as ApiAlertmanagerConfig,
  CreatedToken as ApiCreatedToken,
  RuleGroup as ApiRuleGroup,
  Tenant as ApiTenant,
  Token as ApiToken,
  CreateTenantBody,
  CreateTokenBody,
  ErrorBody,
  LimitsView,
  TenantPage,
  UpdateTenantBody,
} from '../../control-plane/api/index.js';
import type { RuleDesc } from '../../data-plane/ruler/index.js';

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

/**
 * The scope set, checked before a request is sent. A runtime list, so it cannot come from
 * control-plane/api (types only); the control plane's list is control-plane/domain TOKEN_SCOPES.
 */
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
export type TenantLimits = LimitsView;
export type LimitValue = LimitsView['limits'][string];

/** A rule as in Prometheus rule files (the ruler's shape); unknown fields survive a round trip. */
export type Rule = RuleDesc & { [extra: string]: unknown };

/** The control plane's rule group with typed rules; unknown fields survive a round trip. */
export type RuleGroup = Omit<ApiRuleGroup, 'rules'> & { rules: Rule[]; [extra: string]: unknown };

export interface RuleNamespaces {
  namespaces: Record<string, RuleGroup[]>;
}

/** What `alertmanager get` returns; the revision is absent in what `push` sends. */
export type AlertmanagerConfig = Omit<ApiAlertmanagerConfig, 'revision'> & { revision?: number };
