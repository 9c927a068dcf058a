import type { BucketSpan, FloatHistogram } from '../model/index.js';

/** Sparse buckets as index → count, the easy-to-combine form of spans + buckets. */
export type BucketMap = Map<number, number>;

export function bucketMap(spans: readonly BucketSpan[], buckets: readonly number[]): BucketMap {
  const m: BucketMap = new Map();
  let idx = 0;
  let bi = 0;
  for (const s of spans) {
    idx += s.offset;
    for (let k = 0; k < s.length; k++) m.set(idx++, buckets[bi++] ?? 0);
  }
  return m;
}

/** Spans and buckets from a bucket map, dropping empty buckets (Prometheus Compact(0)). */
export function fromBucketMap(m: BucketMap): { spans: BucketSpan[]; buckets: number[] } {
  const idxs = [...m.keys()].filter((i) => m.get(i) !== 0).sort((a, b) => a - b);
  const spans: BucketSpan[] = [];
  const buckets: number[] = [];
  let prevEnd: number | undefined;
  for (const i of idxs) {
    if (prevEnd !== undefined && i === prevEnd) spans[spans.length - 1]!.length++;
    else spans.push({ offset: prevEnd === undefined ? i : i - prevEnd, length: 1 });
    buckets.push(m.get(i)!);
    prevEnd = i + 1;
  }
  return { spans, buckets };
}

export function isCustom(h: FloatHistogram): boolean {
  return h.schema === -53;
}

/** Re-indexes buckets of `from` schema into the coarser `to` schema. */
export function reduceSchema(m: BucketMap, from: number, to: number): BucketMap {
  if (from === to) return m;
  const f = 2 ** (from - to);
  const out: BucketMap = new Map();
  for (const [i, c] of m) {
    const j = Math.ceil(i / f);
    out.set(j, (out.get(j) ?? 0) + c);
  }
  return out;
}

function build(
  base: FloatHistogram,
  schema: number,
  pos: BucketMap,
  neg: BucketMap,
  patch: Partial<FloatHistogram>,
): FloatHistogram {
  const p = fromBucketMap(pos);
  const n = fromBucketMap(neg);
  const h: FloatHistogram = {
    counterResetHint: base.counterResetHint,
    schema,
    zeroThreshold: base.zeroThreshold,
    zeroCount: base.zeroCount,
    count: base.count,
    sum: base.sum,
    positiveSpans: p.spans,
    positiveBuckets: p.buckets,
    negativeSpans: n.spans,
    negativeBuckets: n.buckets,
    ...patch,
  };
  if (base.customValues) h.customValues = base.customValues;
  return h;
}

export class HistogramMismatchError extends Error {}

/** Custom bounds common to both (Prometheus reconciles mismatched NHCB bounds to the intersection). */
function intersectBounds(a: number[], b: number[]): number[] {
  const sb = new Set(b);
  return a.filter((x) => sb.has(x));
}

function remapCustom(m: BucketMap, from: number[], to: number[]): BucketMap {
  const out: BucketMap = new Map();
  for (const [i, c] of m) {
    const upper = i < from.length ? from[i]! : Number.POSITIVE_INFINITY;
    let j = to.findIndex((b) => b >= upper);
    if (j < 0) j = to.length;
    out.set(j, (out.get(j) ?? 0) + c);
  }
  return out;
}

export interface CombineResult {
  h: FloatHistogram;
  /** Custom bucket bounds differed and were reconciled. */
  reconciled: boolean;
}

