import { stringify } from 'yaml';
import { formatDuration, parseDuration } from '../../data-plane/model/index.js';
import type { LocalRules } from './load.js';
import type { RuleGroup } from './rule-file.js';

export type ChangeKind = 'create' | 'update' | 'delete' | 'unchanged';

export interface RuleChange {
  kind: ChangeKind;
  namespace: string;
  group: string;
  local?: RuleGroup;
  remote?: RuleGroup;
}

export interface DiffOptions {
  /** Also plan deletions of remote groups absent from the files (`rules sync`). */
  deleteMissing: boolean;
  /** Only consider these namespaces (local and remote); all when undefined. */
  namespaces?: ReadonlySet<string>;
}

/**
 * What `push` (create + update) or `sync` (also delete) would change, sorted by namespace and group.
 * Groups are compared after normalising durations (`60s` = `1m`) and dropping empty fields, so
 * equivalent spellings do not show as changes.
 */
export function diffRules(local: LocalRules, remote: Record<string, RuleGroup[]>, opts: DiffOptions): RuleChange[] {
  const wanted = (ns: string) => !opts.namespaces || opts.namespaces.has(ns);
  const changes: RuleChange[] = [];
  const remoteIndex = new Map<string, RuleGroup>();
  for (const [ns, groups] of Object.entries(remote)) {
    for (const g of groups) remoteIndex.set(`${ns}\u0000${g.name}`, g);
  }
  const seen = new Set<string>();
  for (const [ns, groups] of local) {
    if (!wanted(ns)) continue;
    for (const g of groups) {
      const key = `${ns}\u0000${g.name}`;
      seen.add(key);
      const r = remoteIndex.get(key);
      if (!r) changes.push({ kind: 'create', namespace: ns, group: g.name, local: g });
      else if (canonical(g) === canonical(r))
        changes.push({ kind: 'unchanged', namespace: ns, group: g.name, local: g, remote: r });
      else changes.push({ kind: 'update', namespace: ns, group: g.name, local: g, remote: r });
    }
  }
  if (opts.deleteMissing) {
    for (const [ns, groups] of Object.entries(remote)) {
      if (!wanted(ns)) continue;
      for (const g of groups) {
        if (!seen.has(`${ns}\u0000${g.name}`))
          changes.push({ kind: 'delete', namespace: ns, group: g.name, remote: g });
      }
    }
  }
  return changes.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.group.localeCompare(b.group));
}

export function summarize(changes: readonly RuleChange[]): Record<ChangeKind, number> {
  const out: Record<ChangeKind, number> = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const c of changes) out[c.kind]++;
  return out;
}

const DURATION_FIELDS = new Set(['interval', 'query_offset', 'for', 'keep_firing_for']);

/** A stable text form of a group: sorted keys, normalised durations, no empty fields. */
export function canonical(group: RuleGroup): string {
  return JSON.stringify(normalize(group));
}

function normalize(v: unknown, key?: string): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(x));
  if (v !== null && typeof v === 'object') {
    // Keys include label and annotation names, which may be `__proto__` or `constructor`.
    const out: Record<string, unknown> = Object.create(null);
    for (const k of Object.keys(v).sort()) {
      const x = normalize((v as Record<string, unknown>)[k], k);
      if (x === undefined || x === null || (typeof x === 'object' && Object.keys(x as object).length === 0)) continue;
      out[k] = x;
    }
    return out;
  }
  if (key !== undefined && DURATION_FIELDS.has(key) && typeof v === 'string') {
    try {
      const ms = parseDuration(v);
      return ms === 0 ? undefined : formatDuration(ms);
    } catch {
      return v;
    }
  }
  if (key === 'expr' && typeof v === 'string') return v.trim();
  return v;
}

/** Renders changes for humans: `+`/`~`/`-` lines and, for updates, a line diff of the group's YAML. */
export function renderChanges(changes: readonly RuleChange[], color: boolean): string {
  const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[39m` : s);
  const lines: string[] = [];
  for (const c of changes) {
    const id = `${c.namespace}/${c.group}`;
    if (c.kind === 'create') lines.push(paint(32, `+ ${id} (new, ${c.local!.rules.length} rules)`));
    else if (c.kind === 'delete') lines.push(paint(31, `- ${id} (deleted)`));
    else if (c.kind === 'update') {
      lines.push(paint(33, `~ ${id}`));
      for (const d of lineDiff(toYaml(c.remote!), toYaml(c.local!))) {
        if (d.op === '+') lines.push(paint(32, `    + ${d.text}`));
        else if (d.op === '-') lines.push(paint(31, `    - ${d.text}`));
      }
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function toYaml(g: RuleGroup): string[] {
  return stringify(normalize(g), { lineWidth: 0 }).trimEnd().split('\n');
}

/** Longest-common-subsequence line diff; rule groups are small, so O(n·m) is fine. */
export function lineDiff(a: readonly string[], b: readonly string[]): Array<{ op: '+' | '-' | ' '; text: string }> {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: Array<{ op: '+' | '-' | ' '; text: string }> = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: '-', text: a[i++]! });
    else out.push({ op: '+', text: b[j++]! });
  }
  while (i < n) out.push({ op: '-', text: a[i++]! });
  while (j < m) out.push({ op: '+', text: b[j++]! });
  return out;
}
