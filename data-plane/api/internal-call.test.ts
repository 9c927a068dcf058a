import { describe, expect, it } from 'vitest';
import type { InstanceDesc } from '../ring/types.js';
import { knownErrorKind, peerUrl } from './internal-call.js';

describe('internal call helpers', () => {
  it('knownErrorKind accepts our kinds only', () => {
    expect(knownErrorKind('limit_exceeded')).toBe('limit_exceeded');
    expect(knownErrorKind('unauthorized')).toBe('unauthorized');
    for (const k of ['', 'nope', null, undefined, 7, {}]) expect(knownErrorKind(k)).toBeUndefined();
  });

  it('peerUrl joins the address and the path without doubled slashes', () => {
    const inst = (addr: string) => ({ addr }) as InstanceDesc;
    expect(peerUrl(inst('http://h:1//'), '/internal/x')).toBe('http://h:1/internal/x');
    expect(peerUrl(inst('http://h:1'), '/internal/x')).toBe('http://h:1/internal/x');
  });
});
