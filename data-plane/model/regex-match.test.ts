import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadDataError } from './errors.js';
import { compileAnchored, regexTest } from './regex-match.js';

const viaRE2 = (pattern: string, v: string) => compileAnchored(pattern).matches(v);

describe('testing label values against a Prometheus regex', () => {
  it.each([
    // pattern, value, matches: the shapes answered without running the regex, and their neighbours
    ['.*', '', true],
    ['.*', 'a\nb', true],
    ['.+', '', false],
    ['.+', '\n', true],
    ['a|b|c', 'b', true],
    ['a|b|c', 'ab', false],
    ['(a|b)', 'a', true],
    ['(?:a|b)', 'b', true],
    ['10\\.0\\.0\\.1:9100|10\\.0\\.0\\.2:9100', '10.0.0.2:9100', true],
    ['10\\.0\\.0\\.1:9100', '10x0.0.1:9100', false],
    ['a||b', '', true],
    ['', '', true],
    ['', 'a', false],
    ['api-.*', 'api-server', true],
    ['api-.*', 'xapi-server', false],
    ['.*-prod', 'eu-prod', true],
    ['.*-prod', 'eu-prod2', false],
    ['.*err.*', 'an error', true],
    ['a\\.*', 'a...', true],
    ['a\\.*', 'ab', false],
    ['a\\\\.*', 'a\\b', true],
    ['(a)|(b)', 'b', true],
    ['5..', '503', true],
    ['(?i)GET', 'get', true],
    ['\\d+', '42', true],
    ['a\\d', 'a5', true],
    ['a\\d', 'ad', false],
    ['.*.*', 'x', true],
    ['ünï|🐱', '🐱', true],
  ])('%j against %j: %s', (pattern, value, want) => {
    expect(regexTest(pattern)(value)).toBe(want);
    expect(viaRE2(pattern, value)).toBe(want);
  });

  it('answers as RE2 does for generated patterns of literals, escapes, groups and wildcards', () => {
    const piece = fc.constantFrom(
      'a',
      'b',
      'ab',
      '.',
      '-',
      ':',
      '\\.',
      '\\-',
      '\\\\',
      '\\d',
      '\\w',
      '|',
      '.*',
      '.+',
      '(',
      ')',
      '(?:',
      'é',
      '\n',
    );
    const value = fc
      .array(fc.constantFrom('a', 'b', '.', '-', ':', '\\', 'é', '\n', 'x'), { maxLength: 6 })
      .map((x) => x.join(''));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 7 }), fc.array(value, { maxLength: 8 }), (pieces, values) => {
        const pattern = pieces.join('');
        let test: ((v: string) => boolean) | undefined;
        try {
          test = regexTest(pattern);
        } catch (err) {
          expect(err).toBeInstanceOf(BadDataError);
          expect(() => compileAnchored(pattern)).toThrow();
          return;
        }
        for (const v of [...values, '', pattern]) expect(test(v)).toBe(viaRE2(pattern, v));
      }),
      { numRuns: 3000, seed: 18 },
    );
  });

  it('refuses a pattern RE2 refuses, whatever shape it has', () => {
    expect(() => regexTest('a|(b')).toThrow(BadDataError);
    expect(() => regexTest('\\é')).toThrow(BadDataError);
  });
});
