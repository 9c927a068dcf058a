import { describe, expect, it } from 'vitest';
import { crc32, generateToken, hashToken, isWellFormedToken, sameSecret } from './token-format.js';

describe('token format', () => {
  it('matches the CRC-32 (IEEE) check value', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
  });

  it.each([
    { name: 'tenant', type: 'cxt_' as const },
    { name: 'admin', type: 'cxa_' as const },
  ])('generates well-formed, distinct $name tokens', ({ type }) => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = generateToken(type);
      expect(t.secret).toMatch(new RegExp(`^${type}[0-9A-Za-z]{36}$`));
      expect(isWellFormedToken(t.secret, type)).toBe(true);
      expect(t.secretHash).toBe(hashToken(t.secret));
      expect(t.secret.startsWith(t.prefix)).toBe(true);
      seen.add(t.secret);
    }
    expect(seen.size).toBe(200);
  });

  const good = generateToken('cxt_').secret;
  const swap = (s: string, i: number) => s.slice(0, i) + (s[i] === 'Z' ? 'Y' : 'Z') + s.slice(i + 1);
  it.each([
    { name: 'one random character changed', token: swap(good, 12) },
    { name: 'checksum changed', token: swap(good, good.length - 1) },
    { name: 'wrong type prefix', token: `cxa_${good.slice(4)}` },
    { name: 'too short', token: good.slice(0, -1) },
    { name: 'too long', token: `${good}0` },
    { name: 'non-base62 character', token: `${good.slice(0, 10)}-${good.slice(11)}` },
    { name: 'empty', token: '' },
  ])('rejects $name without a database', ({ token }) => {
    expect(isWellFormedToken(token, 'cxt_')).toBe(false);
  });

  it('compares secrets by digest', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });
});
