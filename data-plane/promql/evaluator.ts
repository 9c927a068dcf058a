import {
  BadDataError,
  copyHistogram,
  ExecutionError,
  type FloatHistogram,
  HistogramIncompatibleSchemaError,
  isStaleNaN,
  Labels,
  mulHistogram,
  usesCustomBuckets,
} from '../model/index.js';
import { evalAggregate } from './aggregate.js';
import type { Call, Expr, MatrixSelector, SubqueryExpr, TimeModifiers, VectorSelector } from './ast.js';
import { exprType } from './ast.js';
import { evalBinary } from './binop.js';
import { isStaleHistogram, loadSeries, SampleBuf } from './buffer.js';
import type { QueryContext } from './context.js';
import { type Evaluation, HistogramPoint, type PointSink } from './eval-api.js';
import { extendedRangeValue, interpolateHistograms } from './extended-range.js';
import { absentLabels, evalCall } from './functions.js';
import { type SeekStep, toHistogramStats } from './histogram-stats.js';
import { evalInfo, infoSelector } from './info.js';
import { evalDuration } from './parser.js';
import { RANGE_FUNCTIONS, type RangeWindow } from './range-functions.js';
import { type EvalValue, newSeries, pushPoint, type SeriesOut } from './value.js';

/** Default resolution for subqueries without a step (`[5m:]`). */
export const DEFAULT_SUBQUERY_STEP_MS = 60_000;

/** A range of raw samples per series that range functions slide a window over. */
export interface RangeSource {
  metric: Labels;
  t: ArrayLike<number>;
  v: ArrayLike<number>;
  h: (FloatHistogram | undefined)[] | undefined;
  /** Start timestamps (0 = unknown), when asked for and the series has any; never from a subquery. */
  st?: ArrayLike<number>;
  n: number;
  dropName: boolean;
}

/** The functions that read start timestamps (Prometheus's use-start-timestamps). */
const ST_FUNCTIONS = new Set(['rate', 'irate', 'increase', 'resets']);

/**
 * Evaluates an expression at every step `start, start+interval, …, end` (an instant query is one
 * step). Selectors and range functions run series by series over all steps; operators that combine
 * series run step by step, as Prometheus's evaluator does.
 */
export class Evaluator implements Evaluation {
  readonly steps: number;
  private readonly buf = new SampleBuf();

  constructor(
    readonly ctx: QueryContext,
    readonly start: number,
    readonly end: number,
    readonly interval: number,
    readonly lookback: number,
  ) {
    this.steps = Math.floor((end - start) / interval) + 1;
  }

  ts(i: number): number {
    return this.start + i * this.interval;
  }

  /** Index of step timestamp `t` (which must be a step of this evaluator). */
  stepIndex(t: number): number {
    return Math.round((t - this.start) / this.interval);
  }

  eval(e: Expr): EvalValue {
    this.ctx.check();
    const pre = this.ctx.precomputed.get(e);
    if (pre !== undefined) return pre;
    switch (e.type) {
      case 'NumberLiteral':
        return { kind: 'scalar', v: new Float64Array(this.steps).fill(e.val) };
      case 'StringLiteral':
        return { kind: 'string', v: e.val };
      case 'ParenExpr':
        return this.eval(e.expr);
      case 'UnaryExpr': {
        const v = this.eval(e.expr);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', v: v.v.map((x) => -x) };
        if (v.kind !== 'vector') throw new BadDataError('unary minus on non-vector');
        for (const s of v.series) {
          for (let i = 0; i < s.f.length; i++) {
            const h = s.h?.[i];
            if (h) s.h![i] = mulHistogram(copyHistogram(h), -1);
            else s.f[i] = -s.f[i]!;
          }
          s.dropName = true;
        }
        return v;
      }
      case 'VectorSelector':
        return { kind: 'vector', series: this.vectorSelector(e) };
      case 'MatrixSelector':
      case 'SubqueryExpr':
        return { kind: 'range', series: this.rangeValue(e) };
      case 'BinaryExpr':
        return evalBinary(this, e);
      case 'AggregateExpr':
        return evalAggregate(this, e);
      case 'Call':
        return this.call(e);
    }
  }

