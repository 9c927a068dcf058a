import {
  addHistogram,
  compactHistogram,
  copyHistogram,
  copyToSchema,
  detectReset,
  divHistogram,
  ExecutionError,
  type FloatHistogram,
  HistogramIncompatibleSchemaError,
  hasOverflow,
  histogramsEqual,
  kahanAddHistogram,
  type Labels,
  mulHistogram,
  subHistogram,
  usesCustomBuckets,
} from '../model/index.js';
import type { Call, MatrixSelector, SubqueryExpr } from './ast.js';
import type { Evaluation as Evaluator } from './eval-api.js';
import { formatG } from './format.js';
import { kahanSumInc, quantile } from './mathx.js';

/** The samples `(rangeStart, rangeEnd]` of one series at one step; indices [lo, hi) into t/v/h. */
export interface RangeWindow {
  t: ArrayLike<number>;
  v: ArrayLike<number>;
  h: (FloatHistogram | undefined)[] | undefined;
  /** Start timestamps beside t (0 = unknown), for rate/irate/increase/resets when the series has any. */
  st: ArrayLike<number> | undefined;
  lo: number;
  hi: number;
  rangeStart: number;
  rangeEnd: number;
  range: number;
  stepTime: number;
  step: number;
  params: (Float64Array | undefined)[];
  metric: Labels;
  anchored: boolean;
  smoothed: boolean;
  ev: Evaluator;
  call: Call;
  arg: MatrixSelector | SubqueryExpr;
  nonCounterWarned: boolean;
  /** The series whose name was last checked for counter suffixes (checked once per series). */
  counterCheckedFor?: Labels;
  /**
   * Counter resets among samples `[0, i]` of the current series (`resets[i]`), built on first use
   * by a range query's rate/increase so a window with none skips its scan; undefined at each new series.
   */
  resets?: Int32Array | undefined;
  /** Samples of the current series in `t`/`v` (the arrays may be longer). */
  n: number;
}

/** Backing store of `RangeWindow.resets`, reused: one series' counts are in use at a time. */
let resetBuf = new Int32Array(1024);

/** `w.resets`, built for the current series when missing. */
function resetCounts(w: RangeWindow, n: number): Int32Array {
  let r = w.resets;
  if (r !== undefined) return r;
  r = resetBuf.length >= n ? resetBuf : (resetBuf = new Int32Array(Math.max(n, resetBuf.length * 2)));
  const v = w.v;
  let c = 0;
  r[0] = 0;
  for (let i = 1; i < n; i++) {
    if (v[i]! < v[i - 1]!) c++;
    r[i] = c;
  }
  w.resets = r;
  return r;
}

export interface RangeFunction {
  fn: (w: RangeWindow) => number | FloatHistogram | undefined;
  dropName: boolean;
  /** Called even for empty windows (absent_over_time). */
  needsEmpty?: boolean;
}

function isHist(w: RangeWindow, i: number): boolean {
  return w.h !== undefined && w.h[i] !== undefined;
}

/** Float-only view: number of float samples in the window. */
function floatCount(w: RangeWindow): number {
  if (!w.h) return w.hi - w.lo;
  let n = 0;
  for (let i = w.lo; i < w.hi; i++) if (w.h[i] === undefined) n++;
  return n;
}

function hasHist(w: RangeWindow): boolean {
  if (!w.h) return false;
  for (let i = w.lo; i < w.hi; i++) if (w.h[i] !== undefined) return true;
  return false;
}

const COUNTER_SUFFIXES = ['_total', '_sum', '_count', '_bucket'];

function nameOf(w: RangeWindow): string {
  return JSON.stringify(w.metric.get('__name__'));
}

function warnMixedSchemas(w: RangeWindow): undefined {
  w.ev.ctx.warn(
    `vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${nameOf(w)}`,
    w.arg.pos,
  );
  return undefined;
}

function warnMixedFloatsHistograms(w: RangeWindow): undefined {
  w.ev.ctx.warn(`encountered a mix of histograms and floats for metric name ${nameOf(w)}`, w.arg.pos);
  return undefined;
}

function warnNotCounter(w: RangeWindow): void {
  w.ev.ctx.warn(`this native histogram metric is not a counter: ${nameOf(w)}`, w.arg.pos);
}

function warnNotGauge(w: RangeWindow): void {
  w.ev.ctx.warn(`this native histogram metric is not a gauge: ${nameOf(w)}`, w.arg.pos);
}

