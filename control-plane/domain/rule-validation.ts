/**
 * Validates one Prometheus rule group (Prometheus `rulefmt` semantics): known fields only, record XOR
 * alert, valid names and durations, label names, basic template syntax, and a PromQL check of `expr`.
 */
import { BadDataError, isTenantId, MAX_FEDERATED_TENANTS, parseDuration } from '../../data-plane/model/index.js';
import type { RuleExprValidator } from './expr-validator.js';
import { checkLabelName, METRIC_NAME } from './names.js';
import { checkTemplate } from './templates.js';
import type { Rule, RuleGroup } from './types.js';

const GROUP_KEYS = new Set(['name', 'interval', 'limit', 'query_offset', 'labels', 'source_tenants', 'rules']);
const RULE_KEYS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
const MAX_EXPR = 64 * 1024;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(o: Record<string, unknown>, allowed: Set<string>, where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) throw new BadDataError(`${where}: unknown field ${JSON.stringify(k.slice(0, 60))}`);
  }
}

function duration(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BadDataError(`${where}: must be a duration string like "1m"`);
  try {
    parseDuration(v);
  } catch {
    throw new BadDataError(`${where}: ${JSON.stringify(v.slice(0, 40))} is not a valid duration`);
  }
  return v;
}

function stringMap(v: unknown, where: string, templates: boolean): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new BadDataError(`${where}: must be a map of strings`);
  // Label and annotation names are the tenant's; a prototype-free map keeps each one an ordinary key.
  const out: Record<string, string> = Object.create(null);
  for (const [k, val] of Object.entries(v)) {
    checkLabelName(k, where);
    const s = typeof val === 'number' || typeof val === 'boolean' ? String(val) : val;
    if (typeof s !== 'string') throw new BadDataError(`${where}.${k}: must be a string`);
    if (templates) checkTemplate(s, `${where}.${k}`);
    out[k] = s;
  }
  return out;
}

function validateRule(raw: unknown, where: string, exprs: RuleExprValidator): Rule {
  if (!isObject(raw)) throw new BadDataError(`${where}: must be an object`);
  unknownKeys(raw, RULE_KEYS, where);
  const { record, alert } = raw;
  if ((record === undefined) === (alert === undefined)) {
    throw new BadDataError(`${where}: exactly one of "record" or "alert" must be set`);
  }
  const exprRaw = typeof raw.expr === 'number' ? String(raw.expr) : raw.expr;
  if (typeof exprRaw !== 'string' || exprRaw.trim() === '') throw new BadDataError(`${where}.expr: required`);
  if (exprRaw.length > MAX_EXPR) throw new BadDataError(`${where}.expr: longer than ${MAX_EXPR} characters`);
  const problem = exprs.validate(exprRaw);
  if (problem !== undefined) throw new BadDataError(`${where}.expr: invalid PromQL: ${problem}`);
  const rule: Rule = { expr: exprRaw };
  if (record !== undefined) {
    if (typeof record !== 'string' || !METRIC_NAME.test(record)) {
      throw new BadDataError(
        `${where}.record: ${JSON.stringify(String(record).slice(0, 60))} is not a valid metric name`,
      );
    }
    for (const k of ['for', 'keep_firing_for', 'annotations'] as const) {
      if (raw[k] !== undefined) throw new BadDataError(`${where}.${k}: only allowed on alerting rules`);
    }
    rule.record = record;
  } else {
    if (typeof alert !== 'string' || alert.trim() === '' || alert.length > 1024) {
      throw new BadDataError(`${where}.alert: must be a non-empty name`);
    }
    rule.alert = alert;
    const f = duration(raw.for, `${where}.for`);
    if (f !== undefined) rule.for = f;
    const k = duration(raw.keep_firing_for, `${where}.keep_firing_for`);
    if (k !== undefined) rule.keep_firing_for = k;
    const ann = stringMap(raw.annotations, `${where}.annotations`, true);
    if (ann !== undefined) rule.annotations = ann;
  }
  const labels = stringMap(raw.labels, `${where}.labels`, true);
  if (labels !== undefined) rule.labels = labels;
  return rule;
}

/** Validates and normalises a rule group; `maxRules` 0 means unlimited. */
export function validateRuleGroup(raw: unknown, opts: { exprs: RuleExprValidator; maxRules: number }): RuleGroup {
  if (!isObject(raw)) throw new BadDataError('rule group: must be an object with "name" and "rules"');
  unknownKeys(raw, GROUP_KEYS, 'rule group');
  if (typeof raw.name !== 'string' || raw.name.trim() === '') throw new BadDataError('rule group: "name" is required');
  const where = `rule group ${JSON.stringify(raw.name.slice(0, 60))}`;
  if (!Array.isArray(raw.rules)) throw new BadDataError(`${where}: "rules" must be a list`);
  if (opts.maxRules > 0 && raw.rules.length > opts.maxRules) {
    throw new BadDataError(
      `${where}: ${raw.rules.length} rules exceed the limit of ${opts.maxRules} per group (err-cortex-max-rules-per-rule-group); raise limits.ruler_max_rules_per_rule_group for this tenant`,
      { id: 'err-cortex-max-rules-per-rule-group' },
    );
  }
  const group: RuleGroup = {
    name: raw.name,
    rules: raw.rules.map((r, i) => validateRule(r, `${where} rules[${i}]`, opts.exprs)),
  };
  const interval = duration(raw.interval, `${where}.interval`);
  if (interval !== undefined) {
    if (parseDuration(interval) < 1000) throw new BadDataError(`${where}.interval: must be at least 1s`);
    group.interval = interval;
  }
  const offset = duration(raw.query_offset, `${where}.query_offset`);
  if (offset !== undefined) group.query_offset = offset;
  if (raw.limit !== undefined && raw.limit !== null) {
    if (typeof raw.limit !== 'number' || !Number.isSafeInteger(raw.limit) || raw.limit < 0) {
      throw new BadDataError(`${where}.limit: must be a non-negative integer`);
    }
    group.limit = raw.limit;
  }
  const labels = stringMap(raw.labels, `${where}.labels`, false);
  if (labels !== undefined) group.labels = labels;
  const sources = sourceTenants(raw.source_tenants, `${where}.source_tenants`);
  if (sources !== undefined) group.source_tenants = sources;
  return group;
}

/** `source_tenants`: valid tenant IDs, none twice, at most MAX_FEDERATED_TENANTS; absent when empty. */
function sourceTenants(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const fail = (why: string) =>
    new BadDataError(`${where}: ${why} (err-cortex-invalid-tenant-list)`, { id: 'err-cortex-invalid-tenant-list' });
  if (!Array.isArray(v)) throw fail('must be a list of tenant IDs');
  if (v.length > MAX_FEDERATED_TENANTS) throw fail(`${v.length} tenants, at most ${MAX_FEDERATED_TENANTS}`);
  const out: string[] = [];
  for (const t of v) {
    if (typeof t !== 'string' || !isTenantId(t))
      throw fail(`${JSON.stringify(String(t).slice(0, 80))} is not a tenant ID`);
    if (out.includes(t)) throw fail(`tenant ${t} is listed twice`);
    out.push(t);
  }
  return out.length > 0 ? out : undefined;
}
