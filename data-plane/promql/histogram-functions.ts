import { type FloatHistogram, Labels } from '../model/index.js';
import { type Call, type Expr, exprType } from './ast.js';
import type { Evaluation as Evaluator } from './eval-api.js';
import { formatG } from './format.js';
import { nativeFraction, nativeQuantile } from './histogram.js';
import { newSeries, pushPoint, type SeriesOut } from './value.js';

interface Bucket {
  upper: number;
  count: number;
}

const EPS_SMALL_DELTA = 1e-12;

/** The instant-vector argument (annotation position for bucket problems). */
function vectorArg(call: Call): Expr {
  return call.args.find((a) => exprType(a) === 'vector') ?? call.args[0]!;
}

/** Prometheus warns about an out-of-range quantile even when there is no input. */
function checkQuantile(ev: Evaluator, q: Float64Array, qArg: Expr): void {
  for (const qv of q) {
    if (Number.isNaN(qv) || qv < 0 || qv > 1) {
      ev.ctx.warn(`quantile value should be between 0 and 1, got ${formatG(qv)}`, qArg.pos);
      return;
    }
  }
}

interface BucketGroup {
  metric: Labels;
  members: { s: SeriesOut; upper: number; pos: number }[];
  out: SeriesOut;
}

/** Groups classic `le` bucket series by their labels without `le` (name kept; dropped later). */
function groupBuckets(ev: Evaluator, call: Call, series: SeriesOut[]): BucketGroup[] {
  const groups = new Map<string, BucketGroup>();
  for (const s of series) {
    const le = s.metric.get('le');
    const upper = parseLe(le);
    if (Number.isNaN(upper)) {
      if (s.f.length > 0 && (!s.h || s.h.some((h) => h === undefined))) {
        ev.ctx.warn(
          `bucket label "le" is missing or has a malformed value of ${JSON.stringify(le)} for metric name ${JSON.stringify(s.metric.get('__name__'))}`,
          vectorArg(call).pos,
        );
      }
      continue;
    }
    const metric = s.metric.without(['le']);
    const key = metric.key();
    let g = groups.get(key);
    if (!g) {
      g = { metric, members: [], out: newSeries(metric, true) };
      groups.set(key, g);
    }
    g.members.push({ s, upper, pos: 0 });
  }
  return [...groups.values()];
}

function parseLe(le: string): number {
  if (le === '') return Number.NaN;
  const l = le.toLowerCase();
  if (l === '+inf' || l === 'inf') return Number.POSITIVE_INFINITY;
  if (l === '-inf') return Number.NEGATIVE_INFINITY;
  if (l === 'nan') return Number.NaN;
  const v = Number(le);
  return v;
}

/** Runs `fn` per group and step over the float buckets present at that step. */
function perStep(
  ev: Evaluator,
  groups: BucketGroup[],
  fn: (g: BucketGroup, buckets: Bucket[], step: number) => number | undefined,
): SeriesOut[] {
  const out: SeriesOut[] = [];
  for (const g of groups) {
    for (let i = 0; i < ev.steps; i++) {
      const t = ev.ts(i);
      const buckets: Bucket[] = [];
      for (const m of g.members) {
        const s = m.s;
        while (m.pos < s.t.length && s.t[m.pos]! < t) m.pos++;
        if (m.pos < s.t.length && s.t[m.pos] === t && !s.h?.[m.pos])
          buckets.push({ upper: m.upper, count: s.f[m.pos]! });
      }
      if (buckets.length === 0) continue;
      const r = fn(g, buckets, i);
      if (r !== undefined) pushPoint(g.out, t, r, undefined);
    }
    if (g.out.t.length > 0) out.push(g.out);
  }
  return out;
}

function prepare(buckets: Bucket[]): { buckets: Bucket[]; forcedMonotonic: boolean } {
  buckets.sort((a, b) => a.upper - b.upper);
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && last.upper === b.upper) last.count += b.count;
    else merged.push({ ...b });
  }
  let forcedMonotonic = false;
  let prev = merged[0]?.count ?? 0;
  for (let i = 1; i < merged.length; i++) {
    const cur = merged[i]!.count;
    if (cur === prev) continue;
    if (Math.abs(cur - prev) <= EPS_SMALL_DELTA * Math.max(Math.abs(cur), Math.abs(prev))) {
      merged[i]!.count = prev;
      continue;
    }
    if (cur < prev) {
      merged[i]!.count = prev;
      forcedMonotonic = true;
      continue;
    }
    prev = cur;
  }
  return { buckets: merged, forcedMonotonic };
}

/** Prometheus's bucketQuantile over classic buckets. */
export function bucketQuantile(q: number, raw: Bucket[]): { v: number; forcedMonotonic: boolean } {
  if (Number.isNaN(q)) return { v: Number.NaN, forcedMonotonic: false };
  if (q < 0) return { v: Number.NEGATIVE_INFINITY, forcedMonotonic: false };
  if (q > 1) return { v: Number.POSITIVE_INFINITY, forcedMonotonic: false };
  raw.sort((a, b) => a.upper - b.upper);
  if (raw[raw.length - 1]!.upper !== Number.POSITIVE_INFINITY) return { v: Number.NaN, forcedMonotonic: false };
  const { buckets, forcedMonotonic } = prepare(raw);
  if (buckets.length < 2) return { v: Number.NaN, forcedMonotonic };
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return { v: Number.NaN, forcedMonotonic };
  let rank = q * observations;
  let b = 0;
  while (b < buckets.length - 1 && !(buckets[b]!.count >= rank)) b++;
  if (b === buckets.length - 1) return { v: buckets[buckets.length - 2]!.upper, forcedMonotonic };
  if (b === 0 && buckets[0]!.upper <= 0) return { v: buckets[0]!.upper, forcedMonotonic };
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upper;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upper;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return { v: bucketStart + (bucketEnd - bucketStart) * (rank / count), forcedMonotonic };
}

