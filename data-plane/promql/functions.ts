import { BadDataError, cachedAnchored, ExecutionError, type FloatHistogram, Labels } from '../model/index.js';
import type { Call, Expr } from './ast.js';
import { exprType } from './ast.js';
import type { Evaluation as Evaluator } from './eval-api.js';
import { formatFloat } from './format.js';
import { goSort, reverse } from './go-sort.js';
import { nativeVariance } from './histogram.js';
import { histogramFraction, histogramQuantile } from './histogram-functions.js';
import { isValidUTF8 } from './literals.js';
import { goLog2, goLog10 } from './mathx.js';
import { dropMetricName, type EvalValue, newSeries, pushPoint, type SeriesOut } from './value.js';

type MathFn = (x: number) => number;

const MATH: Record<string, MathFn> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  // Go's formulas, not V8's Math.log2/log10: Prometheus's last bit (mathx.ts)
  log2: goLog2,
  log10: goLog10,
  sgn: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  deg: (x) => (x * 180) / Math.PI,
  rad: (x) => (x * Math.PI) / 180,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
};

function dateOf(v: number): Date {
  return new Date(Math.trunc(v) * 1000);
}

const DATE_FNS: Record<string, (d: Date) => number> = {
  year: (d) => d.getUTCFullYear(),
  month: (d) => d.getUTCMonth() + 1,
  day_of_month: (d) => d.getUTCDate(),
  day_of_week: (d) => d.getUTCDay(),
  day_of_year: (d) => {
    const start = Date.UTC(d.getUTCFullYear(), 0, 1);
    return Math.floor((d.getTime() - start) / 86_400_000) + 1;
  },
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  days_in_month: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
};

/** Maps every float point of every series; histogram points are dropped (Prometheus ignores them). */
function mapFloats(
  series: SeriesOut[],
  fn: (x: number, t: number) => number | undefined,
  dropName = true,
): SeriesOut[] {
  const out: SeriesOut[] = [];
  for (const s of series) {
    const o = newSeries(s.metric, s.dropName || dropName);
    for (let i = 0; i < s.t.length; i++) {
      if (s.h?.[i]) continue;
      const r = fn(s.f[i]!, s.t[i]!);
      if (r !== undefined) pushPoint(o, s.t[i]!, r, undefined);
    }
    if (o.t.length > 0) out.push(o);
  }
  return out;
}

function mapHistograms(series: SeriesOut[], fn: (h: FloatHistogram) => number): SeriesOut[] {
  const out: SeriesOut[] = [];
  for (const s of series) {
    const o = newSeries(s.metric, true);
    for (let i = 0; i < s.t.length; i++) {
      const h = s.h?.[i];
      if (h) pushPoint(o, s.t[i]!, fn(h), undefined);
    }
    if (o.t.length > 0) out.push(o);
  }
  return out;
}

function stringArg(e: Expr): string {
  let x = e;
  while (x.type === 'ParenExpr') x = x.expr;
  if (x.type !== 'StringLiteral') throw new BadDataError('expected string literal');
  return x.val;
}

function scalarSeries(ev: Evaluator, f: (t: number) => number): EvalValue {
  const v = new Float64Array(ev.steps);
  for (let i = 0; i < ev.steps; i++) v[i] = f(ev.ts(i));
  return { kind: 'scalar', v };
}

