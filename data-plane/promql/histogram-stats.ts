import { detectReset, type FloatHistogram, isStaleNaN } from '../model/index.js';
import { children, type Expr } from './ast.js';
import type { SampleBuf } from './buffer.js';

/**
 * Prometheus reads the histograms of a selector whose only consumers are histogram_count(),
 * histogram_sum() or histogram_avg() through a HistogramStatsIterator: count and sum only, no
 * buckets, and with counter-reset hints worked out while iterating (a sample whose stored hint is
 * unknown gets `reset` or `not_reset` against the previous sample the same iterator read). This
 * module reproduces both: which selectors are read that way, and the hints they then carry.
 */

/** Marks the selectors Prometheus reads bucket-less (its detectHistogramStatsDecoding). */
export function markHistogramStatsSelectors(e: Expr): void {
  const path: Expr[] = [];
  const visit = (x: Expr): void => {
    if (x.type === 'VectorSelector') {
      let skip = false;
      for (let i = path.length - 1; i >= 0; i--) {
        const p = path[i]!;
        if (p.type === 'SubqueryExpr') {
          skip = false;
          break;
        }
        if (p.type === 'Call') {
          const n = p.func.name;
          if (n === 'histogram_count' || n === 'histogram_sum' || n === 'histogram_avg') skip = true;
          else if (n === 'histogram_quantile' || n === 'histogram_quantiles' || n === 'histogram_fraction') {
            skip = false;
            break;
          }
        } else if (p.type === 'BinaryExpr' && (p.op === '</' || p.op === '>/')) {
          skip = false;
          break;
        }
      }
      x.skipHistogramBuckets = skip;
      return;
    }
    path.push(x);
    for (const c of children(x)) visit(c);
    path.pop();
  };
  visit(e);
}

/** Where an iterator is sought to (`t0`) and read up to (`r`) at one step. */
export interface SeekStep {
  t0: number;
  r: number;
}

/**
 * Replaces the histograms in `buf` (all samples the select returned, in time order) by their
 * count-and-sum-only form with the hints a HistogramStatsIterator gives them, for the given
 * sequence of seeks. Prometheus's buffered iterators seek (forgetting the previous sample) only
 * when the target lies beyond the sample they stand on; otherwise they read on sample by sample.
 */
export function toHistogramStats(buf: SampleBuf, steps: Iterable<SeekStep>): void {
  const h = buf.h;
  const n = buf.n;
  if (!h || n === 0) return;
  const t = buf.t;
  const runStart = new Uint8Array(n);
  runStart[0] = 1;
  let cur = 0;
  let lastTime = Number.NEGATIVE_INFINITY;
  for (const { t0, r } of steps) {
    if (cur >= n) break;
    if (t0 > lastTime) {
      if (t0 > t[cur]!) {
        while (cur < n && t[cur]! < t0) cur++;
        if (cur >= n) break;
        runStart[cur] = 1;
      }
      lastTime = t[cur]!;
    }
    while (lastTime < r) {
      cur++;
      if (cur >= n) break;
      lastTime = t[cur]!;
    }
  }
  let prev: FloatHistogram | undefined;
  for (let j = 0; j < n; j++) {
    const x = h[j];
    if (runStart[j]) prev = undefined;
    if (!x) continue;
    let hint = x.counterResetHint;
    const stale = isStaleNaN(x.sum);
    if (!stale && hint === 'unknown' && prev) hint = detectReset(x, prev) ? 'reset' : 'not_reset';
    h[j] = {
      counterResetHint: hint,
      schema: x.schema,
      zeroThreshold: 0,
      zeroCount: 0,
      count: x.count,
      sum: x.sum,
      positiveSpans: [],
      positiveBuckets: [],
      negativeSpans: [],
      negativeBuckets: [],
    };
    if (!stale) prev = x;
  }
}
