import type { Labels, QueryTenant, TenantId } from '../model/index.js';
import type { PromValue } from '../promql/index.js';

/** A Prometheus rule as it appears in rule files and the control plane's feed. */
export interface RuleDesc {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Prometheus rule group (rulefmt.RuleGroup), durations kept as strings as in rule files. */
export interface RuleGroupDesc {
  name: string;
  interval?: string;
  limit?: number;
  query_offset?: string;
  labels?: Record<string, string>;
  /**
   * Federated rule group (Mimir's `source_tenants`): the tenants its queries read instead of its own;
   * results are still written to its own tenant. Authorised when the group is stored.
   */
  source_tenants?: string[];
  rules: RuleDesc[];
}

/** A tenant's rule group together with where it lives (the namespace is the `file` in /api/v1/rules). */
export interface NamespacedRuleGroup {
  namespace: string;
  group: RuleGroupDesc;
  /** Changes whenever the group's content changes; lets the ruler keep state of unchanged groups. */
  revision?: number;
}

/** Runs an instant PromQL query for one tenant or a federated set (the integrator passes the TenantQuerier). */
export type RuleQueryFunc = (
  tenantId: QueryTenant,
  query: string,
  t: number,
  signal?: AbortSignal,
) => Promise<PromValue>;

/** A sample a rule produces (recording rule output, ALERTS, ALERTS_FOR_STATE, stale markers). */
export interface RuleSample {
  labels: Labels;
  t: number;
  v: number;
}

/** Where rule output goes; implemented on the distributor so the tenant's ingestion limits apply. */
export interface RuleWriter {
  write(tenantId: TenantId, samples: RuleSample[]): Promise<void>;
}

/** An alert as handed to the Alertmanager (times in integer ms since the epoch). */
export interface NotifierAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt: number;
  generatorURL: string;
}

/** Delivers alerts to the tenant's Alertmanager. */
export interface Notifier {
  send(tenantId: TenantId, alerts: NotifierAlert[]): Promise<void>;
}

/** Per-tenant ruler limits, read on every use (`Overrides` satisfies this). */
export interface RulerLimits {
  get(
    tenantId: TenantId,
    key:
      | 'ruler_max_rule_groups_per_tenant'
      | 'ruler_max_rules_per_rule_group'
      | 'ruler_max_rule_evaluation_concurrency_per_tenant'
      | 'ruler_tenant_shard_size',
  ): number;
}

/** Which rule groups this ruler evaluates (a ring in split mode); the default owns everything. */
export interface RulerSharding {
  owns(tenantId: TenantId, namespace: string, group: string): boolean;
}

export const OWN_ALL: RulerSharding = { owns: () => true };
