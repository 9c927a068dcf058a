import {
  addHistogram,
  compactHistogram,
  copyHistogram,
  detectReset,
  divHistogram,
  type FloatHistogram,
  HistogramIncompatibleSchemaError,
  histogramsEqual,
  mulHistogram,
  subHistogram,
  usesCustomBuckets,
} from '../model/index.js';
import { isStartTimestampReset, type RangeWindow } from './range-functions.js';

/**
 * `anchored` and `smoothed` range selectors (Prometheus 3.7+, experimental), as Prometheus's
 * extendedRate / extendedHistogramRate / pickFirstSampleIndices compute them. The window reaches
 * the lookback delta further back (both) and ahead (smoothed): `anchored` takes the last sample at or
 * before the range start as the first point and never extrapolates; `smoothed` interpolates the value
 * at both range boundaries (from zero across a counter reset). `w.t/w.v/w.h` must hold the samples
 * beyond the window on both sides; `all` is their number.
 */
export function extendedRangeValue(
  fn: string,
  w: RangeWindow,
  lookback: number,
  all: number,
): number | FloatHistogram | undefined {
  // the extended window (rangeStart - lookback, rangeEnd (+ lookback when smoothed)]
  const from = w.rangeStart - lookback;
  const to = w.rangeEnd + (w.smoothed ? lookback : 0);
  let lo = w.lo;
  while (lo > 0 && w.t[lo - 1]! > from) lo--;
  let hi = w.hi;
  while (hi < all && w.t[hi]! <= to) hi++;
  if (lo === hi) return undefined;
  const fl: number[] = [];
  const hl: number[] = [];
  for (let i = lo; i < hi; i++) (w.h?.[i] ? hl : fl).push(i);
  switch (fn) {
    case 'rate':
    case 'increase':
    case 'delta': {
      if (fl.length > 0 && hl.length > 0) {
        w.ev.ctx.warn(`encountered a mix of histograms and floats for metric name ${nameOf(w)}`, w.arg.pos);
        return undefined;
      }
      const isCounter = fn !== 'delta';
      const r = hl.length > 0 ? extendedHistogramRate(w, hl, isCounter) : extendedRate(w, fl, isCounter);
      if (r === undefined || fn !== 'rate') return r;
      return typeof r === 'number' ? r / (w.range / 1000) : divHistogram(r, w.range / 1000);
    }
    case 'resets':
    case 'changes':
      return resetsOrChanges(fn === 'resets', w, fl, hl);
  }
  return undefined;
}

function nameOf(w: RangeWindow): string {
  return JSON.stringify(w.metric.get('__name__'));
}

/** The smallest i in [0, n) with pred(i), or n (Go's sort.Search). */
function search(n: number, pred: (i: number) => boolean): number {
  let a = 0;
  let b = n;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (pred(m)) b = m;
    else a = m + 1;
  }
  return a;
}

/** The window's first and last sample positions (into `idx`), or undefined when there is nothing to measure. */
function boundaries(w: RangeWindow, idx: number[]): [number, number] | undefined {
  const t = (k: number) => w.t[idx[k]!]!;
  let last = idx.length - 1;
  const first = Math.max(0, search(last, (k) => t(k) > w.rangeStart) - 1);
  if (w.smoothed) last = search(last, (k) => t(k) >= w.rangeEnd);
  if (t(last) <= w.rangeStart) return undefined;
  if (w.smoothed && t(first) > w.rangeEnd) return undefined;
  return [first, last];
}

function interpolate(t1: number, v1: number, t2: number, v2: number, t: number, isCounter: boolean): number {
  let y1 = v1;
  if (isCounter && v2 < y1) y1 = 0;
  return y1 + ((v2 - y1) * (t - t1)) / (t2 - t1);
}

