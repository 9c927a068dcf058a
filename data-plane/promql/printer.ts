import { formatDuration } from '../model/index.js';
import type { DurationExpr, Expr, TimeModifiers, VectorSelector } from './ast.js';
import { parseExpr } from './parser.js';

/** Go's fmt %v for float64 (shortest 'g' with Go's exponent thresholds). */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 21) {
    return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(v);
}

function durationString(ms: number): string {
  return ms < 0 ? `-${formatDuration(-ms)}` : formatDuration(ms);
}

function durExprString(d: DurationExpr): string {
  switch (d.kind) {
    case 'num':
      return formatNumber(d.v);
    case 'step':
      return 'step()';
    case 'range':
      return 'range()';
    case 'unary':
      return `${d.op}${durExprString(d.x)}`;
    case 'bin':
      return `${durExprString(d.a)} ${d.op} ${durExprString(d.b)}`;
    case 'minof':
    case 'maxof':
      return `${d.kind === 'minof' ? 'min' : 'max'}(${durExprString(d.a)}, ${durExprString(d.b)})`;
  }
}

function modifiers(tm: TimeModifiers): string {
  let s = '';
  if (tm.offsetExpr) s += ` offset (${durExprString(tm.offsetExpr)})`;
  else if (tm.offset !== 0) s += ` offset ${durationString(tm.offset)}`;
  if (tm.timestamp !== undefined) s += ` @ ${(tm.timestamp / 1000).toFixed(3)}`;
  else if (tm.startOrEnd) s += ` @ ${tm.startOrEnd}()`;
  return s;
}

function selectorBody(vs: VectorSelector): string {
  const ms = vs.matchers.filter(
    (m) => !(vs.name !== '' && m.name === '__name__' && m.type === '=' && m.value === vs.name),
  );
  const body = ms.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(', ');
  return `${vs.name}${body || vs.name === '' ? `{${body}}` : ''}`;
}

/** Prometheus's canonical single-line String() form of an expression. */
export function exprString(e: Expr): string {
  switch (e.type) {
    case 'VectorSelector':
      return `${selectorBody(e)}${e.anchored ? ' anchored' : ''}${e.smoothed ? ' smoothed' : ''}${modifiers(e)}`;
    case 'MatrixSelector': {
      const vs = e.vectorSelector;
      const range = e.rangeExpr ? durExprString(e.rangeExpr) : durationString(e.range);
      return `${selectorBody(vs)}[${range}]${vs.anchored ? ' anchored' : ''}${vs.smoothed ? ' smoothed' : ''}${modifiers(vs)}`;
    }
    case 'SubqueryExpr': {
      const range = e.rangeExpr ? durExprString(e.rangeExpr) : durationString(e.range);
      const step = e.stepExpr ? durExprString(e.stepExpr) : e.step ? durationString(e.step) : '';
      return `${exprString(e.expr)}[${range}:${step}]${modifiers(e)}`;
    }
    case 'NumberLiteral':
      return formatNumber(e.val);
    case 'StringLiteral':
      return JSON.stringify(e.val);
    case 'ParenExpr':
      return `(${exprString(e.expr)})`;
    case 'UnaryExpr':
      return `${e.op}${exprString(e.expr)}`;
    case 'Call':
      return `${e.func.name}(${e.args.map(exprString).join(', ')})`;
    case 'AggregateExpr': {
      let s = e.op;
      if (e.groupingWritten) s += ` ${e.without ? 'without' : 'by'} (${e.grouping.join(', ')}) `;
      const args = e.param ? `${exprString(e.param)}, ${exprString(e.expr)}` : exprString(e.expr);
      return `${s}(${args})`;
    }
    case 'BinaryExpr': {
      let op = e.op;
      if (e.returnBool) op += ' bool';
      const vm = e.vectorMatching;
      if (vm && e.matchingWritten) {
        if (vm.matchingLabels.length > 0 || vm.on)
          op += ` ${vm.on ? 'on' : 'ignoring'}(${vm.matchingLabels.join(', ')})`;
        if (vm.card === 'many-to-one' || vm.card === 'one-to-many') {
          op += ` ${vm.card === 'many-to-one' ? 'group_left' : 'group_right'}(${vm.include.join(', ')})`;
        }
      }
      if (vm?.fillLeft !== undefined && vm.fillLeft === vm.fillRight) op += ` fill(${formatNumber(vm.fillLeft)})`;
      else {
        if (vm?.fillLeft !== undefined) op += ` fill_left(${formatNumber(vm.fillLeft)})`;
        if (vm?.fillRight !== undefined) op += ` fill_right(${formatNumber(vm.fillRight)})`;
      }
      return `${exprString(e.lhs)} ${op} ${exprString(e.rhs)}`;
    }
  }
}

/** For /api/v1/format_query: parses and prints the canonical form; throws BadDataError. */
export function formatQuery(query: string): string {
  return exprString(parseExpr(query));
}
