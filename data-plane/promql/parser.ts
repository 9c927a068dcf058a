import type { SyntaxNode } from '@lezer/common';
import type { LRParser } from '@lezer/lr';
import { parser as upstream } from '@prometheus-io/lezer-promql';
import { BadDataError, Matcher, type MatchType } from '../model/index.js';
import type {
  AggregateExpr,
  BinaryExpr,
  Call,
  DurationExpr,
  Expr,
  PosRange,
  TimeModifiers,
  VectorMatching,
  VectorSelector,
} from './ast.js';
import { exprType, typeName } from './ast.js';
import { staticMs } from './duration.js';
import { FUNCTIONS } from './function-defs.js';
import { parseNumberLiteral, quote, unquoteString } from './literals.js';
import { ParseError } from './parse-error.js';
import { checkAST } from './typecheck.js';

/**
 * lezer-promql looks identifiers up in plain-object keyword tables, so a metric named `constructor`
 * or `__proto__` finds Object.prototype's member and fails to parse. Its identifier specializers are
 * wrapped to treat such names as plain identifiers (they are never keywords).
 */
export const lezerParser: LRParser = (() => {
  const specs = (upstream as unknown as { specializerSpecs: { external?: (v: string, s: unknown) => number }[] })
    .specializerSpecs;
  const inherited = (v: string) => v in Object.prototype || v.toLowerCase() in Object.prototype;
  return upstream.configure({
    specializers: specs.flatMap((spec) => {
      const from = spec.external;
      if (!from) return [];
      return [{ from, to: (v: string, st: unknown) => (inherited(v) ? -1 : from(v, st)) }];
    }) as never,
  });
})();

export { evalDuration, staticMs } from './duration.js';
export { COMPARISON_OPS, SET_OPS } from './typecheck.js';

/** Queries longer than this are rejected before parsing (Prometheus has no limit; we do). */
export const MAX_QUERY_LENGTH = 128 * 1024;
/** Deeper nesting is rejected so no input can overflow the stack. */
export const MAX_NESTING = 200;

const BIN_OPS: Record<string, string> = {
  Pow: '^',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Atan2: 'atan2',
  Add: '+',
  Sub: '-',
  Eql: '==',
  Gte: '>=',
  Gtr: '>',
  TrimUpper: '</',
  TrimLower: '>/',
  Lte: '<=',
  Lss: '<',
  Neq: '!=',
  And: 'and',
  Unless: 'unless',
  Or: 'or',
};

/** Go operator precedence (higher binds tighter). */
export function precedence(op: string): number {
  switch (op) {
    case 'or':
      return 1;
    case 'and':
    case 'unless':
      return 2;
    case '+':
    case '-':
      return 4;
    case '*':
    case '/':
    case '%':
    case 'atan2':
      return 5;
    case '^':
      return 6;
    default:
      return 3;
  }
}

