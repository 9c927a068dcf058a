import { ExecutionError, type Labels, Matcher } from '../model/index.js';
import type { Call, DurationExpr, Expr, SubqueryExpr, TimeModifiers, VectorSelector } from './ast.js';
import type { Evaluation } from './eval-api.js';
import { type EvalValue, newSeries, pushPoint, type SeriesOut, StepCursor } from './value.js';

/**
 * `info(v [, {data label selector}])` (experimental, Prometheus 3.x): adds to each series of `v` the
 * data labels of the info series (`target_info` unless the selector names others) that share its
 * identifying labels (`instance`, `job`), as found at the same time.
 *
 * Prometheus selects the info series during evaluation, narrowed to the identifying label values
 * the first argument produced. Here every selector is read before evaluation, so the info series
 * are selected by the data-independent part of those matchers (names and data labels, at the time
 * the first argument's `@`/offset point to: `infoSelector`), and the narrowing to the identifying
 * values seen is applied in memory: the same series result.
 */

const TARGET_INFO = 'target_info';
const IDENTIFYING = ['instance', 'job'];

/** The `__name__` matchers that pick info series (Prometheus's effectiveInfoNameMatchers). */
function effectiveNameMatchers(ms: Matcher[]): Matcher[] {
  if (ms.some((m) => m.type === '=' || m.type === '=~')) return ms;
  if (ms.length > 0) return [new Matcher('=~', '__name__', '.+_info'), ...ms];
  return [new Matcher('=', '__name__', TARGET_INFO)];
}

function dataSelector(call: Call): VectorSelector | undefined {
  const a = call.args[1];
  return a?.type === 'VectorSelector' ? a : undefined;
}

/**
 * The selector of an info call's info series (a new node each time, as the first argument's time
 * modifiers may have been rewritten since parsing): data-label and name matchers, pinned to the
 * `@` and shifted by the offsets of the first vector selector in the first argument and of the
 * subqueries around it, up to the first `@` (Prometheus's infoSelectTimestampAndOffset).
 */
export function infoSelector(call: Call): VectorSelector {
  const data = dataSelector(call)?.matchers ?? [];
  const matchers = [
    ...data.filter((m) => m.name !== '__name__'),
    ...effectiveNameMatchers(data.filter((m) => m.name === '__name__')),
  ];
  const vs: VectorSelector = {
    type: 'VectorSelector',
    name: '',
    matchers,
    offset: 0,
    anchored: false,
    smoothed: false,
    pos: call.pos,
  };
  const path: SubqueryExpr[] = [];
  const found = firstSelector(call.args[0]!, path);
  if (!found) return vs;
  const chain: TimeModifiers[] = [found, ...path.reverse()];
  const offsets: TimeModifiers[] = [];
  for (const tm of chain) {
    offsets.push(tm);
    if (tm.timestamp !== undefined || tm.startOrEnd) {
      if (tm.timestamp !== undefined) vs.timestamp = tm.timestamp;
      else vs.startOrEnd = tm.startOrEnd;
      break;
    }
  }
  if (offsets.every((tm) => !tm.offsetExpr)) vs.offset = offsets.reduce((n, tm) => n + tm.offset, 0);
  else {
    const dur = (tm: TimeModifiers): DurationExpr => tm.offsetExpr ?? { kind: 'num', v: tm.offset / 1000 };
    vs.offsetExpr = offsets.slice(1).reduce((a, tm) => ({ kind: 'bin', op: '+', a, b: dur(tm) }), dur(offsets[0]!));
  }
  return vs;
}

