/**
 * Values that cross the RPC contract in a shape of their own, converted the same way by the server
 * (control-plane/rpc) and by clients (the CLI): Prometheus rule-group objects (rule-file keys,
 * absent when empty) and limit values (a number, a duration string or a list of names). Pure: generated types only.
 */
import { create } from '@bufbuild/protobuf';
import {
  type LimitValue,
  LimitValueSchema,
  type RuleGroup as RuleGroupMsg,
  RuleGroupSchema,
} from '../../gen/cortex/admin/v1/admin_pb.js';

/** A Prometheus rule as rule files write it. */
export interface PromRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Prometheus rule group as rule files write it. */
export interface PromRuleGroup {
  name: string;
  interval?: string;
  limit?: number;
  query_offset?: string;
  labels?: Record<string, string>;
  source_tenants?: string[];
  rules: PromRule[];
}

function nonEmpty(m: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(m).length === 0 ? undefined : { ...m };
}

export function ruleGroupToProto(namespace: string, g: PromRuleGroup): RuleGroupMsg {
  return create(RuleGroupSchema, {
    namespace,
    name: g.name,
    interval: g.interval ?? '',
    limit: g.limit ?? 0,
    queryOffset: g.query_offset ?? '',
    labels: { ...g.labels },
    sourceTenants: [...(g.source_tenants ?? [])],
    rules: g.rules.map((r) => ({
      record: r.record ?? '',
      alert: r.alert ?? '',
      expr: r.expr,
      forDuration: r.for ?? '',
      keepFiringFor: r.keep_firing_for ?? '',
      labels: { ...r.labels },
      annotations: { ...r.annotations },
    })),
  });
}

/** The rule-group object of a message; empty fields are absent, as in a rule file. */
export function ruleGroupFromProto(g: RuleGroupMsg): PromRuleGroup {
  const out: PromRuleGroup = { name: g.name, rules: [] };
  if (g.interval !== '') out.interval = g.interval;
  if (g.limit !== 0) out.limit = g.limit;
  if (g.queryOffset !== '') out.query_offset = g.queryOffset;
  const labels = nonEmpty(g.labels);
  if (labels) out.labels = labels;
  if (g.sourceTenants.length > 0) out.source_tenants = [...g.sourceTenants];
  out.rules = g.rules.map((r) => {
    const rule: PromRule = { expr: r.expr };
    if (r.record !== '') rule.record = r.record;
    if (r.alert !== '') rule.alert = r.alert;
    if (r.forDuration !== '') rule.for = r.forDuration;
    if (r.keepFiringFor !== '') rule.keep_firing_for = r.keepFiringFor;
    const l = nonEmpty(r.labels);
    if (l) rule.labels = l;
    const a = nonEmpty(r.annotations);
    if (a) rule.annotations = a;
    return rule;
  });
  return out;
}

/** Answers and the CLI send enumerated limits as numbers, so a string here is a duration. */
export function limitValueToProto(v: number | string | readonly string[]): LimitValue {
  return create(LimitValueSchema, {
    kind:
      typeof v === 'number'
        ? { case: 'number', value: v }
        : typeof v === 'string'
          ? { case: 'duration', value: v }
          : { case: 'names', value: { names: [...v] } },
  });
}

/** The number, duration or name string, or list of names; undefined when the message holds none. */
export function limitValueFromProto(v: LimitValue): number | string | string[] | undefined {
  return v.kind.case === 'names' ? [...v.kind.value.names] : v.kind.value;
}

export function limitMapToProto(
  values: Record<string, number | string | readonly string[]>,
): Record<string, LimitValue> {
  const out: Record<string, LimitValue> = {};
  for (const [k, v] of Object.entries(values)) out[k] = limitValueToProto(v);
  return out;
}
