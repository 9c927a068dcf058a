import { ExecutionError, type FloatHistogram, Labels } from '../model/index.js';
import type { AggregateExpr } from './ast.js';
import type { Evaluation as Evaluator } from './eval-api.js';
import { formatFloat, formatG } from './format.js';
import { combine, HistogramMismatchError, histogramString, scale } from './histogram.js';
import { isValidUTF8, quote } from './literals.js';
import { kahanSumInc, quantile } from './mathx.js';
import { dropMetricName, type EvalValue, newSeries, pushPoint, type SeriesOut } from './value.js';
import { xxhash64 } from './xxhash64.js';

interface Group {
  metric: Labels;
  out: SeriesOut;
  // per-step accumulators, reset at each step
  seen: boolean;
  count: number;
  value: number;
  c: number;
  mean: number;
  incremental: boolean;
  hasFloat: boolean;
  hasHist: boolean;
  values: number[];
  members: number[];
  hsum: FloatHistogram | undefined;
  hcount: number;
  hmix: boolean;
  reconciled: boolean;
}

function newGroup(metric: Labels): Group {
  return {
    metric,
    out: newSeries(metric, false),
    seen: false,
    count: 0,
    value: 0,
    c: 0,
    mean: 0,
    incremental: false,
    hasFloat: false,
    hasHist: false,
    values: [],
    members: [],
    hsum: undefined,
    hcount: 0,
    hmix: false,
    reconciled: false,
  };
}

/** The labels an input series contributes to its group (Prometheus's aggregation grouping). */
function groupLabels(metric: Labels, e: AggregateExpr): Labels {
  if (e.without) return dropMetricName(metric).without(e.grouping);
  return metric.keep(e.grouping);
}

