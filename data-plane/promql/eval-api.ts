import type { FloatHistogram, Labels } from '../model/index.js';
import type { Expr, VectorSelector } from './ast.js';
import type { QueryContext } from './context.js';
import type { EvalValue, SeriesOut } from './value.js';

/**
 * What operators and functions need from the evaluator. Kept apart from the Evaluator class so the
 * operator modules do not import it (no import cycles).
 */
export interface Evaluation {
  readonly ctx: QueryContext;
  readonly steps: number;
  readonly start: number;
  readonly interval: number;
  ts(i: number): number;
  stepIndex(t: number): number;
  eval(e: Expr): EvalValue;
  evalScalar(e: Expr): Float64Array;
  evalVector(e: Expr): SeriesOut[];
  vectorSelectorTimestamps(vs: VectorSelector, infoSeries?: boolean, start?: boolean): SeriesOut[];
  /**
   * Evaluates `e` into `sink` point by point when it is a range function over a matrix selector
   * (`rate(x[5m])`), so an aggregation over it never holds a series per input; false when `e` is
   * anything else (then nothing was evaluated). Throws `HistogramPoint` at a histogram point.
   */
  streamRange(e: Expr, sink: PointSink): boolean;
}

/** Receives an instant-vector expression's points series by series, in evaluation order. */
export interface PointSink {
  /** The next series with points; its points follow. */
  series(metric: Labels, dropName: boolean): void;
  /** A float point of the current series at step i. */
  point(i: number, v: number): void;
  /** A histogram point; a sink without it cannot take one (the evaluation throws `HistogramPoint`). */
  histogram?(i: number, h: FloatHistogram): void;
}

/** Thrown into a streaming evaluation that meets a histogram point, which a PointSink cannot take. */
export class HistogramPoint extends Error {}