function infoReconciled(w: RangeWindow, what: string): void {
  w.ev.ctx.info(`mismatched custom buckets were reconciled during ${what}`, w.arg.pos);
}

/**
 * last − first plus the counter-reset corrections over the window's histograms, as a gauge
 * histogram (Prometheus histogramRate); undefined, with a warning, when the buckets cannot be
 * combined. A reset between the first two samples makes the first one count as empty.
 */
function histogramRate(w: RangeWindow, isCounter: boolean): FloatHistogram | undefined {
  const hs = w.h!;
  const st = w.st;
  let prev = hs[w.lo]!;
  let custom = usesCustomBuckets(prev);
  const last = hs[w.hi - 1]!;
  if (isCounter && (prev.counterResetHint === 'gauge' || last.counterResetHint === 'gauge')) warnNotCounter(w);
  if (isCounter) {
    const second = hs[w.lo + 1]!;
    if (stReset(w, w.lo, w.lo + 1) || detectReset(second, prev)) {
      prev = emptyLike(second);
      custom = usesCustomBuckets(second);
    }
  }
  if (usesCustomBuckets(last) !== custom) return warnMixedSchemas(w);
  let minSchema = Math.min(last.schema, prev.schema);
  for (let i = w.lo + 1; i < w.hi - 1; i++) {
    if (!isCounter) continue;
    const cur = hs[i]!;
    if (cur.counterResetHint === 'gauge') warnNotCounter(w);
    if (cur.schema < minSchema) minSchema = cur.schema;
    if (usesCustomBuckets(cur) !== custom) return warnMixedSchemas(w);
  }
  const h = copyToSchema(last, minSchema);
  try {
    if (subHistogram(h, prev).nhcbBoundsReconciled) infoReconciled(w, 'subtraction');
    if (isCounter) {
      let overlapWarned = false;
      for (let i = w.lo + 1; i < w.hi; i++) {
        const cur = hs[i]!;
        if (st && !overlapWarned && startTimeOverlap(st[i - 1]!, w.t[i - 1]!, st[i]!)) {
          warnOverlap(w);
          overlapWarned = true;
        }
        if ((stReset(w, i - 1, i) || detectReset(cur, prev)) && addHistogram(h, prev).nhcbBoundsReconciled)
          infoReconciled(w, 'addition');
        prev = cur;
      }
    }
  } catch (err) {
    if (!(err instanceof HistogramIncompatibleSchemaError)) throw err;
    return warnMixedSchemas(w);
  }
  if (!isCounter && (hs[w.lo]!.counterResetHint !== 'gauge' || last.counterResetHint !== 'gauge')) warnNotGauge(w);
  h.counterResetHint = 'gauge';
  return compactHistogram(h);
}

/**
 * Whether sample `cur`'s start timestamp says its counter started over after sample `prev`
 * (Prometheus isStartTimestampReset). Without start timestamps, never.
 */
function stReset(w: RangeWindow, prev: number, cur: number): boolean {
  const st = w.st;
  return st !== undefined && isStartTimestampReset(st[prev]!, w.t[prev]!, st[cur]!, w.t[cur]!);
}

export function isStartTimestampReset(prevST: number, prevT: number, curST: number, curT: number): boolean {
  // Unknown (0), clearly invalid (after the sample) or OTel's unknown start (equal to it): no reset.
  if (curST === 0 || curST >= curT) return false;
  if (curST < prevT) return false;
  if (curST > prevT) return true;
  // The start points at the previous sample: a delta (reset) unless the previous start was unknown,
  // equal to its own sample, or invalid (after its sample).
  if (prevST > prevT) return false;
  return prevST !== 0 && prevST !== prevT;
}

/** A start timestamp before the previous sample that is not the previous start (checkStartTimeOverlap). */
function startTimeOverlap(prevST: number, prevT: number, curST: number): boolean {
  return curST !== 0 && curST < prevT && curST !== prevST;
}

function warnOverlap(w: RangeWindow): void {
  w.ev.ctx.warnCounted(
    `sample has start time that overlaps with previous sample timestamp for metric ${nameOf(w)}`,
    w.arg.pos,
  );
}

/** An empty histogram with the layout kind of `h` (what a reset before `h` leaves). */
function emptyLike(h: FloatHistogram): FloatHistogram {
  const e: FloatHistogram = {
    counterResetHint: 'unknown',
    schema: h.schema,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 0,
    sum: 0,
    positiveSpans: [],
    positiveBuckets: [],
    negativeSpans: [],
    negativeBuckets: [],
  };
  if (h.customValues) e.customValues = h.customValues;
  return e;
}

