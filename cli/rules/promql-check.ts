import { parseExpr } from '../../data-plane/promql/index.js';

/** A PromQL problem at a character offset of the expression (0-based). */
export interface ExprProblem {
  offset: number;
  message: string;
}

const POSITIONED = /^(\d+):(\d+): (.*)$/;

/**
 * Checks an expression offline with the data plane's own PromQL parser (syntax and type checks, e.g.
 * `rate()` over an instant vector), so `rules lint` accepts exactly what the ruler will evaluate.
 * The parser reports `line:col` (col in bytes); this turns it into a character offset.
 */
export function checkExpr(expr: string): ExprProblem[] {
  if (expr.trim() === '') return [{ offset: 0, message: 'expression is empty' }];
  try {
    parseExpr(expr);
    return [];
  } catch (err) {
    // One finding per line of output: escape newlines the parser quotes from the expression.
    const message = (err instanceof Error ? err.message : String(err)).replaceAll('\n', '\\n');
    const m = POSITIONED.exec(message);
    if (!m) return [{ offset: 0, message }];
    return [{ offset: offsetOf(expr, Number(m[1]), Number(m[2])), message: m[3]! }];
  }
}

function offsetOf(expr: string, line: number, byteCol: number): number {
  let lineStart = 0;
  for (let l = 1; l < line; l++) {
    const nl = expr.indexOf('\n', lineStart);
    if (nl < 0) break;
    lineStart = nl + 1;
  }
  const bytes = Buffer.from(expr.slice(lineStart), 'utf8').subarray(0, Math.max(0, byteCol - 1));
  return Math.min(expr.length, lineStart + bytes.toString('utf8').length);
}
