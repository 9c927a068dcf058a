import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Labels, parseDuration, parseTenantId, STALE_NAN } from '../../model/index.js';
import { AlertingRule } from '../alerting-rule.js';
import { compileGroup } from '../compile.js';
import { RuleGroupRunner } from '../group.js';
import { MemoryRuleBackend } from '../memory-backend.js';
import { RulerMetrics } from '../metrics.js';
import type { RuleGroupDesc } from '../types.js';
import { validateRuleFile } from '../validate.js';
import { parseSeriesLabels } from './parse-series.js';
import { expandSeriesValues } from './series-notation.js';
import type { ExpAlert, TestGroup, UnitTestFile, UnitTestResult } from './types.js';

const TENANT = parseTenantId('unit-test');

interface LoadedGroup {
  file: string;
  group: RuleGroupDesc;
}

/** Runs one promtool-format test file; rule files are resolved relative to it. */
export async function runUnitTestFile(path: string): Promise<UnitTestResult> {
  const result: UnitTestResult = { file: path, loadErrors: [], failures: [], testGroups: 0 };
  let doc: UnitTestFile;
  try {
    doc = (parseYaml(await readFile(path, 'utf8')) ?? {}) as UnitTestFile;
  } catch (err) {
    result.loadErrors.push(`${path}: ${(err as Error).message}`);
    return result;
  }
  const groups = await loadRuleFiles(path, doc.rule_files ?? [], result.loadErrors);
  const ordered = orderGroups(groups, doc.group_eval_order, result.loadErrors);
  if (result.loadErrors.length > 0) return result;
  const evalInterval = parseDuration(doc.evaluation_interval ?? '1m');
  for (const tg of doc.tests ?? []) {
    result.testGroups++;
    try {
      result.failures.push(...(await runTestGroup(tg, ordered, evalInterval)));
    } catch (err) {
      result.failures.push(`    name: ${tg.name ?? ''},\n    ${(err as Error).message}`);
    }
  }
  return result;
}

async function loadRuleFiles(testPath: string, files: string[], errors: string[]): Promise<LoadedGroup[]> {
  const out: LoadedGroup[] = [];
  for (const f of files) {
    const full = resolve(dirname(testPath), f);
    let text: string;
    try {
      text = await readFile(full, 'utf8');
    } catch (err) {
      errors.push(`${f}: ${(err as Error).message}`);
      continue;
    }
    const r = validateRuleFile(text);
    for (const e of r.errors) errors.push(`${f}: ${e.path}: ${e.message}`);
    for (const group of r.groups) out.push({ file: f, group });
  }
  return out;
}

function orderGroups(groups: LoadedGroup[], order: string[] | undefined, errors: string[]): LoadedGroup[] {
  if (!order || order.length === 0) return groups;
  const byName = new Map(groups.map((g) => [g.group.name, g]));
  const out: LoadedGroup[] = [];
  for (const name of order) {
    const g = byName.get(name);
    if (!g) errors.push(`group_eval_order: group ${JSON.stringify(name)} not found in rule files`);
    else out.push(g);
    byName.delete(name);
  }
  return [...out, ...byName.values()];
}

async function runTestGroup(tg: TestGroup, groups: LoadedGroup[], evalInterval: number): Promise<string[]> {
  const backend = new MemoryRuleBackend();
  // Current promtool defaults the sample interval to evaluation_interval (2.42 left it at 0).
  const interval = tg.interval !== undefined ? parseDuration(tg.interval) : evalInterval;
  for (const s of tg.input_series ?? []) {
    const labels = parseSeriesLabels(s.series);
    const values = expandSeriesValues(s.values ?? '');
    const samples = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== undefined) samples.push({ labels, t: i * interval, v: v === 'stale' ? STALE_NAN : v });
    }
    await backend.write(TENANT, samples);
  }
  const externalLabels = Labels.fromObject(tg.external_labels ?? {});
  const deps = {
    query: backend.query,
    writer: backend,
    notifier: undefined,
    clock: { now: () => 0 },
    metrics: new RulerMetrics(),
    externalLabels,
    externalURL: tg.external_url ?? '',
    resendDelayMs: 60_000,
    forGracePeriodMs: 0,
    outageToleranceMs: 0,
    log: undefined,
  };
  const runners = groups.map(
    (g) =>
      new RuleGroupRunner(
        compileGroup(
          TENANT,
          { namespace: g.file, group: g.group },
          { defaultIntervalMs: evalInterval, maxRulesPerGroup: 0 },
        ),
        deps,
      ),
  );
  // promtool does not restore `for` state: ALERTS series are written from the first evaluation.
  for (const r of runners) for (const rule of r.rules) if (rule instanceof AlertingRule) rule.restored = true;

  const alertTests = (tg.alert_rule_test ?? []).map((t) => ({ ...t, at: parseDuration(t.eval_time) }));
  const exprTests = (tg.promql_expr_test ?? []).map((t) => ({ ...t, at: parseDuration(t.eval_time) }));
  const maxt = Math.max(0, ...alertTests.map((t) => t.at), ...exprTests.map((t) => t.at));
  const failures: string[] = [];
  const pendingAlertTests = [...alertTests].sort((a, b) => a.at - b.at);
  for (let ts = 0; ts <= maxt; ts += evalInterval) {
    for (const r of runners) await r.evaluate(ts);
    // Alert tests whose eval_time falls in [ts, ts + interval) see the state after this evaluation.
    while (pendingAlertTests.length > 0 && pendingAlertTests[0]!.at < ts + evalInterval) {
      const t = pendingAlertTests.shift()!;
      const f = checkAlerts(runners, t.alertname, t.exp_alerts ?? [], t.eval_time);
      if (f) failures.push(`    name: ${tg.name ?? ''},\n${f}`);
    }
  }
  for (const t of exprTests) {
    const f = await checkExpr(backend, t.expr, t.at, t.exp_samples ?? [], t.eval_time);
    if (f) failures.push(`    name: ${tg.name ?? ''},\n${f}`);
  }
  return failures;
}

