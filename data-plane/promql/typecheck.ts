import { BadDataError } from '../model/index.js';
import type { Expr } from './ast.js';
import { exprType, typeName } from './ast.js';
import { ANCHORED_FUNCS, SMOOTHED_FUNCS } from './function-defs.js';
import { quote } from './literals.js';
import { ParseError } from './parse-error.js';

export const COMPARISON_OPS = new Set(['==', '!=', '>', '<', '>=', '<=']);
export const SET_OPS = new Set(['and', 'or', 'unless']);

/** Type checks as Prometheus's parser checkAST does. */
export function checkAST(e: Expr): void {
  switch (e.type) {
    case 'ParenExpr':
      checkAST(e.expr);
      return;
    case 'UnaryExpr': {
      checkAST(e.expr);
      const t = exprType(e.expr);
      if (t !== 'scalar' && t !== 'vector') {
        throw new ParseError(
          e.pos.start,
          `unary expression only allowed on expressions of type scalar or instant vector, got ${quote(typeName(t))}`,
        );
      }
      return;
    }
    case 'SubqueryExpr':
      checkAST(e.expr);
      return;
    case 'AggregateExpr': {
      checkAST(e.expr);
      if (e.param) checkAST(e.param);
      const t = exprType(e.expr);
      if (t !== 'vector')
        throw new ParseError(
          e.expr.pos.start,
          `expected type instant vector in aggregation expression, got ${typeName(t)}`,
        );
      if (e.param) {
        const want = e.op === 'count_values' ? 'string' : 'scalar';
        const pt = exprType(e.param);
        if (pt !== want)
          throw new ParseError(
            e.param.pos.start,
            `expected type ${typeName(want)} in aggregation parameter, got ${typeName(pt)}`,
          );
      }
      return;
    }
    case 'Call': {
      for (const a of e.args) checkAST(a);
      const f = e.func;
      const n = e.args.length;
      const fixed = f.argTypes.length;
      if (f.variadic === 0 && n !== fixed) {
        throw new ParseError(e.pos.end, `expected ${fixed} argument(s) in call to ${quote(f.name)}, got ${n}`);
      }
      if (f.variadic !== 0) {
        const min = fixed - 1;
        if (n < min)
          throw new ParseError(e.pos.end, `expected at least ${min} argument(s) in call to ${quote(f.name)}, got ${n}`);
        if (f.variadic > 0 && n > min + f.variadic) {
          throw new ParseError(
            e.pos.end,
            `expected at most ${min + f.variadic} argument(s) in call to ${quote(f.name)}, got ${n}`,
          );
        }
      }
      const sel = f.name === 'info' ? e.args[1] : undefined;
      if (sel && exprType(sel) === 'vector') {
        if (sel.type !== 'VectorSelector') throw new ParseError(sel.pos.start, 'expected label selectors only');
        if (sel.name !== '')
          throw new ParseError(sel.pos.start, 'expected label selectors only, got vector selector instead');
      }
      e.args.forEach((a, i) => {
        const want = f.argTypes[Math.min(i, fixed - 1)]!;
        const got = exprType(a);
        if (want !== got) {
          throw new ParseError(
            a.pos.start,
            `expected type ${typeName(want)} in call to function ${quote(f.name)}, got ${typeName(got)}`,
          );
        }
        if (a.type === 'MatrixSelector') {
          const vs = a.vectorSelector;
          if (vs.anchored && !ANCHORED_FUNCS.includes(f.name)) {
            throw new BadDataError(
              `anchored modifier can only be used with: ${ANCHORED_FUNCS.join(', ')} - not with ${f.name}`,
            );
          }
          if (vs.smoothed && !SMOOTHED_FUNCS.includes(f.name)) {
            throw new BadDataError(
              `smoothed modifier can only be used with: ${SMOOTHED_FUNCS.join(', ')} - not with ${f.name}`,
            );
          }
        }
      });
      return;
    }
    case 'BinaryExpr': {
      checkAST(e.lhs);
      checkAST(e.rhs);
      const lt = exprType(e.lhs);
      const rt = exprType(e.rhs);
      const cmp = COMPARISON_OPS.has(e.op);
      if (e.returnBool && !cmp) throw new ParseError(e.opPos, 'bool modifier can only be used on comparison operators');
      if (cmp && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
        throw new ParseError(e.opPos, 'comparisons between scalars must use BOOL modifier');
      }
      if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector')) {
        throw new ParseError(e.pos.start, 'binary expression must contain only scalar and instant vector types');
      }
      const vm = e.vectorMatching!;
      if (SET_OPS.has(e.op)) {
        if (lt === 'scalar' || rt === 'scalar') {
          throw new ParseError(e.pos.start, `set operator ${quote(e.op)} not allowed in binary scalar expression`);
        }
        if (vm.card === 'many-to-one' || vm.card === 'one-to-many') {
          throw new ParseError(e.opPos, `no grouping allowed for ${quote(e.op)} operation`);
        }
        vm.card = 'many-to-many';
      }
      if ((lt !== 'vector' || rt !== 'vector') && e.matchingWritten) {
        if (vm.matchingLabels.length > 0 || vm.card !== 'one-to-one') {
          throw new ParseError(e.pos.start, 'vector matching only allowed between instant vectors');
        }
      }
      if (vm.on) {
        for (const l of vm.include) {
          if (vm.matchingLabels.includes(l))
            throw new ParseError(e.opPos, `label ${quote(l)} must not occur in ON and GROUP clause at once`);
        }
      }
      return;
    }
    default:
      return;
  }
}
