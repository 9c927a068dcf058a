import { Labels, parseDuration, type QueryTenant, queryTenantFor, type TenantId } from '../model/index.js';
import { AlertingRule, type TemplatedPair } from './alerting-rule.js';
import { RecordingRule } from './recording-rule.js';
import { RuleTemplate } from './template/index.js';
import type { NamespacedRuleGroup, RuleDesc } from './types.js';
import { validateRuleGroup } from './validate.js';

export type Rule = RecordingRule | AlertingRule;

/** A rule group ready to evaluate. */
export interface GroupConfig {
  tenantId: TenantId;
  namespace: string;
  name: string;
  intervalMs: number;
  limit: number;
  queryOffsetMs: number;
  /** Whom the rules' queries read: the group's tenant, or its `source_tenants` (federated). */
  queryTenant: QueryTenant;
  rules: Rule[];
  /** Identity of the content: equal fingerprints keep the running group untouched on reload. */
  fingerprint: string;
}

export interface CompileOptions {
  defaultIntervalMs: number;
  /** 0 = unlimited. */
  maxRulesPerGroup: number;
  /** A problem found outside the group (e.g. the tenant has too many groups): every rule reports it. */
  groupError?: string;
}

function duration(s: string | undefined, fallback: number): number {
  if (s === undefined) return fallback;
  try {
    return parseDuration(s);
  } catch {
    return fallback;
  }
}

/**
 * Compiles a feed group. Problems never drop the group: each broken rule carries its error (shown in
 * /api/v1/rules) and the others still run, as a broken rule must not affect its neighbours.
 */
export function compileGroup(tenantId: TenantId, ng: NamespacedRuleGroup, opts: CompileOptions): GroupConfig {
  const { group, errors } = validateRuleGroup(ng.group);
  const g = group ?? { name: String((ng.group as { name?: unknown })?.name ?? ''), rules: [] };
  const groupErrors = errors.filter((e) => !e.path.startsWith('rules['));
  const groupLabels = Object.entries(g.labels ?? {});
  const rules = g.rules.map((r, i) => {
    const rule = compileRule(r, groupLabels);
    const own = errors.filter((e) => e.path === `rules[${i}]` || e.path.startsWith(`rules[${i}].`));
    const problems = [...groupErrors, ...own].map((e) => `${e.path}: ${e.message}`);
    if (opts.groupError !== undefined) problems.unshift(opts.groupError);
    if (opts.maxRulesPerGroup > 0 && g.rules.length > opts.maxRulesPerGroup) {
      problems.unshift(
        `rule group has ${g.rules.length} rules, more than the limit of ${opts.maxRulesPerGroup} (ruler_max_rules_per_rule_group)`,
      );
    }
    if (problems.length > 0 && !rule.loadError) rule.loadError = problems.join('; ');
    return rule;
  });
  return {
    tenantId,
    namespace: ng.namespace,
    name: g.name,
    intervalMs: Math.max(1, duration(g.interval, opts.defaultIntervalMs)),
    limit: g.limit ?? 0,
    queryOffsetMs: duration(g.query_offset, 0),
    queryTenant: g.source_tenants ? queryTenantFor(g.source_tenants as TenantId[]) : tenantId,
    rules,
    fingerprint: groupFingerprint(ng, opts),
  };
}

/**
 * Identity of a feed group plus the options it compiles with; equal fingerprints mean the running
 * group can stay as it is. Much cheaper than compiling, so unchanged groups are never re-parsed.
 */
export function groupFingerprint(ng: NamespacedRuleGroup, opts: CompileOptions): string {
  return JSON.stringify([ng.revision, ng.group, opts.maxRulesPerGroup, opts.defaultIntervalMs, opts.groupError]);
}

/** The group's name as the feed gives it ('' when the object is malformed). */
export function feedGroupName(ng: NamespacedRuleGroup): string {
  const name = (ng.group as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

function compileRule(r: RuleDesc, groupLabels: [string, string][]): Rule {
  const labelPairs: [string, string][] = [...groupLabels, ...Object.entries(r.labels ?? {})];
  const labels = Labels.fromPairs(labelPairs);
  if (r.record !== undefined) return new RecordingRule(r.record, r.expr, labels);
  let loadError: string | undefined;
  const templated = (pairs: [string, string][]): TemplatedPair[] => {
    // Later pairs win (rule labels override group labels), as in Labels.fromPairs.
    const byName = new Map(pairs);
    return [...byName].map(([name, text]) => {
      try {
        return { name, template: RuleTemplate.parse(text) };
      } catch (err) {
        loadError ??= `template for ${name}: ${(err as Error).message}`;
        return { name, template: RuleTemplate.parse('') };
      }
    });
  };
  const rule = new AlertingRule(
    r.alert ?? '',
    r.expr,
    duration(r.for, 0),
    duration(r.keep_firing_for, 0),
    labels,
    templated(labelPairs),
    templated(Object.entries(r.annotations ?? {})),
  );
  rule.annotationsRaw = Labels.fromPairs(Object.entries(r.annotations ?? {}));
  rule.loadError = loadError;
  return rule;
}
