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
}