/** Float increase (counter) or change over the window, not yet per second (extendedRate). */
function extendedRate(w: RangeWindow, fl: number[], isCounter: boolean): number | undefined {
  const b = boundaries(w, fl);
  if (!b) return undefined;
  let [first, last] = b;
  const t = (k: number) => w.t[fl[k]!]!;
  const v = (k: number) => w.v[fl[k]!]!;
  const left =
    w.smoothed && t(first) < w.rangeStart
      ? interpolate(t(first), v(first), t(first + 1), v(first + 1), w.rangeStart, isCounter)
      : v(first);
  const right =
    w.smoothed && last > 0 && t(last) > w.rangeEnd
      ? interpolate(t(last - 1), v(last - 1), t(last), v(last), w.rangeEnd, isCounter)
      : v(last);
  let r = right - left;
  if (isCounter) {
    if (t(first) <= w.rangeStart) first++;
    if (t(last) >= w.rangeEnd) last--;
    // the resets between the boundaries (the boundary values already handle theirs)
    let prev = left;
    for (let k = first; k <= last; k++) {
      if (v(k) < prev) r += prev;
      prev = v(k);
    }
    if (right < prev) r += prev;
  }
  return r;
}

/**
 * A histogram at `t` between two samples (from zero across a counter reset), Prometheus's
 * interpolateHistograms; `reconciled` hears of custom bounds reconciled on the way. Throws
 * HistogramIncompatibleSchemaError for a mix of exponential and custom buckets.
 */
export function interpolateHistograms(
  t1: number,
  h1: FloatHistogram,
  t2: number,
  h2: FloatHistogram,
  t: number,
  isCounter: boolean,
  reconciled: (what: 'subtraction' | 'addition') => void,
): FloatHistogram {
  if (t === t1) return copyHistogram(h1);
  if (t === t2) return copyHistogram(h2);
  const fraction = (t - t1) / (t2 - t1);
  if (isCounter && detectReset(h2, h1)) return mulHistogram(copyHistogram(h2), fraction);
  const r = copyHistogram(h2);
  if (subHistogram(r, h1).nhcbBoundsReconciled) reconciled('subtraction');
  mulHistogram(r, fraction);
  if (addHistogram(r, h1).nhcbBoundsReconciled) reconciled('addition');
  return r;
}

function reconciledInfo(w: RangeWindow, what: string): void {
  w.ev.ctx.info(`mismatched custom buckets were reconciled during ${what}`, w.arg.pos);
}

function mixedSchemasWarning(w: RangeWindow): undefined {
  w.ev.ctx.warn(
    `vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${nameOf(w)}`,
    w.arg.pos,
  );
  return undefined;
}

/** Histogram increase or change over the window, as a gauge histogram (extendedHistogramRate). */
function extendedHistogramRate(w: RangeWindow, hl: number[], isCounter: boolean): FloatHistogram | undefined {
  const b = boundaries(w, hl);
  if (!b) return undefined;
  const [first, last] = b;
  const t = (k: number) => w.t[hl[k]!]!;
  const h = (k: number) => w.h![hl[k]!]!;
  const custom = usesCustomBuckets(h(first));
  let notCounterWarned = false;
  for (let k = first; k <= last; k++) {
    if (usesCustomBuckets(h(k)) !== custom) return mixedSchemasWarning(w);
    if (isCounter && h(k).counterResetHint === 'gauge' && !notCounterWarned) {
      notCounterWarned = true;
      w.ev.ctx.warn(`this native histogram metric is not a counter: ${nameOf(w)}`, w.arg.pos);
    }
  }
  try {
    const left =
      w.smoothed && t(first) < w.rangeStart
        ? interpolateHistograms(t(first), h(first), t(first + 1), h(first + 1), w.rangeStart, isCounter, (x) =>
            reconciledInfo(w, x),
          )
        : copyHistogram(h(first));
    const right =
      w.smoothed && last > 0 && t(last) > w.rangeEnd
        ? interpolateHistograms(t(last - 1), h(last - 1), t(last), h(last), w.rangeEnd, isCounter, (x) =>
            reconciledInfo(w, x),
          )
        : copyHistogram(h(last));
    if (!isCounter && (left.counterResetHint !== 'gauge' || right.counterResetHint !== 'gauge')) {
      w.ev.ctx.warn(`this native histogram metric is not a gauge: ${nameOf(w)}`, w.arg.pos);
    }
    const result = copyHistogram(right);
    if (subHistogram(result, left).nhcbBoundsReconciled) reconciledInfo(w, 'subtraction');
    if (isCounter) {
      const correction = counterResetCorrection(w, t, h, first, last, left, right);
      if (correction && addHistogram(result, correction).nhcbBoundsReconciled) reconciledInfo(w, 'addition');
    }
    result.counterResetHint = 'gauge';
    return compactHistogram(result);
  } catch (err) {
    if (!(err instanceof HistogramIncompatibleSchemaError)) throw err;
    return mixedSchemasWarning(w);
  }
}

