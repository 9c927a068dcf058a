import {
  BadDataError,
  CanceledError,
  CortexError,
  ExecutionError,
  type FloatHistogram,
  type HistogramSample,
  InternalError,
  Labels,
  type Sample,
} from '../model/index.js';
import type { Querier, Queryable, SelectHints } from '../storage/index.js';
import type { Expr, MatrixSelector, TimeModifiers, VectorSelector } from './ast.js';
import { children, exprType, typeName } from './ast.js';
import { QueryContext } from './context.js';
import { Evaluator } from './evaluator.js';
import { evalDuration, parseExpr } from './parser.js';
import { RangeParamError } from './range-functions.js';
import { dropMetricName, type EvalValue, type SeriesOut } from './value.js';

export interface EngineOptions {
  lookbackDeltaMs?: number;
  maxSamples?: number;
  timeoutMs?: number;
  /** Injected time source for timeouts (defaults to Date.now). */
  now?: () => number;
}

export interface QueryOptions {
  signal?: AbortSignal;
  lookbackDeltaMs?: number;
  maxSamples?: number;
}

export type PromValue =
  | { type: 'scalar'; t: number; v: number }
  | { type: 'string'; t: number; v: string }
  | { type: 'vector'; samples: { labels: Labels; t: number; v?: number; h?: FloatHistogram }[] }
  | { type: 'matrix'; series: { labels: Labels; floats: Sample[]; histograms: HistogramSample[] }[] };

export interface QueryResult {
  value: PromValue;
  warnings: string[];
  infos: string[];
  stats: { samplesLoaded: number };
}

export const DEFAULT_LOOKBACK_MS = 5 * 60_000;
export const DEFAULT_MAX_SAMPLES = 50_000_000;
export const DEFAULT_TIMEOUT_MS = 2 * 60_000;
/** Prometheus rejects range queries with more points per series than this. */
export const MAX_RANGE_POINTS = 11_000;

/** The PromQL engine (Prometheus 3.x semantics). Stateless between queries; safe to share. */
export class Engine {
  private readonly lookback: number;
  private readonly maxSamples: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(opts: EngineOptions = {}) {
    this.lookback = opts.lookbackDeltaMs || DEFAULT_LOOKBACK_MS;
    this.maxSamples = opts.maxSamples ?? DEFAULT_MAX_SAMPLES;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = opts.now ?? Date.now;
  }

  async instantQuery(q: Queryable, query: string, timeMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
    return this.exec(q, parseExpr(query), query, timeMs, timeMs, 1, true, opts);
  }

