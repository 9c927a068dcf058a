import { BadDataError, type Matcher } from '../model/index.js';
import { children, type Expr, parseExpr } from '../promql/index.js';

/**
 * Parses a `match[]` series selector (`up{job="api"}`) into matchers with the PromQL parser, as
 * Prometheus's parser.ParseMetricSelector does; anything but a plain vector selector is bad_data.
 */
export function parseSeriesSelector(s: string): Matcher[] {
  const e = parseExpr(s);
  if (
    e.type !== 'VectorSelector' ||
    e.offset !== 0 ||
    e.offsetExpr !== undefined ||
    e.timestamp !== undefined ||
    e.startOrEnd !== undefined
  ) {
    throw new BadDataError(
      `invalid parameter "match[]": expected a series selector like up{job="api"}, got ${JSON.stringify(s)}`,
    );
  }
  return e.matchers;
}

/** The matcher sets of every vector selector in a query (for query_exemplars). */
export function selectorsOf(query: string): Matcher[][] {
  const out: Matcher[][] = [];
  const stack: Expr[] = [parseExpr(query)];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.type === 'VectorSelector') out.push(e.matchers);
    stack.push(...children(e));
  }
  return out;
}