/** The first vector selector in Prometheus's walk order, with the subqueries enclosing it (outermost first). */
function firstSelector(e: Expr, path: SubqueryExpr[]): VectorSelector | undefined {
  switch (e.type) {
    case 'VectorSelector':
      return e;
    case 'MatrixSelector':
      return e.vectorSelector;
    case 'SubqueryExpr': {
      path.push(e);
      const r = firstSelector(e.expr, path);
      if (!r) path.pop();
      return r;
    }
    case 'ParenExpr':
    case 'UnaryExpr':
      return firstSelector(e.expr, path);
    case 'BinaryExpr':
      return firstSelector(e.lhs, path) ?? firstSelector(e.rhs, path);
    case 'AggregateExpr':
      return firstSelector(e.expr, path) ?? (e.param ? firstSelector(e.param, path) : undefined);
    case 'Call':
      for (const a of e.args) {
        const r = firstSelector(a, path);
        if (r) return r;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Signature of a series towards one info metric: the name and the identifying labels it has. */
function signature(name: string, l: Labels): string {
  let s = name;
  for (const n of IDENTIFYING) if (l.has(n)) s += `\xff${n}\xff${l.get(n)}`;
  return s;
}

export function evalInfo(ev: Evaluation, call: Call, infoVS: VectorSelector): EvalValue {
  const base = ev.evalVector(call.args[0]!);
  const data = dataSelector(call)?.matchers;
  const nameMatchers = effectiveNameMatchers(data?.filter((m) => m.name === '__name__') ?? []);
  // data label matchers other than the name: which info labels are added, and whether a series without any survives
  const dataMatchers = new Map<string, Matcher[]>();
  for (const m of data ?? []) {
    if (m.name === '__name__') continue;
    dataMatchers.set(m.name, [...(dataMatchers.get(m.name) ?? []), m]);
  }
  const allMatchEmpty = [...dataMatchers.values()].every((ms) => ms.every((m) => m.matchesEmpty()));
  // info series themselves are passed through, not enriched
  const ignored = base.map((s) => nameMatchers.every((m) => m.matches(s.metric.get('__name__'))));
  const idValues = new Map<string, Set<string>>();
  base.forEach((s, k) => {
    if (ignored[k]) return;
    for (const n of IDENTIFYING) {
      const v = s.metric.get(n);
      if (v === '') continue;
      let set = idValues.get(n);
      if (!set) idValues.set(n, (set = new Set()));
      set.add(v);
    }
  });
  let info: SeriesOut[] = [];
  if (idValues.size > 0) {
    // the selection Prometheus narrows with `instance=~"a|b"`-style matchers, narrowed here
    info = ev
      .vectorSelectorTimestamps(infoVS, true)
      .filter((s) => [...idValues].every(([n, vals]) => vals.has(s.metric.get(n))));
  }
  const infoNames = [...new Set(info.map((s) => s.metric.get('__name__')))];
  const baseSigs = base.map((s) => infoNames.map((n) => signature(n, s.metric)));
  const infoSigs = info.map((s) => signature(s.metric.get('__name__'), s.metric));

  const out = new Map<string, SeriesOut>();
  const order: SeriesOut[] = [];
  const cb = new StepCursor(base);
  // (the info series' values are their samples' timestamps in seconds)
  const ci = new StepCursor(info);
  for (let i = 0; i < ev.steps; i++) {
    ev.ctx.check();
    const t = ev.ts(i);
    // per signature, the info series whose sample is newest (its value is the sample's timestamp)
    const bySig = new Map<string, { k: number; origT: number }>();
    for (let k = 0; k < info.length; k++) {
      const p = ci.at(k, t);
      if (p < 0) continue;
      const origT = info[k]!.f[p]!;
      const sig = infoSigs[k]!;
      const prev = bySig.get(sig);
      if (!prev || prev.origT < origT) bySig.set(sig, { k, origT });
      else if (prev.origT === origT) {
        throw new ExecutionError(
          `found duplicate series for info metric: existing ${info[prev.k]!.metric.toString()} @ ${Math.round(prev.origT * 1000)}, new ${info[k]!.metric.toString()} @ ${Math.round(origT * 1000)}`,
        );
      }
    }
    for (let k = 0; k < base.length; k++) {
      const p = cb.at(k, t);
      if (p < 0) continue;
      const bs = base[k]!;
      let metric = bs.metric;
      if (!ignored[k]) {
        const add = new Map<string, string>();
        let seen = 0;
        for (const sig of baseSigs[k]!) {
          const m = bySig.get(sig);
          if (!m) continue;
          seen++;
          info[m.k]!.metric.forEach((n, v) => {
            if (n === '__name__') return;
            if (dataMatchers.size > 0 && !dataMatchers.has(n)) return;
            const have = add.get(n);
            if (have !== undefined && have !== v) throw new ExecutionError(`conflicting label: ${n}`);
            if (bs.metric.has(n)) return;
            add.set(n, v);
          });
        }
        if (seen === 0 && !allMatchEmpty) continue;
        if (add.size > 0) {
          const b = bs.metric.builder();
          for (const [n, v] of add) b.set(n, v);
          metric = b.labels();
        }
      }
      const key = metric.key();
      let o = out.get(key);
      if (!o) {
        o = newSeries(metric, bs.dropName);
        out.set(key, o);
        order.push(o);
      } else if (o.t[o.t.length - 1] === t) {
        throw new ExecutionError('vector cannot contain metrics with the same labelset');
      }
      pushPoint(o, t, bs.f[p]!, bs.h?.[p]);
    }
  }
  return { kind: 'vector', series: order };
}
