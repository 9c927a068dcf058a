import { EXPONENTIAL_BOUNDS } from './exponential-bounds.js';
import type { BucketSpan, CounterResetHint, FloatHistogram } from './samples.js';

/**
 * Native histogram arithmetic with Prometheus's semantics (model/histogram in Prometheus 3.x): the
 * same bucket layouts after adding, subtracting, merging resolutions and compacting, the same
 * counter-reset rules, the same Kahan summation, because PromQL answers (and `==` between
 * histograms, which compares layouts) depend on them. Functions that change a histogram change the
 * one passed in, as Prometheus's methods change their receiver: callers copy first
 * (`copyHistogram`) when the input must survive.
 */

export const EXPONENTIAL_SCHEMA_MIN = -4;
export const EXPONENTIAL_SCHEMA_MAX = 8;
/** Schemas Prometheus accepts on write and reduces to EXPONENTIAL_SCHEMA_MIN/MAX. */
export const EXPONENTIAL_SCHEMA_MIN_RESERVED = -9;
export const EXPONENTIAL_SCHEMA_MAX_RESERVED = 52;
export const CUSTOM_BUCKETS_SCHEMA = -53;

/** Operations between a histogram with exponential buckets and one with custom buckets. */
export class HistogramIncompatibleSchemaError extends Error {
  constructor() {
    super('cannot apply this operation on histograms with a mix of exponential and custom bucket schemas');
  }
}

export function isCustomBucketsSchema(schema: number): boolean {
  return schema === CUSTOM_BUCKETS_SCHEMA;
}

export function isExponentialSchema(schema: number): boolean {
  return schema >= EXPONENTIAL_SCHEMA_MIN && schema <= EXPONENTIAL_SCHEMA_MAX;
}

export function usesCustomBuckets(h: FloatHistogram): boolean {
  return h.schema === CUSTOM_BUCKETS_SCHEMA;
}

