import type { AggregateExpr, Expr, VectorSelector } from '../ast.js';
import { children } from '../ast.js';

/**
 * Query sharding (Mimir's idea, done inside one querier): an aggregation whose input is computed
 * series by series can be evaluated on disjoint subsets of the series (shards, by label hash) in
 * parallel, each shard giving a partial aggregate, and the partials combined exactly:
 *
 *   sum → sum of sums      count → sum of counts   min/max/group → the same again
 *   avg → sum of sums / sum of counts             topk/bottomk → topk/bottomk of the shards' top k
 *
 * Only aggregations on the query's own step grid are sharded (not inside a subquery, whose grid
 * differs), and only when everything beneath them keeps series apart: selectors, per-series
 * functions with literal arguments, arithmetic with literals, subqueries of such expressions.
 */
export interface ShardPlan {
  /** Preorder indexes (see `nodeIndex`) of the aggregations evaluated per shard. */
  nodes: number[];
  /** Indexes (in the prepared query's selector order) of the selectors read only inside them. */
  shardedSelectors: Set<number>;
}

const SHARDABLE_AGGREGATIONS = new Set(['sum', 'min', 'max', 'count', 'group', 'avg', 'topk', 'bottomk']);

/** Functions whose output series depends on one input series only. */
const PER_SERIES_FUNCTIONS = new Set([
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'deriv',
  'predict_linear',
  'resets',
  'changes',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'quantile_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'last_over_time',
  'present_over_time',
  'mad_over_time',
  'abs',
  'ceil',
  'floor',
  'round',
  'exp',
  'ln',
  'log2',
  'log10',
  'sqrt',
  'sgn',
  'clamp',
  'clamp_min',
  'clamp_max',
  'label_replace',
  'label_join',
  'timestamp',
  'histogram_count',
  'histogram_sum',
  'histogram_avg',
]);

/** Every node of `e` in preorder (the numbering both threads use to name a node). */
export function preorder(e: Expr): Expr[] {
  const out: Expr[] = [];
  const walk = (x: Expr) => {
    out.push(x);
    for (const c of children(x)) walk(c);
  };
  walk(e);
  return out;
}

/** The plan for a query, or undefined when nothing in it can be sharded. */
export function planShards(expr: Expr, selectors: readonly VectorSelector[]): ShardPlan | undefined {
  const nodes = preorder(expr);
  const index = new Map<Expr, number>(nodes.map((n, i) => [n, i]));
  const selIndex = new Map<VectorSelector, number>(selectors.map((s, i) => [s, i]));
  const plan: ShardPlan = { nodes: [], shardedSelectors: new Set() };
  const visit = (x: Expr): void => {
    if (x.type === 'SubqueryExpr') return; // another grid: not sharded, evaluated whole
    if (x.type === 'AggregateExpr' && shardable(x)) {
      plan.nodes.push(index.get(x)!);
      for (const n of preorder(x.expr)) {
        if (n.type === 'VectorSelector') plan.shardedSelectors.add(selIndex.get(n)!);
      }
      return;
    }
    for (const c of children(x)) visit(c);
  };
  visit(expr);
  if (plan.nodes.length === 0) return undefined;
  // a selector node is read once, so it is either inside a sharded aggregation or outside all of them
  return plan;
}

/** Functions that set labels: two series they map to one labelset may lie in different shards. */
const RELABELING_FUNCTIONS = new Set(['label_replace', 'label_join']);

/**
 * Whether a query without a shardable aggregation can still be evaluated on disjoint shards of its
 * series and the shards' results put together in label order (as its result is): every output
 * series comes from one input series of its one selector and keeps that series' labels, the metric
 * name perhaps dropped (series that meet once their names are dropped share a shard: see
 * `shardOf`, so each shard still finds such a clash as one thread would). An instant query's vector
 * keeps its selector's order, which is the order of its output labels only when the series share
 * one name, so an instant query also needs its selector's `__name__` fixed.
 */
export function splitsBySeries(expr: Expr, selectors: readonly VectorSelector[], instant: boolean): boolean {
  if (selectors.length !== 1 || !perSeries(expr)) return false;
  if (preorder(expr).some((n) => n.type === 'Call' && RELABELING_FUNCTIONS.has(n.func.name))) return false;
  return !instant || selectors[0]!.matchers.some((m) => m.name === '__name__' && m.type === '=');
}

function shardable(a: AggregateExpr): boolean {
  if (!SHARDABLE_AGGREGATIONS.has(a.op)) return false;
  if (a.param && !isLiteral(a.param)) return false;
  return perSeries(a.expr);
}

/** A literal, or arithmetic of literals (`0 * 5`): the same scalar for every series and step. */
function isLiteral(e: Expr): boolean {
  if (e.type === 'NumberLiteral' || e.type === 'StringLiteral') return true;
  if (e.type === 'ParenExpr' || e.type === 'UnaryExpr') return isLiteral(e.expr);
  if (e.type === 'BinaryExpr') return e.lhs.type !== 'StringLiteral' && isLiteral(e.lhs) && isLiteral(e.rhs);
  return false;
}

/** Whether every output series of `e` comes from one input series (so shards never need each other). */
function perSeries(e: Expr): boolean {
  switch (e.type) {
    case 'VectorSelector':
    case 'MatrixSelector':
      return true;
    case 'ParenExpr':
    case 'UnaryExpr':
      return perSeries(e.expr);
    case 'SubqueryExpr':
      return perSeries(e.expr);
    case 'Call':
      return (
        PER_SERIES_FUNCTIONS.has(e.func.name) &&
        e.args.every((a) => isLiteral(a) || (a.type !== 'NumberLiteral' && perSeries(a)))
      );
    case 'BinaryExpr':
      // a series with a literal; two vectors would have to meet in one shard
      return (isLiteral(e.lhs) && perSeries(e.rhs)) || (perSeries(e.lhs) && isLiteral(e.rhs));
    default:
      return false;
  }
}
