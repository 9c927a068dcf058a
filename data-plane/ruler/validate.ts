import { parse as parseYaml } from 'yaml';
import { isTenantId, MAX_FEDERATED_TENANTS, parseDuration } from '../model/index.js';
import { parseExpr } from '../promql/index.js';
import { RuleTemplate } from './template/index.js';
import type { RuleDesc, RuleGroupDesc } from './types.js';

export interface ValidationProblem {
  /** Where in the group: `rules[2].expr`, `interval`, `groups[0].name`. */
  path: string;
  message: string;
}

const GROUP_KEYS = new Set(['name', 'interval', 'limit', 'query_offset', 'labels', 'source_tenants', 'rules']);
const RULE_KEYS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects problems instead of stopping at the first, so users can fix a file in one go. */
class Problems {
  readonly list: ValidationProblem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

function durationField(o: Record<string, unknown>, key: string, path: string, p: Problems): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    p.add(`${path}${key}`, 'must be a duration string like "1m"');
    return undefined;
  }
  try {
    parseDuration(v);
    return v;
  } catch {
    p.add(`${path}${key}`, `not a valid duration: ${JSON.stringify(v.slice(0, 40))}`);
    return undefined;
  }
}

function stringMap(
  v: unknown,
  path: string,
  p: Problems,
  opts: { templates: boolean; labelNames: boolean },
): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    p.add(path, 'must be a map of strings');
    return undefined;
  }
  const out: Record<string, string> = Object.create(null);
  for (const [k, raw] of Object.entries(v)) {
    if (opts.labelNames && (!LABEL_NAME_RE.test(k) || k === '__name__'))
      p.add(`${path}.${k}`, `invalid label name: ${JSON.stringify(k)}`);
    const s = typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : raw;
    if (typeof s !== 'string') {
      p.add(`${path}.${k}`, 'must be a string');
      continue;
    }
    if (opts.templates) {
      try {
        RuleTemplate.parse(s);
      } catch (err) {
        p.add(`${path}.${k}`, `invalid template: ${(err as Error).message}`);
      }
    }
    out[k] = s;
  }
  return out;
}

function validateRule(raw: unknown, path: string, p: Problems): RuleDesc | undefined {
  if (!isObject(raw)) {
    p.add(path, 'must be an object');
    return undefined;
  }
  for (const k of Object.keys(raw)) if (!RULE_KEYS.has(k)) p.add(`${path}.${k}`, 'unknown field');
  const { record, alert } = raw;
  const rule: RuleDesc = { expr: '' };
  if ((record === undefined) === (alert === undefined)) {
    p.add(path, 'exactly one of "record" or "alert" must be set');
  } else if (record !== undefined) {
    if (typeof record !== 'string' || !METRIC_NAME_RE.test(record))
      p.add(`${path}.record`, `invalid recording rule name: ${JSON.stringify(record)}`);
    else rule.record = record;
    for (const k of ['for', 'keep_firing_for', 'annotations']) {
      if (raw[k] !== undefined) p.add(`${path}.${k}`, `invalid field "${k}" in recording rule`);
    }
  } else {
    if (typeof alert !== 'string' || alert === '') p.add(`${path}.alert`, 'alert name must be a non-empty string');
    else rule.alert = alert;
  }
  const expr = typeof raw.expr === 'number' ? String(raw.expr) : raw.expr;
  if (typeof expr !== 'string' || expr.trim() === '') p.add(`${path}.expr`, 'field "expr" must be set in rule');
  else {
    rule.expr = expr;
    try {
      parseExpr(expr);
    } catch (err) {
      p.add(`${path}.expr`, `could not parse expression: ${(err as Error).message}`);
    }
  }
  const isAlert = rule.alert !== undefined;
  const f = durationField(raw, 'for', `${path}.`, p);
  if (f !== undefined) rule.for = f;
  const k = durationField(raw, 'keep_firing_for', `${path}.`, p);
  if (k !== undefined) rule.keep_firing_for = k;
  const labels = stringMap(raw.labels, `${path}.labels`, p, { templates: isAlert, labelNames: true });
  if (labels) rule.labels = labels;
  const ann = stringMap(raw.annotations, `${path}.annotations`, p, { templates: true, labelNames: true });
  if (ann) rule.annotations = ann;
  return rule;
}

/**
 * Validates one rule group object as Prometheus's rulefmt does (fields, names, durations, PromQL,
 * templates). Shared by the ruler (feed objects) and the control plane (config API writes).
 * `group` is the normalised group, set even when there are problems (best effort).
 */
