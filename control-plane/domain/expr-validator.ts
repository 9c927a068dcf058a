/**
 * How rule expressions are checked on write. The real PromQL parser (data-plane/promql `parseExpr`)
 * is plugged in by the integrator; until then the default is a lezer-promql syntax check, which
 * rejects any expression whose parse tree contains an error node.
 */
import { parser } from '@prometheus-io/lezer-promql';

export interface RuleExprValidator {
  /** An error message naming what is wrong, or undefined when `expr` is valid PromQL. */
  validate(expr: string): string | undefined;
}

export const lezerExprValidator: RuleExprValidator = {
  validate(expr) {
    if (expr.trim() === '') return 'empty expression';
    const tree = parser.parse(expr);
    let at: number | undefined;
    tree.iterate({
      enter: (n) => {
        if (at !== undefined) return false;
        if (n.type.isError) {
          at = n.from;
          return false;
        }
        return undefined;
      },
    });
    if (at === undefined) return undefined;
    const near = expr.slice(Math.max(0, at - 10), at + 10);
    return `syntax error at position ${at} near ${JSON.stringify(near)}`;
  },
};

/** Adapts a throwing parser (e.g. data-plane/promql `parseExpr`) to RuleExprValidator. */
export function validatorFromParser(parse: (expr: string) => unknown): RuleExprValidator {
  return {
    validate(expr) {
      try {
        parse(expr);
        return undefined;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
  };
}