  evalScalar(e: Expr): Float64Array {
    const v = this.eval(e);
    if (v.kind !== 'scalar') throw new BadDataError(`expected scalar, got ${v.kind}`);
    return v.v;
  }

  evalVector(e: Expr): SeriesOut[] {
    const v = this.eval(e);
    if (v.kind !== 'vector') throw new BadDataError(`expected instant vector, got ${v.kind}`);
    return v.series;
  }

  /** The reference time (ms) of step i for a node with time modifiers: `(@ or step) - offset`. */
  refTime(tm: TimeModifiers, i: number): number {
    let t = this.ts(i);
    if (tm.timestamp !== undefined) t = tm.timestamp;
    else if (tm.startOrEnd === 'start') t = this.ctx.queryStart;
    else if (tm.startOrEnd === 'end') t = this.ctx.queryEnd;
    return t - this.offsetOf(tm);
  }

  offsetOf(tm: TimeModifiers): number {
    if (tm.offsetExpr) return Math.round(this.durationSeconds(tm.offsetExpr) * 1000);
    return tm.offset;
  }

  durationSeconds(d: NonNullable<TimeModifiers['offsetExpr']>): number {
    const v = evalDuration(d, {
      step: this.ctx.queryStep / 1000,
      range: (this.ctx.queryEnd - this.ctx.queryStart) / 1000,
    });
    return v ?? 0;
  }

  rangeOf(e: MatrixSelector | SubqueryExpr): number {
    if (e.rangeExpr) {
      const ms = Math.round(this.durationSeconds(e.rangeExpr) * 1000);
      if (ms <= 0)
        throw new BadDataError(
          `${e.type === 'MatrixSelector' ? 'range' : 'subquery range'} must be positive, got ${ms}ms`,
        );
      return ms;
    }
    return e.range;
  }

  vectorSelector(vs: VectorSelector): SeriesOut[] {
    if (vs.smoothed) return this.smoothedSelector(vs);
    const series = this.ctx.selected.get(vs) ?? [];
    const out: SeriesOut[] = [];
    const lookback = this.lookback;
    const first = this.refTime(vs, 0);
    const last = this.refTime(vs, this.steps - 1);
    const buf = this.buf;
    for (const s of series) {
      this.ctx.check();
      const n = loadSeries(s, first - lookback + 1, last, false, buf);
      this.ctx.samplesLoaded += n;
      if (n === 0) continue;
      if (vs.skipHistogramBuckets && buf.h) toHistogramStats(buf, this.seekSteps(vs, lookback, lookback));
      const o = newSeries(s.labels, false);
      let j = -1;
      for (let i = 0; i < this.steps; i++) {
        this.ctx.check();
        const ref = this.refTime(vs, i);
        while (j + 1 < n && buf.t[j + 1]! <= ref) j++;
        if (j < 0 || buf.t[j]! <= ref - lookback) continue;
        const h = buf.h?.[j];
        if (h !== undefined) {
          if (!isStaleHistogram(h)) pushPoint(o, this.ts(i), 0, h);
        } else if (!isStaleNaN(buf.v[j]!)) pushPoint(o, this.ts(i), buf.v[j]!, undefined);
      }
      if (o.t.length > 0) {
        this.ctx.addSamples(o.t.length);
        out.push(o);
      }
    }
    return out;
  }

