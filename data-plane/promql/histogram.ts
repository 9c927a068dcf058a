import {
  allBuckets,
  allBucketsReverse,
  type Bucket,
  type FloatHistogram,
  fractionBelow,
  kahanInc,
  usesCustomBuckets,
} from '../model/index.js';

/**
 * Native-histogram estimates PromQL functions make, as Prometheus makes them (promql/quantile.go,
 * histogram_stddev/stdvar): `nan` is told whether NaN observations (counted, in no bucket) affected
 * the answer, so the caller can say so.
 */

/** Prometheus HistogramQuantile; `nan('result')`/`nan('skew')` report NaN observations. */
export function nativeQuantile(q: number, h: FloatHistogram, nan: (kind: 'result' | 'skew') => void): number {
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  if (h.count === 0 || Number.isNaN(q)) return Number.NaN;
  const forward = Number.isNaN(h.sum) || q < 0.5;
  const buckets = forward ? allBuckets(h) : allBucketsReverse(h);
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let count = 0;
  let k = 0;
  let bucket: Bucket | undefined;
  for (; k < buckets.length; k++) {
    bucket = buckets[k]!;
    if (bucket.count === 0) continue;
    count += bucket.count;
    if (count >= rank) break;
  }
  // (the loop leaves the last bucket in hand when it runs out, an empty one when there is none)
  bucket = bucket
    ? { ...bucket }
    : { lower: 0, upper: 0, lowerInclusive: false, upperInclusive: false, count: 0, index: 0 };
  const custom = usesCustomBuckets(h);
  if (!custom && bucket.lower < 0 && bucket.upper > 0) {
    if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) bucket.lower = 0;
    else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) bucket.upper = 0;
  } else if (custom) {
    if (bucket.lower === Number.NEGATIVE_INFINITY) {
      if (bucket.upper <= 0) return bucket.upper;
      bucket.lower = 0;
    } else if (bucket.upper === Number.POSITIVE_INFINITY) return bucket.lower;
  }
  if (count > h.count) count = h.count;
  if (count < rank) {
    if (Number.isNaN(h.sum)) {
      nan('result');
      return Number.NaN;
    }
    return bucket.upper;
  }
  if (forward) rank -= count - bucket.count;
  else rank = count - rank;
  if (Number.isNaN(h.sum)) {
    for (k++; k < buckets.length; k++) count += buckets[k]!.count;
    if (count < h.count) nan('skew');
  }
  const fraction = rank / bucket.count;
  if (custom || (bucket.lower <= 0 && bucket.upper >= 0))
    return bucket.lower + (bucket.upper - bucket.lower) * fraction;
  const logLower = Math.log2(Math.abs(bucket.lower));
  const logUpper = Math.log2(Math.abs(bucket.upper));
  if (bucket.lower > 0) return 2 ** (logLower + (logUpper - logLower) * fraction);
  return -(2 ** (logUpper + (logLower - logUpper) * (1 - fraction)));
}

/** Prometheus HistogramFraction; `nan()` reports NaN observations left out of every fraction. */
export function nativeFraction(lower: number, upper: number, h: FloatHistogram, nan: () => void): number {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return Number.NaN;
  if (lower >= upper) return 0;
  const custom = usesCustomBuckets(h);
  const buckets = allBuckets(h);
  let count = 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  let k = 0;
  for (; k < buckets.length; k++) {
    const b = { ...buckets[k]! };
    count += b.count;
    let zero = false;
    const linear = (v: number) =>
      b.lower === Number.NEGATIVE_INFINITY ? b.count : rank + b.count * fractionBelow(b, v, true);
    const exponential = (v: number) => rank + b.count * fractionBelow(b, v, false);
    if (b.lower <= 0 && b.upper >= 0) {
      zero = true;
      if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) b.lower = 0;
      else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) b.upper = 0;
    }
    if (!lowerSet && b.lower >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && b.lower >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && b.lower < lower && b.upper > lower) {
      lowerRank = custom || zero ? linear(lower) : exponential(lower);
      lowerSet = true;
    }
    if (!upperSet && b.lower < upper && b.upper > upper) {
      upperRank = custom || zero ? linear(upper) : exponential(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank += b.count;
  }
  if (Number.isNaN(h.sum)) {
    for (k++; k < buckets.length; k++) count += buckets[k]!.count;
    if (count < h.count) nan();
  } else count = h.count;
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / h.count;
}

/** Estimated variance of the observations (Prometheus histogram_stdvar). */
export function nativeVariance(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  let variance = 0;
  let c = 0;
  const custom = usesCustomBuckets(h);
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    let val: number;
    if (custom) val = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const d = val - mean;
    [variance, c] = kahanInc(b.count * d * d, variance, c);
  }
  return (variance + c) / h.count;
}
