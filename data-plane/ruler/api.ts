import type { Labels, TenantId } from '../model/index.js';
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

function alertJson(a: Alert) {
  const out: Record<string, unknown> = {
    labels: obj(a.labels),
    annotations: obj(a.annotations),
    state: a.state,
    activeAt: iso(a.activeAt),
    value: alertValue(a.value),
  };
  if (a.keepFiringSince !== 0) out.keepFiringSince = iso(a.keepFiringSince);
  return out;
}

function ruleJson(r: Rule, excludeAlerts: boolean) {
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

/** The `data` of GET /api/v1/rules: groups with `file` = namespace, as Grafana reads them. */
export function rulesResponse(view: RuleGroupsView, tenantId: TenantId, f: RulesFilter = {}) {
  const ruleFiltered = f.type !== undefined || (f.ruleName?.length ?? 0) > 0;
  const groups = [];
  for (const g of view.groups(tenantId)) {
    if (f.file?.length && !f.file.includes(g.cfg.namespace)) continue;
    if (f.ruleGroup?.length && !f.ruleGroup.includes(g.cfg.name)) continue;
    const rules = g.rules
      .filter((r) => f.type === undefined || (f.type === 'alert') === (r.kind === 'alerting'))
      .filter((r) => !f.ruleName?.length || f.ruleName.includes(r.name))
      .map((r) => ruleJson(r, f.excludeAlerts ?? false));
    if (ruleFiltered && rules.length === 0) continue;
    groups.push({
      name: g.cfg.name,
      file: g.cfg.namespace,
      rules,
      interval: g.cfg.intervalMs / 1000,
      limit: g.cfg.limit,
      evaluationTime: g.evaluationTimeMs / 1000,
      lastEvaluation: iso(g.lastEvaluation),
    });
  }
  return { groups };
}

/** The `data` of GET /api/v1/alerts: pending and firing alerts of every rule. */
export function alertsResponse(view: RuleGroupsView, tenantId: TenantId) {
  const alerts = [];
  for (const g of view.groups(tenantId)) {
    for (const r of g.rules) {
      if (!(r instanceof AlertingRule)) continue;
      for (const a of r.active.values()) if (a.state !== 'inactive') alerts.push(alertJson(a));
    }
  }
  return { alerts };
}
