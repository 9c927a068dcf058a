import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './pagination.js';

const forged = (json: string) => Buffer.from(json, 'utf8').toString('base64url');

describe('cursors', () => {
  it('round-trips keys and row IDs', () => {
    expect(decodeCursor(encodeCursor('acme'), 'string')).toBe('acme');
    expect(decodeCursor(encodeCursor(42), 'id')).toBe(42);
    expect(decodeCursor(encodeCursor(Number.MAX_SAFE_INTEGER), 'id')).toBe(Number.MAX_SAFE_INTEGER);
  });

  // Each of these reached the database as a bad bigint parameter: a 500 instead of a 400.
  it.each(['-1', '1.5', '1e400', '9007199254740993', '"7"', 'null', '{}', '[1]', 'not json'])(
    'refuses the forged row-ID cursor %s',
    (json) => {
      expect(() => decodeCursor(forged(json), 'id')).toThrowError(/invalid cursor/);
    },
  );

  it.each(['1', 'null', '["a"]'])('refuses the forged key cursor %s', (json) => {
    expect(() => decodeCursor(forged(json), 'string')).toThrowError(/invalid cursor/);
  });
});
