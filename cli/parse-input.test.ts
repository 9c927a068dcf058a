import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { expiresAt, parseLabels, parseScopes } from './parse-input.js';

describe('parse-input', () => {
  it('parses labels; values may contain =, __proto__ is an ordinary key', () => {
    expect(parseLabels(['a=1', 'b=x=y', '__proto__=p'])).toEqual({ a: '1', b: 'x=y', ['__proto__']: 'p' });
    expect(Object.getPrototypeOf(parseLabels(['__proto__=p']))).toBe(Object.prototype);
    expect(parseLabels(undefined)).toBeUndefined();
    expect(() => parseLabels(['=v'])).toThrow(UsageError);
  });

  it.each([
    {
      name: 'trims and de-duplicates',
      list: ' metrics:read, metrics:read,rules:write ',
      want: ['metrics:read', 'rules:write'],
    },
  ])('scopes: $name', ({ list, want }) => {
    expect(parseScopes(list)).toEqual(want);
  });

  it.each([
    { name: 'empty', list: ' , ', error: /at least one scope/ },
    { name: 'unknown', list: 'metrics:read,admin', error: /unknown scope admin: valid scopes are metrics:write/ },
  ])('rejects scopes: $name', ({ list, error }) => {
    expect(() => parseScopes(list)).toThrow(error);
  });

  it('computes expiry from an injected now', () => {
    expect(expiresAt('30d', Date.UTC(2026, 0, 1))).toBe('2026-01-31T00:00:00.000Z');
    expect(() => expiresAt('0', 0)).toThrow(/must be positive/);
    expect(() => expiresAt('tomorrow', 0)).toThrow(/invalid --expires-in "tomorrow"/);
    // found by the cli-input fuzz target: a RangeError ("Invalid time value") reached the user
    expect(() => expiresAt('100000000d', Date.UTC(2026, 0, 1))).toThrow(UsageError);
    expect(() => expiresAt('7985y', Date.UTC(2026, 0, 1))).toThrow(/expires after 9999-12-31/);
    expect(expiresAt('7975y', Date.UTC(2026, 0, 1))).toMatch(/^9995-/);
  });
});