/** Prometheus-style position prefix: `line:col` (1-based, bytes within the line). */
export function positionOf(query: string, pos: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < query.length; i++) {
    if (query.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const col = Buffer.byteLength(query.slice(lineStart, pos)) + 1;
  return `${line}:${col}`;
}

/** Parses a PromQL expression into a type-checked AST; throws BadDataError with a position. */
export function parseExpr(query: string): Expr {
  if (query.length > MAX_QUERY_LENGTH) {
    throw new BadDataError(`query is too long: ${query.length} characters, at most ${MAX_QUERY_LENGTH} allowed`);
  }
  try {
    checkNesting(query);
    const tree = lezerParser.parse(prepareForLezer(query));
    const top = tree.topNode;
    const errPos = findError(top);
    if (errPos !== undefined) {
      throw new ParseError(
        errPos,
        errPos >= query.length
          ? 'unexpected end of input'
          : `unexpected character or token at ${quote(query.slice(errPos, errPos + 10))}`,
      );
    }
    const first = top.firstChild;
    if (!first) throw new ParseError(0, 'no expression found in input');
    const b = new Builder(query);
    const e = b.expr(first, 0);
    checkAST(e);
    return e;
  } catch (err) {
    if (err instanceof ParseError) {
      throw new BadDataError(`${positionOf(query, err.pos)}: parse error: ${err.message}`);
    }
    // Parsing depends on the query text alone, so whatever a JS builtin rejects is the query's fault.
    // The usual case: lezer builds its tree recursively, one frame per operator of a chain such as
    // `a + a + … + a`, which the bracket nesting limit does not see, and overflows the stack.
    if (err instanceof RangeError) {
      throw new BadDataError(`1:1: parse error: query is too complex to parse (${err.message})`, { cause: err });
    }
    throw err;
  }
}

/** Keywords Go's lexer reads case-insensitively inside durations (`[5m:STEP()]`, `offset STEP()`). */
const DURATION_KEYWORDS = new Set(['step', 'range', 'min_of', 'max_of']);

/**
 * Rewrites the query text lezer parses so that its grammar accepts what Go's parser does, keeping
 * every position (the AST is built from the original text, so names read back as written):
 * - Go accepts `2.` as a number; the lezer grammar does not: such a dot becomes a space.
 * - Duration keywords are case-insensitive in a duration (`[1+STEP()]`, `offset STEP()`):
 *   lowercased there.
 * - `min_of(…)`/`max_of(…)` are also functions outside durations, where the lezer grammar knows
 *   them only as duration keywords: spelled `minute` (same length) for lezer, and the builder reads
 *   the real name from the original text.
 */
export function prepareForLezer(q: string): string {
  let out = '';
  let quote = '';
  let brackets = 0;
  let braces = 0;
  let parens = 0;
  // an `offset` duration: 'sign' (before its primary), 'call' (keyword seen, its `(` next), or the
  // paren depth below which it ends (a number when inside its parentheses)
  let offset: 'sign' | 'call' | number | undefined;
  for (let i = 0; i < q.length; i++) {
    const c = q[i]!;
    if (quote) {
      if (c === '\\' && quote !== '`') {
        out += c + (q[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = '';
      out += c;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out += c;
      continue;
    }
    if (c === '#') {
      const nl = q.indexOf('\n', i);
      const stop = nl < 0 ? q.length : nl;
      out += q.slice(i, stop);
      i = stop - 1;
      continue;
    }
    if (c === '{') braces++;
    else if (c === '}') braces = Math.max(0, braces - 1);
    if (braces > 0) {
      out += c;
      continue;
    }
    if (/[A-Za-z_:]/.test(c)) {
      let j = i + 1;
      while (j < q.length && /[A-Za-z0-9_:]/.test(q[j]!)) j++;
      const word = q.slice(i, j);
      const lower = word.toLowerCase();
      let k = j;
      while (k < q.length && /\s/.test(q[k]!)) k++;
      const call = q[k] === '(';
      const inDuration = brackets > 0 || typeof offset === 'number' || offset === 'sign';
      if (inDuration && call && DURATION_KEYWORDS.has(lower)) {
        out += lower;
        if (offset === 'sign') offset = 'call';
      } else if (!inDuration && call && (word === 'min_of' || word === 'max_of')) {
        out += 'minute';
      } else {
        out += word;
        if (offset === 'sign') offset = undefined;
      }
      if (lower === 'offset' && brackets === 0) offset = 'sign';
      i = j - 1;
      continue;
    }
    if (c === '[') brackets++;
    else if (c === ']') brackets = Math.max(0, brackets - 1);
    else if (c === '(') {
      if (offset === 'sign' || offset === 'call') offset = parens;
      parens++;
    } else if (c === ')') {
      parens--;
      if (typeof offset === 'number' && parens <= offset) offset = undefined;
    } else if (offset === 'sign' && !/[\s+-]/.test(c)) offset = undefined;
    if (c === '.' && i > 0 && /[0-9]/.test(q[i - 1]!) && !/[0-9eE]/.test(q[i + 1] ?? '')) {
      let j = i - 1;
      while (j >= 0 && /[0-9]/.test(q[j]!)) j--;
      if (j < 0 || !/[A-Za-z_:.]/.test(q[j]!)) {
        out += ' ';
        continue;
      }
    }
    out += c;
  }
  return out;
}

function checkNesting(q: string): void {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < q.length; i++) {
    const c = q.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 41 || c === 93 || c === 125) depth--;
  }
  if (max > MAX_NESTING) throw new ParseError(0, `query nesting is too deep (more than ${MAX_NESTING} levels)`);
}

function findError(top: SyntaxNode): number | undefined {
  const c = top.cursor();
  do {
    if (c.type.isError) return c.from;
  } while (c.next());
  return undefined;
}

function kids(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

const EXPR_NODES = new Set([
  'AggregateExpr',
  'BinaryExpr',
  'FunctionCall',
  'MatrixSelector',
  'NumberDurationLiteral',
  'OffsetExpr',
  'AnchoredExpr',
  'SmoothedExpr',
  'ParenExpr',
  'StringLiteral',
  'SubqueryExpr',
  'UnaryExpr',
  'VectorSelector',
  'StepInvariantExpr',
]);

function exprKids(n: SyntaxNode): SyntaxNode[] {
  return kids(n).filter((k) => EXPR_NODES.has(k.type.name));
}

class Builder {
  constructor(private readonly q: string) {}

  text(n: SyntaxNode): string {
    return this.q.slice(n.from, n.to);
  }

  pos(n: SyntaxNode): PosRange {
    return { start: n.from, end: n.to };
  }

  expr(n: SyntaxNode, depth: number): Expr {
    if (depth > MAX_NESTING) throw new ParseError(n.from, 'query nesting is too deep');
    const d = depth + 1;
    switch (n.type.name) {
      case 'NumberDurationLiteral':
        return { type: 'NumberLiteral', val: parseNumberLiteral(this.text(n)), text: this.text(n), pos: this.pos(n) };
      case 'StringLiteral':
        return { type: 'StringLiteral', val: this.str(n), pos: this.pos(n) };
      case 'ParenExpr': {
        const inner = exprKids(n)[0];
        if (!inner) throw new ParseError(n.from, 'empty parenthesis');
        return { type: 'ParenExpr', expr: this.expr(inner, d), pos: this.pos(n) };
      }
      case 'UnaryExpr': {
        const op = this.text(n.firstChild!) as '-' | '+';
        const inner = this.expr(exprKids(n)[0]!, d);
        if (inner.type === 'NumberLiteral') {
          return {
            ...inner,
            val: op === '-' ? -inner.val : inner.val,
            text: `${op}${inner.text ?? inner.val}`,
            pos: this.pos(n),
          };
        }
        return { type: 'UnaryExpr', op, expr: inner, pos: this.pos(n) };
      }
      case 'VectorSelector':
        return this.vectorSelector(n);
      case 'MatrixSelector': {
        const [inner] = exprKids(n);
        const durNode = kids(n).find((k) => k.type.name === 'DurationExpr')!;
        const dur = this.durationExpr(durNode);
        return this.postfix(this.expr(inner!, d), n, (e) => {
          if (e.type !== 'VectorSelector')
            throw new ParseError(e.pos.start, 'ranges only allowed for vector selectors');
          if (e.offset !== 0 || e.offsetExpr || e.timestamp !== undefined || e.startOrEnd) {
            throw new ParseError(e.pos.start, 'no offset or @ modifiers allowed before range');
          }
          const ms = staticMs(dur);
          return {
            type: 'MatrixSelector',
            vectorSelector: e,
            range: ms ?? 0,
            ...(ms === undefined ? { rangeExpr: dur } : {}),
            pos: { start: e.pos.start, end: n.to },
          };
        });
      }
      case 'SubqueryExpr': {
        const [inner] = exprKids(n);
        const durs = kids(n).filter((k) => k.type.name === 'DurationExpr');
        const range = this.durationExpr(durs[0]!);
        const step = durs[1] ? this.durationExpr(durs[1]) : undefined;
        return this.postfix(this.expr(inner!, d), n, (e) => {
          const t = exprType(e);
          if (t !== 'vector') {
            throw new ParseError(e.pos.start, `subquery is only allowed on instant vector, got ${typeName(t)} instead`);
          }
          const rms = staticMs(range);
          const sms = step ? staticMs(step) : 0;
          return {
            type: 'SubqueryExpr',
            expr: e,
            range: rms ?? 0,
            ...(rms === undefined ? { rangeExpr: range } : {}),
            step: sms ?? 0,
            ...(sms === undefined && step ? { stepExpr: step } : {}),
            offset: 0,
            pos: { start: e.pos.start, end: n.to },
          };
        });
      }
      case 'OffsetExpr': {
        const [inner] = exprKids(n);
        const durNode = kids(n).find((k) => k.type.name === 'OffsetDurationExpr')!;
        const dur = this.durationExpr(durNode);
        return this.postfix(this.expr(inner!, d), n, (e) => {
          const tm = timeTarget(e, 'offset');
          if (tm.offset !== 0 || tm.offsetExpr) throw new ParseError(n.from, 'offset may not be set multiple times');
          const ms = staticMs(dur);
          if (ms === undefined) tm.offsetExpr = dur;
          else tm.offset = ms;
          return widen(e, n.to);
        });
      }
      case 'StepInvariantExpr': {
        const [inner] = exprKids(n);
        const ks = kids(n);
        const num = ks.find((k) => k.type.name === 'NumberDurationLiteral');
        const pre = ks.find((k) => k.type.name === 'AtModifierPreprocessors');
        return this.postfix(this.expr(inner!, d), n, (e) => {
          const tm = timeTarget(e, '@');
          if (tm.timestamp !== undefined || tm.startOrEnd)
            throw new ParseError(n.from, '@ <timestamp> may not be set multiple times');
          if (num) {
            const v = parseNumberLiteral(this.text(num));
            if (!Number.isFinite(v) || Math.abs(v * 1000) > 9.2e18) {
              throw new ParseError(num.from, 'timestamp out of bounds for @ modifier');
            }
            tm.timestamp = Math.round(v * 1000);
          } else {
            tm.startOrEnd = this.text(pre!) === 'start' ? 'start' : 'end';
          }
          return widen(e, n.to);
        });
      }
      case 'AnchoredExpr':
      case 'SmoothedExpr': {
        const [inner] = exprKids(n);
        const anchored = n.type.name === 'AnchoredExpr';
        return this.postfix(this.expr(inner!, d), n, (e) => {
          const vs = e.type === 'VectorSelector' ? e : e.type === 'MatrixSelector' ? e.vectorSelector : undefined;
          if (!vs)
            throw new ParseError(
              n.from,
              `${anchored ? 'anchored' : 'smoothed'} modifier can only be used on selectors`,
            );
          if (anchored) vs.anchored = true;
          else vs.smoothed = true;
          return widen(e, n.to);
        });
      }
      case 'AggregateExpr':
        return this.aggregate(n, d);
      case 'FunctionCall':
        return this.call(n, d);
      case 'BinaryExpr':
        return this.binary(n, d);
      default:
        throw new ParseError(n.from, `unexpected ${n.type.name}`);
    }
  }

  /** Postfix operators bind to the rightmost operand (the lezer grammar attaches them to the whole expression). */
  postfix(e: Expr, n: SyntaxNode, apply: (e: Expr) => Expr): Expr {
    if (e.type === 'BinaryExpr') {
      const rhs = this.postfix(e.rhs, n, apply);
      return { ...e, rhs, pos: { start: e.pos.start, end: n.to } };
    }
    if (e.type === 'UnaryExpr') {
      return { ...e, expr: this.postfix(e.expr, n, apply), pos: { start: e.pos.start, end: n.to } };
    }
    return apply(e);
  }

  str(n: SyntaxNode): string {
    try {
      return unquoteString(this.text(n));
    } catch (err) {
      throw new ParseError(n.from, (err as Error).message);
    }
  }

  /** `labelSelector`: info()'s second argument, which may hold only empty-matching matchers. */
  vectorSelector(n: SyntaxNode, labelSelector = false): VectorSelector {
    let name = '';
    const matchers: Matcher[] = [];
    for (const k of kids(n)) {
      if (k.type.name === 'Identifier') name = this.text(k);
      else if (k.type.name === 'LabelMatchers') {
        for (const m of kids(k)) {
          if (m.type.name === 'QuotedLabelName') {
            if (name !== '')
              throw new ParseError(
                m.from,
                `metric name must not be set twice: ${quote(name)} or ${quote(this.str(m.firstChild!))}`,
              );
            name = this.str(m.firstChild!);
          } else if (m.type.name === 'UnquotedLabelMatcher' || m.type.name === 'QuotedLabelMatcher') {
            const [ln, op, val] = kids(m);
            const lname = ln!.type.name === 'LabelName' ? this.text(ln!) : this.str(ln!.firstChild!);
            const value = this.str(val!);
            try {
              matchers.push(new Matcher(this.text(op!) as MatchType, lname, value));
            } catch (err) {
              throw new ParseError(val!.from, (err as Error).message);
            }
          }
        }
      }
    }
    if (name !== '') {
      if (matchers.some((m) => m.name === '__name__')) {
        throw new ParseError(
          n.from,
          `metric name must not be set twice: ${quote(name)} or ${quote(matchers.find((m) => m.name === '__name__')!.value)}`,
        );
      }
      matchers.unshift(new Matcher('=', '__name__', name));
    }
    if (!labelSelector && !matchers.some((m) => !m.matchesEmpty())) {
      throw new ParseError(n.from, 'vector selector must contain at least one non-empty matcher');
    }
    return { type: 'VectorSelector', name, matchers, offset: 0, anchored: false, smoothed: false, pos: this.pos(n) };
  }

  grouping(n: SyntaxNode): string[] {
    return kids(n)
      .filter((k) => k.type.name === 'LabelName' || k.type.name === 'QuotedLabelName')
      .map((k) => (k.type.name === 'LabelName' ? this.text(k) : this.str(k.firstChild!)));
  }

  aggregate(n: SyntaxNode, d: number): AggregateExpr {
    const ks = kids(n);
    const op = this.text(ks.find((k) => k.type.name === 'AggregateOp')!).toLowerCase();
    const mod = ks.find((k) => k.type.name === 'AggregateModifier');
    const body = ks.find((k) => k.type.name === 'FunctionCallBody')!;
    const args = exprKids(body).map((a) => this.expr(a, d));
    let grouping: string[] = [];
    let without = false;
    if (mod) {
      without = mod.firstChild!.type.name === 'Without';
      grouping = this.grouping(kids(mod).find((k) => k.type.name === 'GroupingLabels')!);
    }
    const needsParam = ['topk', 'bottomk', 'quantile', 'count_values', 'limitk', 'limit_ratio'].includes(op);
    const want = needsParam ? 2 : 1;
    if (args.length !== want) {
      throw new ParseError(
        n.from,
        `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`,
      );
    }
    const agg: AggregateExpr = {
      type: 'AggregateExpr',
      op,
      expr: args[want - 1]!,
      grouping,
      without,
      groupingWritten: mod !== undefined,
      pos: this.pos(n),
    };
    if (needsParam) agg.param = args[0]!;
    return agg;
  }

  call(n: SyntaxNode, d: number): Call {
    const [idNode, body] = kids(n);
    const name = this.text(idNode!);
    const func = FUNCTIONS.get(name);
    if (!func) throw new ParseError(n.from, `unknown function with name ${quote(name)}`);
    const args = exprKids(body!).map((a, i) =>
      name === 'info' && i === 1 && a.type.name === 'VectorSelector' ? this.vectorSelector(a, true) : this.expr(a, d),
    );
    return { type: 'Call', func, args, pos: this.pos(n) };
  }

  binary(n: SyntaxNode, d: number): Expr {
    const ks = kids(n);
    const [l, r] = exprKids(n);
    const opNode = ks.find((k) => BIN_OPS[k.type.name] !== undefined)!;
    const op = BIN_OPS[opNode.type.name]!;
    const returnBool = ks.some((k) => k.type.name === 'BoolModifier');
    const mm = ks.find((k) => k.type.name === 'MatchingModifierClause');
    const fill = ks.find((k) => k.type.name === 'FillModifier');
    const vm: VectorMatching = { card: 'one-to-one', matchingLabels: [], on: false, include: [] };
    if (mm) {
      const mk = kids(mm);
      vm.on = mk[0]!.type.name === 'On';
      const groups = mk.filter((k) => k.type.name === 'GroupingLabels');
      vm.matchingLabels = this.grouping(groups[0]!);
      const g = mk.find((k) => k.type.name === 'GroupLeft' || k.type.name === 'GroupRight');
      if (g) {
        vm.card = g.type.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
        if (groups[1]) vm.include = this.grouping(groups[1]);
      }
    }
    if (fill) {
      for (const c of kids(fill)) {
        const v = parseNumberLiteral(this.text(kids(c).find((k) => k.type.name === 'NumberDurationLiteral')!));
        if (c.type.name === 'FillClause') {
          vm.fillLeft = v;
          vm.fillRight = v;
        } else if (c.type.name === 'FillLeftClause') vm.fillLeft = v;
        else vm.fillRight = v;
      }
    }
    const signed = op === '^' && l!.type.name === 'NumberDurationLiteral' ? /^[+-]/.exec(this.text(l!)) : null;
    if (signed) {
      // lezer-promql lexes the sign of `-1 ^ x` into the number; Prometheus's lexer never does, and
      // its grammar reads `-a ^ b` as `-(a ^ b)` (prometheus#6579): `-1 ^ 2` is -1, not 1 (found by
      // the PromQL differential fuzzer, issue #24)
      const text = this.text(l!).slice(1);
      const inner: Expr = {
        type: 'NumberLiteral',
        val: parseNumberLiteral(text),
        text,
        pos: { start: l!.from + 1, end: l!.to },
      };
      const rhs = this.expr(r!, d);
      const pow = rotate({
        type: 'BinaryExpr',
        op,
        lhs: inner,
        rhs,
        vectorMatching: vm,
        matchingWritten: mm !== undefined,
        returnBool,
        pos: { start: inner.pos.start, end: rhs.pos.end },
        opPos: opNode.from,
      });
      return { type: 'UnaryExpr', op: signed[0] as '-' | '+', expr: pow, pos: { start: l!.from, end: rhs.pos.end } };
    }
    const lhs = this.expr(l!, d);
    const rhs = this.expr(r!, d);
    const be: BinaryExpr = {
      type: 'BinaryExpr',
      op,
      lhs,
      rhs,
      vectorMatching: vm,
      matchingWritten: mm !== undefined,
      returnBool,
      pos: { start: lhs.pos.start, end: rhs.pos.end },
      opPos: opNode.from,
    };
    return rotate(be);
  }

  durationExpr(n: SyntaxNode): DurationExpr {
    const ks = kids(n);
    const name = n.type.name;
    if (name === 'DurationStep') return { kind: 'step' };
    if (name === 'DurationRange') return { kind: 'range' };
    if (name === 'NumberDurationLiteralInDurationContext' || name === 'NumberDurationLiteral') {
      return { kind: 'num', v: parseNumberLiteral(this.text(n)) };
    }
    if (ks.length === 1 && (name === 'DurationExpr' || name === 'OffsetDurationExpr')) return this.durationExpr(ks[0]!);
    const first = ks[0];
    if (!first) throw new ParseError(n.from, 'empty duration');
    switch (first.type.name) {
      case 'DurationStep':
        return { kind: 'step' };
      case 'DurationRange':
        return { kind: 'range' };
      case 'DurationMinOf':
      case 'DurationMaxOf': {
        const [a, b] = ks.filter((k) => k.type.name === 'DurationExpr');
        return {
          kind: first.type.name === 'DurationMinOf' ? 'minof' : 'maxof',
          a: this.durationExpr(a!),
          b: this.durationExpr(b!),
        };
      }
      case 'UnaryOp':
        return { kind: 'unary', op: this.text(first) as '-' | '+', x: this.durationExpr(ks[1]!) };
    }
    const inner = ks.filter((k) => k.type.name === 'DurationExpr' || k.type.name === 'OffsetDurationExpr');
    if (inner.length === 2) {
      const opNode = ks.find((k) => BIN_OPS[k.type.name] !== undefined)!;
      return {
        kind: 'bin',
        op: BIN_OPS[opNode.type.name]!,
        a: this.durationExpr(inner[0]!),
        b: this.durationExpr(inner[1]!),
      };
    }
    if (inner.length === 1) return this.durationExpr(inner[0]!);
    throw new ParseError(n.from, 'invalid duration expression');
  }
}

/** Re-associates `(a op1 b) op2 c` when op2 binds tighter (needed after postfix rewrites). */
function rotate(be: BinaryExpr): BinaryExpr {
  const l = be.lhs;
  if (l.type !== 'BinaryExpr') return be;
  const pl = precedence(l.op);
  const p = precedence(be.op);
  if (p > pl || (p === pl && be.op === '^')) {
    const inner = rotate({ ...be, lhs: l.rhs, pos: { start: l.rhs.pos.start, end: be.pos.end } });
    return { ...l, rhs: inner, pos: { start: l.pos.start, end: be.pos.end } };
  }
  return be;
}

function widen(e: Expr, end: number): Expr {
  e.pos = { start: e.pos.start, end };
  return e;
}

function timeTarget(e: Expr, what: string): TimeModifiers {
  if (e.type === 'VectorSelector' || e.type === 'SubqueryExpr') return e;
  if (e.type === 'MatrixSelector') return e.vectorSelector;
  throw new ParseError(
    e.pos.start,
    `${what === '@' ? '@ modifier' : 'offset modifier'} must be preceded by an instant vector selector or range vector selector or a subquery`,
  );
}