/** Number of histogram samples in the window. */
function histCount(w: RangeWindow): number {
  if (!w.h) return 0;
  let n = 0;
  for (let i = w.lo; i < w.hi; i++) if (w.h[i] !== undefined) n++;
  return n;
}

function windowWithoutResets(w: RangeWindow): boolean {
  const r = resetCounts(w, w.n);
  return r[w.hi - 1] === r[w.lo];
}

function extrapolatedRate(w: RangeWindow, isCounter: boolean, isRate: boolean): number | FloatHistogram | undefined {
  const n = w.hi - w.lo;
  const nh = histCount(w);
  if (nh > 0 && nh < n) return warnMixedFloatsHistograms(w);
  if (n === 0) return undefined;
  const t = w.t;
  const v = w.v;
  const st = w.st;
  const firstT = t[w.lo]!;
  const lastT = t[w.hi - 1]!;
  let rh: FloatHistogram | undefined;
  let result = 0;
  if (nh > 0) {
    if (n > 1) {
      rh = histogramRate(w, isCounter);
      if (!rh) return undefined;
    }
  } else {
    result = v[w.hi - 1]! - v[w.lo]!;
    // Over many steps, a window without a reset (nearly every one) needs no scan: the counts say so.
    const noResets = isCounter && st === undefined && w.ev.steps > 1 && windowWithoutResets(w);
    if (isCounter && !noResets) {
      let overlapWarned = false;
      let prev = v[w.lo]!;
      for (let i = w.lo + 1; i < w.hi; i++) {
        const cur = v[i]!;
        if (st && !overlapWarned && startTimeOverlap(st[i - 1]!, t[i - 1]!, st[i]!)) {
          warnOverlap(w);
          overlapWarned = true;
        }
        if (cur < prev || stReset(w, i - 1, i)) result += prev;
        prev = cur;
      }
    }
  }
  let durationToStart = (firstT - w.rangeStart) / 1000;
  let durationToEnd = (w.rangeEnd - lastT) / 1000;
  let sampledInterval = (lastT - firstT) / 1000;
  const avg = n > 1 ? sampledInterval / (n - 1) : 0;
  const threshold = avg * 1.1;
  const st0 = st?.[w.lo] ?? 0;
  if (isCounter && st0 !== 0 && st0 > w.rangeStart && st0 < firstT) {
    // The first sample's start lies inside the range: assume a zero sample there instead of
    // extrapolating to the left (with one sample, there is nothing to extrapolate right with).
    durationToStart = 0;
    sampledInterval = (lastT - st0) / 1000;
    if (nh === 0) result += v[w.lo]!;
    else if (!rh) rh = copyHistogram(w.h![w.lo]!);
    else {
      try {
        if (addHistogram(rh, w.h![w.lo]!).nhcbBoundsReconciled) infoReconciled(w, 'addition');
      } catch (err) {
        if (!(err instanceof HistogramIncompatibleSchemaError)) throw err;
        return warnMixedSchemas(w);
      }
    }
  } else if (n === 1) {
    return undefined;
  } else {
    if (durationToStart >= threshold) durationToStart = avg / 2;
    if (isCounter) {
      const firstCount = nh > 0 ? w.h![w.lo]!.count : v[w.lo]!;
      const total = nh > 0 ? rh!.count : result;
      if (total > 0 && firstCount >= 0) {
        const durationToZero = sampledInterval * (firstCount / total);
        if (durationToZero < durationToStart) durationToStart = durationToZero;
      }
    }
  }
  if (durationToEnd >= threshold) durationToEnd = avg / 2;
  let factor = sampledInterval !== 0 ? (sampledInterval + durationToStart + durationToEnd) / sampledInterval : 1;
  if (isRate) factor /= w.range / 1000;
  if (rh) return mulHistogram(rh, factor);
  if (isCounter && !w.nonCounterWarned && w.counterCheckedFor !== w.metric) {
    w.counterCheckedFor = w.metric;
    const name = w.metric.get('__name__');
    if (name !== '' && !COUNTER_SUFFIXES.some((s) => name.endsWith(s))) {
      w.nonCounterWarned = true;
      w.ev.ctx.info(
        `metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${JSON.stringify(name)}`,
        w.arg.pos,
      );
    }
  }
  return result * factor;
}

