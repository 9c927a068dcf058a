import {
  addHistogram,
  compactHistogram,
  copyHistogram,
  divHistogram,
  ExecutionError,
  type FloatHistogram,
  HistogramIncompatibleSchemaError,
  hasOverflow,
  histogramToString,
  kahanAddHistogram,
  Labels,
  mulHistogram,
} from '../model/index.js';
import type { AggregateExpr } from './ast.js';
import { type Evaluation as Evaluator, HistogramPoint, type PointSink } from './eval-api.js';
import { formatFloat, formatG } from './format.js';
import { goSort, heapFix, heapPushed, reverse, type Sortable } from './go-sort.js';
import { isValidUTF8, quote } from './literals.js';
import { kahanSumInc, quantile } from './mathx.js';
import { dropMetricName, type EvalValue, newSeries, pushPoint, type SeriesOut } from './value.js';
import { xxhash64 } from './xxhash64.js';

/** One output group's running state at one step (Prometheus's groupedAggregation). */
interface Group {
  metric: Labels;
  out: SeriesOut;
  seen: boolean;
  floatValue: number;
  floatMean: number;
  floatKahanC: number;
  histogramValue: FloatHistogram | undefined;
  histogramMean: FloatHistogram | undefined;
  histogramKahanC: FloatHistogram | undefined;
  groupCount: number;
  values: number[];
  hasFloat: boolean;
  hasHistogram: boolean;
  incompatibleHistograms: boolean;
  floatIncrementalMean: boolean;
  histogramIncrementalMean: boolean;
  counterResetSeen: boolean;
  notCounterResetSeen: boolean;
}

function newGroup(metric: Labels): Group {
  return {
    metric,
    out: newSeries(metric, false),
    seen: false,
    floatValue: 0,
    floatMean: 0,
    floatKahanC: 0,
    histogramValue: undefined,
    histogramMean: undefined,
    histogramKahanC: undefined,
    groupCount: 0,
    values: [],
    hasFloat: false,
    hasHistogram: false,
    incompatibleHistograms: false,
    floatIncrementalMean: false,
    histogramIncrementalMean: false,
    counterResetSeen: false,
    notCounterResetSeen: false,
  };
}

/** The labels an input series contributes to its group (Prometheus's aggregation grouping). */
function groupLabels(metric: Labels, e: AggregateExpr): Labels {
  if (e.without) return dropMetricName(metric).without(e.grouping);
  return metric.keep(e.grouping);
}

/** A key that tells apart the label sets `metric.keep(names)` gives, without building them. */
function keptKey(metric: Labels, names: readonly string[]): string {
  if (names.length === 0) return '';
  const f = metric.flat;
  let k = '';
  // length-prefixed, so no name or value, whatever characters it holds, can fake a boundary
  for (let i = 0; i < f.length; i += 2) {
    const n = f[i]!;
    if (names.includes(n)) k += `${n.length}:${n}${f[i + 1]!.length}:${f[i + 1]}`;
  }
  return k;
}

