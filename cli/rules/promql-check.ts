import { parser } from '@prometheus-io/lezer-promql';

/** A PromQL problem at a character offset of the expression (0-based). */
export interface ExprProblem {
  offset: number;
  message: string;
}

/**
 * Finds PromQL syntax errors offline. Uses the Lezer PromQL grammar to locate the first error; this is
 * the seam to swap for the data plane's `parseExpr` (data-plane/promql) once it exports one, which
 * also type-checks (e.g. `rate()` over an instant vector).
 */
export function checkExpr(expr: string): ExprProblem[] {
  if (expr.trim() === '') return [{ offset: 0, message: 'expression is empty' }];
  const tree = parser.parse(expr);
  let found: ExprProblem | undefined;
  tree.iterate({
    enter(node) {
      if (found) return false;
      if (node.type.isError) {
        const at = node.from;
        found = {
          offset: at,
          message:
            at >= expr.length
              ? 'parse error: unexpected end of input'
              : `parse error: unexpected ${JSON.stringify(expr.slice(at, Math.max(node.to, at + 1)).slice(0, 20))}`,
        };
        return false;
      }
      return undefined;
    },
  });
  return found ? [found] : [];
}