  async rangeQuery(
    q: Queryable,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    const e = parseExpr(query);
    const t = exprType(e);
    if (t !== 'scalar' && t !== 'vector') {
      throw new BadDataError(
        `invalid expression type ${JSON.stringify(typeName(t))} for range query, must be Scalar or instant Vector`,
      );
    }
    if (!(stepMs > 0))
      throw new BadDataError('zero or negative query resolution step widths are not accepted. Try a positive integer');
    if (endMs < startMs) throw new BadDataError('end timestamp must not be before start time');
    if ((endMs - startMs) / stepMs > MAX_RANGE_POINTS) {
      throw new BadDataError(
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    return this.exec(q, e, query, startMs, endMs, stepMs, false, opts);
  }

  /** Evaluates an already parsed expression (the conformance runner rewrites ASTs). */
  async execExpr(
    q: Queryable,
    e: Expr,
    query: string,
    start: number,
    end: number,
    step: number,
    instant: boolean,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    return this.exec(q, e, query, start, end, step, instant, opts);
  }

  private async exec(
    q: Queryable,
    e: Expr,
    query: string,
    start: number,
    end: number,
    step: number,
    instant: boolean,
    opts: QueryOptions,
  ): Promise<QueryResult> {
    const lookback = opts.lookbackDeltaMs || this.lookback;
    const ctx = new QueryContext(
      query,
      opts.maxSamples ?? this.maxSamples,
      this.now() + this.timeoutMs,
      this.now,
      opts.signal,
      start,
      end,
      instant ? 0 : step,
    );
    ctx.checkNow();
    const ranges = selectorRanges(e, start, end, lookback, ctx);
    let mint = Number.POSITIVE_INFINITY;
    let maxt = Number.NEGATIVE_INFINITY;
    for (const r of ranges.values()) {
      mint = Math.min(mint, r.mint);
      maxt = Math.max(maxt, r.maxt);
    }
    let querier: Querier | undefined;
    try {
      if (ranges.size > 0) {
        querier = q.querier(mint, maxt);
        const qr = querier;
        await Promise.all(
          [...ranges].map(async ([vs, r]) => {
            const hints: SelectHints = {
              start: r.mint,
              end: r.maxt,
              step: instant ? undefined : step,
              range: r.range,
              func: r.func,
            };
            ctx.selected.set(vs, await qr.select(true, hints, vs.matchers, { signal: opts.signal }));
          }),
        );
      }
      ctx.checkNow();
      const ev = new Evaluator(ctx, start, end, instant ? 1 : step, lookback);
      const v = ev.eval(e);
      const value = instant ? toInstantValue(v, start) : toRangeValue(v, ev);
      return { value, warnings: [...ctx.warnings], infos: [...ctx.infos], stats: { samplesLoaded: ctx.samplesLoaded } };
    } catch (err) {
      if (err instanceof CortexError) throw err;
      if (err instanceof RangeParamError) throw new ExecutionError(err.message, { cause: err });
      if (opts.signal?.aborted) throw new CanceledError('query was canceled', { cause: err });
      if (err instanceof RangeError) throw new BadDataError('query is too complex to evaluate', { cause: err });
      throw new InternalError(`query evaluation failed: ${(err as Error).message}`, { cause: err });
    } finally {
      querier?.close();
    }
  }
}

interface SelRange {
  mint: number;
  maxt: number;
  range?: number;
  func?: string;
}

/** Data each selector needs, walking subqueries as Prometheus's getTimeRangesForSelector does. */
function selectorRanges(
  e: Expr,
  start: number,
  end: number,
  lookback: number,
  ctx: QueryContext,
): Map<VectorSelector, SelRange> {
  const out = new Map<VectorSelector, SelRange>();
  const dur = (d: NonNullable<TimeModifiers['offsetExpr']>) =>
    Math.round(
      (evalDuration(d, { step: ctx.queryStep / 1000, range: (ctx.queryEnd - ctx.queryStart) / 1000 }) ?? 0) * 1000,
    );
  const refs = (tm: TimeModifiers, s: number, en: number): [number, number] => {
    const off = tm.offsetExpr ? dur(tm.offsetExpr) : tm.offset;
    let a = s;
    let b = en;
    if (tm.timestamp !== undefined) a = b = tm.timestamp;
    else if (tm.startOrEnd) a = b = tm.startOrEnd === 'start' ? ctx.queryStart : ctx.queryEnd;
    return [a - off, b - off];
  };
  const walk = (x: Expr, s: number, en: number, func: string | undefined): void => {
    switch (x.type) {
      case 'VectorSelector': {
        const [a, b] = refs(x, s, en);
        out.set(x, { mint: a - lookback + 1, maxt: b + (x.smoothed ? lookback : 0), func });
        return;
      }
      case 'MatrixSelector': {
        const ms: MatrixSelector = x;
        const range = ms.rangeExpr ? dur(ms.rangeExpr) : ms.range;
        const [a, b] = refs(ms.vectorSelector, s, en);
        const vs = ms.vectorSelector;
        const ext = vs.anchored || vs.smoothed ? lookback : 0;
        out.set(vs, { mint: a - range - ext + 1, maxt: b + (vs.smoothed ? lookback : 0), range, func });
        return;
      }
      case 'SubqueryExpr': {
        const range = x.rangeExpr ? dur(x.rangeExpr) : x.range;
        const [a, b] = refs(x, s, en);
        walk(x.expr, a - range, b, undefined);
        return;
      }
      case 'Call':
        for (const c of x.args) walk(c, s, en, x.func.name);
        return;
      default:
        for (const c of children(x)) walk(c, s, en, undefined);
    }
  };
  walk(e, start, end, undefined);
  return out;
}

/** Applies delayed `__name__` removal and rejects duplicate label sets, as Prometheus does last. */
function finalizeSeries(series: SeriesOut[]): SeriesOut[] {
  const seen = new Map<string, SeriesOut>();
  const out: SeriesOut[] = [];
  for (const s of series) {
    if (s.t.length === 0) continue;
    const metric = s.dropName ? dropMetricName(s.metric) : s.metric;
    const key = metric.key();
    const prev = seen.get(key);
    if (prev) {
      // Same labels after dropping names: only an error if they overlap in time.
      const set = new Set(prev.t);
      if (s.t.some((t) => set.has(t))) throw new ExecutionError('vector cannot contain metrics with the same labelset');
      const merged = [
        ...prev.t.map((t, i) => [t, prev.f[i]!, prev.h?.[i]] as const),
        ...s.t.map((t, i) => [t, s.f[i]!, s.h?.[i]] as const),
      ];
      merged.sort((x, y) => x[0] - y[0]);
      prev.t = merged.map((m) => m[0]);
      prev.f = merged.map((m) => m[1]);
      prev.h = merged.some((m) => m[2]) ? merged.map((m) => m[2]) : undefined;
      continue;
    }
    const o: SeriesOut = { ...s, metric, dropName: false };
    seen.set(key, o);
    out.push(o);
  }
  return out;
}

function toInstantValue(v: EvalValue, t: number): PromValue {
  switch (v.kind) {
    case 'scalar':
      return { type: 'scalar', t, v: v.v[0]! };
    case 'string':
      return { type: 'string', t, v: v.v };
    case 'vector': {
      const series = finalizeSeries(v.series);
      return {
        type: 'vector',
        samples: series.map((s) => {
          const h = s.h?.[0];
          return h ? { labels: s.metric, t, h } : { labels: s.metric, t, v: s.f[0]! };
        }),
      };
    }
    case 'range':
      return toMatrix(finalizeSeries(v.series));
  }
}

function toRangeValue(v: EvalValue, ev: Evaluator): PromValue {
  switch (v.kind) {
    case 'scalar': {
      const floats: Sample[] = [];
      for (let i = 0; i < ev.steps; i++) floats.push({ t: ev.ts(i), v: v.v[i]! });
      return { type: 'matrix', series: [{ labels: Labels.EMPTY, floats, histograms: [] }] };
    }
    case 'vector':
      return toMatrix(finalizeSeries(v.series));
    default:
      throw new BadDataError(`invalid expression type for range query: ${v.kind}`);
  }
}

function toMatrix(series: SeriesOut[]): PromValue {
  const out = series.map((s) => {
    const floats: Sample[] = [];
    const histograms: HistogramSample[] = [];
    for (let i = 0; i < s.t.length; i++) {
      const h = s.h?.[i];
      if (h) histograms.push({ t: s.t[i]!, h });
      else floats.push({ t: s.t[i]!, v: s.f[i]! });
    }
    return { labels: s.metric, floats, histograms };
  });
  out.sort((a, b) => Labels.compare(a.labels, b.labels));
  return { type: 'matrix', series: out };
}