/** a + sign·b with schema and zero-bucket reconciliation. Throws HistogramMismatchError on custom/exponential mixes. */
export function combine(a: FloatHistogram, b: FloatHistogram, sign: 1 | -1): CombineResult {
  if (isCustom(a) !== isCustom(b)) throw new HistogramMismatchError('mix of exponential and custom buckets');
  let pa = bucketMap(a.positiveSpans, a.positiveBuckets);
  let pb = bucketMap(b.positiveSpans, b.positiveBuckets);
  let na = bucketMap(a.negativeSpans, a.negativeBuckets);
  let nb = bucketMap(b.negativeSpans, b.negativeBuckets);
  let schema = a.schema;
  let reconciled = false;
  let customValues = a.customValues;
  if (isCustom(a)) {
    const ca = a.customValues ?? [];
    const cb = b.customValues ?? [];
    if (ca.length !== cb.length || ca.some((x, i) => x !== cb[i])) {
      const common = intersectBounds(ca, cb);
      pa = remapCustom(pa, ca, common);
      pb = remapCustom(pb, cb, common);
      customValues = common;
      reconciled = true;
    }
  } else {
    schema = Math.min(a.schema, b.schema);
    pa = reduceSchema(pa, a.schema, schema);
    na = reduceSchema(na, a.schema, schema);
    pb = reduceSchema(pb, b.schema, schema);
    nb = reduceSchema(nb, b.schema, schema);
  }
  const zeroThreshold = Math.max(a.zeroThreshold, b.zeroThreshold);
  let za = a.zeroCount;
  let zb = b.zeroCount;
  // widening the zero bucket absorbs the buckets it now covers
  if (!isCustom(a)) {
    za += absorb(pa, na, schema, zeroThreshold);
    zb += absorb(pb, nb, schema, zeroThreshold);
  }
  const pos = new Map(pa);
  for (const [i, c] of pb) pos.set(i, (pos.get(i) ?? 0) + sign * c);
  const neg = new Map(na);
  for (const [i, c] of nb) neg.set(i, (neg.get(i) ?? 0) + sign * c);
  const hint =
    a.counterResetHint === 'gauge' || b.counterResetHint === 'gauge'
      ? 'gauge'
      : a.counterResetHint === b.counterResetHint
        ? a.counterResetHint
        : 'unknown';
  const h = build(a, schema, pos, neg, {
    zeroThreshold,
    zeroCount: za + sign * zb,
    count: a.count + sign * b.count,
    sum: a.sum + sign * b.sum,
    counterResetHint: hint,
  });
  if (customValues) h.customValues = customValues;
  return { h, reconciled };
}

/** Upper bound of exponential bucket `i` for `schema`. */
export function expUpper(schema: number, i: number): number {
  return 2 ** (i * 2 ** -schema);
}

function absorb(pos: BucketMap, neg: BucketMap, schema: number, zt: number): number {
  if (zt === 0) return 0;
  let moved = 0;
  for (const [i, c] of pos) {
    if (expUpper(schema, i) <= zt) {
      moved += c;
      pos.delete(i);
    }
  }
  for (const [i, c] of neg) {
    if (expUpper(schema, i) <= zt) {
      moved += c;
      neg.delete(i);
    }
  }
  return moved;
}

export function scale(h: FloatHistogram, f: number): FloatHistogram {
  return {
    ...h,
    zeroCount: h.zeroCount * f,
    count: h.count * f,
    sum: h.sum * f,
    positiveBuckets: h.positiveBuckets.map((x) => x * f),
    negativeBuckets: h.negativeBuckets.map((x) => x * f),
    positiveSpans: h.positiveSpans.map((s) => ({ ...s })),
    negativeSpans: h.negativeSpans.map((s) => ({ ...s })),
  };
}

/** Prometheus DetectReset: whether `cur` follows a counter reset after `prev`. */
export function detectReset(cur: FloatHistogram, prev: FloatHistogram): boolean {
  if (cur.counterResetHint === 'reset') return true;
  if (cur.counterResetHint === 'not_reset') return false;
  if (cur.count < prev.count) return true;
  if (isCustom(cur) !== isCustom(prev)) return true;
  if (isCustom(cur)) {
    const a = cur.customValues ?? [];
    const b = prev.customValues ?? [];
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) return true;
  } else if (cur.schema > prev.schema) return true;
  if (cur.zeroThreshold < prev.zeroThreshold) return true;
  if (cur.zeroCount < prev.zeroCount && cur.zeroThreshold === prev.zeroThreshold) return true;
  for (const [cm, pm] of [
    [bucketMap(cur.positiveSpans, cur.positiveBuckets), bucketMap(prev.positiveSpans, prev.positiveBuckets)],
    [bucketMap(cur.negativeSpans, cur.negativeBuckets), bucketMap(prev.negativeSpans, prev.negativeBuckets)],
  ] as const) {
    const p = isCustom(cur) ? pm : reduceSchema(pm, prev.schema, cur.schema);
    for (const [i, c] of p) if (c > (cm.get(i) ?? 0)) return true;
  }
  return false;
}

