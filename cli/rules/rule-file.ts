import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import type { PromRule, PromRuleGroup } from '../../control-plane/api/proto-values.js';
import { isTenantId, MAX_FEDERATED_TENANTS, parseDuration } from '../../data-plane/model/index.js';
import { checkExpr } from './promql-check.js';

/** A finding in a rule file, positioned for editors (`file:line:col`), 1-based. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export interface RuleFile {
  file: string;
  namespace: string;
  groups: RuleGroup[];
  problems: Problem[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A rule as rule files write it. */
export type Rule = PromRule;

/** A rule group as rule files write it (`source_tenants`: a federated group, Mimir's field). */
export type RuleGroup = PromRuleGroup;
const GROUP_KEYS = new Set(['name', 'interval', 'limit', 'query_offset', 'labels', 'rules', 'source_tenants']);
const RULE_KEYS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
const DURATION_KEYS = ['interval', 'query_offset'] as const;

export const formatProblem = (p: Problem): string => `${p.file}:${p.line}:${p.col}: ${p.message}`;

/**
 * Parses and validates a Prometheus rule file (optionally with a top-level `namespace:`). The namespace
 * is `namespaceOverride`, else the file's `namespace:`, else the file name without its extension.
 * Never throws on bad content: every YAML, structure and PromQL error becomes a Problem, and `groups`
 * holds what could be read.
 */
export function parseRuleFile(file: string, text: string, namespaceOverride?: string): RuleFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = [];
  const at = (offset: number, message: string) => {
    const { line, col } = lc.linePos(offset);
    problems.push({ file, line, col, message });
  };
  const fallbackNs = namespaceOverride ?? defaultNamespace(file);
  for (const e of doc.errors) at(e.pos[0], e.message.split('\n')[0]!);
  if (doc.errors.length > 0) return { file, namespace: fallbackNs, groups: [], problems };

  const root = doc.contents;
  if (!isMap(root)) {
    at(root?.range?.[0] ?? 0, 'expected a mapping with a "groups" key');
    return { file, namespace: fallbackNs, groups: [], problems };
  }
  const ctx: Ctx = { at, text, lc };
  let namespace = fallbackNs;
  const nsNode = root.get('namespace', true) as Node | undefined;
  if (nsNode !== undefined) {
    if (!isScalar(nsNode) || typeof nsNode.value !== 'string' || nsNode.value === '') {
      at(pos(nsNode), 'namespace must be a non-empty string');
    } else if (namespaceOverride === undefined) {
      namespace = nsNode.value;
    }
  }
  for (const pair of root.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : '';
    if (k !== 'groups' && k !== 'namespace') at(pos(pair.key as Node), `field ${k} not found in rule file`);
  }
  const groupsNode = root.get('groups', true) as Node | undefined;
  const groups: RuleGroup[] = [];
  if (groupsNode === undefined) at(pos(root), 'missing "groups"');
  else if (!isSeq(groupsNode)) at(pos(groupsNode), '"groups" must be a list');
  else {
    const seen = new Set<string>();
    for (const g of groupsNode.items) {
      const group = readGroup(g as Node, ctx);
      if (!group) continue;
      if (seen.has(group.name)) at(pos(g as Node), `groupname: "${group.name}" is repeated in the same file`);
      seen.add(group.name);
      groups.push(group);
    }
  }
  return { file, namespace, groups, problems };
}

interface Ctx {
  at: (offset: number, message: string) => void;
  text: string;
  lc: LineCounter;
}