export function customBoundsMatch(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// bucket bounds

/** x·2^exp without intermediate overflow or double rounding (Go's math.Ldexp for these inputs). */
function ldexp(frac: number, exp: number): number {
  if (exp > 1023) return frac * 2 ** 1023 * 2 ** (exp - 1023);
  if (exp < -1022) return frac * 2 ** (exp + 1022) * 2 ** -1022;
  return frac * 2 ** exp;
}

/** Upper bound of exponential bucket `idx` (the last finite bucket ends at MAX_VALUE, as in Prometheus). */
export function boundExponential(idx: number, schema: number): number {
  if (schema < 0) {
    const exp = idx * 2 ** -schema;
    if (exp === 1024) return Number.MAX_VALUE;
    return ldexp(1, exp);
  }
  const frac = EXPONENTIAL_BOUNDS[schema]![idx & ((1 << schema) - 1)]!;
  const exp = (idx >> schema) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(frac, exp);
}

/** Upper bound of bucket `idx`; for custom buckets -1 gives -Inf and the last index +Inf. */
export function bucketBound(idx: number, schema: number, customValues: readonly number[] | undefined): number {
  if (schema !== CUSTOM_BUCKETS_SCHEMA) return boundExponential(idx, schema);
  const cv = customValues ?? [];
  if (idx === cv.length) return Number.POSITIVE_INFINITY;
  if (idx === -1) return Number.NEGATIVE_INFINITY;
  if (idx > cv.length || idx < -1)
    throw new RangeError(`index ${idx} out of bounds for custom bounds of length ${cv.length}`);
  return cv[idx]!;
}

/** The bucket index in `targetSchema` (≤ `originSchema`) holding bucket `idx` of `originSchema`. */
export function targetIndex(idx: number, originSchema: number, targetSchema: number): number {
  return ((idx - 1) >> (originSchema - targetSchema)) + 1;
}

// ---------------------------------------------------------------------------------------------
// buckets

export interface Bucket {
  lower: number;
  upper: number;
  lowerInclusive: boolean;
  upperInclusive: boolean;
  count: number;
  /** Index within the schema (irrelevant for the zero bucket). */
  index: number;
}

function makeBucket(
  positive: boolean,
  idx: number,
  count: number,
  schema: number,
  cv: readonly number[] | undefined,
): Bucket {
  const upper = positive ? bucketBound(idx, schema, cv) : -bucketBound(idx - 1, schema, cv);
  const lower = positive ? bucketBound(idx - 1, schema, cv) : -bucketBound(idx, schema, cv);
  const custom = schema === CUSTOM_BUCKETS_SCHEMA;
  return {
    lower,
    upper,
    lowerInclusive: custom ? idx === 0 : lower < 0,
    upperInclusive: custom ? true : upper > 0,
    count,
    index: idx,
  };
}

/** (index, count) of every bucket the spans cover, in order; stops early on a malformed histogram. */
function rawBuckets(spans: readonly BucketSpan[], buckets: readonly number[]): { idx: number[]; count: number[] } {
  const idx: number[] = [];
  const count: number[] = [];
  let i = 0;
  let b = 0;
  for (const s of spans) {
    i += s.offset;
    for (let k = 0; k < s.length; k++) {
      if (b >= buckets.length) return { idx, count };
      idx.push(i++);
      count.push(buckets[b++]!);
    }
  }
  return { idx, count };
}

/**
 * The stripped buckets (index, count) of one side, merged into `targetSchema` (≤ the histogram's),
 * skipping exponential buckets whose absolute upper bound is ≤ `absoluteStartValue` (Prometheus's
 * floatBucketIterator).
 */
function strippedBuckets(
  h: FloatHistogram,
  positive: boolean,
  absoluteStartValue: number,
  targetSchema: number,
): { idx: number[]; count: number[] } {
  const raw = positive
    ? rawBuckets(h.positiveSpans, h.positiveBuckets)
    : rawBuckets(h.negativeSpans, h.negativeBuckets);
  let out = raw;
  if (targetSchema !== h.schema) {
    out = { idx: [], count: [] };
    for (let k = 0; k < raw.idx.length; k++) {
      const ti = targetIndex(raw.idx[k]!, h.schema, targetSchema);
      const n = out.idx.length;
      if (n > 0 && out.idx[n - 1] === ti) out.count[n - 1]! += raw.count[k]!;
      else {
        out.idx.push(ti);
        out.count.push(raw.count[k]!);
      }
    }
  }
  if (absoluteStartValue !== 0 && isExponentialSchema(targetSchema)) {
    let skip = 0;
    while (skip < out.idx.length && boundExponential(out.idx[skip]!, targetSchema) <= absoluteStartValue) skip++;
    if (skip > 0) out = { idx: out.idx.slice(skip), count: out.count.slice(skip) };
  }
  return out;
}

/** Positive buckets, ascending (Prometheus PositiveBucketIterator). */
export function positiveBuckets(h: FloatHistogram): Bucket[] {
  const { idx, count } = strippedBuckets(h, true, 0, h.schema);
  return idx.map((i, k) => makeBucket(true, i, count[k]!, h.schema, h.customValues));
}

/** Negative buckets, from the zero bucket outwards (Prometheus NegativeBucketIterator). */
export function negativeBuckets(h: FloatHistogram): Bucket[] {
  const { idx, count } = strippedBuckets(h, false, 0, h.schema);
  return idx.map((i, k) => makeBucket(false, i, count[k]!, h.schema, undefined));
}

export function zeroBucket(h: FloatHistogram): Bucket {
  return {
    lower: -h.zeroThreshold,
    upper: h.zeroThreshold,
    lowerInclusive: true,
    upperInclusive: true,
    count: h.zeroCount,
    index: 0,
  };
}

/**
 * Every bucket from the lowest to the highest: negatives, the zero bucket (when populated),
 * positives; a bucket overlapping the zero bucket is cut at the zero threshold (AllBucketIterator).
 */
export function allBuckets(h: FloatHistogram): Bucket[] {
  const out: Bucket[] = [];
  const zt = h.zeroThreshold;
  const clip = (b: Bucket) => {
    if (b.upper < 0 && b.upper > -zt) b.upper = -zt;
    else if (b.lower > 0 && b.lower < zt) b.lower = zt;
    return b;
  };
  const neg = negativeBuckets(h);
  for (let k = neg.length - 1; k >= 0; k--) out.push(clip(neg[k]!));
  if (h.zeroCount > 0) out.push(zeroBucket(h));
  for (const b of positiveBuckets(h)) out.push(clip(b));
  return out;
}

/** allBuckets, from the highest to the lowest (AllReverseBucketIterator). */
export function allBucketsReverse(h: FloatHistogram): Bucket[] {
  return allBuckets(h).reverse();
}

// ---------------------------------------------------------------------------------------------
// copying

function copySpans(s: readonly BucketSpan[]): BucketSpan[] {
  return s.map((x) => ({ offset: x.offset, length: x.length }));
}

/** A histogram with no observations and no buckets: a decoder's starting point, or a reset's zero. */
export function emptyHistogram(
  counterResetHint: FloatHistogram['counterResetHint'] = 'unknown',
  schema = 0,
  zeroThreshold = 0,
): FloatHistogram {
  return {
    counterResetHint,
    schema,
    zeroThreshold,
    zeroCount: 0,
    count: 0,
    sum: 0,
    positiveSpans: [],
    negativeSpans: [],
    positiveBuckets: [],
    negativeBuckets: [],
  };
}

/** A deep copy (custom bounds are shared: they are never changed in place). */
export function copyHistogram(h: FloatHistogram): FloatHistogram {
  const custom = usesCustomBuckets(h);
  const c: FloatHistogram = {
    counterResetHint: h.counterResetHint,
    schema: h.schema,
    zeroThreshold: custom ? 0 : h.zeroThreshold,
    zeroCount: custom ? 0 : h.zeroCount,
    count: h.count,
    sum: h.sum,
    positiveSpans: copySpans(h.positiveSpans),
    positiveBuckets: h.positiveBuckets.slice(),
    negativeSpans: custom ? [] : copySpans(h.negativeSpans),
    negativeBuckets: custom ? [] : h.negativeBuckets.slice(),
  };
  if (custom) c.customValues = h.customValues;
  return c;
}

/** A deep copy at the lower resolution `targetSchema` (counter-reset hint left unknown, as Prometheus). */
export function copyToSchema(h: FloatHistogram, targetSchema: number): FloatHistogram {
  if (targetSchema === h.schema) return copyHistogram(h);
  if (usesCustomBuckets(h) || isCustomBucketsSchema(targetSchema) || targetSchema > h.schema) {
    throw new Error(`cannot copy from schema ${h.schema} to ${targetSchema}`);
  }
  const p = reduceResolution(h.positiveSpans, h.positiveBuckets, h.schema, targetSchema, false);
  const n = reduceResolution(h.negativeSpans, h.negativeBuckets, h.schema, targetSchema, false);
  return {
    counterResetHint: 'unknown',
    schema: targetSchema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    count: h.count,
    sum: h.sum,
    positiveSpans: p.spans,
    positiveBuckets: p.buckets,
    negativeSpans: n.spans,
    negativeBuckets: n.buckets,
  };
}

// ---------------------------------------------------------------------------------------------
// scaling

/** Scales every count and the sum; a negative factor makes the histogram a gauge. */
export function mulHistogram(h: FloatHistogram, factor: number): FloatHistogram {
  h.zeroCount *= factor;
  h.count *= factor;
  h.sum *= factor;
  for (let i = 0; i < h.positiveBuckets.length; i++) h.positiveBuckets[i]! *= factor;
  for (let i = 0; i < h.negativeBuckets.length; i++) h.negativeBuckets[i]! *= factor;
  if (factor < 0) h.counterResetHint = 'gauge';
  return h;
}

/** Divides every count and the sum; dividing by zero removes all buckets. */
export function divHistogram(h: FloatHistogram, scalar: number): FloatHistogram {
  h.zeroCount /= scalar;
  h.count /= scalar;
  h.sum /= scalar;
  if (scalar === 0) {
    h.positiveBuckets = [];
    h.negativeBuckets = [];
    h.positiveSpans = [];
    h.negativeSpans = [];
    return h;
  }
  for (let i = 0; i < h.positiveBuckets.length; i++) h.positiveBuckets[i]! /= scalar;
  for (let i = 0; i < h.negativeBuckets.length; i++) h.negativeBuckets[i]! /= scalar;
  if (scalar < 0) h.counterResetHint = 'gauge';
  return h;
}

// ---------------------------------------------------------------------------------------------
// Kahan summation

/** One Kahan–Neumaier step: [new sum, new compensation] (Prometheus util/kahansum.Inc). */
export function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (t === Number.POSITIVE_INFINITY || t === Number.NEGATIVE_INFINITY) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

// ---------------------------------------------------------------------------------------------
// resolution

/**
 * Spans and buckets of `originSchema` merged into the lower resolution `targetSchema`. `delta`:
 * buckets are deltas (integer histograms) and stay deltas. Throws on spans that do not fit the
 * buckets or a negative offset after the first span.
 */
export function reduceResolution(
  spans: readonly BucketSpan[],
  buckets: readonly number[],
  originSchema: number,
  targetSchema: number,
  delta: boolean,
): { spans: BucketSpan[]; buckets: number[] } {
  const outSpans: BucketSpan[] = [];
  const out: number[] = [];
  let idx = 0;
  let bi = 0;
  let lastTarget = 0;
  let lastCount = 0;
  let lastTargetCount = 0;
  for (let n = 0; n < spans.length; n++) {
    const span = spans[n]!;
    if (n > 0 && span.offset < 0) {
      throw new HistogramSpanError(
        `span number ${n + 1} with offset ${span.offset}: histogram has a span whose offset is negative`,
      );
    }
    idx += span.offset;
    for (let j = 0; j < span.length; j++) {
      if (bi >= buckets.length) {
        throw new HistogramSpanError(
          `have ${buckets.length} buckets but spans need more: histogram spans specify different number of buckets than provided`,
        );
      }
      const ti = targetIndex(idx, originSchema, targetSchema);
      const v = buckets[bi]!;
      if (outSpans.length === 0) {
        outSpans.push({ offset: ti, length: 1 });
        out.push(v);
        lastTarget = ti;
        lastCount = v;
        lastTargetCount = v;
      } else if (lastTarget === ti) {
        if (delta) {
          lastCount += v;
          out[out.length - 1]! += lastCount;
          lastTargetCount += lastCount;
        } else out[out.length - 1]! += v;
      } else {
        if (lastTarget + 1 === ti) outSpans[outSpans.length - 1]!.length++;
        else outSpans.push({ offset: ti - lastTarget - 1, length: 1 });
        lastTarget = ti;
        if (delta) {
          lastCount += v;
          out.push(lastCount - lastTargetCount);
          lastTargetCount = lastCount;
        } else out.push(v);
      }
      idx++;
      bi++;
    }
  }
  if (bi !== buckets.length) {
    throw new HistogramSpanError(
      `spans need ${bi} buckets, have ${buckets.length} buckets: histogram spans specify different number of buckets than provided`,
    );
  }
  return { spans: outSpans, buckets: out };
}

export class HistogramSpanError extends Error {}

/** reduceResolution over float buckets and their Kahan compensation terms together. */
function kahanReduceResolution(
  spans: readonly BucketSpan[],
  buckets: readonly number[],
  comp: readonly number[],
  originSchema: number,
  targetSchema: number,
): { spans: BucketSpan[]; buckets: number[]; comp: number[] } {
  const outSpans: BucketSpan[] = [];
  const out: number[] = [];
  const outC: number[] = [];
  let idx = 0;
  let bi = 0;
  let lastTarget = 0;
  for (const span of spans) {
    idx += span.offset;
    for (let j = 0; j < span.length; j++) {
      const ti = targetIndex(idx, originSchema, targetSchema);
      if (outSpans.length === 0) {
        outSpans.push({ offset: ti, length: 1 });
        out.push(buckets[bi]!);
        outC.push(comp[bi]!);
        lastTarget = ti;
      } else if (lastTarget === ti) {
        const k = out.length - 1;
        [out[k], outC[k]] = kahanInc(buckets[bi]!, out[k]!, outC[k]!);
        [out[k], outC[k]] = kahanInc(comp[bi]!, out[k]!, outC[k]!);
      } else {
        if (lastTarget + 1 === ti) outSpans[outSpans.length - 1]!.length++;
        else outSpans.push({ offset: ti - lastTarget - 1, length: 1 });
        lastTarget = ti;
        out.push(buckets[bi]!);
        outC.push(comp[bi]!);
      }
      idx++;
      bi++;
    }
  }
  return { spans: outSpans, buckets: out, comp: outC };
}

/** Lowers the resolution of a histogram in place. */
export function reduceHistogramResolution(h: FloatHistogram, targetSchema: number): FloatHistogram {
  if (targetSchema >= h.schema || usesCustomBuckets(h)) return h;
  const p = reduceResolution(h.positiveSpans, h.positiveBuckets, h.schema, targetSchema, false);
  const n = reduceResolution(h.negativeSpans, h.negativeBuckets, h.schema, targetSchema, false);
  h.positiveSpans = p.spans;
  h.positiveBuckets = p.buckets;
  h.negativeSpans = n.spans;
  h.negativeBuckets = n.buckets;
  h.schema = targetSchema;
  return h;
}

// ---------------------------------------------------------------------------------------------
// adding buckets

/**
 * Adds (or, `negative`, subtracts) the buckets B to the buckets A, inserting missing buckets into
 * A's spans where they belong: appended to the span just before, prepended to the span just after,
 * or as a span of their own. Exponential buckets of B whose upper bound is ≤ `threshold` (inside
 * the zero bucket) are skipped. With `compA`, sums are Kahan sums with compensation terms kept in
 * `compA` (and B's terms `compB` added too). Returns A's new spans and buckets (A is reused).
 */
function addBuckets(
  schema: number,
  threshold: number,
  negative: boolean,
  spansA: BucketSpan[],
  bucketsA: number[],
  spansB: readonly BucketSpan[],
  bucketsB: readonly number[],
  compA?: number[],
  compB?: readonly number[],
): void {
  let iSpan = -1;
  let iBucket = -1;
  let iInSpan = 0;
  let indexA = 0;
  let indexB = 0;
  let bIdx = 0;
  let belowThreshold = true;
  const kahan = compA !== undefined;
  const addAt = (k: number, v: number, cv: number) => {
    if (!kahan) {
      bucketsA[k]! += v;
      return;
    }
    [bucketsA[k], compA[k]] = kahanInc(v, bucketsA[k]!, compA[k]!);
    if (cv !== 0) [bucketsA[k], compA[k]] = kahanInc(cv, bucketsA[k]!, compA[k]!);
  };
  const insertAt = (k: number, v: number, cv: number) => {
    bucketsA.splice(k, 0, v);
    if (kahan) compA.splice(k, 0, cv);
  };
  for (const spanB of spansB) {
    indexB += spanB.offset;
    for (let j = 0; j < spanB.length; j++, indexA = indexB, indexB++, bIdx++) {
      if (belowThreshold && isExponentialSchema(schema) && boundExponential(indexB, schema) <= threshold) continue;
      belowThreshold = false;
      let v = bucketsB[bIdx]!;
      let cv = compB ? compB[bIdx]! : 0;
      if (negative) {
        v = -v;
        cv = -cv;
      }
      if (iSpan === -1) {
        if (spansA.length === 0 || spansA[0]!.offset > indexB) {
          // before every other bucket
          insertAt(0, v, cv);
          if (spansA.length > 0 && spansA[0]!.offset === indexB + 1) {
            spansA[0]!.length++;
            spansA[0]!.offset--;
            continue;
          }
          spansA.unshift({ offset: indexB, length: 1 });
          if (spansA.length > 1) spansA[1]!.offset -= indexB + 1;
          continue;
        }
        if (spansA[0]!.offset === indexB) {
          addAt(0, v, cv);
          continue;
        }
        iSpan = 0;
        iBucket = 0;
        iInSpan = 0;
        indexA = spansA[0]!.offset;
      }
      let delta = indexB - indexA;
      for (;;) {
        const remaining = spansA[iSpan]!.length - iInSpan;
        if (delta < remaining) {
          // in the current span
          iBucket += delta;
          iInSpan += delta;
          addAt(iBucket, v, cv);
          break;
        }
        delta -= remaining;
        iBucket += remaining;
        iSpan++;
        if (iSpan === spansA.length || delta < spansA[iSpan]!.offset) {
          // in the gap after the previous span (or after the last one)
          insertAt(iBucket, v, cv);
          if (delta === 0) {
            // right after the previous span: extend it
            if (iSpan < spansA.length) spansA[iSpan]!.offset--;
            iSpan--;
            iInSpan = spansA[iSpan]!.length;
            spansA[iSpan]!.length++;
          } else if (iSpan < spansA.length && delta === spansA[iSpan]!.offset - 1) {
            // right before the next span: extend that one
            iInSpan = 0;
            spansA[iSpan]!.offset--;
            spansA[iSpan]!.length++;
          } else {
            iInSpan = 0;
            if (iSpan < spansA.length) spansA[iSpan]!.offset -= delta + 1;
            spansA.splice(iSpan, 0, { offset: delta, length: 1 });
          }
          break;
        }
        // on to the start of the next span
        delta -= spansA[iSpan]!.offset;
        iInSpan = 0;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// zero bucket

/**
 * The zero count the histogram would have with the (larger or equal) threshold, and that
 * threshold moved out of any populated bucket it falls into. With a compensation histogram `c`, its
 * zero count grows along (Kahan).
 */
function zeroCountForLargerThreshold(
  h: FloatHistogram,
  larger: number,
  c?: FloatHistogram,
): { zeroCount: number; threshold: number; cZeroCount: number } {
  let cZero = c ? c.zeroCount : 0;
  if (larger === h.zeroThreshold) return { zeroCount: h.zeroCount, threshold: larger, cZeroCount: cZero };
  if (larger < h.zeroThreshold)
    throw new Error(`new threshold ${larger} is less than old threshold ${h.zeroThreshold}`);
  const pos = positiveBuckets(h);
  const neg = negativeBuckets(h);
  // (the compensation keeps accumulating when the threshold moves and the buckets are summed again,
  // as in Prometheus)
  for (;;) {
    let zc = h.zeroCount;
    let k = 0;
    for (const b of pos) {
      if (b.lower >= larger) break;
      [zc, cZero] = kahanInc(b.count, zc, cZero);
      if (c) [zc, cZero] = kahanInc(c.positiveBuckets[k]!, zc, cZero);
      if (b.upper > larger) {
        if (b.count !== 0) larger = b.upper;
        break;
      }
      k++;
    }
    k = 0;
    let redo = false;
    for (const b of neg) {
      if (b.upper <= -larger) break;
      [zc, cZero] = kahanInc(b.count, zc, cZero);
      if (c) [zc, cZero] = kahanInc(c.negativeBuckets[k]!, zc, cZero);
      if (b.lower < -larger) {
        if (b.count !== 0) {
          larger = -b.lower;
          redo = true;
        }
        break;
      }
      k++;
    }
    if (!redo) return { zeroCount: zc, threshold: larger, cZeroCount: cZero };
  }
}

/** Empties (and compacts away) the buckets now inside the zero bucket. */
function trimBucketsInZeroBucket(h: FloatHistogram, c?: FloatHistogram): void {
  let k = 0;
  for (const b of positiveBuckets(h)) {
    if (b.lower >= h.zeroThreshold) break;
    h.positiveBuckets[k] = 0;
    if (c) c.positiveBuckets[k] = 0;
    k++;
  }
  k = 0;
  for (const b of negativeBuckets(h)) {
    if (b.upper <= -h.zeroThreshold) break;
    h.negativeBuckets[k] = 0;
    if (c) c.negativeBuckets[k] = 0;
    k++;
  }
  compactHistogram(h, 0, c);
}

/**
 * Widens the zero bucket of `h` (and of the compensation `c`) until it also holds `other`'s, and
 * returns the zero count (and its compensation) `other` would have with that threshold.
 */
function reconcileZeroBuckets(h: FloatHistogram, other: FloatHistogram, c?: FloatHistogram): [number, number] {
  let otherZero = other.zeroCount;
  let otherThreshold = other.zeroThreshold;
  let otherC = 0;
  while (otherThreshold !== h.zeroThreshold) {
    if (h.zeroThreshold > otherThreshold) {
      const r = zeroCountForLargerThreshold(other, h.zeroThreshold);
      otherZero = r.zeroCount;
      otherThreshold = r.threshold;
      otherC = r.cZeroCount;
    }
    if (otherThreshold > h.zeroThreshold) {
      const r = zeroCountForLargerThreshold(h, otherThreshold, c);
      h.zeroCount = r.zeroCount;
      h.zeroThreshold = r.threshold;
      if (c) c.zeroCount = r.cZeroCount;
      trimBucketsInZeroBucket(h, c);
    }
  }
  return [otherZero, otherC];
}

// ---------------------------------------------------------------------------------------------
// add / sub

/** Adjusts the counter-reset hint of `h` for adding `other`; true on a reset/not-reset collision. */
function adjustCounterReset(h: FloatHistogram, other: FloatHistogram): boolean {
  const a = h.counterResetHint;
  const b = other.counterResetHint;
  if (a === b || a === 'gauge') return false;
  if (b === 'gauge') {
    h.counterResetHint = 'gauge';
    return false;
  }
  if (a === 'unknown') return false;
  h.counterResetHint = 'unknown';
  return b !== 'unknown';
}

export interface AddResult {
  /** One histogram said "counter reset", the other "no counter reset". */
  counterResetCollision: boolean;
  /** Custom bounds differed and both were mapped to the bounds they share. */
  nhcbBoundsReconciled: boolean;
}

/** The bounds two custom-bucket histograms share. */
function intersectBounds(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return out;
}

/** Adds (or subtracts) custom-bucket histograms with different bounds, mapped onto `bounds`. */
function addMismatchedCustom(
  h: FloatHistogram,
  other: FloatHistogram,
  negative: boolean,
  bounds: number[],
  c?: FloatHistogram,
): void {
  const target = new Array<number>(bounds.length + 1).fill(0);
  const cTarget = new Array<number>(bounds.length + 1).fill(0);
  const map = (x: FloatHistogram, neg: boolean, comp: readonly number[] | undefined) => {
    const cv = x.customValues ?? [];
    let src = 0;
    let bi = 0;
    let ii = 0;
    for (const span of x.positiveSpans) {
      src += span.offset;
      for (let k = 0; k < span.length; k++, src++, bi++) {
        if (bi >= x.positiveBuckets.length) continue;
        const v = x.positiveBuckets[bi]!;
        let ti = target.length - 1;
        if (src < cv.length) {
          const bound = cv[src]!;
          while (ii < bounds.length) {
            if (bounds[ii]! >= bound) {
              ti = ii;
              break;
            }
            ii++;
          }
        }
        if (neg) [target[ti], cTarget[ti]] = kahanInc(-v, target[ti]!, cTarget[ti]!);
        else {
          [target[ti], cTarget[ti]] = kahanInc(v, target[ti]!, cTarget[ti]!);
          if (comp) [target[ti], cTarget[ti]] = kahanInc(comp[bi]!, target[ti]!, cTarget[ti]!);
        }
      }
    }
  };
  map(h, false, c?.positiveBuckets);
  map(other, negative, undefined);
  const spans: BucketSpan[] = [];
  const buckets: number[] = [];
  const comp: number[] = [];
  let last = -1;
  for (let i = 0; i < target.length; i++) {
    if (target[i] === 0 && cTarget[i] === 0) continue;
    buckets.push(target[i]!);
    comp.push(cTarget[i]!);
    if (spans.length > 0 && i === last + 1) spans[spans.length - 1]!.length++;
    else spans.push({ offset: spans.length > 0 ? i - last - 1 : i, length: 1 });
    last = i;
  }
  h.positiveSpans = spans;
  h.positiveBuckets = buckets;
  h.customValues = bounds;
  if (c) {
    c.positiveBuckets = comp;
    c.positiveSpans = spans;
    c.customValues = bounds;
  }
}

function addOrSub(h: FloatHistogram, other: FloatHistogram, negative: boolean): AddResult {
  if (usesCustomBuckets(h) !== usesCustomBuckets(other)) throw new HistogramIncompatibleSchemaError();
  const counterResetCollision = adjustCounterReset(h, other);
  const sign = negative ? -1 : 1;
  if (!usesCustomBuckets(h)) {
    const [oz] = reconcileZeroBuckets(h, other);
    h.zeroCount += sign * oz;
  }
  h.count += sign * other.count;
  h.sum += sign * other.sum;
  if (usesCustomBuckets(h)) {
    if (customBoundsMatch(h.customValues, other.customValues)) {
      addBuckets(
        h.schema,
        h.zeroThreshold,
        negative,
        h.positiveSpans,
        h.positiveBuckets,
        other.positiveSpans,
        other.positiveBuckets,
      );
      return { counterResetCollision, nhcbBoundsReconciled: false };
    }
    addMismatchedCustom(h, other, negative, intersectBounds(h.customValues ?? [], other.customValues ?? []));
    return { counterResetCollision, nhcbBoundsReconciled: true };
  }
  let op = { spans: other.positiveSpans, buckets: other.positiveBuckets };
  let on = { spans: other.negativeSpans, buckets: other.negativeBuckets };
  if (other.schema < h.schema) reduceHistogramResolution(h, other.schema);
  else if (other.schema > h.schema) {
    op = reduceResolution(op.spans, op.buckets, other.schema, h.schema, false);
    on = reduceResolution(on.spans, on.buckets, other.schema, h.schema, false);
  }
  addBuckets(h.schema, h.zeroThreshold, negative, h.positiveSpans, h.positiveBuckets, op.spans, op.buckets);
  addBuckets(h.schema, h.zeroThreshold, negative, h.negativeSpans, h.negativeBuckets, on.spans, on.buckets);
  return { counterResetCollision, nhcbBoundsReconciled: false };
}

/**
 * h += other. Resolutions and zero buckets are reconciled (the coarser wins); custom bounds that
 * differ are reduced to the ones both have. Throws HistogramIncompatibleSchemaError when one uses
 * custom and the other exponential buckets.
 */
export function addHistogram(h: FloatHistogram, other: FloatHistogram): AddResult {
  return addOrSub(h, other, false);
}

/** h -= other (see addHistogram). The counter-reset hint follows the same rules as for adding. */
export function subHistogram(h: FloatHistogram, other: FloatHistogram): AddResult {
  return addOrSub(h, other, true);
}

/** A compensation histogram for Kahan-summing into `h`: same layout, zero counts. */
function newCompensation(h: FloatHistogram): FloatHistogram {
  const c: FloatHistogram = {
    counterResetHint: h.counterResetHint,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: 0,
    count: 0,
    sum: 0,
    positiveSpans: h.positiveSpans,
    positiveBuckets: new Array<number>(h.positiveBuckets.length).fill(0),
    negativeSpans: h.negativeSpans,
    negativeBuckets: usesCustomBuckets(h) ? [] : new Array<number>(h.negativeBuckets.length).fill(0),
  };
  if (h.customValues) c.customValues = h.customValues;
  return c;
}

/**
 * h += other as a Kahan sum, the compensation terms kept in `c` (created when absent, then it must
 * be taken from the result). Add the compensation at the end (`kahanFinish`).
 */
export function kahanAddHistogram(
  h: FloatHistogram,
  other: FloatHistogram,
  c: FloatHistogram | undefined,
): AddResult & { c: FloatHistogram } {
  if (usesCustomBuckets(h) !== usesCustomBuckets(other)) throw new HistogramIncompatibleSchemaError();
  const counterResetCollision = adjustCounterReset(h, other);
  const comp = c ?? newCompensation(h);
  if (!usesCustomBuckets(h)) {
    const [oz, ocz] = reconcileZeroBuckets(h, other, comp);
    [h.zeroCount, comp.zeroCount] = kahanInc(oz, h.zeroCount, comp.zeroCount);
    [h.zeroCount, comp.zeroCount] = kahanInc(ocz, h.zeroCount, comp.zeroCount);
  }
  [h.count, comp.count] = kahanInc(other.count, h.count, comp.count);
  [h.sum, comp.sum] = kahanInc(other.sum, h.sum, comp.sum);
  if (usesCustomBuckets(h)) {
    if (customBoundsMatch(h.customValues, other.customValues)) {
      addBuckets(
        h.schema,
        h.zeroThreshold,
        false,
        h.positiveSpans,
        h.positiveBuckets,
        other.positiveSpans,
        other.positiveBuckets,
        comp.positiveBuckets,
      );
      comp.positiveSpans = h.positiveSpans;
      return { c: comp, counterResetCollision, nhcbBoundsReconciled: false };
    }
    addMismatchedCustom(h, other, false, intersectBounds(h.customValues ?? [], other.customValues ?? []), comp);
    return { c: comp, counterResetCollision, nhcbBoundsReconciled: true };
  }
  let op: { spans: readonly BucketSpan[]; buckets: readonly number[]; comp?: number[] } = {
    spans: other.positiveSpans,
    buckets: other.positiveBuckets,
  };
  let on: { spans: readonly BucketSpan[]; buckets: readonly number[]; comp?: number[] } = {
    spans: other.negativeSpans,
    buckets: other.negativeBuckets,
  };
  if (other.schema < h.schema) {
    const p = kahanReduceResolution(h.positiveSpans, h.positiveBuckets, comp.positiveBuckets, h.schema, other.schema);
    const n = kahanReduceResolution(h.negativeSpans, h.negativeBuckets, comp.negativeBuckets, h.schema, other.schema);
    h.positiveSpans = p.spans;
    h.positiveBuckets = p.buckets;
    comp.positiveBuckets = p.comp;
    h.negativeSpans = n.spans;
    h.negativeBuckets = n.buckets;
    comp.negativeBuckets = n.comp;
    h.schema = other.schema;
  } else if (other.schema > h.schema) {
    if (op.buckets.length > 0) {
      const zeros = new Array<number>(op.buckets.length).fill(0);
      const r = kahanReduceResolution(op.spans, op.buckets, zeros, other.schema, h.schema);
      op = { spans: r.spans, buckets: r.buckets, comp: r.comp };
    }
    if (on.buckets.length > 0) {
      const zeros = new Array<number>(on.buckets.length).fill(0);
      const r = kahanReduceResolution(on.spans, on.buckets, zeros, other.schema, h.schema);
      on = { spans: r.spans, buckets: r.buckets, comp: r.comp };
    }
  }
  addBuckets(
    h.schema,
    h.zeroThreshold,
    false,
    h.positiveSpans,
    h.positiveBuckets,
    op.spans,
    op.buckets,
    comp.positiveBuckets,
    op.comp,
  );
  addBuckets(
    h.schema,
    h.zeroThreshold,
    false,
    h.negativeSpans,
    h.negativeBuckets,
    on.spans,
    on.buckets,
    comp.negativeBuckets,
    on.comp,
  );
  comp.schema = h.schema;
  comp.zeroThreshold = h.zeroThreshold;
  comp.positiveSpans = h.positiveSpans;
  comp.negativeSpans = h.negativeSpans;
  return { c: comp, counterResetCollision, nhcbBoundsReconciled: false };
}

// ---------------------------------------------------------------------------------------------
// compaction

/**
 * Removes empty buckets at the ends of spans, merges spans at most `maxEmpty` buckets apart and
 * splits spans at runs of more than `maxEmpty` empty buckets (Prometheus compactBuckets). `delta`:
 * the buckets are deltas (integer histograms). `comp`: Kahan compensation buckets kept in step; a
 * bucket counts as empty only when its compensation is zero too.
 */
export function compactBuckets(
  bucketsIn: number[],
  compIn: number[] | undefined,
  spansIn: BucketSpan[],
  maxEmpty: number,
  delta: boolean,
): { buckets: number[]; comp: number[] | undefined; spans: BucketSpan[] } {
  let buckets = bucketsIn;
  let comp = compIn;
  let spans = spansIn;
  // fast path: nothing empty, no small gaps, no empty spans
  let nothing = true;
  let abs = 0;
  for (const b of buckets) {
    abs = delta ? abs + b : b;
    if (abs === 0) {
      nothing = false;
      break;
    }
  }
  if (nothing) {
    for (const s of spans) {
      if (s.offset <= maxEmpty || s.length === 0) {
        nothing = false;
        break;
      }
    }
    if (nothing) return { buckets, comp, spans };
  }
  // merge spans with a zero offset
  if (spans.length > 1) {
    const merged: BucketSpan[] = [spans[0]!];
    for (let i = 1; i < spans.length; i++) {
      const s = spans[i]!;
      if (s.offset === 0) merged[merged.length - 1]!.length += s.length;
      else merged.push(s);
    }
    spans = merged;
  }
  // fold zero-length spans into the next one
  {
    const kept: BucketSpan[] = [];
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      if (s.length === 0) {
        if (i + 1 < spans.length) spans[i + 1]!.offset += s.offset;
        continue;
      }
      kept.push(s);
    }
    spans = kept;
  }
  if (spans.length === 0) return { buckets: buckets.slice(0, 0), comp: comp ? [] : undefined, spans };

  let iBucket = 0;
  let iSpan = 0;
  let posInSpan = 0;
  abs = 0;
  const emptyHere = (): number => {
    let i = 0;
    let a = abs;
    let cv = comp ? comp[iBucket]! : 0;
    while (i + posInSpan < spans[iSpan]!.length && a === 0 && cv === 0) {
      i++;
      if (i + iBucket >= buckets.length) break;
      a = buckets[i + iBucket]!;
      if (comp) cv = comp[i + iBucket]!;
    }
    return i;
  };
  while (iBucket < buckets.length && iSpan < spans.length) {
    abs = delta ? abs + buckets[iBucket]! : buckets[iBucket]!;
    const nEmpty = emptyHere();
    if (nEmpty > 0) {
      if (posInSpan > 0 && nEmpty < spans[iSpan]!.length - posInSpan && nEmpty <= maxEmpty) {
        // a few empty buckets inside a span: keep them
        iBucket += nEmpty;
        if (delta) abs = 0;
        posInSpan += nEmpty;
        continue;
      }
      if (delta && iBucket + nEmpty < buckets.length) {
        abs = -buckets[iBucket]!;
        buckets[iBucket + nEmpty]! += buckets[iBucket]!;
      }
      buckets.splice(iBucket, nEmpty);
      comp?.splice(iBucket, nEmpty);
      if (posInSpan === 0) {
        // at the start of a span
        if (nEmpty === spans[iSpan]!.length) {
          const offset = spans[iSpan]!.offset;
          spans.splice(iSpan, 1);
          if (spans.length > iSpan) spans[iSpan]!.offset += offset + nEmpty;
          continue;
        }
        spans[iSpan]!.length -= nEmpty;
        spans[iSpan]!.offset += nEmpty;
        continue;
      }
      // in the middle or at the end: split the span
      const rest: BucketSpan = { offset: nEmpty, length: spans[iSpan]!.length - posInSpan - nEmpty };
      spans[iSpan]!.length = posInSpan;
      iSpan++;
      posInSpan = 0;
      if (rest.length === 0) {
        if (iSpan < spans.length) spans[iSpan]!.offset += nEmpty;
        continue;
      }
      spans.splice(iSpan, 0, rest);
      continue;
    }
    iBucket++;
    posInSpan++;
    if (posInSpan >= spans[iSpan]!.length) {
      posInSpan = 0;
      iSpan++;
    }
  }
  if (maxEmpty === 0 || buckets.length === 0) return { buckets, comp, spans };

  // merge spans separated by at most maxEmpty empty buckets
  iBucket = spans[0]!.length;
  if (delta) {
    abs = 0;
    for (let k = 0; k < iBucket; k++) abs += buckets[k]!;
  }
  iSpan = 1;
  while (iSpan < spans.length) {
    if (spans[iSpan]!.offset > maxEmpty) {
      const l = spans[iSpan]!.length;
      if (delta) for (let k = iBucket; k < iBucket + l; k++) abs += buckets[k]!;
      iBucket += l;
      iSpan++;
      continue;
    }
    const offset = spans[iSpan]!.offset;
    const l = spans[iSpan]!.length;
    spans[iSpan - 1]!.length += offset + l;
    spans.splice(iSpan, 1);
    const fill = new Array<number>(offset).fill(0);
    buckets = [...buckets.slice(0, iBucket), ...fill, ...buckets.slice(iBucket)];
    if (delta) {
      buckets[iBucket] = -abs;
      buckets[iBucket + offset]! += abs;
    }
    if (comp) comp = [...comp.slice(0, iBucket), ...fill, ...comp.slice(iBucket)];
    iBucket += offset;
    if (delta) {
      abs = 0;
      for (let k = iBucket; k < iBucket + l; k++) abs += buckets[k]!;
    }
    iBucket += l;
  }
  return { buckets, comp, spans };
}

/** Compacts the histogram in place (see compactBuckets); with `c`, its compensation buckets too. */
export function compactHistogram(h: FloatHistogram, maxEmpty = 0, c?: FloatHistogram): FloatHistogram {
  const p = compactBuckets(h.positiveBuckets, c?.positiveBuckets, h.positiveSpans, maxEmpty, false);
  h.positiveBuckets = p.buckets;
  h.positiveSpans = p.spans;
  const n = compactBuckets(h.negativeBuckets, c?.negativeBuckets, h.negativeSpans, maxEmpty, false);
  h.negativeBuckets = n.buckets;
  h.negativeSpans = n.spans;
  if (c) {
    c.positiveBuckets = p.comp!;
    c.negativeBuckets = n.comp!;
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// comparisons

function allEmptySpans(s: readonly BucketSpan[]): boolean {
  return s.every((x) => x.length === 0);
}

/** Whether two span lists describe the same bucket layout (zero-length spans ignored). */
export function spansMatch(s1: readonly BucketSpan[], s2: readonly BucketSpan[]): boolean {
  if (s1.length === 0 && s2.length === 0) return true;
  let i1 = 0;
  let i2 = 0;
  const next = (s: readonly BucketSpan[], i: number): [BucketSpan, number] => {
    const cur = { ...s[i]! };
    i++;
    if (cur.length === 0) {
      for (; i < s.length && s[i]!.length === 0; i++) cur.offset += s[i]!.offset;
      if (i < s.length) {
        cur.offset += s[i]!.offset;
        cur.length = s[i]!.length;
        i++;
      }
    }
    return [cur, i];
  };
  for (;;) {
    if (i1 >= s1.length) return allEmptySpans(s2.slice(i2));
    if (i2 >= s2.length) return allEmptySpans(s1.slice(i1));
    let a: BucketSpan;
    let b: BucketSpan;
    [a, i1] = next(s1, i1);
    [b, i2] = next(s2, i2);
    if (a.length === 0 && b.length === 0) return true;
    if (a.offset !== b.offset || a.length !== b.length) return false;
  }
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function bitsEqual(a: number, b: number): boolean {
  if (a === b) return a !== 0 || Object.is(a, b);
  if (!Number.isNaN(a) || !Number.isNaN(b)) return false;
  f64[0] = a;
  const x = u64[0];
  f64[0] = b;
  return x === u64[0];
}

function bucketsBitsEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!bitsEqual(a[i]!, b[i]!)) return false;
  return true;
}

/**
 * Exact equality, layout included (Prometheus FloatHistogram.Equals): counts compared bit for bit,
 * spans may differ only by zero-length spans.
 */
export function histogramsEqual(a: FloatHistogram, b: FloatHistogram): boolean {
  if (a.schema !== b.schema || !bitsEqual(a.count, b.count) || !bitsEqual(a.sum, b.sum)) return false;
  if (usesCustomBuckets(a) && !customBoundsMatch(a.customValues, b.customValues)) return false;
  if (a.zeroThreshold !== b.zeroThreshold || !bitsEqual(a.zeroCount, b.zeroCount)) return false;
  return (
    spansMatch(a.negativeSpans, b.negativeSpans) &&
    bucketsBitsEqual(a.negativeBuckets, b.negativeBuckets) &&
    spansMatch(a.positiveSpans, b.positiveSpans) &&
    bucketsBitsEqual(a.positiveBuckets, b.positiveBuckets)
  );
}

/** Whether a positive/negative side of `cur` lost observations against `prev` (same target schema). */
function sideReset(cur: { idx: number[]; count: number[] }, prev: { idx: number[]; count: number[] }): boolean {
  let c = 0;
  for (let p = 0; p < prev.idx.length; p++) {
    const pi = prev.idx[p]!;
    while (c < cur.idx.length && cur.idx[c]! < pi) c++;
    if (c >= cur.idx.length || cur.idx[c]! > pi) {
      if (prev.count[p] !== 0) return true;
    } else if (cur.count[c]! < prev.count[p]!) return true;
  }
  return false;
}

/**
 * Whether `h` follows a counter reset after `prev` (Prometheus DetectReset): the hint decides when
 * it says reset or not; otherwise a smaller count, zero count or bucket, a higher resolution, a
 * smaller zero threshold or changed custom bounds with a smaller cumulative count mean a reset.
 */
export function detectReset(h: FloatHistogram, prev: FloatHistogram): boolean {
  if (h.counterResetHint === 'reset') return true;
  if (h.counterResetHint === 'not_reset') return false;
  if (h.count < prev.count) return true;
  if (usesCustomBuckets(h)) {
    if (!usesCustomBuckets(prev)) return true;
    if (!customBoundsMatch(h.customValues, prev.customValues)) return resetWithMismatchedBounds(h, prev);
  }
  if (h.schema > prev.schema) return true;
  if (h.zeroThreshold < prev.zeroThreshold) return true;
  const z = zeroCountForLargerThreshold(prev, h.zeroThreshold);
  if (z.threshold !== h.zeroThreshold) return true;
  if (h.zeroCount < z.zeroCount) return true;
  for (const positive of [true, false]) {
    const cur = strippedBuckets(h, positive, h.zeroThreshold, h.schema);
    const p = strippedBuckets(prev, positive, h.zeroThreshold, h.schema);
    if (sideReset(cur, p)) return true;
  }
  return false;
}

/** detectReset for custom-bucket histograms with different bounds: cumulative counts at shared bounds. */
function resetWithMismatchedBounds(h: FloatHistogram, prev: FloatHistogram): boolean {
  const cur = positiveBuckets(h);
  const pre = positiveBuckets(prev);
  const cb = h.customValues ?? [];
  const pb = prev.customValues ?? [];
  let ci = 0;
  let pi = 0;
  let ck = 0;
  let pk = 0;
  while (ci <= cb.length && pi <= pb.length) {
    const c = ci < cb.length ? cb[ci]! : Number.POSITIVE_INFINITY;
    const p = pi < pb.length ? pb[pi]! : Number.POSITIVE_INFINITY;
    if (c === p) {
      let cs = 0;
      while (ck < cur.length && cur[ck]!.upper <= c) cs += cur[ck++]!.count;
      let ps = 0;
      while (pk < pre.length && pre[pk]!.upper <= c) ps += pre[pk++]!.count;
      if (cs < ps) return true;
      ci++;
      pi++;
    } else if (c < p) ci++;
    else pi++;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// misc

/** Whether a count, the sum, a bucket or a bound is infinite (an aggregation overflowed). */
export function hasOverflow(h: FloatHistogram): boolean {
  const inf = (x: number) => x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY;
  return (
    inf(h.zeroCount) ||
    inf(h.count) ||
    inf(h.sum) ||
    h.positiveBuckets.some(inf) ||
    h.negativeBuckets.some(inf) ||
    (h.customValues ?? []).some(inf)
  );
}

/**
 * Go's %g (shortest digits): an exponent (two digits at least) when the decimal exponent is below
 * -4 or at least 6, else plain digits; "+Inf", "-Inf", "NaN".
 */
export function goFloat(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, e] = v.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  // String() writes these exponents without one, with the same shortest digits
  return String(v);
}

function bucketString(b: Bucket): string {
  return `${b.lowerInclusive ? '[' : '('}${goFloat(b.lower)},${goFloat(b.upper)}${b.upperInclusive ? ']' : ')'}:${goFloat(b.count)}`;
}

/** Prometheus's FloatHistogram.String(): `{count:…, sum:…, [-2,-1):2, [-0.001,0.001]:2, (1,2]:2}`. */
export function histogramToString(h: FloatHistogram): string {
  let s = `{count:${goFloat(h.count)}, sum:${goFloat(h.sum)}`;
  const neg = negativeBuckets(h).filter((b) => b.count !== 0);
  for (let k = neg.length - 1; k >= 0; k--) s += `, ${bucketString(neg[k]!)}`;
  if (h.zeroCount !== 0) s += `, ${bucketString(zeroBucket(h))}`;
  for (const b of positiveBuckets(h)) if (b.count !== 0) s += `, ${bucketString(b)}`;
  return `${s}}`;
}

// ---------------------------------------------------------------------------------------------
// trimming (`h </ x`, `h >/ x`)

/** The share of a bucket's width at or below v (Lower < v < Upper), linear or on a log scale. */
export function fractionBelow(b: Bucket, v: number, linear: boolean): number {
  if (linear) return (v - b.lower) / (b.upper - b.lower);
  const logLower = Math.log2(Math.abs(b.lower));
  const logUpper = Math.log2(Math.abs(b.upper));
  const logV = Math.log2(Math.abs(v));
  if (v > 0) return (logV - logLower) / (logUpper - logLower);
  return 1 - (logV - logUpper) / (logLower - logUpper);
}

function midpoint(lower: number, upper: number, positive: boolean, linear: boolean): number {
  const infL = !Number.isFinite(lower) && !Number.isNaN(lower);
  const infU = !Number.isFinite(upper) && !Number.isNaN(upper);
  if (infL) {
    if (infU) return 0;
    return upper > 0 ? upper / 2 : upper;
  }
  if (infU) return lower;
  if (linear) return (lower + upper) / 2;
  const g = Math.sqrt(Math.abs(lower * upper));
  return positive ? g : -g;
}

/** [kept count, midpoint of what is kept] of a bucket with an infinite bound. */
function trimInfiniteBucket(upperTrim: boolean, b: Bucket, rhs: number): [number, number] {
  const zeroIfInf = (x: number) => (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY ? 0 : x);
  if (b.lower === Number.NEGATIVE_INFINITY) {
    if (upperTrim) {
      if (rhs >= b.upper) return [b.count, 0];
      if (rhs > 0 && b.upper > 0 && b.upper !== Number.POSITIVE_INFINITY) return [(b.count * rhs) / b.upper, rhs / 2];
      if (b.upper <= 0) return [b.count, rhs];
      return [0, zeroIfInf(b.upper)];
    }
    if (rhs <= b.lower) return [b.count, 0];
    if (rhs >= 0 && b.upper > rhs && b.upper !== Number.POSITIVE_INFINITY) {
      return [b.count * (1 - rhs / b.upper), (rhs + b.upper) / 2];
    }
    return [0, zeroIfInf(b.upper)];
  }
  // upper bound +Inf
  if (upperTrim) return [0, zeroIfInf(b.lower)];
  if (rhs >= b.lower) return [b.count, rhs];
  return [0, zeroIfInf(b.lower)];
}

function trimBucket(b: Bucket, rhs: number, upperTrim: boolean, positive: boolean, custom: boolean): [number, number] {
  if (b.lower === Number.NEGATIVE_INFINITY || b.upper === Number.POSITIVE_INFINITY) {
    return trimInfiniteBucket(upperTrim, b, rhs);
  }
  const under = rhs <= b.lower ? 0 : rhs >= b.upper ? b.count : b.count * fractionBelow(b, rhs, custom);
  if (upperTrim) return [under, midpoint(b.lower, rhs, positive, custom)];
  return [b.count - under, midpoint(rhs, b.upper, positive, custom)];
}

function trimZeroBucket(
  z: Bucket,
  rhs: number,
  hasNeg: boolean,
  hasPos: boolean,
  upperTrim: boolean,
): [number, number] {
  let lower = z.lower;
  let upper = z.upper;
  if (hasNeg && !hasPos) upper = 0;
  if (hasPos && !hasNeg) lower = 0;
  if (upperTrim) {
    if (rhs <= lower) return [0, 0];
    if (rhs >= upper) return [z.count, (lower + upper) / 2];
    return [(z.count * (rhs - lower)) / (upper - lower), (lower + rhs) / 2];
  }
  if (rhs <= lower) return [z.count, (lower + upper) / 2];
  if (rhs >= upper) return [0, 0];
  return [(z.count * (upper - rhs)) / (upper - lower), (rhs + upper) / 2];
}

/**
 * Keeps the observations below (`upperTrim`, `h </ rhs`) or above (`h >/ rhs`) `rhs`, interpolating
 * inside the bucket that holds it; when anything was cut, count and sum are re-estimated from the
 * kept buckets' midpoints (Prometheus TrimBuckets). Changes `h`.
 */
export function trimBuckets(h: FloatHistogram, rhs: number, upperTrim: boolean): FloatHistogram {
  const custom = usesCustomBuckets(h);
  let count = 0;
  let sum = 0;
  let trimmed = false;
  let hasPos = false;
  let hasNeg = false;
  const side = (positive: boolean) => {
    const buckets = positive ? positiveBuckets(h) : negativeBuckets(h);
    const counts = positive ? h.positiveBuckets : h.negativeBuckets;
    buckets.forEach((b, i) => {
      if (b.count === 0) return;
      if (positive) hasPos = true;
      else hasNeg = true;
      const whole = upperTrim ? b.upper <= rhs : b.lower >= rhs;
      const partly = upperTrim ? b.lower < rhs : b.upper > rhs;
      if (whole) {
        count += b.count;
        sum += midpoint(b.lower, b.upper, positive, custom) * b.count;
      } else if (partly) {
        const [keep, mid] = trimBucket(b, rhs, upperTrim, positive, custom);
        count += keep;
        sum += mid * keep;
        if (counts[i] !== keep) {
          counts[i] = keep;
          trimmed = true;
        }
      } else {
        counts[i] = 0;
        trimmed = true;
      }
    });
  };
  side(true);
  side(false);
  if (h.zeroCount > 0) {
    const [keep, mid] = trimZeroBucket(zeroBucket(h), rhs, hasNeg, hasPos, upperTrim);
    if (h.zeroCount !== keep) {
      h.zeroCount = keep;
      trimmed = true;
    }
    sum += mid * keep;
    count += keep;
  }
  if (trimmed) {
    h.count = count;
    h.sum = sum;
    compactHistogram(h, 0);
  }
  return h;
}

export type { CounterResetHint };