export function evalCall(ev: Evaluator, e: Call): EvalValue {
  const name = e.func.name;
  const args = e.args;
  const math = MATH[name];
  if (math) return { kind: 'vector', series: mapFloats(ev.evalVector(args[0]!), math) };
  const dateFn = DATE_FNS[name];
  if (dateFn) {
    if (args.length === 0) {
      const s = newSeries(Labels.EMPTY, false);
      for (let i = 0; i < ev.steps; i++) pushPoint(s, ev.ts(i), dateFn(dateOf(ev.ts(i) / 1000)), undefined);
      return { kind: 'vector', series: [s] };
    }
    return {
      kind: 'vector',
      series: mapFloats(ev.evalVector(args[0]!), (x) => (Number.isFinite(x) ? dateFn(dateOf(x)) : x)),
    };
  }
  switch (name) {
    case 'time':
      return scalarSeries(ev, (t) => t / 1000);
    case 'pi':
      return scalarSeries(ev, () => Math.PI);
    case 'start':
      return scalarSeries(ev, () => ev.ctx.queryStart / 1000);
    case 'end':
      return scalarSeries(ev, () => ev.ctx.queryEnd / 1000);
    case 'range':
      return scalarSeries(ev, () => (ev.ctx.queryEnd - ev.ctx.queryStart) / 1000);
    case 'step':
      return scalarSeries(ev, () => ev.ctx.queryStep / 1000);
    case 'min_of':
    case 'max_of': {
      const vals = args.map((a) => ev.evalScalar(a));
      const out = new Float64Array(ev.steps);
      for (let i = 0; i < ev.steps; i++) {
        let m = vals[0]![i]!;
        for (const v of vals) m = name === 'min_of' ? Math.min(m, v[i]!) : Math.max(m, v[i]!);
        out[i] = m;
      }
      return { kind: 'scalar', v: out };
    }
    case 'vector': {
      const v = ev.evalScalar(args[0]!);
      const s = newSeries(Labels.EMPTY, false);
      for (let i = 0; i < ev.steps; i++) pushPoint(s, ev.ts(i), v[i]!, undefined);
      return { kind: 'vector', series: [s] };
    }
    case 'scalar': {
      const series = ev.evalVector(args[0]!);
      const out = new Float64Array(ev.steps).fill(Number.NaN);
      const count = new Int32Array(ev.steps);
      for (const s of series) {
        for (let i = 0; i < s.t.length; i++) {
          if (s.h?.[i]) continue;
          const k = ev.stepIndex(s.t[i]!);
          count[k]!++;
          out[k] = s.f[i]!;
        }
      }
      for (let i = 0; i < ev.steps; i++) if (count[i] !== 1) out[i] = Number.NaN;
      return { kind: 'scalar', v: out };
    }
    case 'round': {
      const to = args[1] ? ev.evalScalar(args[1]) : undefined;
      return {
        kind: 'vector',
        series: mapFloats(ev.evalVector(args[0]!), (x, t) => {
          const nearest = to ? to[ev.stepIndex(t)]! : 1;
          const inv = 1 / nearest;
          return Math.floor(x * inv + 0.5) / inv;
        }),
      };
    }
    case 'clamp':
    case 'clamp_min':
    case 'clamp_max': {
      const series = ev.evalVector(args[0]!);
      const a = ev.evalScalar(args[1]!);
      const b = args[2] ? ev.evalScalar(args[2]) : undefined;
      return {
        kind: 'vector',
        series: mapFloats(series, (x, t) => {
          const k = ev.stepIndex(t);
          if (name === 'clamp_min') return Math.max(a[k]!, x);
          if (name === 'clamp_max') return Math.min(a[k]!, x);
          const lo = a[k]!;
          const hi = b![k]!;
          if (hi < lo) return undefined;
          return Math.max(lo, Math.min(hi, x));
        }),
      };
    }
    case 'timestamp': {
      let a = args[0]!;
      while (a.type === 'ParenExpr') a = a.expr;
      if (a.type === 'VectorSelector') return { kind: 'vector', series: ev.vectorSelectorTimestamps(a) };
      const series = ev.evalVector(args[0]!);
      const out: SeriesOut[] = [];
      for (const s of series) {
        const o = newSeries(s.metric, true);
        for (let i = 0; i < s.t.length; i++) pushPoint(o, s.t[i]!, s.t[i]! / 1000, undefined);
        out.push(o);
      }
      return { kind: 'vector', series: out };
    }
    case 'start_timestamp': {
      // The start timestamps of the samples a selector picks (0 where unknown); an expression's
      // samples have none, so that gives nothing (Prometheus funcStartTimestamp).
      let a = args[0]!;
      while (a.type === 'ParenExpr') a = a.expr;
      if (a.type === 'VectorSelector') return { kind: 'vector', series: ev.vectorSelectorTimestamps(a, false, true) };
      ev.evalVector(args[0]!);
      return { kind: 'vector', series: [] };
    }
    case 'absent':
      return { kind: 'vector', series: absent(ev, e) };
    case 'sort':
    case 'sort_desc':
    case 'sort_by_label':
    case 'sort_by_label_desc': {
      const series = ev.evalVector(args[0]!).filter((s) => !s.h?.some((h) => h !== undefined));
      if (ev.ctx.queryStart !== ev.ctx.queryEnd) {
        ev.ctx.warn('sort is ineffective for range queries since results are always ordered by labels', e.pos);
      }
      if (name === 'sort' || name === 'sort_desc') {
        // Go's sort.Sort over Prometheus's (reverse) value heap order, reversed: NaN last, and equal
        // values in the order Prometheus leaves them
        const desc = name === 'sort_desc';
        const val = (s: SeriesOut) => s.f[s.f.length - 1] ?? Number.NaN;
        goSort(
          reverse({
            len: () => series.length,
            less: (i, j) => {
              const vi = val(series[i]!);
              return Number.isNaN(vi) || (desc ? vi < val(series[j]!) : vi > val(series[j]!));
            },
            swap: (i, j) => {
              const x = series[i]!;
              series[i] = series[j]!;
              series[j] = x;
            },
          }),
        );
      } else {
        const names = args.slice(1).map(stringArg);
        const desc = name === 'sort_by_label_desc';
        series.sort((x, y) => {
          for (const n of names) {
            const c = natCompare(x.metric.get(n), y.metric.get(n));
            if (c !== 0) return desc ? -c : c;
          }
          const c = Labels.compare(x.metric, y.metric);
          return desc ? -c : c;
        });
      }
      return { kind: 'vector', series };
    }
    case 'label_replace':
      return {
        kind: 'vector',
        series: uniqueLabelsets(labelReplace(ev.evalVector(args[0]!), args.slice(1).map(stringArg))),
      };
    case 'label_join':
      return {
        kind: 'vector',
        series: uniqueLabelsets(labelJoin(ev.evalVector(args[0]!), args.slice(1).map(stringArg))),
      };
    case 'histogram_quantile':
      return { kind: 'vector', series: histogramQuantile(ev, e, ev.evalScalar(args[0]!), ev.evalVector(args[1]!)) };
    case 'histogram_quantiles': {
      const series = ev.evalVector(args[0]!);
      const label = stringArg(args[1]!);
      const out: SeriesOut[] = [];
      for (const qa of args.slice(2)) {
        const q = ev.evalScalar(qa);
        const copies = series.map((s) => ({ ...s }));
        for (const r of histogramQuantile(ev, e, q, copies, qa)) {
          const qs = formatFloat(q[0]!);
          r.metric = r.metric
            .builder()
            .set(label, /^-?\d+$/.test(qs) ? `${qs}.0` : qs)
            .labels();
          out.push(r);
        }
      }
      return { kind: 'vector', series: out };
    }
    case 'histogram_fraction':
      return {
        kind: 'vector',
        series: histogramFraction(ev, e, ev.evalScalar(args[0]!), ev.evalScalar(args[1]!), ev.evalVector(args[2]!)),
      };
    case 'histogram_count':
      return { kind: 'vector', series: mapHistograms(ev.evalVector(args[0]!), (h) => h.count) };
    case 'histogram_sum':
      return { kind: 'vector', series: mapHistograms(ev.evalVector(args[0]!), (h) => h.sum) };
    case 'histogram_stddev':
      return { kind: 'vector', series: mapHistograms(ev.evalVector(args[0]!), (h) => Math.sqrt(nativeVariance(h))) };
    case 'histogram_stdvar':
      return { kind: 'vector', series: mapHistograms(ev.evalVector(args[0]!), nativeVariance) };
    case 'histogram_avg':
      return { kind: 'vector', series: mapHistograms(ev.evalVector(args[0]!), (h) => h.sum / h.count) };
  }
  throw new ExecutionError(`function ${JSON.stringify(name)} is not supported`);
}

