import type { Matcher } from '../model/index.js';

/** PromQL value types as the type checker sees them (Prometheus parser.ValueType). */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string' | 'none';

/** Byte offsets into the query text; `start` drives annotation/error positions. */
export interface PosRange {
  start: number;
  end: number;
}

/**
 * A duration expression (`[5m+1m]`, `offset (2*2)`, `[step()]`). Values are in seconds; the engine
 * resolves them to milliseconds before evaluation because `step()`/`range()` depend on the query.
 */
export type DurationExpr =
  | { kind: 'num'; v: number }
  | { kind: 'step' }
  | { kind: 'range' }
  | { kind: 'unary'; op: '-' | '+'; x: DurationExpr }
  | { kind: 'bin'; op: string; a: DurationExpr; b: DurationExpr }
  | { kind: 'minof' | 'maxof'; a: DurationExpr; b: DurationExpr };

/** Time modifiers shared by selectors and subqueries. Durations are milliseconds. */
export interface TimeModifiers {
  /** Offset in ms (positive looks back). */
  offset: number;
  offsetExpr?: DurationExpr;
  /** `@` time in ms, when set as a number. */
  timestamp?: number;
  /** `@ start()` / `@ end()`. */
  startOrEnd?: 'start' | 'end';
}

export interface VectorSelector extends TimeModifiers {
  type: 'VectorSelector';
  name: string;
  matchers: Matcher[];
  anchored: boolean;
  smoothed: boolean;
  /** Read as count and sum only (under histogram_count/sum/avg), see histogram-stats.ts. */
  skipHistogramBuckets?: boolean;
  pos: PosRange;
}

export interface MatrixSelector {
  type: 'MatrixSelector';
  vectorSelector: VectorSelector;
  range: number;
  rangeExpr?: DurationExpr;
  pos: PosRange;
}

export interface SubqueryExpr extends TimeModifiers {
  type: 'SubqueryExpr';
  expr: Expr;
  range: number;
  rangeExpr?: DurationExpr;
  /** 0 means "engine default resolution". */
  step: number;
  stepExpr?: DurationExpr;
  pos: PosRange;
}

export type CardManyOneEtc = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  card: CardManyOneEtc;
  matchingLabels: string[];
  /** `on(...)` when true, `ignoring(...)` when false. */
  on: boolean;
  /** Extra labels named in group_left/group_right. */
  include: string[];
  /** Fill values for missing sides (3.x experimental `fill*` modifiers). */
  fillLeft?: number;
  fillRight?: number;
}

export interface BinaryExpr {
  type: 'BinaryExpr';
  op: string;
  lhs: Expr;
  rhs: Expr;
  vectorMatching?: VectorMatching;
  /** Whether matching modifiers were written (for printing). */
  matchingWritten: boolean;
  returnBool: boolean;
  pos: PosRange;
  opPos: number;
}

export interface AggregateExpr {
  type: 'AggregateExpr';
  op: string;
  expr: Expr;
  param?: Expr;
  grouping: string[];
  without: boolean;
  /** Whether `by`/`without` was written at all (for printing). */
  groupingWritten: boolean;
  pos: PosRange;
}

export interface FunctionDef {
  name: string;
  argTypes: ValueType[];
  /** 0: fixed; n > 0: up to n optional trailing args of the last type; -1: unlimited. */
  variadic: number;
  returnType: ValueType;
}

export interface Call {
  type: 'Call';
  func: FunctionDef;
  args: Expr[];
  pos: PosRange;
  /** info(): the selector of its info series, set when the query is planned (see info.ts). */
  infoSelector?: VectorSelector;
}

export interface NumberLiteral {
  type: 'NumberLiteral';
  val: number;
  /** Original text, kept so durations print as written. */
  text?: string;
  pos: PosRange;
}

export interface StringLiteral {
  type: 'StringLiteral';
  val: string;
  pos: PosRange;
}

export interface ParenExpr {
  type: 'ParenExpr';
  expr: Expr;
  pos: PosRange;
}

export interface UnaryExpr {
  type: 'UnaryExpr';
  op: '-' | '+';
  expr: Expr;
  pos: PosRange;
}

export type Expr =
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | BinaryExpr
  | AggregateExpr
  | Call
  | NumberLiteral
  | StringLiteral
  | ParenExpr
  | UnaryExpr;

/** The type an expression evaluates to (Prometheus Expr.Type()). */
export function exprType(e: Expr): ValueType {
  switch (e.type) {
    case 'VectorSelector':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'BinaryExpr':
      return exprType(e.lhs) === 'scalar' && exprType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'AggregateExpr':
      return 'vector';
    case 'Call':
      return e.func.returnType;
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'ParenExpr':
    case 'UnaryExpr':
      return exprType(e.expr);
  }
}

/** Human type names used in Prometheus error messages. */
export function typeName(t: ValueType): string {
  switch (t) {
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
    default:
      return t;
  }
}

/** Child expressions in evaluation order. */
export function children(e: Expr): Expr[] {
  switch (e.type) {
    case 'MatrixSelector':
      return [e.vectorSelector];
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      return [e.expr];
    case 'BinaryExpr':
      return [e.lhs, e.rhs];
    case 'AggregateExpr':
      return e.param ? [e.param, e.expr] : [e.expr];
    case 'Call':
      return e.args;
    default:
      return [];
  }
}