/**
 * The sum of the histograms before each counter reset strictly inside the window
 * (correctForCounterResetsHistogram): the boundary samples are represented by `left` and `right`;
 * when the left interpolation already spanned a reset, the sample after it is the new baseline.
 */
function counterResetCorrection(
  w: RangeWindow,
  t: (k: number) => number,
  h: (k: number) => FloatHistogram,
  firstIdx: number,
  lastIdx: number,
  left: FloatHistogram,
  right: FloatHistogram,
): FloatHistogram | undefined {
  let first = firstIdx + 1;
  let prev = left;
  if (w.smoothed && t(firstIdx) < w.rangeStart && detectReset(h(firstIdx + 1), h(firstIdx))) {
    prev = h(firstIdx + 1);
    first++;
  }
  const last = lastIdx - 1;
  if (first > last + 1) return undefined;
  let correction: FloatHistogram | undefined;
  const add = (x: FloatHistogram) => {
    if (!correction) correction = copyHistogram(x);
    else if (addHistogram(correction, x).nhcbBoundsReconciled) reconciledInfo(w, 'addition');
  };
  for (let k = first; k <= last; k++) {
    if (detectReset(h(k), prev)) add(prev);
    prev = h(k);
  }
  if (detectReset(right, prev)) add(prev);
  return correction;
}

/**
 * resets()/changes() over an anchored window: from the last sample (float or histogram) at or
 * before the range start on (pickFirstSampleIndices), floats and histograms in time order.
 */
/** isStartTimestampReset between samples `prev` and `cur` of the window's series. */
function startTimestampReset(w: RangeWindow, prev: number, cur: number): boolean {
  const st = w.st;
  return st !== undefined && isStartTimestampReset(st[prev]!, w.t[prev]!, st[cur]!, w.t[cur]!);
}

function resetsOrChanges(resets: boolean, w: RangeWindow, fl: number[], hl: number[]): number | undefined {
  const lastLE = (idx: number[]) => search(idx.length, (k) => w.t[idx[k]!]! > w.rangeStart) - 1;
  const lf = lastLE(fl);
  const lh = lastLE(hl);
  if (lf + 1 >= fl.length && lh + 1 >= hl.length) return undefined;
  let ff = 0;
  let fh = 0;
  if (lf >= 0 || lh >= 0) {
    if (lh < 0 || (lf >= 0 && w.t[fl[lf]!]! >= w.t[hl[lh]!]!)) {
      ff = lf;
      fh = lh + 1;
    } else {
      ff = lf + 1;
      fh = lh;
    }
  }
  const idx = [...fl.slice(ff), ...hl.slice(fh)].sort((a, b) => a - b);
  let n = 0;
  for (let k = 1; k < idx.length; k++) {
    const ch = w.h?.[idx[k]!];
    const ph = w.h?.[idx[k - 1]!];
    const cv = w.v[idx[k]!]!;
    const pv = w.v[idx[k - 1]!]!;
    const stReset = resets && startTimestampReset(w, idx[k - 1]!, idx[k]!);
    if (!ch && !ph) {
      if (resets ? cv < pv || stReset : cv !== pv && !(Number.isNaN(cv) && Number.isNaN(pv))) n++;
    } else if (!ch || !ph) n++;
    else if (resets ? stReset || detectReset(ch, ph) : !histogramsEqual(ch, ph)) n++;
  }
  return n;
}
