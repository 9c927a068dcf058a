import { BadDataError } from '../model/index.js';
import type { DurationExpr } from './ast.js';

/** Milliseconds for a duration expression without step()/range(); undefined when it needs the query. */
export function staticMs(d: DurationExpr): number | undefined {
  const s = evalDuration(d, undefined);
  return s === undefined ? undefined : Math.round(s * 1000);
}

/** Evaluates a duration expression in seconds; `ctx` supplies step()/range() in seconds. */
export function evalDuration(d: DurationExpr, ctx: { step: number; range: number } | undefined): number | undefined {
  switch (d.kind) {
    case 'num':
      return d.v;
    case 'step':
      return ctx?.step;
    case 'range':
      return ctx?.range;
    case 'unary': {
      const x = evalDuration(d.x, ctx);
      return x === undefined ? undefined : d.op === '-' ? -x : x;
    }
    case 'minof':
    case 'maxof': {
      const a = evalDuration(d.a, ctx);
      const b = evalDuration(d.b, ctx);
      if (a === undefined || b === undefined) return undefined;
      return d.kind === 'minof' ? Math.min(a, b) : Math.max(a, b);
    }
    case 'bin': {
      const a = evalDuration(d.a, ctx);
      const b = evalDuration(d.b, ctx);
      if (a === undefined || b === undefined) return undefined;
      switch (d.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          if (b === 0) throw new BadDataError('division by zero in duration expression');
          return a / b;
        case '%':
          if (b === 0) throw new BadDataError('modulo by zero in duration expression');
          return a % b;
        case '^':
          return a ** b;
      }
      throw new BadDataError(`unsupported operator ${d.op} in duration expression`);
    }
  }
}
