import {
  BadDataError,
  CortexError,
  ExecutionError,
  type FloatHistogram,
  type HistogramSample,
  InternalError,
  Labels,
  type Sample,
  TimeoutError,
} from '../model/index.js';
import type { Querier, Queryable, SelectHints, Series } from '../storage/index.js';
import type { Expr, MatrixSelector, SubqueryExpr, TimeModifiers, VectorSelector } from './ast.js';
import { children, exprType, typeName } from './ast.js';
import { abortError, type CancelSignal, QueryContext } from './context.js';
import { DEFAULT_SUBQUERY_STEP_MS, Evaluator } from './evaluator.js';
import { markHistogramStatsSelectors } from './histogram-stats.js';
import { infoSelector } from './info.js';
import { evalDuration, parseExpr } from './parser.js';
import { exprString } from './printer.js';
import { RangeParamError } from './range-functions.js';
import { dropMetricName, type EvalValue, type SeriesOut } from './value.js';

export interface EngineOptions {
  lookbackDeltaMs?: number;
  maxSamples?: number;
  timeoutMs?: number;
  /** Default cap on points per series of one subquery evaluation (0 = none). */
  maxSubquerySteps?: number;
  /** Injected time source for timeouts (defaults to Date.now). */
  now?: () => number;
}

export interface QueryOptions {
  signal?: CancelSignal;
  lookbackDeltaMs?: number;
  maxSamples?: number;
  /** This query's timeout; the engine's own timeout still caps it. */
  timeoutMs?: number;
  maxSubquerySteps?: number;
  /** Also render the result as the API's `data` JSON where evaluation happens (off the main thread). */
  render?: boolean;
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
  /** `points`: float points plus native histogram points of the result, when known without reading `value`. */
  stats: { samplesLoaded: number; points?: { floats: number; histograms: number } };
  /** Reads `value` without keeping the rest of the result (its rendered JSON) alive, when it is built lazily. */
  readValue?: () => PromValue;
  /** The value already rendered as the API's `data` JSON (`{"resultType":…,"result":…}`), when asked for. */
  rendered?: Uint8Array;
}

export const DEFAULT_LOOKBACK_MS = 5 * 60_000;
export const DEFAULT_MAX_SAMPLES = 50_000_000;
export const DEFAULT_TIMEOUT_MS = 2 * 60_000;
/** Prometheus rejects range queries with more points per series than this. */
export const MAX_RANGE_POINTS = 11_000;

/** The data one selector of a query needs (Prometheus's getTimeRangesForSelector). */
export interface SelRange {
  mint: number;
  maxt: number;
  range?: number;
  func?: string;
}

/**
 * A query checked and planned, before any data is read: its expression, evaluation grid, limits and
 * the selectors with the time range each reads, in a fixed walk order (so another thread that
 * prepares the same query string finds the same selectors at the same indexes).
 */
export interface PreparedQuery {
  readonly expr: Expr;
  readonly query: string;
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly instant: boolean;
  readonly lookback: number;
  readonly maxSamples: number;
  /** Absolute time (ms, engine clock) after which evaluation stops with a timeout. */
  readonly deadline: number;
  readonly selectors: readonly { vs: VectorSelector; range: SelRange }[];
}

/** The PromQL engine (Prometheus 3.x semantics). Stateless between queries; safe to share. */
export class Engine {
  private readonly lookback: number;
  private readonly maxSamples: number;
  private readonly timeoutMs: number;
  private readonly maxSubquerySteps: number;
  readonly now: () => number;

  constructor(opts: EngineOptions = {}) {
    this.lookback = opts.lookbackDeltaMs || DEFAULT_LOOKBACK_MS;
    this.maxSamples = opts.maxSamples ?? DEFAULT_MAX_SAMPLES;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxSubquerySteps = opts.maxSubquerySteps ?? 0;
    this.now = opts.now ?? Date.now;
  }

  async instantQuery(q: Queryable, query: string, timeMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
    return this.run(q, this.prepareInstant(query, timeMs, opts), opts);
  }

  async rangeQuery(
    q: Queryable,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    return this.run(q, this.prepareRange(query, startMs, endMs, stepMs, opts), opts);
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
    return this.run(q, this.prepare(e, query, start, end, step, instant, opts), opts);
  }