export function evalAggregate(ev: Evaluator, e: AggregateExpr): EvalValue {
  const op = e.op;
  let param: Float64Array | undefined;
  let label = '';
  if (e.param) {
    if (op === 'count_values') {
      const p = ev.eval(e.param);
      label = p.kind === 'string' ? p.v : '';
    } else param = ev.evalScalar(e.param);
  }
  if (op === 'quantile' && param) {
    // once for the whole query, from the extremes of the parameter, as Prometheus does
    let max = Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    let nan = false;
    for (const q of param) {
      if (Number.isNaN(q)) nan = true;
      else {
        if (q > max) max = q;
        if (q < min) min = q;
      }
    }
    const warn = (q: number) =>
      ev.ctx.warn(`quantile value should be between 0 and 1, got ${formatG(q)}`, e.param!.pos);
    if (nan) warn(Number.NaN);
    if (max > 1) warn(max);
    if (min < 0) warn(min);
  }
  const fused = fusedAggregate(ev, e, param);
  if (fused) return { kind: 'vector', series: fused };
  const input = ev.evalVector(e.expr);
  if (op === 'count_values') return { kind: 'vector', series: countValues(ev, e, label, input) };
  if (op === 'topk' || op === 'bottomk' || op === 'limitk' || op === 'limit_ratio') {
    return { kind: 'vector', series: selectK(ev, e, param!, input) };
  }
  const fast =
    FAST_OPS.has(op) && !input.some((s) => s.h?.some((h) => h !== undefined)) ? fastAggregate(ev, e, input) : undefined;
  if (fast) return { kind: 'vector', series: fast };
  const groupOf = new Int32Array(input.length);
  const groups: Group[] = [];
  const byKey = new Map<string, number>();
  input.forEach((s, k) => {
    const gl = groupLabels(s.metric, e);
    const key = gl.key();
    let gi = byKey.get(key);
    if (gi === undefined) {
      gi = groups.length;
      byKey.set(key, gi);
      groups.push(newGroup(gl));
    }
    groupOf[k] = gi;
  });
  const pos = new Int32Array(input.length);
  for (let i = 0; i < ev.steps; i++) {
    ev.ctx.check();
    const t = ev.ts(i);
    for (const g of groups) g.seen = false;
    for (let k = 0; k < input.length; k++) {
      const s = input[k]!;
      let p = pos[k]!;
      while (p < s.t.length && s.t[p]! < t) p++;
      pos[k] = p;
      if (p >= s.t.length || s.t[p] !== t) continue;
      const g = groups[groupOf[k]!]!;
      if (s.dropName) g.out.dropName = true;
      aggregateSample(ev, e, g, s.f[p]!, s.h?.[p], s.metric);
    }
    for (const g of groups) {
      if (!g.seen) continue;
      finishGroup(ev, e, g, t, param?.[i] ?? Number.NaN);
    }
  }
  const out = groups.filter((g) => g.out.t.length > 0).map((g) => g.out);
  let n = 0;
  for (const s of out) n += s.t.length;
  ev.ctx.addSamples(n);
  return { kind: 'vector', series: out };
}

const FAST_OPS = new Set(['sum', 'avg', 'count', 'group', 'min', 'max']);

/**
 * Series-major aggregation for float-only inputs: accumulates straight into per-group, per-step
 * typed arrays instead of walking every series at every step. Fed either from evaluated series or,
 * as a PointSink, point by point from a range function (`sum by (code) (rate(x[5m]))` then never holds
 * a series per input). `finish` returns undefined when an average overflows, so the caller falls back
 * to Prometheus's incremental mean. Points are added in the same order either way, so the sums are
 * the same to the bit.
 */
/** Output groups in order of first appearance, as the input series are fed one by one. */
abstract class Grouping implements PointSink {
  private readonly byKey = new Map<string, number>();
  protected readonly metrics: Labels[] = [];
  protected readonly dropNames: boolean[] = [];
  /** `group × steps` of the current series: where its point at step i goes. */
  protected base = 0;
  protected readonly steps: number;

  constructor(
    protected readonly ev: Evaluator,
    protected readonly e: AggregateExpr,
  ) {
    this.steps = ev.steps;
  }

  series(metric: Labels, dropName: boolean): void {
    this.ev.ctx.check();
    // `by` groups are found by their key alone: the group's labels are built once, for a new group
    const gl = this.e.without ? groupLabels(metric, this.e) : undefined;
    const key = gl ? gl.key() : keptKey(metric, this.e.grouping);
    let gi = this.byKey.get(key);
    if (gi === undefined) {
      gi = this.metrics.length;
      this.byKey.set(key, gi);
      this.metrics.push(gl ?? groupLabels(metric, this.e));
      this.dropNames.push(false);
      this.groupAdded(this.metrics.length);
    }
    if (dropName) this.dropNames[gi] = true;
    this.base = gi * this.steps;
  }

  /** Room for `groups` groups. */
  protected groupAdded(_groups: number): void {}

  abstract point(i: number, x: number): void;
}

class FastAggregation extends Grouping {
  private val: Float64Array;
  private comp: Float64Array | undefined;
  private cnt: Float64Array;

  constructor(ev: Evaluator, e: AggregateExpr) {
    super(ev, e);
    const n = 16 * this.steps;
    this.val = new Float64Array(n);
    this.comp = e.op === 'sum' || e.op === 'avg' ? new Float64Array(n) : undefined;
    this.cnt = new Float64Array(n);
  }

  protected override groupAdded(groups: number): void {
    const need = groups * this.steps;
    if (need > this.cnt.length) {
      this.val = grown(this.val, need);
      if (this.comp) this.comp = grown(this.comp, need);
      this.cnt = grown(this.cnt, need);
    }
  }