interface AlertView {
  labels: Labels;
  annotations: Labels;
}

function checkAlerts(
  runners: RuleGroupRunner[],
  alertname: string,
  exp: ExpAlert[],
  evalTime: string,
): string | undefined {
  const got: AlertView[] = [];
  for (const r of runners) {
    for (const rule of r.rules) {
      if (!(rule instanceof AlertingRule) || rule.name !== alertname) continue;
      for (const a of rule.active.values())
        if (a.state === 'firing') got.push({ labels: a.labels, annotations: a.annotations });
    }
  }
  const want: AlertView[] = exp.map((e) => ({
    labels: Labels.fromPairs([
      ...Object.entries(e.exp_labels ?? {}).map(([k, v]) => [k, String(v)] as [string, string]),
      ['alertname', alertname],
    ]),
    annotations: Labels.fromPairs(
      Object.entries(e.exp_annotations ?? {}).map(([k, v]) => [k, String(v)] as [string, string]),
    ),
  }));
  const key = (a: AlertView) => `${a.labels.key()}\x00${a.annotations.key()}`;
  const g = got.map(key).sort();
  const w = want.map(key).sort();
  if (g.length === w.length && g.every((x, i) => x === w[i])) return undefined;
  const show = (list: AlertView[]) =>
    list.length === 0
      ? '[]'
      : `[\n${list
          .sort((a, b) => Labels.compare(a.labels, b.labels))
          .map(
            (a, i) =>
              `            ${i}:\n              Labels:${goLabels(a.labels)}\n              Annotations:${goLabels(a.annotations)}`,
          )
          .join('\n')}\n            ]`;
  return `    alertname: ${alertname}, time: ${evalTime}, \n        exp:${show(want)}, \n        got:${show(got)}`;
}

async function checkExpr(
  backend: MemoryRuleBackend,
  expr: string,
  at: number,
  exp: { labels?: string; value?: number | string }[],
  evalTime: string,
): Promise<string | undefined> {
  let got: { labels: Labels; v: number }[];
  try {
    const v = await backend.query(TENANT, expr, at);
    if (v.type === 'scalar') got = [{ labels: Labels.EMPTY, v: v.v }];
    else if (v.type === 'vector')
      got = v.samples.filter((s) => s.v !== undefined).map((s) => ({ labels: s.labels, v: s.v! }));
    else throw new Error(`expression ${JSON.stringify(expr)} is not a vector or scalar`);
  } catch (err) {
    return `    expr: ${JSON.stringify(expr)}, time: ${evalTime}, err: ${(err as Error).message}`;
  }
  const want = exp.map((s) => ({
    labels: s.labels ? parseSeriesLabels(s.labels) : Labels.EMPTY,
    v: Number(s.value ?? 0),
  }));
  const sortFn = (a: { labels: Labels }, b: { labels: Labels }) => Labels.compare(a.labels, b.labels);
  got.sort(sortFn);
  want.sort(sortFn);
  const same =
    got.length === want.length && got.every((g, i) => g.labels.equals(want[i]!.labels) && floatsEqual(g.v, want[i]!.v));
  if (same) return undefined;
  const show = (l: { labels: Labels; v: number }[]) =>
    l.map((s) => `${goLabels(s.labels)} ${formatE(s.v).toUpperCase()}`).join(', ');
  return `    expr: ${JSON.stringify(expr)}, time: ${evalTime},\n        exp: ${show(want)}\n        got: ${show(got)}`;
}

/** Go's labels.String(): `{a="1", b="2"}` with the name as an ordinary label. */
function goLabels(l: Labels): string {
  const parts: string[] = [];
  l.forEach((n, v) => {
    parts.push(`${n}=${JSON.stringify(v)}`);
  });
  return `{${parts.join(', ')}}`;
}

/** strconv's shortest %e (`1e+00`); callers upper-case it as promtool prints `%E`. */
function formatE(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const [m, e] = v.toExponential().split('e') as [string, string];
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${Math.abs(n) < 10 ? '0' : ''}${Math.abs(n)}`;
}

function floatsEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** promtool's summary line for a set of results, and whether all passed. */
export function summarize(results: UnitTestResult[]): { ok: boolean; text: string } {
  const lines: string[] = [];
  let ok = true;
  for (const r of results) {
    lines.push(`Unit Testing:  ${r.file}`);
    if (r.loadErrors.length > 0) {
      ok = false;
      lines.push('  FAILED:', ...r.loadErrors.map((e) => `    ${e}`));
    } else if (r.failures.length > 0) {
      ok = false;
      lines.push('  FAILED:', ...r.failures);
    } else lines.push('  SUCCESS');
    lines.push('');
  }
  return { ok, text: lines.join('\n') };
}