function readGroup(node: Node, ctx: Ctx): RuleGroup | undefined {
  if (!isMap(node)) {
    ctx.at(pos(node), 'a rule group must be a mapping');
    return undefined;
  }
  unknownKeys(node, GROUP_KEYS, 'rule group', ctx);
  const name = str(node, 'name', ctx, true);
  if (name === undefined) return undefined;
  const group: RuleGroup = { name, rules: [] };
  for (const k of DURATION_KEYS) {
    const v = duration(node, k, ctx);
    if (v !== undefined) group[k] = v;
  }
  const limit = node.get('limit', true) as Node | undefined;
  if (limit !== undefined) {
    if (!isScalar(limit) || !Number.isInteger(limit.value) || (limit.value as number) < 0) {
      ctx.at(pos(limit), 'limit must be a non-negative integer');
    } else group.limit = limit.value as number;
  }
  const labels = stringMap(node, 'labels', ctx, true);
  if (labels) group.labels = labels;
  const tenants = sourceTenants(node, ctx);
  if (tenants) group.source_tenants = tenants;
  const rules = node.get('rules', true) as Node | undefined;
  if (rules === undefined || (isSeq(rules) && rules.items.length === 0)) {
    ctx.at(pos(node), `group "${name}" has no rules`);
  } else if (!isSeq(rules)) ctx.at(pos(rules), '"rules" must be a list');
  else {
    for (const r of rules.items) {
      const rule = readRule(r as Node, ctx);
      if (rule) group.rules.push(rule);
    }
  }
  return group;
}

function readRule(node: Node, ctx: Ctx): Rule | undefined {
  if (!isMap(node)) {
    ctx.at(pos(node), 'a rule must be a mapping');
    return undefined;
  }
  unknownKeys(node, RULE_KEYS, 'rule', ctx);
  const record = str(node, 'record', ctx, false);
  const alert = str(node, 'alert', ctx, false);
  const rule: Rule = { expr: '' };
  if (record !== undefined && alert !== undefined) ctx.at(pos(node), 'only one of "record" and "alert" may be set');
  else if (record === undefined && alert === undefined) ctx.at(pos(node), 'one of "record" or "alert" must be set');
  if (record !== undefined) {
    if (!METRIC_NAME.test(record))
      ctx.at(pos(node.get('record', true) as Node), `invalid recording rule name: ${record}`);
    rule.record = record;
  }
  if (alert !== undefined) rule.alert = alert;
  const exprNode = node.get('expr', true) as Node | undefined;
  if (exprNode === undefined) ctx.at(pos(node), 'field "expr" must be set in rule');
  else if (!isScalar(exprNode) || (typeof exprNode.value !== 'string' && typeof exprNode.value !== 'number')) {
    ctx.at(pos(exprNode), '"expr" must be a string');
  } else {
    rule.expr = String(exprNode.value);
    for (const p of checkExpr(rule.expr)) ctx.at(exprOffset(exprNode, p.offset, ctx), p.message);
  }
  for (const k of ['for', 'keep_firing_for'] as const) {
    const v = duration(node, k, ctx);
    if (v === undefined) continue;
    if (record !== undefined) ctx.at(pos(node.get(k, true) as Node), `invalid field "${k}" in recording rule`);
    rule[k] = v;
  }
  const labels = stringMap(node, 'labels', ctx, true);
  if (labels) rule.labels = labels;
  const annotations = stringMap(node, 'annotations', ctx, false);
  if (annotations) {
    if (record !== undefined)
      ctx.at(pos(node.get('annotations', true) as Node), 'invalid field "annotations" in recording rule');
    rule.annotations = annotations;
  }
  return rule;
}

function unknownKeys(map: YAMLMap, allowed: Set<string>, what: string, ctx: Ctx): void {
  for (const pair of map.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!allowed.has(k)) ctx.at(pos(pair.key as Node), `field ${k} not found in ${what}`);
  }
}

function str(map: YAMLMap, key: string, ctx: Ctx, required: boolean): string | undefined {
  const n = map.get(key, true) as Node | undefined;
  if (n === undefined) {
    if (required) ctx.at(pos(map), `missing "${key}"`);
    return undefined;
  }
  if (!isScalar(n) || typeof n.value !== 'string' || n.value === '') {
    ctx.at(pos(n), `"${key}" must be a non-empty string`);
    return undefined;
  }
  return n.value;
}