const IGNORES_HISTOGRAMS = new Set(['min', 'max', 'stddev', 'stdvar', 'quantile']);

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
    for (const g of groups) {
      g.seen = false;
      g.count = 0;
      g.value = 0;
      g.c = 0;
      g.mean = 0;
      g.incremental = false;
      g.hasFloat = false;
      g.hasHist = false;
      if (op === 'quantile') g.values.length = 0;
      g.hsum = undefined;
      g.hcount = 0;
      g.hmix = false;
      g.reconciled = false;
    }
    for (let k = 0; k < input.length; k++) {
      const s = input[k]!;
      let p = pos[k]!;
      while (p < s.t.length && s.t[p]! < t) p++;
      pos[k] = p;
      if (p >= s.t.length || s.t[p] !== t) continue;
      const g = groups[groupOf[k]!]!;
      const h = s.h?.[p];
      const f = s.f[p]!;
      if (s.dropName) g.out.dropName = true;
      if (h) g.hasHist = true;
      else g.hasFloat = true;
      if (h && (op === 'sum' || op === 'avg')) addHist(g, h);
      accumulate(op, g, f, h !== undefined);
    }
    for (const g of groups) {
      if (!g.seen) continue;
      if (g.hasHist && IGNORES_HISTOGRAMS.has(op)) ev.ctx.info(`ignored histogram in ${op} aggregation`, e.pos);
      if (g.hasHist && !g.hasFloat && (op === 'sum' || op === 'avg')) {
        if (g.hmix) {
          ev.ctx.warn(
            `vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${JSON.stringify(g.metric.get('__name__'))}`,
            e.pos,
          );
          continue;
        }
        if (g.reconciled) ev.ctx.info('mismatched custom buckets were reconciled during aggregation', e.pos);
        g.hsum!.sum = g.value + g.c;
        const h = op === 'avg' ? scale(g.hsum!, 1 / g.hcount) : g.hsum!;
        // a sum of counters is a counter of unknown reset state; only gauges stay gauges
        h.counterResetHint = g.hsum!.counterResetHint === 'gauge' ? 'gauge' : 'unknown';
        pushPoint(g.out, t, 0, h);
        continue;
      }
      const v = finish(ev, e, op, g, param?.[i] ?? Number.NaN);
      if (v !== undefined) pushPoint(g.out, t, v, undefined);
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
 * typed arrays instead of walking every series at every step. Returns undefined when an average
 * overflows, so the caller falls back to Prometheus's incremental mean.
 */
function fastAggregate(ev: Evaluator, e: AggregateExpr, input: SeriesOut[]): SeriesOut[] | undefined {
  const op = e.op;
  const steps = ev.steps;
  const byKey = new Map<string, number>();
  const metrics: Labels[] = [];
  const dropNames: boolean[] = [];
  const groupOf = new Int32Array(input.length);
  input.forEach((s, k) => {
    const gl = groupLabels(s.metric, e);
    const key = gl.key();
    let gi = byKey.get(key);
    if (gi === undefined) {
      gi = metrics.length;
      byKey.set(key, gi);
      metrics.push(gl);
      dropNames.push(false);
    }
    if (s.dropName) dropNames[gi] = true;
    groupOf[k] = gi;
  });
  const n = metrics.length * steps;
  const val = new Float64Array(n);
  const comp = op === 'sum' || op === 'avg' ? new Float64Array(n) : undefined;
  const cnt = new Float64Array(n);
  const start = ev.start;
  const interval = ev.interval;
  for (let k = 0; k < input.length; k++) {
    ev.ctx.check();
    const s = input[k]!;
    const base = groupOf[k]! * steps;
    const t = s.t;
    const f = s.f;
    for (let i = 0; i < t.length; i++) {
      const idx = base + Math.round((t[i]! - start) / interval);
      const x = f[i]!;
      const c0 = cnt[idx]!;
      cnt[idx] = c0 + 1;
      switch (op) {
        case 'sum':
        case 'avg': {
          const sum = val[idx]!;
          const tt = sum + x;
          if (!Number.isFinite(tt) && !Number.isNaN(tt)) comp![idx] = 0;
          else if (Math.abs(sum) >= Math.abs(x)) comp![idx] = comp![idx]! + (sum - tt + x);
          else comp![idx] = comp![idx]! + (x - tt + sum);
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
  }
  const out: SeriesOut[] = [];
  let total = 0;
  for (let g = 0; g < metrics.length; g++) {
    const o = newSeries(metrics[g]!, dropNames[g]!);
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

function addHist(g: Group, h: FloatHistogram): void {
  g.hcount++;
  [g.value, g.c] = kahanSumInc(h.sum, g.value, g.c);
  if (!g.hsum) {
    g.hsum = { ...h };
    return;
  }
  if (g.hmix) return;
  try {
    const r = combine(g.hsum, h, 1);
    g.hsum = r.h;
    if (r.reconciled) g.reconciled = true;
  } catch (err) {
    if (!(err instanceof HistogramMismatchError)) throw err;
    g.hmix = true;
  }
}

function accumulate(op: string, g: Group, f: number, isHist: boolean): void {
  const first = !g.seen;
  g.seen = true;
  switch (op) {
    case 'sum':
      if (!isHist) [g.value, g.c] = kahanSumInc(f, g.value, g.c);
      return;
    case 'avg': {
      if (isHist) return;
      g.count++;
      if (!g.incremental) {
        const [nv, nc] = kahanSumInc(f, g.value, g.c);
        if (g.count === 1 || Number.isFinite(nv) || Number.isNaN(nv)) {
          g.value = nv;
          g.c = nc;
          return;
        }
        g.incremental = true;
        g.mean = g.value / (g.count - 1);
        g.c /= g.count - 1;
      }
      const q = (g.count - 1) / g.count;
      [g.mean, g.c] = kahanSumInc(f / g.count, q * g.mean, q * g.c);
      return;
    }
    case 'count':
      g.count++;
      return;
    case 'group':
      return;
    case 'min':
      if (isHist) return;
      if (g.count === 0 || g.value > f || Number.isNaN(g.value)) g.value = f;
      g.count++;
      return;
    case 'max':
      if (isHist) return;
      if (g.count === 0 || g.value < f || Number.isNaN(g.value)) g.value = f;
      g.count++;
      return;
    case 'stddev':
    case 'stdvar': {
      if (isHist) return;
      g.count++;
      if (g.count === 1) {
        g.mean = f;
        g.value = Number.isFinite(f) ? 0 : Number.NaN;
        return;
      }
      const delta = f - g.mean;
      g.mean += delta / g.count;
      g.value += delta * (f - g.mean);
      return;
    }
    case 'quantile':
      if (!isHist) g.values.push(f);
      return;
  }
  void first;
}

function finish(ev: Evaluator, e: AggregateExpr, op: string, g: Group, p: number): number | undefined {
  switch (op) {
    case 'sum':
      if (g.hasHist) {
        if (g.hasFloat) mixWarn(ev, e, g);
        return undefined;
      }
      return g.value + g.c;
    case 'avg':
      if (g.hasHist) {
        if (g.hasFloat) mixWarn(ev, e, g);
        return undefined;
      }
      return g.incremental ? g.mean + g.c : g.value / g.count + g.c / g.count;
    case 'count':
      return g.count;
    case 'group':
      return 1;
    case 'min':
    case 'max':
      return g.count === 0 ? undefined : g.value;
    case 'stddev':
      return g.count === 0 ? undefined : Math.sqrt(g.value / g.count);
    case 'stdvar':
      return g.count === 0 ? undefined : g.value / g.count;
    case 'quantile':
      if (Number.isNaN(p) || p < 0 || p > 1) {
        ev.ctx.warn(`quantile value should be between 0 and 1, got ${formatG(p)}`, e.param!.pos);
      }
      return g.values.length === 0 ? undefined : quantile(p, g.values);
  }
  throw new ExecutionError(`unsupported aggregation ${op}`);
}

function mixWarn(ev: Evaluator, e: AggregateExpr, g: Group): void {
  ev.ctx.warn(
    `encountered a mix of histograms and floats for metric name ${JSON.stringify(g.metric.get('__name__'))}`,
    e.pos,
  );
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
      const valStr = h ? histogramString(h) : formatFloat(s.f[p]!);
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

/** topk/bottomk/limitk/limit_ratio: per group and step, select input series (labels kept). */
function selectK(ev: Evaluator, e: AggregateExpr, param: Float64Array, input: SeriesOut[]): SeriesOut[] {
  const op = e.op;
  const groupKey = input.map((s) => groupLabels(s.metric, e).key());
  const outs = input.map((s) => newSeries(s.metric, s.dropName));
  const pos = new Int32Array(input.length);
  const offsets = new Float64Array(op === 'limit_ratio' ? input.length : 0).fill(Number.NaN);
  // instant queries keep the selection order (topk descending, bottomk ascending)
  let order: number[] = [];
  for (let i = 0; i < ev.steps; i++) {
    const t = ev.ts(i);
    const p = param[i]!;
    if (Number.isNaN(p))
      throw new ExecutionError(op === 'limit_ratio' ? 'Ratio value is NaN' : 'Parameter value is NaN');
    const groups = new Map<string, number[]>();
    for (let k = 0; k < input.length; k++) {
      const s = input[k]!;
      let q = pos[k]!;
      while (q < s.t.length && s.t[q]! < t) q++;
      pos[k] = q;
      if (q >= s.t.length || s.t[q] !== t) continue;
      if (s.h?.[q] && (op === 'topk' || op === 'bottomk')) {
        ev.ctx.info(`ignored histogram in ${op} aggregation`, e.pos);
        continue;
      }
      const key = groupKey[k]!;
      let g = groups.get(key);
      if (!g) {
        g = [];
        groups.set(key, g);
      }
      g.push(k);
    }
    const valAt = (k: number) => input[k]!.f[pos[k]!]!;
    order = [];
    for (const members of groups.values()) {
      let chosen: number[];
      if (op === 'limit_ratio') {
        let r = p;
        if (r > 1 || r < -1) {
          const capped = r > 1 ? 1 : -1;
          ev.ctx.warn(`ratio value should be between -1 and 1, got ${formatG(r)}, capping to ${capped}`, e.param!.pos);
          r = capped;
        }
        chosen = members.filter((k) => {
          let off = offsets[k]!;
          if (Number.isNaN(off)) {
            off = labelsRatio(input[k]!.metric);
            offsets[k] = off;
          }
          return (r >= 0 && off < r) || (r < 0 && off >= 1 + r);
        });
      } else {
        const k = Math.min(p, Number.MAX_SAFE_INTEGER);
        if (k < 1) continue;
        if (op === 'limitk') chosen = members.slice(0, k);
        else {
          const top = op === 'topk';
          const sorted = [...members].sort((a, b) => {
            const x = valAt(a);
            const y = valAt(b);
            if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
            if (Number.isNaN(y)) return -1;
            return top ? y - x : x - y;
          });
          chosen = sorted.slice(0, Math.floor(k));
        }
      }
      for (const k of chosen) {
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