  point(i: number, x: number): void {
    const idx = this.base + i;
    const val = this.val;
    const cnt = this.cnt;
    const c0 = cnt[idx]!;
    cnt[idx] = c0 + 1;
    switch (this.e.op) {
      case 'sum':
      case 'avg': {
        const comp = this.comp!;
        const sum = val[idx]!;
        const tt = sum + x;
        if (!Number.isFinite(tt) && !Number.isNaN(tt)) comp[idx] = 0;
        else if (Math.abs(sum) >= Math.abs(x)) comp[idx] = comp[idx]! + (sum - tt + x);
        else comp[idx] = comp[idx]! + (x - tt + sum);
        val[idx] = tt;
        break;
      }
      case 'min':
        if (c0 === 0 || val[idx]! > x || Number.isNaN(val[idx]!)) val[idx] = x;
        break;
      case 'max':
        if (c0 === 0 || val[idx]! < x || Number.isNaN(val[idx]!)) val[idx] = x;
        break;
    }
  }

  /** Adds evaluated series (float points at step timestamps). */
  addAll(input: SeriesOut[]): void {
    const start = this.ev.start;
    const interval = this.ev.interval;
    for (const s of input) {
      this.series(s.metric, s.dropName);
      const t = s.t;
      const f = s.f;
      for (let i = 0; i < t.length; i++) this.point(Math.round((t[i]! - start) / interval), f[i]!);
    }
  }

  finish(): SeriesOut[] | undefined {
    const { ev, steps, val, comp, cnt } = this;
    const op = this.e.op;
    const out: SeriesOut[] = [];
    let total = 0;
    for (let g = 0; g < this.metrics.length; g++) {
      const o = newSeries(this.metrics[g]!, this.dropNames[g]!);
      const base = g * steps;
      for (let i = 0; i < steps; i++) {
        const c = cnt[base + i]!;
        if (c === 0) continue;
        let v: number;
        switch (op) {
          case 'sum':
            v = val[base + i]! + comp![base + i]!;
            break;
          case 'avg': {
            const sum = val[base + i]!;
            if (!Number.isFinite(sum) && !Number.isNaN(sum)) return undefined;
            v = sum / c + comp![base + i]! / c;
            break;
          }
          case 'count':
            v = c;
            break;
          case 'group':
            v = 1;
            break;
          default:
            v = val[base + i]!;
        }
        o.t.push(ev.ts(i));
        o.f.push(v);
      }
      if (o.t.length > 0) {
        total += o.t.length;
        out.push(o);
      }
    }
    ev.ctx.addSamples(total);
    return out;
  }
}

