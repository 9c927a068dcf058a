import { allBuckets, type FloatHistogram } from '../model/index.js';
import type { PromValue } from './engine.js';
import { formatApiFloat as formatFloat } from './format.js';

/**
 * The Prometheus API JSON shape of a native histogram (util/jsonutil MarshalHistogram): `count`,
 * `sum` and, when any bucket is populated, `buckets` from the lowest to the highest (AllBucketIterator,
 * empty buckets left out), each `[boundaries, lower, upper, count]` where boundaries is 0 (upper
 * inclusive), 1 (lower inclusive), 2 (both exclusive) or 3 (both inclusive).
 */
export function histogramToApi(h: FloatHistogram): { count: string; sum: string; buckets?: unknown[] } {
  const out: { count: string; sum: string; buckets?: unknown[] } = {
    count: formatFloat(h.count),
    sum: formatFloat(h.sum),
  };
  const buckets: unknown[] = [];
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    const boundaries = b.lowerInclusive ? (b.upperInclusive ? 3 : 1) : b.upperInclusive ? 0 : 2;
    buckets.push([boundaries, formatFloat(b.lower), formatFloat(b.upper), formatFloat(b.count)]);
  }
  if (buckets.length > 0) out.buckets = buckets;
  return out;
}

/**
 * The Prometheus HTTP API `data` object for a result: {resultType, result}, values as strings like
 * Go's strconv.FormatFloat(v,'f',-1,64) plus "+Inf"/"-Inf"/"NaN", timestamps as seconds (float).
 */
export function toApiData(value: PromValue): { resultType: string; result: unknown } {
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [value.t / 1000, formatFloat(value.v)] };
    case 'string':
      return { resultType: 'string', result: [value.t / 1000, value.v] };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.samples.map((s) =>
          s.h
            ? { metric: s.labels.toObject(), histogram: [s.t / 1000, histogramToApi(s.h)] }
            : { metric: s.labels.toObject(), value: [s.t / 1000, formatFloat(s.v ?? Number.NaN)] },
        ),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: value.series.map((s) => {
          const o: Record<string, unknown> = { metric: s.labels.toObject() };
          if (s.floats.length > 0) o.values = s.floats.map((p) => [p.t / 1000, formatFloat(p.v)]);
          if (s.histograms.length > 0) o.histograms = s.histograms.map((p) => [p.t / 1000, histogramToApi(p.h)]);
          return o;
        }),
      };
  }
}