export function validateRuleGroup(
  obj: unknown,
  path = '',
): { group: RuleGroupDesc | undefined; errors: ValidationProblem[] } {
  const p = new Problems();
  const pre = path === '' ? '' : `${path}.`;
  if (!isObject(obj)) {
    p.add(path || '.', 'rule group must be an object');
    return { group: undefined, errors: p.list };
  }
  for (const k of Object.keys(obj)) if (!GROUP_KEYS.has(k)) p.add(`${pre}${k}`, 'unknown field');
  const group: RuleGroupDesc = { name: '', rules: [] };
  if (typeof obj.name !== 'string' || obj.name.trim() === '') p.add(`${pre}name`, 'group name must not be empty');
  else group.name = obj.name;
  const interval = durationField(obj, 'interval', pre, p);
  if (interval !== undefined) {
    if (parseDuration(interval) <= 0) p.add(`${pre}interval`, 'interval must be positive');
    group.interval = interval;
  }
  const offset = durationField(obj, 'query_offset', pre, p);
  if (offset !== undefined) group.query_offset = offset;
  if (obj.limit !== undefined && obj.limit !== null) {
    if (typeof obj.limit !== 'number' || !Number.isInteger(obj.limit) || obj.limit < 0)
      p.add(`${pre}limit`, 'limit must be a non-negative integer');
    else group.limit = obj.limit;
  }
  const labels = stringMap(obj.labels, `${pre}labels`, p, { templates: false, labelNames: true });
  if (labels) group.labels = labels;
  const sources = sourceTenants(obj.source_tenants, `${pre}source_tenants`, p);
  if (sources) group.source_tenants = sources;
  if (!Array.isArray(obj.rules)) p.add(`${pre}rules`, 'rules must be a list');
  else {
    obj.rules.forEach((r, i) => {
      const rule = validateRule(r, `${pre}rules[${i}]`, p);
      if (rule) group.rules.push(rule);
    });
  }
  return { group, errors: p.list };
}

/** `source_tenants`: a list of valid tenant IDs, none twice, at most MAX_FEDERATED_TENANTS. */
function sourceTenants(v: unknown, path: string, p: Problems): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    p.add(path, 'source_tenants must be a list of tenant IDs');
    return undefined;
  }
  if (v.length > MAX_FEDERATED_TENANTS) {
    p.add(path, `${v.length} tenants, at most ${MAX_FEDERATED_TENANTS} (err-cortex-invalid-tenant-list)`);
    return undefined;
  }
  const out: string[] = [];
  v.forEach((t, i) => {
    if (typeof t !== 'string' || !isTenantId(t)) {
      p.add(
        `${path}[${i}]`,
        `${JSON.stringify(String(t).slice(0, 80))} is not a tenant ID (err-cortex-invalid-tenant-list)`,
      );
    } else if (out.includes(t)) p.add(`${path}[${i}]`, `tenant ${t} is listed twice (err-cortex-invalid-tenant-list)`);
    else out.push(t);
  });
  return out.length > 0 ? out : undefined;
}

/**
 * Validates a Prometheus rule file (`groups: [...]`, optionally with a top-level `namespace:`) as
 * YAML text. Group names must be unique within the file.
 */
export function validateRuleFile(text: string): {
  namespace: string | undefined;
  groups: RuleGroupDesc[];
  errors: ValidationProblem[];
} {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (err) {
    return {
      namespace: undefined,
      groups: [],
      errors: [{ path: '.', message: `invalid YAML: ${(err as Error).message}` }],
    };
  }
  const errors: ValidationProblem[] = [];
  const groups: RuleGroupDesc[] = [];
  if (doc === null || doc === undefined) return { namespace: undefined, groups, errors };
  if (!isObject(doc))
    return { namespace: undefined, groups, errors: [{ path: '.', message: 'rule file must be a map with "groups"' }] };
  for (const k of Object.keys(doc)) {
    if (k !== 'groups' && k !== 'namespace') errors.push({ path: k, message: 'unknown field' });
  }
  const namespace = typeof doc.namespace === 'string' ? doc.namespace : undefined;
  if (!Array.isArray(doc.groups)) {
    if (doc.groups !== undefined) errors.push({ path: 'groups', message: 'groups must be a list' });
    return { namespace, groups, errors };
  }
  const seen = new Set<string>();
  doc.groups.forEach((g, i) => {
    const r = validateRuleGroup(g, `groups[${i}]`);
    errors.push(...r.errors);
    if (!r.group) return;
    if (r.group.name !== '' && seen.has(r.group.name))
      errors.push({ path: `groups[${i}].name`, message: `groupname: "${r.group.name}" is repeated in the same file` });
    seen.add(r.group.name);
    groups.push(r.group);
  });
  return { namespace, groups, errors };
}
