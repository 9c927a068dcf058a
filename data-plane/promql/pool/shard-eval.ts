import {
  addHistogram,
  compactHistogram,
  copyHistogram,
  type FloatHistogram,
  HistogramIncompatibleSchemaError,
  kahanAddHistogram,
  Labels,
  mulHistogram,
} from '../../model/index.js';
import type { AggregateExpr, BinaryExpr, Expr } from '../ast.js';
import { parseExpr } from '../parser.js';
import { pushPoint, type SeriesOut } from '../value.js';

/**
 * The aggregations one shard evaluates for a sharded node: the node itself, except `avg`, which
 * becomes its sum and its count (an average of averages would weigh shards wrongly).
 */
export function partialsOf(node: AggregateExpr): AggregateExpr[] {
  // avg: each shard's mean and count (merged as a weighted mean, which cannot overflow where
  // sum / count would), and its sum for native histograms
  if (node.op === 'avg') return [node, { ...node, op: 'count' }, { ...node, op: 'sum' }];
  return [node];
}

/**
 * The average over every shard from each shard's average and count, group by group and step:
 * Σ avg_s × (count_s / Σ count), for native histograms too (scaled and Kahan-added, so a sum that
 * would overflow never arises, as in the unsharded mean). `warn` hears of a group whose shards
 * averaged floats in one place and histograms in another (no value, as unsharded).
 */
export function mergeAverages(
  avgs: readonly SeriesOut[],
  counts: readonly SeriesOut[],
  warn?: (msg: string) => void,
): SeriesOut[] | undefined {
  const total = new Map<string, Map<number, number>>();
  for (const c of counts) {
    const key = c.metric.key();
    let byT = total.get(key);
    if (!byT) total.set(key, (byT = new Map()));
    for (let i = 0; i < c.t.length; i++) byT.set(c.t[i]!, (byT.get(c.t[i]!) ?? 0) + c.f[i]!);
  }
  interface Acc {
    f: number;
    h?: FloatHistogram;
    c?: FloatHistogram;
    kinds: number;
    /** Counter-reset hints seen: 1 reset, 2 not_reset (both: the unsharded mean warns). */
    hints: number;
  }
  const out = new Map<string, { s: SeriesOut; acc: Map<number, Acc> }>();
  // a shard's avg and count series for a group are at the same position in their shard's lists,
  // but shards are concatenated: pair them by (group key, occurrence)
  const seen = new Map<string, number>();
  const countsByKey = new Map<string, SeriesOut[]>();
  for (const c of counts) {
    const key = c.metric.key();
    const list = countsByKey.get(key);
    if (list) list.push(c);
    else countsByKey.set(key, [c]);
  }
  for (const a of avgs) {
    const key = a.metric.key();
    const occ = seen.get(key) ?? 0;
    seen.set(key, occ + 1);
    const c = countsByKey.get(key)?.[occ];
    if (!c) return undefined;
    const cAt = new Map<number, number>();
    for (let i = 0; i < c.t.length; i++) cAt.set(c.t[i]!, c.f[i]!);
    let o = out.get(key);
    if (!o)
      out.set(key, (o = { s: { metric: a.metric, t: [], f: [], h: undefined, dropName: a.dropName }, acc: new Map() }));
    const tot = total.get(key)!;
    for (let i = 0; i < a.t.length; i++) {
      const t = a.t[i]!;
      const w = (cAt.get(t) ?? 0) / tot.get(t)!;
      let acc = o.acc.get(t);
      if (!acc) o.acc.set(t, (acc = { f: 0, kinds: 0, hints: 0 }));
      const h = a.h?.[i];
      acc.kinds |= h ? 2 : 1;
      if (!h) {
        acc.f += a.f[i]! * w;
        continue;
      }
      if (acc.kinds === 3) continue;
      if (h.counterResetHint === 'reset') acc.hints |= 1;
      else if (h.counterResetHint === 'not_reset') acc.hints |= 2;
      const term = mulHistogram(copyHistogram(h), w);
      if (!acc.h) acc.h = term;
      else {
        try {
          acc.c = kahanAddHistogram(acc.h, term, acc.c).c;
        } catch (err) {
          if (!(err instanceof HistogramIncompatibleSchemaError)) throw err;
          acc.kinds = 4;
          warn?.(
            `vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${JSON.stringify(a.metric.get('__name__'))}`,
          );
        }
      }
    }
  }
  return [...out.values()].map(({ s, acc }) => {
    s.t = [];
    s.f = [];
    for (const t of [...acc.keys()].sort((x, y) => x - y)) {
      const a = acc.get(t)!;
      if (a.kinds === 3) {
        warn?.('encountered a mix of histograms and floats for aggregation');
        continue;
      }
      if (a.kinds === 4) continue;
      if (a.hints === 3) warn?.('conflicting counter resets during histogram aggregation');
      if (a.h) {
        if (a.c) addHistogram(a.h, a.c);
        pushPoint(s, t, 0, compactHistogram(a.h));
      } else pushPoint(s, t, a.f, undefined);
    }
    return s;
  });
}