export function histogramQuantile(
  ev: Evaluator,
  call: Call,
  q: Float64Array,
  series: SeriesOut[],
  qArg: Expr = call.args[0]!,
): SeriesOut[] {
  checkQuantile(ev, q, qArg);
  const groups = groupBuckets(ev, call, series);
  const native = nativeQuantiles(ev, call, q, series, qArg);
  return dropMixed(ev, call, native, [
    ...perStep(ev, groups, (g, buckets, i) => {
      const qv = q[i]!;
      if (Number.isNaN(qv) || qv < 0 || qv > 1) {
        ev.ctx.warn(`quantile value should be between 0 and 1, got ${formatG(qv)}`, qArg.pos);
      }
      const r = bucketQuantile(qv, buckets);
      if (r.forcedMonotonic) {
        ev.ctx.info(
          `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name ${JSON.stringify(g.metric.get('__name__'))}`,
          vectorArg(call).pos,
        );
      }
      return r.v;
    }),
  ]);
}

/**
 * A group fed by both classic buckets and native histograms has no result (Prometheus warns
 * "vector contains a mix of classic and native histograms").
 */
function dropMixed(ev: Evaluator, call: Call, native: SeriesOut[], classic: SeriesOut[]): SeriesOut[] {
  const nk = new Set(native.map((s) => s.metric.key()));
  const mixed = new Set(classic.filter((s) => nk.has(s.metric.key())).map((s) => s.metric.key()));
  for (const s of classic) {
    if (mixed.has(s.metric.key())) {
      ev.ctx.warn(
        `vector contains a mix of classic and native histograms for metric name ${JSON.stringify(s.metric.get('__name__'))}`,
        vectorArg(call).pos,
      );
    }
  }
  return [...native, ...classic].filter((s) => !mixed.has(s.metric.key()));
}

/** Applies `fn` to every native histogram point (name dropped later). */
function perNative(
  ev: Evaluator,
  series: SeriesOut[],
  fn: (h: FloatHistogram, step: number, name: string) => number,
): SeriesOut[] {
  const out: SeriesOut[] = [];
  for (const s of series) {
    if (!s.h) continue;
    const o = newSeries(s.metric, true);
    for (let i = 0; i < s.t.length; i++) {
      const h = s.h[i];
      if (h) pushPoint(o, s.t[i]!, fn(h, ev.stepIndex(s.t[i]!), s.metric.get('__name__')), undefined);
    }
    if (o.t.length > 0) out.push(o);
  }
  return out;
}

function nativeQuantiles(ev: Evaluator, _call: Call, q: Float64Array, series: SeriesOut[], qArg: Expr): SeriesOut[] {
  return perNative(ev, series, (h, k, name) => {
    const qv = q[k]!;
    if (Number.isNaN(qv) || qv < 0 || qv > 1) {
      ev.ctx.warn(`quantile value should be between 0 and 1, got ${formatG(qv)}`, qArg.pos);
    }
    return nativeQuantile(qv, h, (kind) =>
      ev.ctx.info(
        `input to histogram_quantile has NaN observations, result is ${kind === 'result' ? 'NaN' : 'skewed higher'}${forName(name)}`,
        vectorArg(_call).pos,
      ),
    );
  });
}

/** Prometheus appends the metric name to some annotations when there is one. */
function forName(name: string): string {
  return name === '' ? '' : ` for metric name ${JSON.stringify(name)}`;
}

/** Interpolated cumulative count at `v` over prepared classic buckets. */
function rankAt(buckets: Bucket[], v: number): number {
  if (v === Number.NEGATIVE_INFINITY) return 0;
  let prevUpper = Number.NEGATIVE_INFINITY;
  let prevCount = 0;
  for (const b of buckets) {
    if (v <= b.upper) {
      if (b.upper === Number.POSITIVE_INFINITY) {
        return v === Number.POSITIVE_INFINITY ? b.count : prevCount;
      }
      let lower = prevUpper;
      if (lower === Number.NEGATIVE_INFINITY) {
        // no interpolation in an infinitely wide first bucket
        if (b.upper <= 0) return b.count;
        lower = 0;
      }
      if (v <= lower) return prevCount;
      const frac = (v - lower) / (b.upper - lower);
      return prevCount + (b.count - prevCount) * frac;
    }
    prevUpper = b.upper;
    prevCount = b.count;
  }
  return prevCount;
}

export function histogramFraction(
  ev: Evaluator,
  call: Call,
  lower: Float64Array,
  upper: Float64Array,
  series: SeriesOut[],
): SeriesOut[] {
  const groups = groupBuckets(ev, call, series);
  const native = perNative(ev, series, (h, k, name) =>
    nativeFraction(lower[k]!, upper[k]!, h, () =>
      ev.ctx.info(
        `input to histogram_fraction has NaN observations, which are excluded from all fractions${forName(name)}`,
        vectorArg(call).pos,
      ),
    ),
  );
  return dropMixed(
    ev,
    call,
    native,
    perStep(ev, groups, (_g, raw, i) => {
      const lo = lower[i]!;
      const hi = upper[i]!;
      raw.sort((a, b) => a.upper - b.upper);
      if (raw[raw.length - 1]!.upper !== Number.POSITIVE_INFINITY) return Number.NaN;
      const { buckets } = prepare(raw);
      const total = buckets[buckets.length - 1]!.count;
      if (Number.isNaN(lo) || Number.isNaN(hi) || total === 0) return Number.NaN;
      if (lo >= hi) return 0;
      return (rankAt(buckets, hi) - rankAt(buckets, lo)) / total;
    }),
  );
}

export { Labels };
