import { describe, expect, it } from 'vitest';
import { Labels, Matcher } from './index.js';

describe('Labels', () => {
  it('sorts, dedupes and drops empty values', () => {
    const l = Labels.fromPairs([
      ['b', '2'],
      ['a', '1'],
      ['c', ''],
      ['b', '3'],
    ]);
    expect(l.flat).toEqual(['a', '1', 'b', '3']);
  });

  it('keeps __proto__ as an ordinary label name', () => {
    const l = Labels.fromPairs([['__proto__', 'x']]);
    expect(l.get('__proto__')).toBe('x');
    expect(JSON.stringify(l.toObject())).toBe('{"__proto__":"x"}');
  });

  it.each<{ name: string; a: Record<string, string>; b: Record<string, string> }>([
    { name: 'a value spelling two pairs', a: { a: 'x', b: 'y' }, b: { a: 'x\xffb\xffy' } },
    { name: 'a name holding the separator', a: { 'a\xffx': 'y' }, b: { a: 'x\xffy' } },
    { name: 'length prefixes that could line up', a: { a: '1:b1:y' }, b: { a: 'ÿ', b: 'y' } },
    { name: 'separator at the end of a value', a: { a: 'x\xff' }, b: { a: 'x', ÿ: 'z' } },
  ])('gives different label sets different keys: $name', ({ a, b }) => {
    const x = Labels.fromObject(a);
    const y = Labels.fromObject(b);
    expect(x.equals(y)).toBe(false);
    expect(x.key()).not.toBe(y.key());
    expect(x.key()).toBe(Labels.fromObject({ ...a }).key());
  });

  it('compares like Prometheus labels.Compare', () => {
    const a = Labels.fromObject({ a: '1' });
    const b = Labels.fromObject({ a: '1', b: '1' });
    expect(Labels.compare(a, b)).toBeLessThan(0);
    expect(Labels.compare(b, a)).toBeGreaterThan(0);
    expect(Labels.compare(a, Labels.fromObject({ a: '1' }))).toBe(0);
  });
});

describe('Matcher', () => {
  const cases: { name: string; m: Matcher; v: string; want: boolean }[] = [
    { name: 'equal', m: new Matcher('=', 'a', 'x'), v: 'x', want: true },
    { name: 'not equal absent', m: new Matcher('!=', 'a', 'x'), v: '', want: true },
    { name: 'regex anchored', m: new Matcher('=~', 'a', 'fo'), v: 'foo', want: false },
    { name: 'regex alternation', m: new Matcher('=~', 'a', 'foo|bar'), v: 'bar', want: true },
    { name: 'dot matches newline', m: new Matcher('=~', 'a', 'a.b'), v: 'a\nb', want: true },
    { name: 'negative regex', m: new Matcher('!~', 'a', 'x.*'), v: 'xyz', want: false },
  ];
  it.each(cases)('$name', ({ m, v, want }) => {
    expect(m.matches(v)).toBe(want);
  });

  it('rejects an invalid regex with bad_data', () => {
    expect(() => new Matcher('=~', 'a', '(')).toThrow(/invalid regular expression/);
  });
});
