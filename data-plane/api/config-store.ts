import type { TenantId } from '../model/index.js';

/** A Prometheus rule group as stored by the control plane (`name`, `interval`, `rules`, …). */
export type RuleGroupObject = { name: string } & Record<string, unknown>;

/**
 * Where tenants' rule groups and Alertmanager configs live (the control plane). Tenant-facing config
 * APIs (Mimir's ruler config API, Cortex's `/api/v1/alerts`) write through it, so they share the
 * control plane's validation, limits, revisions and audit log. Invalid input throws `bad_data`,
 * unknown objects `not_found`.
 */
export interface TenantConfigStore {
  listRuleGroups(tenantId: TenantId): Promise<Record<string, RuleGroupObject[]>>;
  namespaceRuleGroups(tenantId: TenantId, namespace: string): Promise<RuleGroupObject[]>;
  putRuleGroup(tenantId: TenantId, namespace: string, group: RuleGroupObject): Promise<void>;
  deleteRuleGroup(tenantId: TenantId, namespace: string, group: string): Promise<void>;
  deleteNamespace(tenantId: TenantId, namespace: string): Promise<void>;
  getAlertmanagerConfig(tenantId: TenantId): Promise<{ config: string; templates: Record<string, string> } | undefined>;
  putAlertmanagerConfig(tenantId: TenantId, config: string, templates: Record<string, string>): Promise<void>;
  deleteAlertmanagerConfig(tenantId: TenantId): Promise<void>;
}