  prepareInstant(query: string, timeMs: number, opts: QueryOptions = {}): PreparedQuery {
    return this.prepare(parseExpr(query), query, timeMs, timeMs, 1, true, opts);
  }

  prepareRange(query: string, startMs: number, endMs: number, stepMs: number, opts: QueryOptions = {}): PreparedQuery {
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
    return this.prepare(e, query, startMs, endMs, stepMs, false, opts);
  }

  /** Checks the limits that need no data (subquery resolution) and plans the selects. */
  prepare(
    e: Expr,
    query: string,
    start: number,
    end: number,
    step: number,
    instant: boolean,
    opts: QueryOptions = {},
  ): PreparedQuery {
    const lookback = opts.lookbackDeltaMs || this.lookback;
    const maxSamples = opts.maxSamples ?? this.maxSamples;
    const timeout = Math.min(this.timeoutMs, opts.timeoutMs ?? Number.POSITIVE_INFINITY);
    const plan = {
      query,
      start,
      end,
      step: instant ? 0 : step,
      lookback,
      maxSamples,
      maxSubquerySteps: opts.maxSubquerySteps ?? this.maxSubquerySteps,
    };
    markHistogramStatsSelectors(e);
    const selectors = [...selectorRanges(e, plan)].map(([vs, range]) => ({ vs, range }));
    return {
      expr: e,
      query,
      start,
      end,
      step,
      instant,
      lookback,
      maxSamples,
      deadline: this.now() + timeout,
      selectors,
    };
  }

  /** Reads every selector's series, then evaluates in this thread. */
  private async run(q: Queryable, p: PreparedQuery, opts: QueryOptions): Promise<QueryResult> {
    const signal = opts.signal;
    let querier: Querier | undefined;
    try {
      checkCanceled(signal, p.deadline, this.now);
      const selected = new Map<VectorSelector, Series[]>();
      if (p.selectors.length > 0) {
        const { mint, maxt } = dataRange(p);
        querier = q.querier(mint, maxt);
        const qr = querier;
        const sets = await Promise.all(
          p.selectors.map(({ vs, range }) =>
            qr.select(true, selectHints(p, range), vs.matchers, signal instanceof AbortSignal ? { signal } : {}),
          ),
        );
        for (const [i, { vs }] of p.selectors.entries()) selected.set(vs, sets[i]!);
      }
      return evaluatePrepared(p, selected, signal, this.now);
    } catch (err) {
      throw queryError(err, signal);
    } finally {
      querier?.close();
    }
  }
}

/** The hints a select for one selector of a prepared query carries. */
export function selectHints(p: PreparedQuery, r: SelRange): SelectHints {
  const h: SelectHints = { start: r.mint, end: r.maxt };
  if (!p.instant) h.step = p.step;
  if (r.range !== undefined) h.range = r.range;
  if (r.func !== undefined) h.func = r.func;
  return h;
}

/** The time range covering every selector of a prepared query. */
export function dataRange(p: PreparedQuery): { mint: number; maxt: number } {
  let mint = Number.POSITIVE_INFINITY;
  let maxt = Number.NEGATIVE_INFINITY;
  for (const { range } of p.selectors) {
    mint = Math.min(mint, range.mint);
    maxt = Math.max(maxt, range.maxt);
  }
  return { mint, maxt };
}

/**
 * A query's answer with its series' points still in the evaluator's arrays: what a result is encoded
 * and rendered from without an object per point (`toPromValue` builds those when asked). A vector's
 * series hold one point each, at `t`; a matrix's are in label order.
 */
export type SeriesValue =
  | { type: 'scalar'; t: number; v: number }
  | { type: 'string'; t: number; v: string }
  | { type: 'vector'; t: number; series: SeriesOut[] }
  | { type: 'matrix'; series: SeriesOut[] };

export interface SeriesResult extends Omit<QueryResult, 'value'> {
  value: SeriesValue;
}

/** Evaluates a prepared query over the series selected for it (in this thread, synchronously). */
export function evaluatePrepared(
  p: PreparedQuery,
  selected: ReadonlyMap<VectorSelector, Series[]>,
  signal: CancelSignal | undefined,
  now: () => number,
  /** Runs first, on the query's own evaluator (sharding gives merged partials their values here). */
  setup?: (ev: Evaluator, ctx: QueryContext) => void,
): QueryResult {
  const r = evaluateSeries(p, selected, signal, now, setup);
  return { ...r, value: toPromValue(r.value) };
}

