import { children, type Expr, parseExpr } from '../promql/index.js';

const RANGE_DEPENDENT = new Set(['start', 'end', 'range']);

/**
 * Whether a range query's value at each step is independent of the query's overall range, so the
 * frontend may evaluate pieces of the range separately: not with `@ start()`/`@ end()`, nor with
 * duration expressions (which may refer to the range). Unparseable queries are not split; the
 * querier reports their error.
 */
export function isSplittable(query: string): boolean {
  let root: Expr;
  try {
    root = parseExpr(query);
  } catch {
    return false;
  }
  const stack: Expr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if ('startOrEnd' in e && e.startOrEnd !== undefined) return false;
    if ('offsetExpr' in e && e.offsetExpr !== undefined) return false;
    if ('rangeExpr' in e && e.rangeExpr !== undefined) return false;
    if ('stepExpr' in e && e.stepExpr !== undefined) return false;
    // start(), end() and range() are the query's own bounds, which a split piece does not share
    if (e.type === 'Call' && RANGE_DEPENDENT.has(e.func.name)) return false;
    stack.push(...children(e));
  }
  return true;
}
