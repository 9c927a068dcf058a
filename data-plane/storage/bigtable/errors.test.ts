import { describe, expect, it } from 'vitest';
import { CortexError, InternalError } from '../../model/index.js';
import { grpcCode, toCortexError } from './errors.js';

describe('toCortexError', () => {
  const cases = [
    { name: 'UNAVAILABLE', err: { code: 14 }, kind: 'unavailable' },
    { name: 'DEADLINE_EXCEEDED', err: { code: 4 }, kind: 'unavailable' },
    { name: 'RESOURCE_EXHAUSTED', err: { code: 8 }, kind: 'unavailable' },
    { name: 'ABORTED', err: { code: 10 }, kind: 'unavailable' },
    { name: 'INTERNAL', err: { code: 13 }, kind: 'unavailable' },
    { name: 'transport error without a status', err: new Error('connect ECONNREFUSED'), kind: 'unavailable' },
    { name: 'CANCELLED', err: { code: 1 }, kind: 'canceled' },
    { name: 'PERMISSION_DENIED', err: { code: 7 }, kind: 'internal' },
    { name: 'INVALID_ARGUMENT', err: { code: 3 }, kind: 'internal' },
    { name: 'partial failure of MutateRows', err: { errors: [{ error: { code: 14 } }] }, kind: 'unavailable' },
  ];
  it.each(cases)('$name → $kind', ({ err, kind }) => {
    const e = toCortexError('put', err);
    expect(e).toBeInstanceOf(CortexError);
    expect(e.kind).toBe(kind);
    expect(e.cause).toBe(err);
    expect(e.message).toMatch(/^bigtable put failed/);
  });

  it('passes platform errors through unchanged', () => {
    const e = new InternalError('x');
    expect(toCortexError('read', e)).toBe(e);
  });

  it('reads the code of the first item of a partial failure', () => {
    expect(grpcCode({ errors: [{ code: 5 }] })).toBe(5);
    expect(grpcCode({})).toBeUndefined();
  });
});