/** Vector matching of a plain `a / b`, as the parser builds it. */
const ONE_TO_ONE = (parseExpr('a / b') as BinaryExpr).vectorMatching;

/**
 * The expression that combines the shards' partials of `node` into its value. `inputs[i]` stands for
 * the union of every shard's partial i (the caller gives them values through `precomputed`).
 */
export function mergeExpr(node: AggregateExpr, inputs: Expr[]): Expr {
  switch (node.op) {
    case 'sum':
    case 'count':
      return { ...node, op: 'sum', expr: inputs[0]! };
    case 'avg': {
      // the histogram route: summed sums / summed counts (inputs: avg, count, sum partials)
      const div: BinaryExpr = {
        type: 'BinaryExpr',
        op: '/',
        lhs: { ...node, op: 'sum', expr: inputs[2]! },
        rhs: { ...node, op: 'sum', expr: inputs[1]! },
        matchingWritten: false,
        returnBool: false,
        pos: node.pos,
        opPos: node.pos.start,
      };
      if (ONE_TO_ONE) div.vectorMatching = ONE_TO_ONE;
      return div;
    }
    default:
      // min, max, group, topk, bottomk: the same aggregation over the partials
      return { ...node, expr: inputs[0]! };
  }
}

/**
 * A placeholder node: only its identity matters (evaluation finds its value in `precomputed`); it
 * stands where the aggregation's argument stood, so annotations point there as unsharded.
 */
export function placeholder(node: AggregateExpr): Expr {
  return { type: 'ParenExpr', expr: node.expr, pos: node.expr.pos };
}

/** Series of an evaluated vector, flattened for a transfer between threads. */
export interface EncodedSeriesList {
  flat: string[];
  labelEnds: Int32Array;
  /** End (exclusive) of series k's points in `t`/`f`. */
  ends: Int32Array;
  t: Float64Array;
  f: Float64Array;
  h: Map<number, FloatHistogram> | null;
  dropName: Uint8Array;
}

export function encodeSeriesList(series: readonly SeriesOut[]): EncodedSeriesList {
  let n = 0;
  for (const s of series) n += s.t.length;
  const out: EncodedSeriesList = {
    flat: [],
    labelEnds: new Int32Array(series.length),
    ends: new Int32Array(series.length),
    t: new Float64Array(n),
    f: new Float64Array(n),
    h: null,
    dropName: new Uint8Array(series.length),
  };
  let i = 0;
  series.forEach((s, k) => {
    for (const x of s.metric.flat) out.flat.push(x);
    out.labelEnds[k] = out.flat.length;
    out.dropName[k] = s.dropName ? 1 : 0;
    for (let j = 0; j < s.t.length; j++, i++) {
      out.t[i] = s.t[j]!;
      out.f[i] = s.f[j]!;
      const h = s.h?.[j];
      if (h !== undefined) (out.h ??= new Map()).set(i, h);
    }
    out.ends[k] = i;
  });
  return out;
}

export function decodeSeriesList(e: EncodedSeriesList, into: SeriesOut[]): void {
  let ls = 0;
  let ps = 0;
  for (let k = 0; k < e.ends.length; k++) {
    const s: SeriesOut = {
      metric: Labels.fromSortedFlat(e.flat.slice(ls, e.labelEnds[k]!)),
      t: Array.from(e.t.subarray(ps, e.ends[k]!)),
      f: Array.from(e.f.subarray(ps, e.ends[k]!)),
      h: undefined,
      dropName: e.dropName[k] === 1,
    };
    if (e.h) {
      for (let i = ps; i < e.ends[k]!; i++) {
        const h = e.h.get(i);
        if (h === undefined) continue;
        s.h ??= new Array(s.t.length);
        s.h[i - ps] = h;
      }
    }
    into.push(s);
    ls = e.labelEnds[k]!;
    ps = e.ends[k]!;
  }
}

export function seriesListBuffers(lists: readonly EncodedSeriesList[]): ArrayBuffer[] {
  return lists.flatMap((l) => [l.labelEnds, l.ends, l.t, l.f, l.dropName].map((a) => a.buffer as ArrayBuffer));
}