function duration(map: YAMLMap, key: string, ctx: Ctx): string | undefined {
  const n = map.get(key, true) as Node | undefined;
  if (n === undefined) return undefined;
  const v = isScalar(n) ? String(n.value) : '';
  try {
    parseDuration(v);
    return v;
  } catch {
    ctx.at(pos(n), `"${key}": not a valid duration string: ${JSON.stringify(v)}`);
    return undefined;
  }
}

function stringMap(map: YAMLMap, key: string, ctx: Ctx, labelNames: boolean): Record<string, string> | undefined {
  const n = map.get(key, true) as Node | undefined;
  if (n === undefined) return undefined;
  if (!isMap(n)) {
    ctx.at(pos(n), `"${key}" must be a mapping`);
    return undefined;
  }
  // Label and annotation names are the user's: a prototype-free map keeps `__proto__` an ordinary key.
  const out: Record<string, string> = Object.create(null);
  for (const pair of n.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : '';
    if (labelNames && !LABEL_NAME.test(k)) ctx.at(pos(pair.key as Node), `invalid label name: ${JSON.stringify(k)}`);
    const v = pair.value as Node | null;
    if (!isScalar(v) || v.value === null || typeof v.value === 'object') {
      ctx.at(pos(v ?? (pair.key as Node)), `"${key}.${k}" must be a string`);
      continue;
    }
    Object.defineProperty(out, k, { value: String(v.value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `source_tenants`: a list of tenant IDs, none twice (the server checks the grant and that they exist). */
function sourceTenants(map: YAMLMap, ctx: Ctx): string[] | undefined {
  const n = map.get('source_tenants', true) as Node | undefined;
  if (n === undefined) return undefined;
  if (!isSeq(n)) {
    ctx.at(pos(n), '"source_tenants" must be a list of tenant IDs');
    return undefined;
  }
  if (n.items.length > MAX_FEDERATED_TENANTS) {
    ctx.at(pos(n), `"source_tenants" lists ${n.items.length} tenants, at most ${MAX_FEDERATED_TENANTS}`);
    return undefined;
  }
  const out: string[] = [];
  for (const item of n.items as Node[]) {
    const v = isScalar(item) ? item.value : undefined;
    if (typeof v !== 'string' || !isTenantId(v)) {
      ctx.at(pos(item), `source_tenants: ${JSON.stringify(String(v).slice(0, 80))} is not a tenant ID`);
    } else if (out.includes(v)) ctx.at(pos(item), `source_tenants: tenant ${v} is listed twice`);
    else out.push(v);
  }
  return out.length > 0 ? out : undefined;
}

function pos(n: Node | null | undefined): number {
  return n?.range?.[0] ?? 0;
}

/** Maps an offset inside a scalar's value back to the file, for plain, quoted and block scalars. */
function exprOffset(node: Scalar, offset: number, ctx: Ctx): number {
  const start = pos(node);
  const type = node.type;
  if (type === 'PLAIN' || type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') {
    const value = String(node.value);
    if (value.includes('\n')) return start;
    return start + (type === 'PLAIN' ? 0 : 1) + offset;
  }
  // Block scalar: the value starts on the line after the `|`/`>` header, indented.
  const value = String(node.value);
  const before = value.slice(0, offset);
  const lineIdx = before.split('\n').length - 1;
  const colInLine = offset - (before.lastIndexOf('\n') + 1);
  // yaml's range may start at the `|` header or at the first content line.
  const startLine = ctx.lc.linePos(start).line;
  const firstContent = /^[|>]/.test(ctx.text.slice(start)) ? startLine : startLine - 1;
  const contentLineStart = ctx.lc.lineStarts[firstContent + lineIdx];
  if (contentLineStart === undefined) return start;
  // The value drops the block's common indentation: that of its first content line.
  const firstStart = ctx.lc.lineStarts[firstContent] ?? contentLineStart;
  const indent = /^[ \t]*/.exec(ctx.text.slice(firstStart))![0].length;
  return contentLineStart + indent + colInLine;
}

function defaultNamespace(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.(ya?ml)$/i, '') || 'default';
}
