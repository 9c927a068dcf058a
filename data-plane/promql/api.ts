import type { FloatHistogram } from '../model/index.js';
import type { PromValue } from './engine.js';
import { formatFloat } from './format.js';

/** Bucket boundaries of a native histogram bucket index for a schema (Prometheus getBound). */
function bound(schema: number, idx: number, custom: number[] | undefined): number {
  if (schema === -53) {
    if (!custom) return Number.NaN;
    return idx >= custom.length ? Number.POSITIVE_INFINITY : idx < 0 ? Number.NEGATIVE_INFINITY : custom[idx]!;
  }
  return 2 ** (idx * 2 ** -schema);
}

/** The Prometheus API JSON shape of a native histogram (`count`, `sum`, `buckets`). */
export function histogramToApi(h: FloatHistogram): { count: string; sum: string; buckets?: unknown[] } {
  const buckets: unknown[] = [];
  const custom = h.schema === -53;
  // negative buckets, highest magnitude first
  const neg: unknown[] = [];
  let idx = 0;
  let bi = 0;
  for (const sp of h.negativeSpans) {
    idx += sp.offset;
    for (let k = 0; k < sp.length; k++, idx++, bi++) {
      const c = h.negativeBuckets[bi] ?? 0;
      if (c !== 0)
        neg.push([
          0,
          formatFloat(-bound(h.schema, idx, h.customValues)),
          formatFloat(-bound(h.schema, idx - 1, h.customValues)),
          formatFloat(c),
        ]);
    }
  }
  buckets.push(...neg.reverse());
  if (h.zeroCount !== 0)
    buckets.push([3, formatFloat(-h.zeroThreshold), formatFloat(h.zeroThreshold), formatFloat(h.zeroCount)]);
  idx = 0;
  bi = 0;
  for (const sp of h.positiveSpans) {
    idx += sp.offset;
    for (let k = 0; k < sp.length; k++, idx++, bi++) {
      const c = h.positiveBuckets[bi] ?? 0;
      if (c === 0) continue;
      const lo = custom ? bound(h.schema, idx - 1, h.customValues) : bound(h.schema, idx - 1, undefined);
      const hi = bound(h.schema, idx, h.customValues);
      buckets.push([custom && idx === 0 ? 0 : 0, formatFloat(lo), formatFloat(hi), formatFloat(c)]);
    }
  }
  const out: { count: string; sum: string; buckets?: unknown[] } = {
    count: formatFloat(h.count),
    sum: formatFloat(h.sum),
  };
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
