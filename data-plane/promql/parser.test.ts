import { describe, expect, it } from 'vitest';
import { BadDataError } from '../model/index.js';
import { isValidUTF8, quote } from './literals.js';
import { parseExpr } from './parser.js';
import { formatQuery } from './printer.js';

const invalid = [
  {
    name: 'range function on instant vector',
    query: 'rate(foo)',
    err: '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
  },
  { name: 'wrong arg count', query: 'abs(foo, bar)', err: 'expected 1 argument(s) in call to "abs", got 2' },
  { name: 'scalar comparison without bool', query: '1 > 2', err: 'comparisons between scalars must use BOOL modifier' },
  { name: 'set op on scalar', query: '1 and foo', err: 'set operator "and" not allowed in binary scalar expression' },
  { name: 'empty selector', query: '{a=""}', err: 'vector selector must contain at least one non-empty matcher' },
  { name: 'range on non-selector', query: 'sum(foo)[5m]', err: 'ranges only allowed for vector selectors' },
  {
    name: 'subquery of range',
    query: 'foo[5m][10m:1m]',
    err: 'subquery is only allowed on instant vector, got range vector',
  },
  {
    name: 'offset on aggregation',
    query: 'sum(foo) offset 5m',
    err: 'offset modifier must be preceded by an instant vector selector',
  },
  { name: 'syntax error', query: 'foo{', err: '1:5: parse error:' },
  { name: 'position on second line', query: 'foo +\n  rate(bar)', err: '2:8: parse error: expected type range vector' },
  { name: 'unterminated string', query: 'foo{a="b}', err: 'parse error' },
  { name: 'bad regex', query: 'foo{a=~"("}', err: 'invalid regular expression' },
  {
    name: 'aggregation parameter type',
    query: 'topk("a", foo)',
    err: 'expected type scalar in aggregation parameter, got string',
  },
  { name: 'deep nesting', query: `${'('.repeat(5000)}1${')'.repeat(5000)}`, err: 'nesting is too deep' },
  { name: 'huge query', query: `foo${' '.repeat(200_000)}`, err: 'query is too long' },
];

const printed = [
  { query: 'sum by(job)(rate(foo{a="b"}[5m]))', out: 'sum by (job) (rate(foo{a="b"}[5m]))' },
  { query: 'foo offset 1m @ 100', out: 'foo offset 1m @ 100.000' },
  { query: 'a + on(x) group_left(y) b', out: 'a + on(x) group_left(y) b' },
  { query: 'a > bool 1', out: 'a > bool 1' },
  { query: 'max_over_time(foo[1h:5m] offset 10m)', out: 'max_over_time(foo[1h:5m] offset 10m)' },
  { query: '-2 ^ 2', out: '-2 ^ 2' },
  { query: 'topk(3, x) without (a)', out: 'topk without (a) (3, x)' },
  { query: 'x @ start()', out: 'x @ start()' },
];

describe('parseExpr', () => {
  it.each(invalid)('rejects $name', ({ query, err }) => {
    let caught: unknown;
    try {
      parseExpr(query);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(BadDataError);
    expect((caught as Error).message).toContain(err);
  });

  it('binds postfix modifiers to the rightmost operand', () => {
    const e = parseExpr('a + b offset 1m');
    expect(e.type).toBe('BinaryExpr');
    if (e.type !== 'BinaryExpr') return;
    expect(e.lhs.type === 'VectorSelector' && e.lhs.offset).toBe(0);
    expect(e.rhs.type === 'VectorSelector' && e.rhs.offset).toBe(60_000);
  });

  it('keeps operator precedence after postfix rewrites', () => {
    const e = parseExpr('a * b @ 5 ^ c');
    expect(e.type === 'BinaryExpr' && e.op).toBe('*');
    if (e.type === 'BinaryExpr') expect(e.rhs.type === 'BinaryExpr' && e.rhs.op).toBe('^');
  });

  it('accepts Go-style trailing-dot numbers and durations as numbers', () => {
    const e = parseExpr('2. + 1m');
    expect(e.type === 'BinaryExpr' && e.lhs.type === 'NumberLiteral' && e.lhs.val).toBe(2);
    expect(e.type === 'BinaryExpr' && e.rhs.type === 'NumberLiteral' && e.rhs.val).toBe(60);
  });

  it('reads duration keywords case-insensitively inside durations only, as Go does', () => {
    expect(parseExpr('x[1+(STep()-5)*2]')).toMatchObject({ type: 'MatrixSelector' });
    expect(parseExpr('x offset STEP()')).toMatchObject({ type: 'VectorSelector', offsetExpr: { kind: 'step' } });
    expect(parseExpr('x offset (STEP()/10)')).toMatchObject({ type: 'VectorSelector' });
    expect(parseExpr('x offset -Range()')).toMatchObject({ type: 'VectorSelector' });
    // a function name is case-sensitive
    expect(() => parseExpr('STEP()')).toThrow(BadDataError);
    // … and a metric named like a keyword stays a metric
    expect(parseExpr('step + STEP')).toMatchObject({ type: 'BinaryExpr' });
  });

  it('parses min_of/max_of as functions outside durations', () => {
    expect(parseExpr('min_of(3, 5)')).toMatchObject({ type: 'Call', func: { name: 'min_of' } });
    expect(parseExpr('max_of (time(), 5) + 1')).toMatchObject({
      type: 'BinaryExpr',
      lhs: { func: { name: 'max_of' } },
    });
    expect(parseExpr('x[max_of(1m, STEP())]')).toMatchObject({ rangeExpr: { kind: 'maxof' } });
    expect(parseExpr('min_of')).toMatchObject({ type: 'VectorSelector', name: 'min_of' });
  });

  it('takes info() label selectors that match the empty string', () => {
    expect(parseExpr('info(x, {data=~".*"})')).toMatchObject({ type: 'Call', func: { name: 'info' } });
    expect(() => parseExpr('info(x, y)')).toThrow('expected label selectors only, got vector selector instead');
    expect(() => parseExpr('{data=~".*"}')).toThrow('at least one non-empty matcher');
  });

  it('keeps invalid UTF-8 bytes of string literals, quoted as Go quotes them', () => {
    const e = parseExpr('count_values("a\\xc5z", x)');
    if (e.type !== 'AggregateExpr' || e.param?.type !== 'StringLiteral') throw new Error('unexpected AST');
    expect(isValidUTF8(e.param.val)).toBe(false);
    expect(quote(e.param.val)).toBe('"a\\xc5z"');
    expect(Buffer.from(e.param.val).toString()).toBe('a\uFFFDz');
    const ok = parseExpr('count_values("\\xc3\\xa9", x)');
    if (ok.type === 'AggregateExpr' && ok.param?.type === 'StringLiteral') expect(ok.param.val).toBe('é');
  });
});

describe('formatQuery', () => {
  it.each(printed)('prints $query', ({ query, out }) => {
    expect(formatQuery(query)).toBe(out);
    // printing is a fixed point
    expect(formatQuery(out)).toBe(out);
  });
});

describe('names Object.prototype also has', () => {
  const names = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];
  it.each(names)('parses %s as a metric name, a label name and in a function', (n) => {
    const sel = parseExpr(n);
    expect(sel).toMatchObject({ type: 'VectorSelector', name: n });
    expect(parseExpr(`sum by (${n}) (rate(${n}{${n}="x"}[5m]))`)).toMatchObject({ type: 'AggregateExpr' });
  });
});