function instantValue(w: RangeWindow, isRate: boolean): number | FloatHistogram | undefined {
  if (w.hi - w.lo < 2) return undefined;
  const hl = w.h?.[w.hi - 1];
  const hp = w.h?.[w.hi - 2];
  if (hl || hp) {
    if (!hl || !hp) return warnMixedFloatsHistograms(w);
    const dt = w.t[w.hi - 1]! - w.t[w.hi - 2]!;
    if (dt === 0) return undefined;
    const h = copyHistogram(hl);
    if (isRate && (hl.counterResetHint === 'gauge' || hp.counterResetHint === 'gauge')) warnNotCounter(w);
    if (!isRate && (hl.counterResetHint !== 'gauge' || hp.counterResetHint !== 'gauge')) warnNotGauge(w);
    if (!isRate || (!stReset(w, w.hi - 2, w.hi - 1) && !detectReset(hl, hp))) {
      try {
        if (subHistogram(h, hp).nhcbBoundsReconciled) infoReconciled(w, 'subtraction');
      } catch (err) {
        if (!(err instanceof HistogramIncompatibleSchemaError)) throw err;
        return warnMixedSchemas(w);
      }
    }
    h.counterResetHint = 'gauge';
    compactHistogram(h);
    if (isRate) divHistogram(h, dt / 1000);
    return h;
  }
  const last = w.v[w.hi - 1]!;
  const prev = w.v[w.hi - 2]!;
  let r = isRate && (last < prev || stReset(w, w.hi - 2, w.hi - 1)) ? last : last - prev;
  const dt = w.t[w.hi - 1]! - w.t[w.hi - 2]!;
  if (dt === 0) return undefined;
  if (isRate) r /= dt / 1000;
  return r;
}

