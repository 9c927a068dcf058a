import { describe, expect, it } from 'vitest';
import { parseTenantId } from '../model/index.js';
import type { Principal } from './credentials.js';
import { authorizeTenants, requestedTenants } from './federation.js';

const principal = (federate?: string[]): Principal => ({
  tenantId: parseTenantId('a'),
  tokenId: 't1',
  scopes: ['metrics:read'],
  tenantStatus: 'active',
  expiresAtMs: null,
  ...(federate ? { federate: federate.map(parseTenantId) } : {}),
});

describe('requestedTenants', () => {
  const cases = [
    { name: 'nothing asked', header: undefined, query: {}, want: undefined },
    { name: 'header', header: 'b|a', query: {}, want: ['b', 'a'] },
    { name: 'parameter', header: undefined, query: { tenants: 'a,b' }, want: ['a', 'b'] },
    { name: 'both agreeing', header: 'a|b', query: { tenants: 'b,a' }, want: ['a', 'b'] },
  ];
  it.each(cases)('$name', ({ header, query, want }) => {
    expect(requestedTenants(header, query)).toEqual(want);
  });

  const bad = [
    { name: 'header twice', header: ['a', 'b'], query: {}, says: 'more than once' },
    { name: 'parameter twice', header: undefined, query: { tenants: ['a', 'b'] }, says: 'more than once' },
    { name: 'both disagreeing', header: 'a|b', query: { tenants: 'a,c' }, says: 'name different tenants' },
    { name: 'malformed', header: 'a||b', query: {}, says: 'empty tenant ID' },
  ];
  it.each(bad)('refuses $name', ({ header, query, says }) => {
    expect(() => requestedTenants(header, query)).toThrow(says);
  });
});

describe('authorizeTenants', () => {
  const cases = [
    { name: 'own tenant when nothing asked', p: principal(), asked: undefined, want: 'a' },
    { name: 'own tenant by name', p: principal(), asked: ['a'], want: 'a' },
    { name: 'granted set', p: principal(['a', 'b', 'c']), asked: ['c', 'a'], want: 'a|c' },
    { name: 'one granted other tenant', p: principal(['a', 'b']), asked: ['b'], want: 'b' },
  ];
  it.each(cases)('allows $name', ({ p, asked, want }) => {
    expect(authorizeTenants(p, asked?.map(parseTenantId))).toBe(want);
  });

  const refused = [
    { name: 'no grant', p: principal(), asked: ['a', 'b'], missing: 'b' },
    { name: 'grant too small', p: principal(['a', 'b']), asked: ['a', 'b', 'c', 'd'], missing: 'c, d' },
  ];
  it.each(refused)('refuses $name with 403 naming the tenants', ({ p, asked, missing }) => {
    expect(() => authorizeTenants(p, asked.map(parseTenantId))).toThrow(`token does not cover tenants: ${missing};`);
  });
});