export interface Bucket {
  lower: number;
  upper: number;
  count: number;
}

/** All buckets in ascending order: negatives, zero bucket, positives (Prometheus AllBucketIterator). */
export function allBuckets(h: FloatHistogram): Bucket[] {
  const out: Bucket[] = [];
  if (isCustom(h)) {
    const cv = h.customValues ?? [];
    const m = [...bucketMap(h.positiveSpans, h.positiveBuckets)].sort((a, b) => a[0] - b[0]);
    for (const [i, c] of m) {
      out.push({
        lower: i === 0 ? Number.NEGATIVE_INFINITY : cv[i - 1]!,
        upper: i < cv.length ? cv[i]! : Number.POSITIVE_INFINITY,
        count: c,
      });
    }
    return out;
  }
  const neg = [...bucketMap(h.negativeSpans, h.negativeBuckets)].sort((a, b) => b[0] - a[0]);
  for (const [i, c] of neg) out.push({ lower: -expUpper(h.schema, i), upper: -expUpper(h.schema, i - 1), count: c });
  if (h.zeroCount !== 0 || h.zeroThreshold !== 0)
    out.push({ lower: -h.zeroThreshold, upper: h.zeroThreshold, count: h.zeroCount });
  const pos = [...bucketMap(h.positiveSpans, h.positiveBuckets)].sort((a, b) => a[0] - b[0]);
  for (const [i, c] of pos) out.push({ lower: expUpper(h.schema, i - 1), upper: expUpper(h.schema, i), count: c });
  return out;
}

/** Prometheus HistogramQuantile for native histograms. */
export function nativeQuantile(q: number, h: FloatHistogram): number {
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  if (h.count === 0 || Number.isNaN(q)) return Number.NaN;
  const buckets = allBuckets(h);
  const forward = Number.isNaN(h.sum) || q < 0.5;
  const seq = forward ? buckets : [...buckets].reverse();
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let count = 0;
  let bucket: Bucket | undefined;
  for (const b of seq) {
    if (b.count === 0) continue;
    bucket = b;
    count += b.count;
    if (count >= rank) break;
  }
  if (!bucket) return Number.NaN;
  if (Number.isNaN(h.sum) && count < rank) return Number.NaN;
  let { lower, upper } = bucket;
  if (!isCustom(h) && lower < 0 && upper > 0) {
    const hasNeg = h.negativeBuckets.some((x) => x !== 0);
    const hasPos = h.positiveBuckets.some((x) => x !== 0);
    if (!hasNeg && hasPos) lower = 0;
    else if (!hasPos && hasNeg) upper = 0;
  } else if (isCustom(h)) {
    if (lower === Number.NEGATIVE_INFINITY) {
      if (upper <= 0) return upper;
      lower = 0;
    } else if (upper === Number.POSITIVE_INFINITY) return lower;
  }
  if (count > h.count) count = h.count;
  // the rank lies among NaN observations (counted but in no bucket)
  if (count < rank) return Number.isNaN(h.sum) ? Number.NaN : upper;
  if (forward) rank -= count - bucket.count;
  else rank = count - rank;
  const fraction = rank / bucket.count;
  if (isCustom(h) || (lower <= 0 && upper >= 0)) return lower + (upper - lower) * fraction;
  const logLower = Math.log2(Math.abs(lower));
  const logUpper = Math.log2(Math.abs(upper));
  if (lower > 0) return 2 ** (logLower + (logUpper - logLower) * fraction);
  return -(2 ** (logUpper + (logLower - logUpper) * (1 - fraction)));
}

