/**
 * The differences between our answers and Prometheus 2.42's that are not bugs: Prometheus 3.x
 * semantics (which our engine follows) against 2.42's, each with its reference, and where possible
 * checked rather than matched by pattern (a second oracle asked of Prometheus itself, or a comparison
 * that ignores only what is known to differ). An unexplained difference fails the run.
 */
import { type Answer, close, difference, normalize, valuesPerTime } from './compare.js';
import type { DiffQuery } from './queries.js';

/** Asks Prometheus 2.42 an instant query. */
export type AskInstant = (query: string, timeMs: number) => Promise<Answer>;

/** Why the difference is expected, or undefined when it is not explained. */
export async function explain(
  q: DiffQuery,
  diff: string,
  ours: Answer,
  theirs: Answer,
  askInstant: AskInstant,
): Promise<string | undefined> {
  const byPattern = explainByPattern(q, diff);
  if (byPattern !== undefined) return byPattern;
  // prometheus#11708, fixed in 2.51 by #13559: in a range query, 2.42 slides a range that `@` fixes
  // in time along with the steps, over the samples it fetched for the first step only, so from the
  // second step on predict_linear sees a shrinking window. Only predict_linear shows it (the one
  // function taking a range that is not step-invariant under `@`). 2.42's instant queries are right,
  // so our range answer must equal 2.42's instant answers at each step (start()/end() made explicit).
  if (q.kind === 'range' && /\bpredict_linear\s*\(/.test(q.query) && /@/.test(q.query)) {
    const stepwise = await instantsAsRange(q, askInstant);
    if (agree(ours, stepwise))
      return 'predict_linear over a range fixed by @ in a range query: 2.42 slides the window (prometheus#11708, fixed in 2.51 by #13559); equals 2.42 asked step by step';
  }
  // topk/bottomk keep, among equal values, whichever series the heap holds: 2.44 changed the heap
  // update (Fix instead of Pop+Push, and a NaN no longer replaces a NaN: prometheus#12190), and the
  // input order of an aggregation over a computed vector comes from a Go map in 2.42's range
  // evaluation (random per run). So only the series kept among ties may differ: at every
  // timestamp, the values (a multiset) must be the same.
  if (/\b(topk|bottomk)\s*(by|without|\()/.test(q.query) && sameValuesPerTime(ours, theirs))
    return 'topk/bottomk keeps another of series with equal values: heap update changed in 2.44 (prometheus#12190), input order from a Go map in 2.42';
  // The same slide (#11708) inside a subquery: its inner steps are a range evaluation in instant
  // queries too, so 2.42's instant answers carry it and cannot serve as the oracle; matched by
  // pattern (predict_linear over an `@` range, within a subquery), counted apart.
  if (/\bpredict_linear\s*\(/.test(q.query) && /@/.test(q.query) && /\[\d+[smh]:\d*[smh]?\]/.test(q.query))
    return 'predict_linear over an @ range inside a subquery: 2.42 slides the window (prometheus#11708, #13559), by pattern';
  // Go's math differs from V8's in the last bits where Go uses its own algorithms: Exp and Log in
  // amd64 assembly, Pow by repeated squaring of Frexp's fraction (measured against Prometheus 2.42:
  // exp 15% of inputs, ^ 57%, ln 0.1%, each by an ulp or two). Values compare within 1e-9 anyway;
  // count_values prints all 17 digits of a value into a label. So label values that are numbers may
  // differ within 1e-12 relative (≈ 4,500 ulp: room for Pow's error, which grows with the exponent).
  if (
    /\bcount_values\b/.test(q.query) &&
    /\b(ln|exp|log2|log10)\s*\(|\^/.test(q.query) &&
    sameUpToNumericLabels(ours, theirs)
  )
    return "count_values label of ln/exp/^: Go's Exp/Log/Pow against V8's last bits, within 1e-12";
  // stddev/stdvar of values near 1.7e9 (timestamps): Welford's update keeps about
  // -log10(ε·|mean|/σ) digits, and the order in which 2.42 feeds the series comes from a Go map
  // (its answers to the same query differ between runs). Bound: 16·ε·1.8e9/σ relative.
  if (/\bstd(dev|var)(_over_time)?\b/.test(q.query) && /\btimestamp\s*\(/.test(q.query)) {
    const m = / at [\d.]+: (\S+) vs (\S+)$/.exec(diff);
    if (m) {
      const [x, y] = [Number(m[1]), Number(m[2])];
      const sigma = /\bstdvar/.test(q.query) ? Math.sqrt(Math.min(x, y)) : Math.min(x, y);
      if (Math.abs(x - y) <= ((16 * 2 ** -52 * 1.8e9) / sigma) * Math.max(x, y))
        return 'stddev/stdvar of timestamps: Welford over values near 1.7e9, input order from a Go map in 2.42';
    }
  }
  // 2.47 (prometheus#12595) made atan2 drop the metric name like the other arithmetic operators;
  // 2.42 kept the left side's. The answers must agree once names are dropped.
  if (/\batan2\b/.test(q.query) && agree(mapAnswer(ours, dropName), mapAnswer(theirs, dropName)))
    return 'atan2 keeps the metric name in 2.42, drops it since 2.47 (prometheus#12595)';
  // Go's amd64 assembly Exp returns +Inf above 1023.5·ln 2 ≈ 709.436 (measured with 2.42:
  // exp(709.4361393031039) is 1.2711610061535065e308, exp(709.436139303104) +Inf), though e^x is
  // finite up to 709.78 (and Go's portable Exp, on arm64, says so). Ours gives the finite value.
  if (/\bexp\s*\(/.test(q.query) && agree(mapAnswer(ours, undefined, goExpOverflow), theirs))
    return "exp above 709.436: +Inf from Go's amd64 assembly Exp, finite in ours (and e^x)";
  return undefined;
}

/** Both answers are successes (no duplicate series either) and agree. */
function agree(a: Answer, b: Answer): boolean {
  return normalize(a).error === undefined && normalize(b).error === undefined && difference(a, b) === undefined;
}

/** Values Go's amd64 Exp overflows to +Inf (and their negatives), as it would answer them. */
function goExpOverflow(v: string): string {
  const x = Number(v);
  return Number.isFinite(x) && Math.abs(x) > 1.2711610061535065e308 ? (x > 0 ? '+Inf' : '-Inf') : v;
}

function dropName(m: Record<string, string>): Record<string, string> {
  const { __name__: _, ...rest } = m;
  return rest;
}

/** A successful answer with its label sets and values mapped; other answers as they are. */
export function mapAnswer(
  a: Answer,
  labels?: (m: Record<string, string>) => Record<string, string>,
  value?: (v: string) => string,
): Answer {
  if (a.status !== 200) return a;
  const body = JSON.parse(a.text) as {
    data?: {
      resultType: string;
      result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
    };
  };
  if (body.data?.resultType !== 'vector' && body.data?.resultType !== 'matrix') return a;
  const v = value ?? ((x: string) => x);
  const l = labels ?? ((m: Record<string, string>) => m);
  body.data.result = body.data.result.map((s) => ({
    metric: l(s.metric),
    ...(s.value ? { value: [s.value[0], v(s.value[1])] as [number, string] } : {}),
    ...(s.values ? { values: s.values.map(([t, x]) => [t, v(x)] as [number, string]) } : {}),
  }));
  return { status: a.status, text: JSON.stringify(body) };
}

function explainByPattern(q: DiffQuery, diff: string): string | undefined {
  // prometheus/prometheus#14941 (3.0): a stddev/stdvar group whose only sample is NaN or ±Inf is NaN;
  // 2.x answered 0 (and NaN as soon as the group had two samples).
  if (/\b(stddev|stdvar) *(by|without|\()/.test(q.query) && / NaN vs (0|-?\d+(\.\d+)?(e[+-]?\d+)?)$/.test(diff))
    return 'stddev/stdvar of a lone NaN/Inf sample: NaN in 3.x, 0 in 2.x (prometheus#14941)';
  // `x % m` turns a last-bit difference of a mean into a visible one (0.5 % 0.5 = 0, but
  // 0.49999999999999994 % 0.5 = 0.4999…): 3.x averages with Kahan compensation and a direct mean
  if (/%/.test(q.query) && /\b(avg|avg_over_time)\b/.test(q.query) && / at [\d.]+: /.test(diff))
    return 'a mean differing in its last bit, amplified by %: Kahan summation and direct mean in 3.x (prometheus#14413, #16773)';
  // 3.x refuses a one-to-one match group with two series even when a comparison would filter them
  // out (promqltest testdata operators.test, "Check 0 series surviving the filtering producing an
  // error"); 2.42 checked after the filter
  if (/only ours fails: 422 multiple matches for labels: many-to-one/.test(diff))
    return 'one-to-one duplicates refused before the comparison filter in 3.x (promqltest operators.test)';
  // count_values turns a value into a label: the last digits of a sum or mean differ where 3.x adds
  // with Kahan compensation and takes the mean directly (prometheus#14074, #14413, #16773); 2.42 adds
  // plainly and takes an incremental mean
  if (/\bcount_values\b/.test(q.query) && /\b(avg|sum|stddev|stdvar)/.test(q.query) && /\["value",/.test(diff))
    return 'count_values label of a sum/mean: Kahan summation in 3.x (prometheus#14074, #14413, #16773)';
  return undefined;
}

/** The range query answered as one instant query per step, assembled into a matrix answer. */
export async function instantsAsRange(q: DiffQuery, askInstant: AskInstant): Promise<Answer> {
  const startS = (q.time / 1000).toFixed(3);
  const endS = ((q.time + (q.points - 1) * q.stepS * 1000) / 1000).toFixed(3);
  // in an instant query start() and end() are the evaluation time: make the range's explicit
  const query = q.query.replaceAll('start()', startS).replaceAll('end()', endS);
  const series = new Map<string, { metric: Record<string, string>; values: [number, string][] }>();
  for (let i = 0; i < q.points; i++) {
    const t = q.time + i * q.stepS * 1000;
    const a = await askInstant(query, t);
    if (a.status !== 200) return a;
    const body = JSON.parse(a.text) as {
      data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.data.resultType !== 'vector') return a;
    for (const s of body.data.result) {
      const key = JSON.stringify(Object.entries(s.metric).sort((x, y) => (x[0] < y[0] ? -1 : 1)));
      let out = series.get(key);
      if (!out) series.set(key, (out = { metric: s.metric, values: [] }));
      out.values.push(s.value);
    }
  }
  return {
    status: 200,
    text: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [...series.values()] } }),
  };
}

/** Whether both answers hold, at every timestamp, the same values (labels aside). */
export function sameValuesPerTime(a: Answer, b: Answer): boolean {
  const x = valuesPerTime(a);
  const y = valuesPerTime(b);
  if (x === undefined || y === undefined || x.size !== y.size) return false;
  for (const [t, xs] of x) {
    const ys = y.get(t);
    if (ys?.length !== xs.length) return false;
    if (!xs.every((v, i) => close(v, ys[i]!))) return false;
  }
  return true;
}

/**
 * Whether the answers agree when label values that are numbers may differ by 1e-12 relative: each
 * series of one answer pairs with one of the other whose labels are the same but for such values,
 * with the same points.
 */
export function sameUpToNumericLabels(a: Answer, b: Answer): boolean {
  const x = normalize(a);
  const y = normalize(b);
  if (x.error !== undefined || y.error !== undefined || x.series.size !== y.series.size) return false;
  const nearLabels = (k1: string, k2: string) => {
    const l1 = JSON.parse(k1) as [string, string][];
    const l2 = JSON.parse(k2) as [string, string][];
    return (
      l1.length === l2.length &&
      l1.every(([n, v], i) => {
        const [n2, v2] = l2[i]!;
        if (n !== n2) return false;
        if (v === v2) return true;
        const [p, q] = [Number(v), Number(v2)];
        return (
          Number.isFinite(p) && Number.isFinite(q) && Math.abs(p - q) <= 1e-12 * Math.max(Math.abs(p), Math.abs(q))
        );
      })
    );
  };
  const unused = new Set(y.series.keys());
  for (const [k, xs] of x.series) {
    const match = [...unused].find((k2) => {
      const ys = y.series.get(k2)!;
      return (
        nearLabels(k, k2) && ys.length === xs.length && xs.every(([t, v], i) => t === ys[i]![0] && close(v, ys[i]![1]))
      );
    });
    if (match === undefined) return false;
    unused.delete(match);
  }
  return true;
}