/** Least squares fit over the window's floats; x is seconds relative to `interceptTime`. */
export function linearRegression(w: RangeWindow, interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  let initY = Number.NaN;
  let constY = true;
  for (let i = w.lo; i < w.hi; i++) {
    if (isHist(w, i)) continue;
    const y = w.v[i]!;
    if (n === 0) initY = y;
    else if (constY && y !== initY) constY = false;
    n++;
    const x = (w.t[i]! - interceptTime) / 1000;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(y, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [Number.NaN, Number.NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

function floats(w: RangeWindow): number[] {
  const out: number[] = [];
  for (let i = w.lo; i < w.hi; i++) if (!isHist(w, i)) out.push(w.v[i]!);
  return out;
}

function aggrFloats(w: RangeWindow, f: (w: RangeWindow) => number | undefined): number | undefined {
  const nf = floatCount(w);
  if (nf === 0) return undefined;
  if (nf < w.hi - w.lo) mixedInfo(w);
  return f(w);
}

/** Info that histograms in a mixed window were ignored (Prometheus HistogramIgnoredInMixedRange). */
function mixedInfo(w: RangeWindow): void {
  w.ev.ctx.info(
    `ignored histograms in a range containing both floats and histograms for metric name ${JSON.stringify(w.metric.get('__name__'))}`,
    w.arg.pos,
  );
}

/**
 * sum_over_time/avg_over_time: floats as `f` computes them, histograms Kahan-summed (avg: a mean
 * that turns incremental when the sum would overflow), as Prometheus does; a window mixing floats and
 * histograms has no result and warns.
 */
function sumLike(w: RangeWindow, f: (w: RangeWindow) => number, avg = false): number | FloatHistogram | undefined {
  const nh = histCount(w);
  if (nh === 0) return f(w);
  if (nh < w.hi - w.lo) return warnMixedFloatsHistograms(w);
  const hs = w.h!;
  let resetSeen = false;
  let notResetSeen = false;
  let reconciled = false;
  const track = (h: FloatHistogram) => {
    if (h.counterResetHint === 'reset') resetSeen = true;
    else if (h.counterResetHint === 'not_reset') notResetSeen = true;
  };
  const kahanAdd = (into: FloatHistogram, h: FloatHistogram, c: FloatHistogram | undefined) => {
    const r = kahanAddHistogram(into, h, c);
    if (r.nhcbBoundsReconciled) reconciled = true;
    return r.c;
  };
  let out: FloatHistogram;
  try {
    let sum = copyHistogram(hs[w.lo]!);
    track(sum);
    let comp: FloatHistogram | undefined;
    if (!avg) {
      for (let i = w.lo + 1; i < w.hi; i++) {
        track(hs[i]!);
        comp = kahanAdd(sum, hs[i]!, comp);
      }
      if (comp && addHistogram(sum, comp).nhcbBoundsReconciled) reconciled = true;
      out = sum;
    } else {
      let mean: FloatHistogram | undefined;
      let count = 1;
      for (let i = w.lo + 1; i < w.hi; i++) {
        const h = hs[i]!;
        track(h);
        count = i - w.lo + 1;
        if (!mean) {
          const next = copyHistogram(sum);
          const c = kahanAdd(next, h, comp ? copyHistogram(comp) : undefined);
          if (!hasOverflow(next)) {
            sum = next;
            comp = c;
            continue;
          }
          mean = divHistogram(copyHistogram(sum), count - 1);
          if (comp) divHistogram(comp, count - 1);
        }
        const q = (count - 1) / count;
        if (comp) mulHistogram(comp, q);
        comp = kahanAdd(mulHistogram(mean, q), divHistogram(copyHistogram(h), count), comp);
      }
      if (mean) {
        if (comp) addHistogram(mean, comp);
        out = mean;
      } else {
        divHistogram(sum, count);
        if (comp) addHistogram(sum, divHistogram(comp, count));
        out = sum;
      }
    }
  } catch (err) {
    if (!(err instanceof HistogramIncompatibleSchemaError)) throw err;
    return warnMixedSchemas(w);
  }
  if (resetSeen && notResetSeen) w.ev.ctx.warn('conflicting counter resets during histogram aggregation', w.arg.pos);
  if (reconciled) infoReconciled(w, 'aggregation');
  return out;
}

function avgOverTime(w: RangeWindow): number {
  let sum = 0;
  let mean = 0;
  let count = 0;
  let c = 0;
  let incremental = false;
  for (let i = w.lo; i < w.hi; i++) {
    if (isHist(w, i)) continue;
    const f = w.v[i]!;
    count++;
    if (!incremental) {
      const [ns, nc] = kahanSumInc(f, sum, c);
      if (count === 1 || Number.isFinite(ns) || Number.isNaN(ns)) {
        sum = ns;
        c = nc;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [mean, c] = kahanSumInc(f / count, q * mean, q * c);
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

function varianceOverTime(w: RangeWindow): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (let i = w.lo; i < w.hi; i++) {
    if (isHist(w, i)) continue;
    const f = w.v[i]!;
    count++;
    const delta = f - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (f - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

function param(w: RangeWindow, k: number): number {
  return w.params[k]?.[w.step] ?? Number.NaN;
}

function def(fn: RangeFunction['fn'], dropName = true, needsEmpty = false): RangeFunction {
  return { fn, dropName, needsEmpty };
}

function tsOf(w: RangeWindow, pick: (cur: number, best: number) => boolean): number | undefined {
  let bestI = -1;
  for (let i = w.lo; i < w.hi; i++) {
    if (isHist(w, i)) continue;
    if (bestI < 0 || pick(w.v[i]!, w.v[bestI]!) || (Number.isNaN(w.v[bestI]!) && !Number.isNaN(w.v[i]!))) bestI = i;
  }
  return bestI < 0 ? undefined : w.t[bestI]! / 1000;
}

export const RANGE_FUNCTIONS: ReadonlyMap<string, RangeFunction> = new Map<string, RangeFunction>([
  ['rate', def((w) => extrapolatedRate(w, true, true))],
  ['increase', def((w) => extrapolatedRate(w, true, false))],
  ['delta', def((w) => extrapolatedRate(w, false, false))],
  ['irate', def((w) => instantValue(w, true))],
  ['idelta', def((w) => instantValue(w, false))],
  [
    'deriv',
    def((w) => {
      if (floatCount(w) < 2) return undefined;
      if (hasHist(w)) mixedInfo(w);
      return linearRegression(w, w.t[w.lo]!)[0];
    }),
  ],
  [
    'predict_linear',
    def((w) => {
      if (floatCount(w) < 2) return undefined;
      if (hasHist(w)) mixedInfo(w);
      const [slope, intercept] = linearRegression(w, w.stepTime);
      return slope * param(w, 0) + intercept;
    }),
  ],
  [
    'changes',
    def((w) => {
      let changes = 0;
      for (let i = w.lo + 1; i < w.hi; i++) {
        const ch = w.h?.[i];
        const ph = w.h?.[i - 1];
        if (ch || ph) {
          if (!ch || !ph || !histogramsEqual(ch, ph)) changes++;
          continue;
        }
        const cur = w.v[i]!;
        const prev = w.v[i - 1]!;
        if (!(cur === prev || (Number.isNaN(cur) && Number.isNaN(prev)))) changes++;
      }
      return changes;
    }),
  ],
  [
    'resets',
    def((w) => {
      let resets = 0;
      for (let i = w.lo + 1; i < w.hi; i++) {
        const ch = w.h?.[i];
        const ph = w.h?.[i - 1];
        if (ch && ph) {
          if (stReset(w, i - 1, i) || detectReset(ch, ph)) resets++;
        } else if (ch || ph) resets++;
        else if (w.v[i]! < w.v[i - 1]! || stReset(w, i - 1, i)) resets++;
      }
      return resets;
    }),
  ],
  ['avg_over_time', def((w) => sumLike(w, avgOverTime, true))],
  [
    'sum_over_time',
    def((w) =>
      sumLike(w, () => {
        let s = 0;
        let c = 0;
        for (let i = w.lo; i < w.hi; i++) if (!isHist(w, i)) [s, c] = kahanSumInc(w.v[i]!, s, c);
        return s + c;
      }),
    ),
  ],
  ['count_over_time', def((w) => w.hi - w.lo)],
  [
    'min_over_time',
    def((w) =>
      aggrFloats(w, () => {
        let m = Number.NaN;
        for (let i = w.lo; i < w.hi; i++) {
          if (isHist(w, i)) continue;
          const x = w.v[i]!;
          if (x < m || Number.isNaN(m)) m = x;
        }
        return m;
      }),
    ),
  ],
  [
    'max_over_time',
    def((w) =>
      aggrFloats(w, () => {
        let m = Number.NaN;
        for (let i = w.lo; i < w.hi; i++) {
          if (isHist(w, i)) continue;
          const x = w.v[i]!;
          if (x > m || Number.isNaN(m)) m = x;
        }
        return m;
      }),
    ),
  ],
  [
    'last_over_time',
    def((w) => {
      const i = w.hi - 1;
      return w.h?.[i] ?? w.v[i]!;
    }, false),
  ],
  [
    'first_over_time',
    def((w) => {
      const i = w.lo;
      return w.h?.[i] ?? w.v[i]!;
    }, false),
  ],
  ['ts_of_last_over_time', def((w) => w.t[w.hi - 1]! / 1000)],
  ['ts_of_first_over_time', def((w) => w.t[w.lo]! / 1000)],
  ['ts_of_max_over_time', def((w) => tsOf(w, (c, b) => c >= b))],
  ['ts_of_min_over_time', def((w) => tsOf(w, (c, b) => c <= b))],
  ['present_over_time', def(() => 1)],
  ['stddev_over_time', def((w) => aggrFloats(w, (x) => Math.sqrt(varianceOverTime(x))))],
  ['stdvar_over_time', def((w) => aggrFloats(w, varianceOverTime))],
  [
    'quantile_over_time',
    def((w) =>
      aggrFloats(w, () => {
        const q = param(w, 0);
        if (Number.isNaN(q) || q < 0 || q > 1) {
          w.ev.ctx.warn(`quantile value should be between 0 and 1, got ${formatG(q)}`, w.call.args[0]!.pos);
        }
        return quantile(q, floats(w));
      }),
    ),
  ],
  [
    'mad_over_time',
    def((w) =>
      aggrFloats(w, () => {
        const vals = floats(w);
        if (vals.some(Number.isNaN)) return Number.NaN;
        const med = quantile(0.5, vals);
        return quantile(
          0.5,
          vals.map((x) => Math.abs(x - med)),
        );
      }),
    ),
  ],
  [
    'double_exponential_smoothing',
    def((w) => {
      const vals = floats(w);
      const sf = param(w, 0);
      const tf = param(w, 1);
      if (sf <= 0 || sf >= 1 || Number.isNaN(sf)) {
        throw new RangeParamError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
      }
      if (tf <= 0 || tf >= 1 || Number.isNaN(tf)) {
        throw new RangeParamError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
      }
      if (vals.length < 2) return undefined;
      if (hasHist(w)) mixedInfo(w);
      let s0 = 0;
      let s1 = vals[0]!;
      let b = vals[1]! - vals[0]!;
      for (let i = 1; i < vals.length; i++) {
        const x = sf * vals[i]!;
        if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
        const y = (1 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
      }
      return s1;
    }),
  ],
  ['absent_over_time', def((w) => (w.hi === w.lo ? 1 : undefined), true, true)],
]);

/**
 * A range function's parameter is out of its domain (double_exponential_smoothing's factors): the query
 * is legal but cannot be evaluated: an execution error (422) where it is raised, so no caller needs
 * a mapping of its own to keep it from turning into a 500.
 */
export class RangeParamError extends ExecutionError {}