/** A copy of `a` with room for `n` elements, zero-filled past the old ones. */
function grown(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/**
 * `quantile(φ, …)` over float points fed one by one: each (group, step) keeps its values, in a few
 * typed arrays rather than a series object per input, and finish takes each one's quantile.
 */
class QuantileAggregation extends Grouping {
  private slots = new Int32Array(4096);
  private vals = new Float64Array(4096);
  private n = 0;

  constructor(
    ev: Evaluator,
    e: AggregateExpr,
    private readonly param: Float64Array,
  ) {
    super(ev, e);
  }

  point(i: number, x: number): void {
    if (this.n === this.slots.length) {
      const slots = new Int32Array(this.n * 2);
      slots.set(this.slots);
      this.slots = slots;
      this.vals = grown(this.vals, this.n * 2);
    }
    this.slots[this.n] = this.base + i;
    this.vals[this.n++] = x;
  }

  finish(): SeriesOut[] {
    const { ev, steps } = this;
    const slotsUsed = this.metrics.length * steps;
    // counting sort by slot: each (group, step)'s values side by side
    const ends = new Int32Array(slotsUsed + 1);
    for (let k = 0; k < this.n; k++) ends[this.slots[k]! + 1]!++;
    for (let s = 0; s < slotsUsed; s++) ends[s + 1]! += ends[s]!;
    const at = ends.slice(0, slotsUsed);
    const sorted = new Float64Array(this.n);
    for (let k = 0; k < this.n; k++) sorted[at[this.slots[k]!]!++] = this.vals[k]!;
    const out: SeriesOut[] = [];
    let total = 0;
    for (let g = 0; g < this.metrics.length; g++) {
      const o = newSeries(this.metrics[g]!, this.dropNames[g]!);
      for (let i = 0; i < steps; i++) {
        const from = ends[g * steps + i]!;
        const to = ends[g * steps + i + 1]!;
        if (to === from) continue;
        o.t.push(ev.ts(i));
        o.f.push(quantile(this.param[i]!, sorted.subarray(from, to)));
      }
      if (o.t.length > 0) {
        total += o.t.length;
        out.push(o);
      }
    }
    ev.ctx.addSamples(total);
    return out;
  }
}

function fastAggregate(ev: Evaluator, e: AggregateExpr, input: SeriesOut[]): SeriesOut[] | undefined {
  const agg = new FastAggregation(ev, e);
  agg.addAll(input);
  return agg.finish();
}

/**
 * `sum by (…) (rate(x[5m]))` and the like, fused: the range function's points go straight into the
 * aggregation. Undefined when the expression is not of that shape, or when a histogram point or an
 * overflowing average needs the general path (then the query's counters are as before the attempt).
 */
function fusedAggregate(ev: Evaluator, e: AggregateExpr, param: Float64Array | undefined): SeriesOut[] | undefined {
  const quantileOf = e.op === 'quantile' && param;
  if (!quantileOf && (!FAST_OPS.has(e.op) || e.param)) return undefined;
  const before = ev.ctx.snapshot();
  const agg = quantileOf ? new QuantileAggregation(ev, e, quantileOf) : new FastAggregation(ev, e);
  try {
    if (!ev.streamRange(e.expr, agg)) return undefined;
  } catch (err) {
    if (!(err instanceof HistogramPoint)) throw err;
    ev.ctx.restore(before);
    return undefined;
  }
  const out = agg.finish();
  if (!out) ev.ctx.restore(before);
  return out;
}

function trackReset(g: Group, h: FloatHistogram): void {
  if (h.counterResetHint === 'reset') g.counterResetSeen = true;
  else if (h.counterResetHint === 'not_reset') g.notCounterResetSeen = true;
}

function ignored(ev: Evaluator, e: AggregateExpr): void {
  ev.ctx.info(`ignored histogram in ${e.op} aggregation`, e.expr.pos);
}

/** `g.histogramValue += h` (Kahan); false (with a warning) when their bucket kinds mix. */
function kahanAddTo(
  ev: Evaluator,
  e: AggregateExpr,
  g: Group,
  v: FloatHistogram,
  h: FloatHistogram,
  c: FloatHistogram | undefined,
  name: string,
): FloatHistogram | undefined {
  try {
    const r = kahanAddHistogram(v, h, c);
    if (r.nhcbBoundsReconciled) ev.ctx.info('mismatched custom buckets were reconciled during aggregation', e.expr.pos);
    return r.c;
  } catch (err) {
    if (!(err instanceof HistogramIncompatibleSchemaError)) throw err;
    ev.ctx.warn(
      `vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${JSON.stringify(name)}`,
      e.expr.pos,
    );
    g.incompatibleHistograms = true;
    return undefined;
  }
}

/** Adds one sample to its group at the current step (Prometheus's aggregation()). */
function aggregateSample(
  ev: Evaluator,
  e: AggregateExpr,
  g: Group,
  f: number,
  h: FloatHistogram | undefined,
  metric: Labels,
): void {
  const op = e.op;
  if (!g.seen) {
    g.seen = true;
    g.floatValue = f;
    g.floatMean = f;
    g.floatKahanC = 0;
    g.histogramValue = undefined;
    g.histogramMean = undefined;
    g.histogramKahanC = undefined;
    g.groupCount = 1;
    g.hasFloat = false;
    g.hasHistogram = false;
    g.incompatibleHistograms = false;
    g.floatIncrementalMean = false;
    g.histogramIncrementalMean = false;
    g.counterResetSeen = false;
    g.notCounterResetSeen = false;
    g.values.length = 0;
    switch (op) {
      case 'sum':
      case 'avg':
        if (!h) g.hasFloat = true;
        else {
          g.histogramValue = copyHistogram(h);
          g.hasHistogram = true;
          trackReset(g, h);
        }
        return;
      case 'stddev':
      case 'stdvar':
        if (h) {
          g.seen = false;
          ignored(ev, e);
        } else g.floatValue = Number.isFinite(f) ? 0 : Number.NaN;
        return;
      case 'quantile':
        if (h) {
          g.seen = false;
          ignored(ev, e);
        }
        g.values.push(f);
        return;
      case 'group':
        g.floatValue = 1;
        return;
      case 'min':
      case 'max':
        if (h) {
          g.seen = false;
          ignored(ev, e);
        }
        return;
    }
    return;
  }
  if (g.incompatibleHistograms) return;
  switch (op) {
    case 'sum':
      if (h) {
        g.hasHistogram = true;
        if (g.histogramValue) {
          trackReset(g, h);
          g.histogramKahanC = kahanAddTo(ev, e, g, g.histogramValue, h, g.histogramKahanC, metric.get('__name__'));
        }
      } else {
        g.hasFloat = true;
        [g.floatValue, g.floatKahanC] = kahanSumInc(f, g.floatValue, g.floatKahanC);
      }
      return;
    case 'avg':
      g.groupCount++;
      if (h) {
        g.hasHistogram = true;
        if (!g.histogramValue) return;
        trackReset(g, h);
        const name = metric.get('__name__');
        if (!g.histogramIncrementalMean) {
          const v = copyHistogram(g.histogramValue);
          const c = kahanAddTo(ev, e, g, v, h, g.histogramKahanC ? copyHistogram(g.histogramKahanC) : undefined, name);
          if (g.incompatibleHistograms) return;
          if (!hasOverflow(v)) {
            g.histogramValue = v;
            g.histogramKahanC = c;
            return;
          }
          // the running sum would overflow: an incremental mean from here on
          g.histogramIncrementalMean = true;
          g.histogramMean = divHistogram(copyHistogram(g.histogramValue), g.groupCount - 1);
          if (g.histogramKahanC) divHistogram(g.histogramKahanC, g.groupCount - 1);
        }
        const q = (g.groupCount - 1) / g.groupCount;
        if (g.histogramKahanC) mulHistogram(g.histogramKahanC, q);
        const toAdd = divHistogram(copyHistogram(h), g.groupCount);
        g.histogramKahanC = kahanAddTo(ev, e, g, mulHistogram(g.histogramMean!, q), toAdd, g.histogramKahanC, name);
        return;
      }
      g.hasFloat = true;
      if (!g.floatIncrementalMean) {
        const [nv, nc] = kahanSumInc(f, g.floatValue, g.floatKahanC);
        if (nv !== Number.POSITIVE_INFINITY && nv !== Number.NEGATIVE_INFINITY) {
          g.floatValue = nv;
          g.floatKahanC = nc;
          return;
        }
        g.floatIncrementalMean = true;
        g.floatMean = g.floatValue / (g.groupCount - 1);
        g.floatKahanC /= g.groupCount - 1;
      }
      {
        const q = (g.groupCount - 1) / g.groupCount;
        [g.floatMean, g.floatKahanC] = kahanSumInc(f / g.groupCount, q * g.floatMean, q * g.floatKahanC);
      }
      return;
    case 'group':
      return;
    case 'max':
      if (h) {
        ignored(ev, e);
        return;
      }
      if (g.floatValue < f || Number.isNaN(g.floatValue)) g.floatValue = f;
      return;
    case 'min':
      if (h) {
        ignored(ev, e);
        return;
      }
      if (g.floatValue > f || Number.isNaN(g.floatValue)) g.floatValue = f;
      return;
    case 'count':
      g.groupCount++;
      return;
    case 'stddev':
    case 'stdvar': {
      if (h) {
        ignored(ev, e);
        return;
      }
      g.groupCount++;
      const delta = f - g.floatMean;
      g.floatMean += delta / g.groupCount;
      g.floatValue += delta * (f - g.floatMean);
      return;
    }
    case 'quantile':
      if (h) {
        ignored(ev, e);
        return;
      }
      g.values.push(f);
      return;
  }
  throw new ExecutionError(`unsupported aggregation ${op}`);
}

/** Emits a group's value at step time `t`. */
function finishGroup(ev: Evaluator, e: AggregateExpr, g: Group, t: number, p: number): void {
  const op = e.op;
  let f = g.floatValue;
  let h: FloatHistogram | undefined;
  switch (op) {
    case 'avg':
    case 'sum':
      if (g.hasFloat && g.hasHistogram) {
        ev.ctx.warn('encountered a mix of histograms and floats for aggregation', e.expr.pos);
        return;
      }
      if (g.incompatibleHistograms) return;
      if (g.hasHistogram) {
        if (op === 'sum') {
          h = g.histogramValue!;
          if (g.histogramKahanC) addHistogram(h, g.histogramKahanC);
        } else if (g.histogramIncrementalMean) {
          h = g.histogramMean!;
          if (g.histogramKahanC) addHistogram(h, g.histogramKahanC);
        } else {
          h = divHistogram(g.histogramValue!, g.groupCount);
          if (g.histogramKahanC) addHistogram(h, divHistogram(g.histogramKahanC, g.groupCount));
        }
        compactHistogram(h);
      } else if (op === 'sum') f = g.floatValue + g.floatKahanC;
      else if (g.floatIncrementalMean) f = g.floatMean + g.floatKahanC;
      else f = g.floatValue / g.groupCount + g.floatKahanC / g.groupCount;
      break;
    case 'count':
      f = g.groupCount;
      break;
    case 'stdvar':
      f = g.floatValue / g.groupCount;
      break;
    case 'stddev':
      f = Math.sqrt(g.floatValue / g.groupCount);
      break;
    case 'quantile':
      f = quantile(p, g.values);
      break;
  }
  if (g.counterResetSeen && g.notCounterResetSeen) {
    ev.ctx.warn('conflicting counter resets during histogram aggregation', e.expr.pos);
  }
  pushPoint(g.out, t, h ? 0 : f, h);
}

function countValues(ev: Evaluator, e: AggregateExpr, label: string, input: SeriesOut[]): SeriesOut[] {
  if (!label || !isValidUTF8(label)) throw new ExecutionError(`invalid label name ${quote(label)}`);
  const out = new Map<string, SeriesOut>();
  const pos = new Int32Array(input.length);
  const gl = input.map((s) => groupLabels(s.metric, e));
  for (let i = 0; i < ev.steps; i++) {
    const t = ev.ts(i);
    const counts = new Map<string, { metric: Labels; n: number }>();
    for (let k = 0; k < input.length; k++) {
      const s = input[k]!;
      let p = pos[k]!;
      while (p < s.t.length && s.t[p]! < t) p++;
      pos[k] = p;
      if (p >= s.t.length || s.t[p] !== t) continue;
      const h = s.h?.[p];
      const valStr = h ? histogramToString(h) : formatFloat(s.f[p]!);
      const metric = gl[k]!.builder().set(label, valStr).labels();
      const key = metric.key();
      const c = counts.get(key);
      if (c) c.n++;
      else counts.set(key, { metric, n: 1 });
    }
    for (const [key, c] of counts) {
      let o = out.get(key);
      if (!o) {
        o = newSeries(c.metric, false);
        out.set(key, o);
      }
      pushPoint(o, t, c.n, undefined);
    }
  }
  return [...out.values()];
}

/**
 * topk/bottomk/limitk/limit_ratio: per group and step, select input series (labels kept), with
 * Prometheus's algorithm (aggregationK): a Go heap per group fed in input order, sorted with Go's
 * sort at the end, so equal values come out in the order Prometheus gives them for the same input
 * order. Instant queries return the groups in order of first appearance, each in selection order.
 */
function selectK(ev: Evaluator, e: AggregateExpr, param: Float64Array, input: SeriesOut[]): SeriesOut[] {
  const op = e.op;
  const groupOf = new Int32Array(input.length);
  const byKey = new Map<string, number>();
  input.forEach((s, k) => {
    const key = groupLabels(s.metric, e).key();
    let g = byKey.get(key);
    if (g === undefined) byKey.set(key, (g = byKey.size));
    groupOf[k] = g;
  });
  const nGroups = byKey.size;
  const outs = input.map((s) => newSeries(s.metric, s.dropName));
  const pos = new Int32Array(input.length);
  const offsets = new Float64Array(op === 'limit_ratio' ? input.length : 0).fill(Number.NaN);
  if (op === 'limit_ratio') {
    let max = Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    for (const r of param) {
      if (r > max) max = r;
      if (r < min) min = r;
    }
    if (max > 1) ev.ctx.warn(`ratio value should be between -1 and 1, got ${formatG(max)}, capping to 1`, e.param!.pos);
    if (min < -1)
      ev.ctx.warn(`ratio value should be between -1 and 1, got ${formatG(min)}, capping to -1`, e.param!.pos);
  }
  const sampled = (k: number, r: number) => {
    let off = offsets[k]!;
    if (Number.isNaN(off)) offsets[k] = off = labelsRatio(input[k]!.metric);
    return (r >= 0 && off < r) || (r < 0 && off >= 1 + r);
  };
  const valAt = (k: number) => input[k]!.f[pos[k]!]!;
  // Prometheus's vectorByValueHeap (`reverse`: vectorByReverseValueHeap) over series indexes
  const heapOf = (arr: number[], rev: boolean): Sortable => ({
    len: () => arr.length,
    less: (i, j) => {
      const vi = valAt(arr[i]!);
      if (Number.isNaN(vi)) return true;
      const vj = valAt(arr[j]!);
      return rev ? vi > vj : vi < vj;
    },
    swap: (i, j) => {
      const x = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = x;
    },
  });
  const rev = op === 'bottomk';
  let order: number[] = [];
  for (let i = 0; i < ev.steps; i++) {
    const t = ev.ts(i);
    const p = param[i]!;
    if (Number.isNaN(p))
      throw new ExecutionError(op === 'limit_ratio' ? 'Ratio value is NaN' : 'Parameter value is NaN');
    for (let k = 0; k < input.length; k++) {
      const s = input[k]!;
      let q = pos[k]!;
      while (q < s.t.length && s.t[q]! < t) q++;
      pos[k] = q;
    }
    order = [];
    const r = op === 'limit_ratio' ? Math.max(-1, Math.min(1, p)) : 0;
    const K = op === 'limit_ratio' ? 0 : Math.min(Math.trunc(p), input.length);
    if (op === 'limit_ratio' ? r === 0 : K < 1) continue;
    const heaps: (number[] | undefined)[] = new Array(nGroups);
    for (let k = 0; k < input.length; k++) {
      const s = input[k]!;
      const q = pos[k]!;
      if (q >= s.t.length || s.t[q] !== t) continue;
      const isHist = s.h?.[q] !== undefined;
      const g = groupOf[k]!;
      let heap = heaps[g];
      if ((op === 'topk' || op === 'bottomk') && isHist) {
        ev.ctx.info(`ignored histogram in ${op} aggregation`, e.pos);
        continue;
      }
      if (!heap) heaps[g] = heap = [];
      const h = heapOf(heap, rev);
      switch (op) {
        case 'limit_ratio':
          if (sampled(k, r)) {
            heap.push(k);
            heapPushed(heapOf(heap, false));
          }
          break;
        case 'limitk':
          if (heap.length < K) {
            heap.push(k);
            heapPushed(heapOf(heap, false));
          }
          break;
        default: {
          const v = valAt(k);
          if (heap.length < K) {
            heap.push(k);
            heapPushed(h);
          } else {
            const top = valAt(heap[0]!);
            if ((rev ? top > v : top < v) || (Number.isNaN(top) && !Number.isNaN(v))) {
              heap[0] = k;
              if (K > 1) heapFix(h, 0);
            }
          }
        }
      }
    }
    for (const heap of heaps) {
      if (!heap) continue;
      if ((op === 'topk' || op === 'bottomk') && heap.length > 1) goSort(reverse(heapOf(heap, rev)));
      for (const k of heap) {
        const s = input[k]!;
        pushPoint(outs[k]!, t, s.f[pos[k]!]!, s.h?.[pos[k]!]);
        order.push(k);
      }
    }
  }
  if (ev.steps === 1) return order.map((k) => outs[k]!);
  return outs.filter((o) => o.t.length > 0);
}

/**
 * The sampling offset in [0,1) of a label set, as Prometheus computes it: its labels hash, `xxhash64`
 * of the label set's bytes in the default (`stringlabels`) layout, over 2^64-1. In that layout each
 * name and value is its byte length (one byte below 255, else 255 and three bytes little-endian)
 * followed by its bytes, labels sorted by name.
 */
export function labelsRatio(l: Labels): number {
  const parts: Uint8Array[] = [];
  let n = 0;
  l.forEach((name, value) => {
    for (const s of [name, value]) {
      const b = utf8.encode(s);
      const size =
        b.length < 255 ? Uint8Array.of(b.length) : Uint8Array.of(255, b.length, b.length >> 8, b.length >> 16);
      parts.push(size, b);
      n += size.length + b.length;
    }
  });
  const buf = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
  }
  // Go's float64(math.MaxUint64) is 2^64
  return Number(xxhash64(buf)) / 2 ** 64;
}

const utf8 = new TextEncoder();

export { Labels };