/** `evaluatePrepared`, its answer left as series (`SeriesValue`). */
export function evaluateSeries(
  p: PreparedQuery,
  selected: ReadonlyMap<VectorSelector, Series[]>,
  signal: CancelSignal | undefined,
  now: () => number,
  setup?: (ev: Evaluator, ctx: QueryContext) => void,
): SeriesResult {
  try {
    const { ctx, ev } = evaluatorFor(p, selected, signal, now);
    // a query cancelled or out of time before it starts stops here, however little it would loop
    ctx.checkNow();
    setup?.(ev, ctx);
    const v = ev.eval(p.expr);
    const value = p.instant ? instantSeriesValue(v, p.start) : rangeSeriesValue(v, ev);
    return { value, warnings: [...ctx.warnings], infos: [...ctx.infos], stats: { samplesLoaded: ctx.samplesLoaded } };
  } catch (err) {
    throw queryError(err, signal);
  }
}

/** The context and top-level evaluator of a prepared query over its selected series. */
export function evaluatorFor(
  p: PreparedQuery,
  selected: ReadonlyMap<VectorSelector, Series[]>,
  signal: CancelSignal | undefined,
  now: () => number,
): { ctx: QueryContext; ev: Evaluator } {
  const ctx = new QueryContext(p.query, p.maxSamples, p.deadline, now, signal, p.start, p.end, p.instant ? 0 : p.step);
  for (const [vs, s] of selected) ctx.selected.set(vs, s);
  ctx.checkNow();
  return { ctx, ev: new Evaluator(ctx, p.start, p.end, p.instant ? 1 : p.step, p.lookback) };
}

/** V8's messages for a stack overflow and for arrays or buffers too large to allocate. */
const TOO_BIG = /call stack size|Invalid (typed )?array length|Array buffer allocation failed|Invalid string length/;

