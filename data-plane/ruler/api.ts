import { type Labels, type TenantId, tenantsOf } from '../model/index.js';
import { type Alert, AlertingRule } from './alerting-rule.js';
import type { Rule } from './compile.js';
import type { RuleGroupRunner } from './group.js';
import { formatE } from './template/index.js';

/** Filters of Prometheus's GET /api/v1/rules. */
export interface RulesFilter {
  type?: 'alert' | 'record';
  ruleName?: readonly string[];
  ruleGroup?: readonly string[];
  file?: readonly string[];
  excludeAlerts?: boolean;
}

/** Something that knows a tenant's groups (the Ruler). */
export interface RuleGroupsView {
  groups(tenantId: TenantId): RuleGroupRunner[];
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function iso(ms: number): string {
  return ms === 0 ? ZERO_TIME : new Date(ms).toISOString();
}

function obj(l: Labels): Record<string, string> {
  return l.toObject();
}

/** Prometheus prints alert values with strconv's `%e` shortest form (`1e+00`). */
function alertValue(v: number): string {
  if (!Number.isFinite(v)) return formatE(v);
  const s = v.toExponential();
  const [m, e] = s.split('e') as [string, string];
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${Math.abs(n) < 10 ? '0' : ''}${Math.abs(n)}`;
}

/** One alert of GET /api/v1/alerts (and of an alerting rule's `alerts`). */
export interface AlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  value: string;
  keepFiringSince?: string;
}

/** One rule of GET /api/v1/rules; alerting rules also have `state` … `alerts`. */
export interface RuleJson {
  name: string;
  query: string;
  labels: Record<string, string>;
  health: string;
  lastError?: string;
  evaluationTime: number;
  lastEvaluation: string;
  type: 'recording' | 'alerting';
  state?: string;
  duration?: number;
  keepFiringFor?: number;
  annotations?: Record<string, string>;
  alerts?: AlertJson[];
}

function alertJson(a: Alert): AlertJson {
  const out: AlertJson = {
    labels: obj(a.labels),
    annotations: obj(a.annotations),
    state: a.state,
    activeAt: iso(a.activeAt),
    value: alertValue(a.value),
  };
  if (a.keepFiringSince !== 0) out.keepFiringSince = iso(a.keepFiringSince);
  return out;
}

function ruleJson(r: Rule, excludeAlerts: boolean): RuleJson {
  const common = {
    name: r.name,
    query: r.expr,
    labels: obj(r.labels),
    health: r.status.health,
    lastError: r.status.lastError,
    evaluationTime: r.status.evaluationTimeMs / 1000,
    lastEvaluation: iso(r.status.lastEvaluation),
  };
  if (!(r instanceof AlertingRule)) return { ...common, type: 'recording' };
  const alerts = [...r.active.values()].filter((a) => a.state !== 'inactive');
  return {
    state: r.state(),
    name: r.name,
    query: r.expr,
    duration: r.holdMs / 1000,
    keepFiringFor: r.keepFiringForMs / 1000,
    labels: obj(r.labels),
    annotations: obj(r.annotationsRaw),
    ...(excludeAlerts ? {} : { alerts: alerts.map(alertJson) }),
    health: common.health,
    lastError: common.lastError,
    evaluationTime: common.evaluationTime,
    lastEvaluation: common.lastEvaluation,
    type: 'alerting',
  };
}

/** One group of GET /api/v1/rules (what peers exchange in a sharded setup, too). */
export type RuleGroupJson = ReturnType<typeof groupJson>;

function groupJson(g: RuleGroupRunner) {
  const out: {
    name: string;
    file: string;
    rules: ReturnType<typeof ruleJson>[];
    interval: number;
    limit: number;
    evaluationTime: number;
    lastEvaluation: string;
    sourceTenants?: string[];
  } = {
    name: g.cfg.name,
    file: g.cfg.namespace,
    rules: g.rules.map((r) => ruleJson(r, false)),
    interval: g.cfg.intervalMs / 1000,
    limit: g.cfg.limit,
    evaluationTime: g.evaluationTimeMs / 1000,
    lastEvaluation: iso(g.lastEvaluation),
  };
  // a federated group says which tenants it reads (Mimir's field); others look as in Prometheus
  if (g.cfg.queryTenant !== g.cfg.tenantId) out.sourceTenants = tenantsOf(g.cfg.queryTenant);
  return out;
}

/** Every group this ruler evaluates for the tenant, unfiltered and with alerts. */
export function localRuleGroups(view: RuleGroupsView, tenantId: TenantId): RuleGroupJson[] {
  return view.groups(tenantId).map(groupJson);
}

/**
 * Prometheus's filters on groups: `file[]`, `rule_group[]`, then `type` and `rule_name[]` on rules
 * (a group they leave empty is dropped), and `exclude_alerts`.
 */
export function filterRuleGroups(groups: readonly RuleGroupJson[], f: RulesFilter = {}): RuleGroupJson[] {
  const ruleFiltered = f.type !== undefined || (f.ruleName?.length ?? 0) > 0;
  const out: RuleGroupJson[] = [];
  for (const g of groups) {
    if (f.file?.length && !f.file.includes(g.file)) continue;
    if (f.ruleGroup?.length && !f.ruleGroup.includes(g.name)) continue;
    const rules = g.rules
      .filter((r) => f.type === undefined || (f.type === 'alert') === (r.type === 'alerting'))
      .filter((r) => !f.ruleName?.length || f.ruleName.includes(r.name))
      .map((r) => {
        if (!f.excludeAlerts || r.type !== 'alerting') return r;
        const { alerts: _, ...rest } = r;
        return rest;
      });
    if (ruleFiltered && rules.length === 0) continue;
    out.push({ ...g, rules });
  }
  return out;
}

/** The `data` of GET /api/v1/rules: groups with `file` = namespace, as Grafana reads them. */
export function rulesResponse(view: RuleGroupsView, tenantId: TenantId, f: RulesFilter = {}) {
  return { groups: filterRuleGroups(localRuleGroups(view, tenantId), f) };
}

/** The `data` of GET /api/v1/alerts from groups: pending and firing alerts of every alerting rule. */
export function alertsOf(groups: readonly RuleGroupJson[]) {
  const alerts: AlertJson[] = [];
  for (const g of groups) {
    for (const r of g.rules) if (r.alerts) alerts.push(...r.alerts);
  }
  return { alerts };
}

/** The `data` of GET /api/v1/alerts: pending and firing alerts of every rule. */
export function alertsResponse(view: RuleGroupsView, tenantId: TenantId) {
  return alertsOf(localRuleGroups(view, tenantId));
}
