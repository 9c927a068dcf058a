/**
 * Compares two Prometheus query API responses (`{status, data: {resultType, result}}`): the same
 * result type, the same series (label sets exactly, any order), the same timestamps, and values equal
 * within a relative tolerance (NaN = NaN, ±Inf exactly). Matrices are converted to typed arrays
 * series by series, so a 100 MB response is parsed once and then dropped.
 */

interface Canon {
  resultType: string;
  /** key (sorted label pairs) → timestamps (s) and values */
  series: Map<string, { t: Float64Array; v: Float64Array }>;
}

type ApiSample = [number, string];
/** A native histogram point; compared by its count and sum. */
type ApiHistogram = [number, { count: string; sum: string }];
interface ApiSeries {
  metric: Record<string, string>;
  value?: ApiSample;
  values?: ApiSample[];
  histogram?: ApiHistogram;
  histograms?: ApiHistogram[];
}
interface ApiBody {
  status: string;
  error?: string;
  data?: {
    resultType: string;
    result: ApiSeries[] | ApiSample;
  };
}

export function seriesKey(metric: Record<string, string>): string {
  return JSON.stringify(Object.entries(metric).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

function toCanon(body: Buffer): Canon {
  const parsed = JSON.parse(body.toString('utf8')) as ApiBody;
  if (parsed.status !== 'success' || !parsed.data) throw new Error(`status ${parsed.status}: ${parsed.error}`);
  const { resultType, result } = parsed.data;
  const series = new Map<string, { t: Float64Array; v: Float64Array }>();
  const pts = (ps: ApiSample[]) => {
    const t = new Float64Array(ps.length);
    const v = new Float64Array(ps.length);
    for (let i = 0; i < ps.length; i++) {
      t[i] = ps[i]![0];
      v[i] = Number(ps[i]![1]);
    }
    return { t, v };
  };
  if (resultType === 'scalar' || resultType === 'string') {
    series.set('', pts([result as ApiSample]));
  } else {
    for (const r of result as ApiSeries[]) {
      const key = seriesKey(r.metric);
      if (series.has(key)) throw new Error(`duplicate series ${key}`);
      series.set(key, pts(r.values ?? (r.value ? [r.value] : [])));
      // Histogram points: their count and their sum as two more pseudo-series of the same key.
      const hs = r.histograms ?? (r.histogram ? [r.histogram] : []);
      if (hs.length > 0) {
        series.set(`${key} count`, pts(hs.map(([t, h]) => [t, h.count] as ApiSample)));
        series.set(`${key} sum`, pts(hs.map(([t, h]) => [t, h.sum] as ApiSample)));
      }
    }
  }
  return { resultType, series };
}

export interface Comparison {
  match: boolean;
  /** Series in the result (of the first body). */
  series: number;
  points: number;
  /** Largest relative difference of two matched values. */
  maxRelDiff: number;
  /** What differs first, for the report. */
  detail: string;
}

export function compareBodies(a: Buffer, b: Buffer, relTol = 1e-6): Comparison {
  let x: Canon;
  let y: Canon;
  try {
    x = toCanon(a);
  } catch (err) {
    return { match: false, series: 0, points: 0, maxRelDiff: Number.NaN, detail: `ours: ${(err as Error).message}` };
  }
  try {
    y = toCanon(b);
  } catch (err) {
    return {
      match: false,
      series: 0,
      points: 0,
      maxRelDiff: Number.NaN,
      detail: `prometheus: ${(err as Error).message}`,
    };
  }
  let points = 0;
  for (const s of x.series.values()) points += s.t.length;
  const res: Comparison = { match: true, series: x.series.size, points, maxRelDiff: 0, detail: '' };
  const fail = (d: string) => {
    if (res.match) res.detail = d;
    res.match = false;
  };
  if (x.resultType !== y.resultType) fail(`result type ${x.resultType} vs ${y.resultType}`);
  let onlyA = 0;
  let onlyB = 0;
  let firstOnlyA = '';
  let firstOnlyB = '';
  for (const k of x.series.keys()) {
    if (!y.series.has(k)) {
      onlyA++;
      firstOnlyA ||= k;
    }
  }
  for (const k of y.series.keys()) {
    if (!x.series.has(k)) {
      onlyB++;
      firstOnlyB ||= k;
    }
  }
  if (onlyA > 0 || onlyB > 0)
    fail(`${onlyA} series only in ours (e.g. ${firstOnlyA}), ${onlyB} only in Prometheus (e.g. ${firstOnlyB})`);
  let valueDiffs = 0;
  for (const [k, sa] of x.series) {
    const sb = y.series.get(k);
    if (!sb) continue;
    if (sa.t.length !== sb.t.length) {
      // find the first timestamp that differs
      let i = 0;
      while (i < Math.min(sa.t.length, sb.t.length) && sa.t[i] === sb.t[i]) i++;
      fail(
        `${k}: ${sa.t.length} points vs ${sb.t.length} (first difference at index ${i}: t=${sa.t[i]} vs ${sb.t[i]})`,
      );
      continue;
    }
    for (let i = 0; i < sa.t.length; i++) {
      if (Math.abs(sa.t[i]! - sb.t[i]!) > 1e-6) {
        fail(`${k}: timestamp ${sa.t[i]} vs ${sb.t[i]}`);
        break;
      }
      const u = sa.v[i]!;
      const v = sb.v[i]!;
      if (u === v || (Number.isNaN(u) && Number.isNaN(v))) continue;
      const rel = Math.abs(u - v) / Math.max(Math.abs(u), Math.abs(v));
      if (!Number.isFinite(rel) || rel > relTol) {
        valueDiffs++;
        fail(`${k} at t=${sa.t[i]}: ${u} vs ${v}`);
      } else if (rel > res.maxRelDiff) res.maxRelDiff = rel;
    }
  }
  if (valueDiffs > 1) res.detail += ` (${valueDiffs} values differ)`;
  return res;
}