/** Maps whatever evaluation threw to the CortexError kind the API reports. */
export function queryError(err: unknown, signal?: CancelSignal): CortexError {
  // a store that saw the abort says "canceled"; the signal knows whether it was the deadline
  if (signal?.aborted && err instanceof CortexError && err.kind === 'canceled') return abortError(signal, err);
  if (err instanceof CortexError) return err;
  if (err instanceof RangeParamError) return new ExecutionError(err.message, { cause: err });
  if (signal?.aborted) return abortError(signal, err);
  // an AbortSignal's own reason (AbortSignal.timeout / abort()) thrown as is
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return abortError({ aborted: true, reason: err }, err);
  // deep recursion (stack) or an allocation beyond the engine's reach: the query, not the server
  if (err instanceof RangeError && TOO_BIG.test(err.message)) {
    return new ExecutionError('query is too complex to evaluate', { cause: err });
  }
  return new InternalError(`query evaluation failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

function checkCanceled(signal: CancelSignal | undefined, deadline: number, now: () => number): void {
  if (signal?.aborted) throw abortError(signal);
  if (now() > deadline) throw new TimeoutError('query timed out in query execution');
}

interface Plan {
  query: string;
  start: number;
  end: number;
  step: number;
  lookback: number;
  maxSamples: number;
  maxSubquerySteps: number;
}

/**
 * Data each selector needs, walking subqueries as Prometheus's getTimeRangesForSelector does. Also
 * refuses, before any work, subqueries whose resolution would produce more points than allowed.
 */
function selectorRanges(e: Expr, plan: Plan): Map<VectorSelector, SelRange> {
  const out = new Map<VectorSelector, SelRange>();
  const { lookback } = plan;
  const dur = (d: NonNullable<TimeModifiers['offsetExpr']>) =>
    Math.round((evalDuration(d, { step: plan.step / 1000, range: (plan.end - plan.start) / 1000 }) ?? 0) * 1000);
  const refs = (tm: TimeModifiers, s: number, en: number): [number, number] => {
    const off = tm.offsetExpr ? dur(tm.offsetExpr) : tm.offset;
    let a = s;
    let b = en;
    if (tm.timestamp !== undefined) a = b = tm.timestamp;
    else if (tm.startOrEnd) a = b = tm.startOrEnd === 'start' ? plan.start : plan.end;
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
        checkSubquery(x, range, x.stepExpr ? dur(x.stepExpr) : x.step, b - a, plan);
        walk(x.expr, a - range, b, undefined);
        return;
      }
      case 'Call':
        if (x.func.name === 'info') {
          // the second argument only holds matchers; the info series are read by their own selector
          x.infoSelector = infoSelector(x);
          walk(x.args[0]!, s, en, x.func.name);
          walk(x.infoSelector, s, en, x.func.name);
          return;
        }
        for (const c of x.args) walk(c, s, en, x.func.name);
        return;
      default:
        for (const c of children(x)) walk(c, s, en, undefined);
    }
  };
  walk(e, plan.start, plan.end, undefined);
  return out;
}

/**
 * A subquery evaluates its inner expression at every step of its range: `range / step` points per
 * series and outer step, and `(span + range) / step` steps in all. Both are bounded here, before
 * any data is read, so `rate(x[30d:1ms])` is refused instead of evaluated for hours.
 */
function checkSubquery(x: SubqueryExpr, range: number, rawStep: number, span: number, plan: Plan): void {
  const step = rawStep === 0 ? DEFAULT_SUBQUERY_STEP_MS : rawStep;
  if (step <= 0 || range <= 0) return; // reported with its own message during evaluation
  const points = range / step;
  if (plan.maxSubquerySteps > 0 && points > plan.maxSubquerySteps) {
    throw new ExecutionError(
      `subquery exceeded maximum resolution of ${plan.maxSubquerySteps.toLocaleString('en-US')} points per timeseries (${printRange(x)} has ${Math.ceil(points).toLocaleString('en-US')}) (err-cortex-max-subquery-steps). Try increasing the subquery step or decreasing its range. To adjust the related per-tenant limit, configure max_subquery_steps, or contact your service administrator.`,
      { id: 'err-cortex-max-subquery-steps' },
    );
  }
  if ((span + range) / step > plan.maxSamples) {
    throw new ExecutionError(
      'query processing would load too many samples into memory in query execution (err-cortex-max-samples-per-query)',
      { id: 'err-cortex-max-samples-per-query' },
    );
  }
}

function printRange(x: SubqueryExpr): string {
  const q = exprString(x);
  return q.length > 80 ? `${q.slice(0, 77)}...` : q;
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

function instantSeriesValue(v: EvalValue, t: number): SeriesValue {
  switch (v.kind) {
    case 'scalar':
      return { type: 'scalar', t, v: v.v[0]! };
    case 'string':
      return { type: 'string', t, v: v.v };
    case 'vector':
      return { type: 'vector', t, series: finalizeSeries(v.series) };
    case 'range':
      return matrixOf(finalizeSeries(v.series));
  }
}

function rangeSeriesValue(v: EvalValue, ev: Evaluator): SeriesValue {
  switch (v.kind) {
    case 'scalar': {
      const s: SeriesOut = { metric: Labels.EMPTY, t: [], f: [], h: undefined, dropName: false };
      for (let i = 0; i < ev.steps; i++) {
        s.t.push(ev.ts(i));
        s.f.push(v.v[i]!);
      }
      return { type: 'matrix', series: [s] };
    }
    case 'vector':
      return matrixOf(finalizeSeries(v.series));
    default:
      throw new BadDataError(`invalid expression type for range query: ${v.kind}`);
  }
}

function matrixOf(series: SeriesOut[]): SeriesValue {
  return { type: 'matrix', series: series.sort((a, b) => Labels.compare(a.metric, b.metric)) };
}

/** The answer as the API's value: an object per point. */
export function toPromValue(v: SeriesValue): PromValue {
  switch (v.type) {
    case 'scalar':
    case 'string':
      return v;
    case 'vector':
      return {
        type: 'vector',
        samples: v.series.map((s) => {
          const h = s.h?.[0];
          return h ? { labels: s.metric, t: v.t, h } : { labels: s.metric, t: v.t, v: s.f[0]! };
        }),
      };
    case 'matrix':
      return {
        type: 'matrix',
        series: v.series.map((s) => {
          const floats: Sample[] = [];
          const histograms: HistogramSample[] = [];
          for (let i = 0; i < s.t.length; i++) {
            const h = s.h?.[i];
            if (h) histograms.push({ t: s.t[i]!, h });
            else floats.push({ t: s.t[i]!, v: s.f[i]! });
          }
          return { labels: s.metric, floats, histograms };
        }),
      };
  }
}