function absent(ev: Evaluator, e: Call): SeriesOut[] {
  const series = ev.evalVector(e.args[0]!);
  const present = new Uint8Array(ev.steps);
  for (const s of series) for (const t of s.t) present[ev.stepIndex(t)] = 1;
  const o = newSeries(absentLabels(e.args[0]!), false);
  for (let i = 0; i < ev.steps; i++) if (!present[i]) pushPoint(o, ev.ts(i), 1, undefined);
  return o.t.length > 0 ? [o] : [];
}

/** Labels for absent()/absent_over_time(): equality matchers of a plain selector, minus the name. */
export function absentLabels(arg: Expr): Labels {
  let x = arg;
  while (x.type === 'ParenExpr') x = x.expr;
  const vs = x.type === 'VectorSelector' ? x : x.type === 'MatrixSelector' ? x.vectorSelector : undefined;
  if (!vs) return Labels.EMPTY;
  const seen = new Map<string, string | undefined>();
  for (const m of vs.matchers) {
    if (m.name === '__name__') continue;
    if (seen.has(m.name)) {
      seen.set(m.name, undefined);
      continue;
    }
    seen.set(m.name, m.type === '=' ? m.value : undefined);
  }
  const pairs: [string, string][] = [];
  for (const [k, v] of seen) if (v !== undefined) pairs.push([k, v]);
  return Labels.fromPairs(pairs);
}

