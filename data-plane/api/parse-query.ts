import type { Matcher } from '../model/index.js';
import { type Expr, formatFloat, parseExpr } from '../promql/index.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * `/api/v1/parse_query`: the query's syntax tree in the JSON shape Prometheus's UI tree view reads
 * (node `type` names, offsets and ranges in ms, matchers as {type, name, value}).
 */
export function astJson(query: string): Json {
  return node(parseExpr(query));
}

function node(e: Expr | undefined): Json {
  if (e === undefined) return null;
  switch (e.type) {
    case 'AggregateExpr':
      return {
        type: 'aggregation',
        op: e.op,
        expr: node(e.expr),
        param: node(e.param),
        grouping: e.grouping,
        without: e.without,
      };
    case 'BinaryExpr': {
      const m = e.vectorMatching;
      const matching: Json = m
        ? {
            card: m.card,
            labels: m.matchingLabels,
            on: m.on,
            include: m.include,
            fillValues: { lhs: m.fillLeft ?? null, rhs: m.fillRight ?? null },
          }
        : null;
      return { type: 'binaryExpr', op: e.op, lhs: node(e.lhs), rhs: node(e.rhs), matching, bool: e.returnBool };
    }
    case 'Call':
      return {
        type: 'call',
        func: {
          name: e.func.name,
          argTypes: e.func.argTypes,
          variadic: e.func.variadic,
          returnType: e.func.returnType,
        },
        args: e.args.map(node),
      };
    case 'MatrixSelector': {
      const vs = e.vectorSelector;
      return { type: 'matrixSelector', ...selector(vs), range: e.range };
    }
    case 'SubqueryExpr':
      return {
        type: 'subquery',
        expr: node(e.expr),
        range: e.range,
        offset: e.offset,
        step: e.step,
        timestamp: e.timestamp ?? null,
        startOrEnd: e.startOrEnd ?? null,
      };
    case 'NumberLiteral':
      return { type: 'numberLiteral', val: formatFloat(e.val) };
    case 'StringLiteral':
      return { type: 'stringLiteral', val: e.val };
    case 'ParenExpr':
      return { type: 'parenExpr', expr: node(e.expr) };
    case 'UnaryExpr':
      return { type: 'unaryExpr', op: e.op, expr: node(e.expr) };
    case 'VectorSelector':
      return { type: 'vectorSelector', ...selector(e) };
  }
}

function selector(vs: Extract<Expr, { type: 'VectorSelector' }>): { [k: string]: Json } {
  // Prometheus appends the matcher implied by a metric name after the written ones.
  let matchers: readonly Matcher[] = vs.matchers;
  const implied =
    vs.name === '' ? -1 : matchers.findIndex((m) => m.name === '__name__' && m.type === '=' && m.value === vs.name);
  if (implied >= 0) matchers = [...matchers.slice(0, implied), ...matchers.slice(implied + 1), matchers[implied]!];
  return {
    name: vs.name,
    offset: vs.offset,
    matchers: matchers.map((m) => ({ name: m.name, value: m.value, type: m.type })),
    timestamp: vs.timestamp ?? null,
    startOrEnd: vs.startOrEnd ?? null,
    anchored: vs.anchored,
    smoothed: vs.smoothed,
  };
}