/** Fraction of observations in [lo, hi] (Prometheus HistogramFraction with interpolation). */
export function nativeFraction(lo: number, hi: number, h: FloatHistogram): number {
  if (h.count === 0 || Number.isNaN(lo) || Number.isNaN(hi)) return Number.NaN;
  if (lo >= hi) return 0;
  const rankAt = (v: number): number => {
    let r = 0;
    for (const b of allBuckets(h)) {
      if (b.upper <= v) {
        r += b.count;
        continue;
      }
      if (b.lower >= v) break;
      let { lower, upper } = b;
      if (isCustom(h)) {
        if (lower === Number.NEGATIVE_INFINITY) {
          // no interpolation in an infinitely wide first bucket
          if (upper <= 0) {
            r += b.count;
            break;
          }
          lower = 0;
        }
        if (upper === Number.POSITIVE_INFINITY) break;
        if (v > lower) r += (b.count * (v - lower)) / (upper - lower);
      } else if (lower < 0 && upper > 0) {
        r += (b.count * (v - lower)) / (upper - lower);
      } else if (lower > 0) {
        r += (b.count * (Math.log2(v) - Math.log2(lower))) / (Math.log2(upper) - Math.log2(lower));
      } else {
        r += b.count * (1 - (Math.log2(-v) - Math.log2(-upper)) / (Math.log2(-lower) - Math.log2(-upper)));
      }
      break;
    }
    return r;
  };
  return (rankAt(hi) - rankAt(lo)) / h.count;
}

/** Estimated variance of the observations (Prometheus histogram_stdvar). */
export function nativeVariance(h: FloatHistogram): number {
  if (h.count === 0) return Number.NaN;
  const mean = h.sum / h.count;
  let variance = 0;
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    let val: number;
    if (isCustom(h)) {
      if (b.lower === Number.NEGATIVE_INFINITY) val = b.upper;
      else if (b.upper === Number.POSITIVE_INFINITY) val = b.lower;
      else val = (b.upper + b.lower) / 2;
    } else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const d = val - mean;
    variance += b.count * d * d;
  }
  return variance / h.count;
}

/** Go's FloatHistogram.String() (used by count_values on histograms). */
export function histogramString(h: FloatHistogram): string {
  const parts = [`{count:${goNum(h.count)}, sum:${goNum(h.sum)}`];
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    const zero = b.lower < 0 && b.upper > 0 && !isCustom(h);
    const open = zero ? '[' : b.lower < 0 && !isCustom(h) ? '[' : '(';
    const close = zero ? ']' : b.lower < 0 && !isCustom(h) ? ')' : ']';
    parts.push(`${open}${goNum(b.lower)},${goNum(b.upper)}${close}:${goNum(b.count)}`);
  }
  return `${parts.join(', ')}}`;
}

function goNum(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  const exp = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 21) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(v);
}

/** Exact equality of two histograms after compaction (Prometheus FloatHistogram.Equals). */
export function histEquals(a: FloatHistogram, b: FloatHistogram): boolean {
  if (
    a.schema !== b.schema ||
    a.count !== b.count ||
    a.sum !== b.sum ||
    a.zeroCount !== b.zeroCount ||
    a.zeroThreshold !== b.zeroThreshold
  )
    return false;
  const x = allBuckets(a);
  const y = allBuckets(b).filter((bk) => bk.count !== 0);
  const xs = x.filter((bk) => bk.count !== 0);
  return (
    xs.length === y.length &&
    xs.every((bk, i) => bk.lower === y[i]!.lower && bk.upper === y[i]!.upper && bk.count === y[i]!.count)
  );
}

/** Whether some observations are NaN: a NaN sum and fewer bucketed observations than the count. */
export function hasNaNObservations(h: FloatHistogram): boolean {
  if (!Number.isNaN(h.sum)) return false;
  let total = h.zeroCount;
  for (const b of h.positiveBuckets) total += b;
  for (const b of h.negativeBuckets) total += b;
  return total < h.count;
}