  /**
   * `x smoothed`: at each step the value interpolated between the samples around the reference
   * time within the lookback delta either side (the last one carried forward when there is no
   * later one), histograms from zero across a counter reset (Prometheus's smoothSeries).
   */
  smoothedSelector(vs: VectorSelector): SeriesOut[] {
    const series = this.ctx.selected.get(vs) ?? [];
    const out: SeriesOut[] = [];
    const lb = this.lookback;
    const buf = this.buf;
    for (const s of series) {
      this.ctx.check();
      const n = loadSeries(s, this.refTime(vs, 0) - lb + 1, this.refTime(vs, this.steps - 1) + lb, true, buf);
      this.ctx.samplesLoaded += n;
      if (n === 0) continue;
      const name = JSON.stringify(s.labels.get('__name__'));
      const o = newSeries(s.labels, false);
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < this.steps; i++) {
        const ref = this.refTime(vs, i);
        while (lo < n && buf.t[lo]! <= ref - lb) lo++;
        if (hi < lo) hi = lo;
        while (hi < n && buf.t[hi]! <= ref + lb) hi++;
        if (lo === hi) continue;
        let hists = 0;
        for (let k = lo; k < hi; k++) if (buf.h?.[k]) hists++;
        if (hists > 0 && hists < hi - lo) {
          this.ctx.warn(`encountered a mix of histograms and floats for metric name ${name}`, vs.pos);
          continue;
        }
        let k = lo;
        while (k < hi && buf.t[k]! < ref) k++;
        if (hists === 0) {
          if (k < hi && buf.t[k] === ref) pushPoint(o, this.ts(i), buf.v[k]!, undefined);
          else if (k > lo && k < hi) {
            const t1 = buf.t[k - 1]!;
            const v1 = buf.v[k - 1]!;
            pushPoint(o, this.ts(i), v1 + ((buf.v[k]! - v1) * (ref - t1)) / (buf.t[k]! - t1), undefined);
          } else if (k > lo) pushPoint(o, this.ts(i), buf.v[k - 1]!, undefined);
          continue;
        }
        const hs = buf.h!;
        if (k < hi && buf.t[k] === ref) pushPoint(o, this.ts(i), 0, copyHistogram(hs[k]!));
        else if (k > lo && k < hi) {
          const prev = hs[k - 1]!;
          const next = hs[k]!;
          const mixed = () =>
            this.ctx.warn(
              `vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${name}`,
              vs.pos,
            );
          if (usesCustomBuckets(prev) !== usesCustomBuckets(next)) {
            mixed();
            continue;
          }
          const isCounter = prev.counterResetHint !== 'gauge' || next.counterResetHint !== 'gauge';
          try {
            const h = interpolateHistograms(buf.t[k - 1]!, prev, buf.t[k]!, next, ref, isCounter, (what) =>
              this.ctx.info(`mismatched custom buckets were reconciled during ${what}`, vs.pos),
            );
            pushPoint(o, this.ts(i), 0, h);
          } catch (err) {
            if (!(err instanceof HistogramIncompatibleSchemaError)) throw err;
            mixed();
          }
        } else if (k > lo) {
          // the hint tells how a sample relates to the one before, which no longer holds
          pushPoint(o, this.ts(i), 0, { ...copyHistogram(hs[k - 1]!), counterResetHint: 'unknown' });
        }
      }
      if (o.t.length > 0) {
        this.ctx.addSamples(o.t.length);
        out.push(o);
      }
    }
    return out;
  }

  /**
   * The seeks Prometheus's buffered iterator makes reading a selector step by step: to `window`
   * before the step's reference time (`later` from the second step on), then up to that time
   * (plus `ahead`). With `@` only the first step reads.
   */
  *seekSteps(vs: VectorSelector, window: number, later: number, ahead = 0): Generator<SeekStep> {
    const steps = vs.timestamp !== undefined || vs.startOrEnd ? 1 : this.steps;
    for (let i = 0; i < steps; i++) {
      const r = this.refTime(vs, i) + ahead;
      yield { t0: r - (i === 0 ? window : later), r };
    }
  }

  /**
   * Actual sample timestamps (seconds) for `timestamp(selector)`, as Prometheus special-cases it,
   * and for info() (`infoSeries`: a histogram sample is an error); with `start`, the samples' start
   * timestamps instead (`start_timestamp(selector)`, 0 where unknown).
   */
  vectorSelectorTimestamps(vs: VectorSelector, infoSeries = false, start = false): SeriesOut[] {
    const series = this.ctx.selected.get(vs) ?? [];
    const out: SeriesOut[] = [];
    const first = this.refTime(vs, 0);
    const last = this.refTime(vs, this.steps - 1);
    for (const s of series) {
      const n = loadSeries(s, first - this.lookback + 1, last, false, this.buf, start);
      const buf = this.buf;
      const o = newSeries(s.labels, true);
      let j = -1;
      for (let i = 0; i < this.steps; i++) {
        const ref = this.refTime(vs, i);
        while (j + 1 < n && buf.t[j + 1]! <= ref) j++;
        if (j < 0 || buf.t[j]! <= ref - this.lookback) continue;
        const h = buf.h?.[j];
        if (h ? isStaleHistogram(h) : isStaleNaN(buf.v[j]!)) continue;
        if (h && infoSeries)
          throw new ExecutionError(`this should be an info metric, with float samples: ${s.labels.toString()}`);
        pushPoint(o, this.ts(i), (start ? (buf.st?.[j] ?? 0) : buf.t[j]!) / 1000, undefined);
      }
      if (o.t.length > 0) out.push(o);
    }
    return out;
  }

  /**
   * Calls `fn` for each source series of a range expression (matrix selector or subquery) with its
   * raw samples covering every step's window. Stale markers are dropped.
   */
  forEachRangeSource(e: MatrixSelector | SubqueryExpr, fn: (src: RangeSource) => void, withST = false): void {
    const tm: TimeModifiers = e.type === 'MatrixSelector' ? e.vectorSelector : e;
    const range = this.rangeOf(e);
    const first = this.refTime(tm, 0);
    const last = this.refTime(tm, this.steps - 1);
    if (e.type === 'MatrixSelector') {
      const series = this.ctx.selected.get(e.vectorSelector) ?? [];
      const buf = this.buf;
      // anchored/smoothed also look at samples around the window
      const ext = e.vectorSelector.anchored || e.vectorSelector.smoothed ? this.lookback : 0;
      // one record for every series: `fn` reads it before the next series replaces its fields
      const src: RangeSource = { metric: Labels.EMPTY, t: buf.t, v: buf.v, h: undefined, n: 0, dropName: false };
      for (const s of series) {
        this.ctx.check();
        const n = loadSeries(
          s,
          first - range - ext + 1,
          last + (e.vectorSelector.smoothed ? ext : 0),
          true,
          buf,
          withST,
        );
        this.ctx.samplesLoaded += n;
        if (n === 0) continue;
        if (e.vectorSelector.skipHistogramBuckets && buf.h) {
          const vs = e.vectorSelector;
          const window = range + (vs.anchored ? this.lookback : vs.smoothed ? 2 * this.lookback : 0);
          toHistogramStats(
            buf,
            this.seekSteps(vs, window, Math.min(window, this.interval), vs.smoothed ? this.lookback : 0),
          );
        }
        this.ctx.addSamples(n);
        src.metric = s.labels;
        src.t = buf.t;
        src.v = buf.v;
        src.h = buf.h;
        src.st = buf.st;
        src.n = n;
        fn(src);
        this.ctx.releaseSamples(n);
      }
      return;
    }
    const inner = this.subqueryEvaluator(e, first, last, range).evalVector(e.expr);
    for (const s of inner) {
      // A subquery's points need not be consecutive samples: explicit reset hints no longer hold
      // (Prometheus makes them unknown too).
      const h = s.h?.map((x) =>
        x && (x.counterResetHint === 'not_reset' || x.counterResetHint === 'reset')
          ? { ...x, counterResetHint: 'unknown' as const }
          : x,
      );
      fn({ metric: s.metric, t: s.t, v: s.f, h, n: s.t.length, dropName: s.dropName });
    }
    let total = 0;
    for (const s of inner) total += s.t.length;
    this.ctx.releaseSamples(total);
  }

  subqueryEvaluator(e: SubqueryExpr, firstRef: number, lastRef: number, range: number): Evaluator {
    let step = e.stepExpr ? Math.round(this.durationSeconds(e.stepExpr) * 1000) : e.step;
    if (step === 0) step = DEFAULT_SUBQUERY_STEP_MS;
    if (step < 0) throw new BadDataError('subquery step must be positive');
    const mint = firstRef - range;
    let start = step * Math.trunc(mint / step);
    if (start <= mint) start += step;
    const end = Math.max(lastRef, start - step);
    return new Evaluator(this.ctx, start, end < start ? start - 1 : end, step, this.lookback);
  }

  /** A range expression's raw samples at the (single) step, for instant queries returning a matrix. */
  rangeValue(e: MatrixSelector | SubqueryExpr): SeriesOut[] {
    const range = this.rangeOf(e);
    const tm: TimeModifiers = e.type === 'MatrixSelector' ? e.vectorSelector : e;
    const ref = this.refTime(tm, this.steps - 1);
    const out: SeriesOut[] = [];
    this.forEachRangeSource(e, (src) => {
      const o = newSeries(src.metric, src.dropName);
      for (let k = 0; k < src.n; k++) {
        const t = src.t[k]!;
        if (t > ref - range && t <= ref) pushPoint(o, t, src.v[k]!, src.h?.[k]);
      }
      if (o.t.length > 0) {
        this.ctx.addSamples(o.t.length);
        out.push(o);
      }
    });
    return out;
  }

  streamRange(e: Expr, sink: PointSink): boolean {
    while (e.type === 'ParenExpr' && !this.ctx.precomputed.has(e)) e = e.expr;
    if (e.type !== 'Call' || this.ctx.precomputed.has(e)) return false;
    const rangeFn = RANGE_FUNCTIONS.get(e.func.name);
    if (!rangeFn || e.func.name === 'absent_over_time') return false;
    const idx = e.func.argTypes.indexOf('matrix');
    const arg = e.args[idx];
    if (arg?.type !== 'MatrixSelector') return false;
    this.ctx.check();
    const params = this.rangeParams(e, idx);
    this.evalRangeFunction(e, arg, rangeFn, params, sink);
    return true;
  }

  private rangeParams(e: Call, idx: number): (Float64Array | undefined)[] {
    return e.args.filter((_, i) => i !== idx).map((a) => (exprType(a) === 'scalar' ? this.evalScalar(a) : undefined));
  }

  call(e: Call): EvalValue {
    const fname = e.func.name;
    const rangeFn = RANGE_FUNCTIONS.get(fname);
    if (rangeFn) {
      const idx = e.func.argTypes.indexOf('matrix');
      let arg = e.args[idx]!;
      while (arg.type === 'ParenExpr') arg = arg.expr;
      if (arg.type !== 'MatrixSelector' && arg.type !== 'SubqueryExpr') {
        throw new BadDataError(`expected range vector argument for ${fname}`);
      }
      if (fname === 'absent_over_time') return { kind: 'vector', series: this.absentOverTime(arg) };
      return { kind: 'vector', series: this.evalRangeFunction(e, arg, rangeFn, this.rangeParams(e, idx)) };
    }
    if (fname === 'info') return evalInfo(this, e, e.infoSelector ?? infoSelector(e));
    return evalCall(this, e);
  }

  /** absent_over_time: 1 (labelled from the selector's equality matchers) where no series has samples. */
  absentOverTime(arg: MatrixSelector | SubqueryExpr): SeriesOut[] {
    const range = this.rangeOf(arg);
    const tm: TimeModifiers = arg.type === 'MatrixSelector' ? arg.vectorSelector : arg;
    const present = new Uint8Array(this.steps);
    this.forEachRangeSource(arg, (src) => {
      let lo = 0;
      for (let i = 0; i < this.steps; i++) {
        const ref = this.refTime(tm, i);
        while (lo < src.n && src.t[lo]! <= ref - range) lo++;
        if (lo < src.n && src.t[lo]! <= ref) present[i] = 1;
      }
    });
    const o = newSeries(absentLabels(arg), false);
    for (let i = 0; i < this.steps; i++) if (!present[i]) pushPoint(o, this.ts(i), 1, undefined);
    return o.t.length > 0 ? [o] : [];
  }

  evalRangeFunction(
    call: Call,
    arg: MatrixSelector | SubqueryExpr,
    rangeFn: NonNullable<ReturnType<typeof RANGE_FUNCTIONS.get>>,
    params: (Float64Array | undefined)[],
    into?: PointSink,
  ): SeriesOut[] {
    const range = this.rangeOf(arg);
    const tm: TimeModifiers = arg.type === 'MatrixSelector' ? arg.vectorSelector : arg;
    const list = into ? undefined : new SeriesList(this);
    const sink = into ?? list!;
    const vs = arg.type === 'MatrixSelector' ? arg.vectorSelector : undefined;
    const w: RangeWindow = {
      t: [],
      v: [],
      h: undefined,
      st: undefined,
      lo: 0,
      hi: 0,
      rangeStart: 0,
      rangeEnd: 0,
      range,
      stepTime: 0,
      step: 0,
      params,
      metric: Labels.EMPTY,
      anchored: vs?.anchored ?? false,
      smoothed: vs?.smoothed ?? false,
      ev: this,
      call,
      arg,
      nonCounterWarned: false,
      n: 0,
    };
    const extended = w.anchored || w.smoothed;
    this.forEachRangeSource(
      arg,
      (src) => {
        // the points this series gave; its output series is begun at the first
        let points = 0;
        const dropName = rangeFn.dropName || src.dropName;
        w.t = src.t;
        w.v = src.v;
        w.h = src.h;
        w.st = src.st;
        w.metric = src.metric;
        w.resets = undefined;
        w.n = src.n;
        let lo = 0;
        let hi = 0;
        for (let i = 0; i < this.steps; i++) {
          this.ctx.check();
          const ref = this.refTime(tm, i);
          const startT = ref - range;
          while (lo < src.n && src.t[lo]! <= startT) lo++;
          if (hi < lo) hi = lo;
          while (hi < src.n && src.t[hi]! <= ref) hi++;
          w.lo = lo;
          w.hi = hi;
          w.rangeStart = startT;
          w.rangeEnd = ref;
          w.stepTime = this.ts(i);
          w.step = i;
          let r: number | FloatHistogram | undefined;
          if (extended) r = extendedRangeValue(call.func.name, w, this.lookback, src.n);
          else if (hi === lo && !rangeFn.needsEmpty) continue;
          else r = rangeFn.fn(w);
          if (r === undefined) continue;
          if (typeof r === 'number') {
            if (points++ === 0) sink.series(src.metric, dropName);
            sink.point(i, r);
          } else {
            if (!sink.histogram) throw new HistogramPoint();
            if (points++ === 0) sink.series(src.metric, dropName);
            sink.histogram(i, r);
          }
        }
        // counted as held whether kept as a series or taken by an aggregation
        if (points > 0) this.ctx.addSamples(points);
      },
      ST_FUNCTIONS.has(call.func.name),
    );
    return list?.out ?? [];
  }
}

/** The PointSink that keeps what it is given: one output series per input series with points. */
class SeriesList implements PointSink {
  readonly out: SeriesOut[] = [];
  private cur!: SeriesOut;

  constructor(private readonly ev: Evaluator) {}

  series(metric: Labels, dropName: boolean): void {
    this.cur = newSeries(metric, dropName);
    this.out.push(this.cur);
  }

  point(i: number, v: number): void {
    pushPoint(this.cur, this.ev.ts(i), v, undefined);
  }

  histogram(i: number, h: FloatHistogram): void {
    pushPoint(this.cur, this.ev.ts(i), 0, h);
  }
}