/**
 * Prometheus refuses a label_replace/label_join whose output holds two series with the same labels
 * at one step (a label rewritten to "" can merge them); we used to carry both on and answer
 * (found by the PromQL differential fuzzer, issue #24). Names already dropped do not count.
 */
function uniqueLabelsets(series: SeriesOut[]): SeriesOut[] {
  const seen = new Map<string, Set<number>>();
  for (const s of series) {
    const key = (s.dropName ? dropMetricName(s.metric) : s.metric).key();
    let ts = seen.get(key);
    if (ts === undefined) {
      ts = new Set();
      seen.set(key, ts);
    }
    for (const t of s.t) {
      if (ts.has(t)) throw new ExecutionError('vector cannot contain metrics with the same labelset');
      ts.add(t);
    }
  }
  return series;
}

function labelReplace(series: SeriesOut[], [dst, repl, src, regex]: string[]): SeriesOut[] {
  let re: ReturnType<typeof cachedAnchored>;
  try {
    re = cachedAnchored(regex!);
  } catch (err) {
    throw new BadDataError(`invalid regular expression in label_replace(): ${regex}`, { cause: err });
  }
  if (!dst || !isValidLabelName(dst))
    throw new BadDataError(`invalid destination label name in label_replace(): ${dst}`);
  for (const s of series) {
    const v = s.metric.get(src!);
    const m = re.matcher(v);
    if (!m.matches()) continue;
    const res = expandTemplate(repl!, m);
    s.metric = s.metric.builder().set(dst, res).labels();
    if (dst === '__name__') s.dropName = false;
  }
  return series;
}

function labelJoin(series: SeriesOut[], [dst, sep, ...srcs]: string[]): SeriesOut[] {
  if (!dst || !isValidLabelName(dst)) throw new BadDataError(`invalid destination label name in label_join(): ${dst}`);
  for (const src of srcs) {
    if (!isValidLabelName(src)) throw new BadDataError(`invalid source label name in label_join(): ${src}`);
  }
  for (const s of series) {
    const v = srcs.map((n) => s.metric.get(n)).join(sep!);
    s.metric = s.metric.builder().set(dst, v).labels();
    if (dst === '__name__') s.dropName = false;
  }
  return series;
}

/** Label names are valid when non-empty UTF-8 (Prometheus 3.x UTF-8 validation). */
export function isValidLabelName(n: string): boolean {
  return n.length > 0 && isValidUTF8(n);
}

interface GroupMatcher {
  group(g?: string | number): string | null;
  groupCount(): number;
}

/** Go regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups expand to ''. */
export function expandTemplate(tpl: string, m: GroupMatcher): string {
  let out = '';
  for (let i = 0; i < tpl.length; i++) {
    const c = tpl[i]!;
    if (c !== '$' || i + 1 >= tpl.length) {
      out += c;
      continue;
    }
    const nx = tpl[i + 1]!;
    if (nx === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    if (nx === '{') {
      const close = tpl.indexOf('}', i + 2);
      if (close < 0) {
        out += c;
        continue;
      }
      name = tpl.slice(i + 2, close);
      if (!/^[A-Za-z0-9_]+$/.test(name)) {
        out += c;
        continue;
      }
      i = close;
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(tpl.slice(i + 1));
      if (!mm) {
        out += c;
        continue;
      }
      name = mm[0];
      i += name.length;
    }
    let g: string | null = null;
    try {
      if (/^[0-9]+$/.test(name)) {
        const n = Number(name);
        g = n <= m.groupCount() ? m.group(n) : null;
      } else g = m.group(name);
    } catch {
      g = null;
    }
    out += g ?? '';
  }
  return out;
}

/** Natural sort compare: digit runs compare numerically. */
export function natCompare(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d < 0 ? -1 : 1;
      return x.length < y.length ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

export { dropMetricName, exprType };
