import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseTenantId } from '../model/index.js';
import {
  AuthThrottle,
  AuthThrottledError,
  CredentialCache,
  type CredentialSource,
  type Principal,
  requireScope,
  type ThrottleEvent,
} from './index.js';

function clock(t = 1_000_000) {
  return {
    t,
    now() {
      return this.t;
    },
  };
}

const addr = (value: string) => ({ kind: 'address' as const, value });

describe('AuthThrottle', () => {
  const cases = [
    { name: 'below the burst nothing is locked', failures: 19, advanceMs: 0, locked: false },
    { name: 'the burst locks the key', failures: 20, advanceMs: 0, locked: true },
    { name: 'the lock lasts the cool-down', failures: 20, advanceMs: 59_999, locked: true },
    { name: 'the lock lifts after the cool-down', failures: 20, advanceMs: 60_000, locked: false },
  ];
  it.each(cases)('$name', ({ failures, advanceMs, locked }) => {
    const c = clock();
    const t = new AuthThrottle({ clock: c });
    for (let i = 0; i < failures; i++) t.fail([addr('10.0.0.1')]);
    c.t += advanceMs;
    const check = () => t.check([addr('10.0.0.1')]);
    if (locked) expect(check).toThrow(AuthThrottledError);
    else expect(check).not.toThrow();
  });

  it('forgets failures older than the window', () => {
    const c = clock();
    const t = new AuthThrottle({ clock: c, burst: 3, windowMs: 1_000 });
    t.fail([addr('a')]);
    t.fail([addr('a')]);
    c.t += 1_001;
    t.fail([addr('a')]);
    expect(() => t.check([addr('a')])).not.toThrow();
  });

  it('locks only the failing key, reports one event per lock and a Retry-After in seconds', () => {
    const c = clock();
    const events: ThrottleEvent[] = [];
    const t = new AuthThrottle({ clock: c, burst: 2, cooldownMs: 30_000, onThrottle: (e) => events.push(e) });
    const user = { kind: 'user' as const, value: 'acme' };
    t.fail([addr('a'), user]);
    t.fail([addr('a'), user]);
    t.fail([addr('a')]);
    expect(events.map((e) => [e.kind, e.value, e.untilMs - e.atMs])).toEqual([
      ['address', 'a', 30_000],
      ['user', 'acme', 30_000],
    ]);
    expect(() => t.check([addr('b')])).not.toThrow();
    c.t += 10_500;
    const err = (() => {
      try {
        t.check([addr('b'), user]);
      } catch (e) {
        return e as AuthThrottledError;
      }
    })();
    expect(err?.retryAfterSeconds).toBe(20);
    expect(err?.message).toContain('err-cortex-auth-throttled');
  });

  it('lets an exempt request through a locked key', () => {
    const t = new AuthThrottle({ burst: 1 });
    t.fail([addr('a')]);
    expect(() => t.check([addr('a')], () => true)).not.toThrow();
    expect(() => t.check([addr('a')], () => false)).toThrow(AuthThrottledError);
  });

  it('stays within maxKeys, evicting the least recently failed', () => {
    const t = new AuthThrottle({ burst: 2, maxKeys: 100 });
    t.fail([addr('first')]);
    for (let i = 0; i < 1_000; i++) t.fail([addr(`10.0.${i >> 8}.${i & 255}`)]);
    expect(t.size).toBe(100);
    t.fail([addr('first')]);
    expect(() => t.check([addr('first')])).not.toThrow();
  });

  it('takes a user key only for a valid tenant ID', () => {
    expect(AuthThrottle.keysOf('127.0.0.1', 'a:b')).toEqual([addr('127.0.0.1')]);
    expect(AuthThrottle.keysOf('127.0.0.1', 'acme')).toEqual([addr('127.0.0.1'), { kind: 'user', value: 'acme' }]);
  });

  it('counts failures and throttled requests in the registry', async () => {
    const registry = new Registry();
    const t = new AuthThrottle({ burst: 1, registry });
    t.fail([addr('a')]);
    expect(() => t.check([addr('a')])).toThrow();
    const text = await registry.metrics();
    expect(text).toContain('cortex_auth_failures_total 1');
    expect(text).toContain('cortex_auth_throttled_total{key="address"} 1');
  });
});

describe('requireScope with a throttle', () => {
  const acme: Principal = {
    tenantId: parseTenantId('acme'),
    tokenId: 't1',
    scopes: ['metrics:read'],
    tenantStatus: 'active',
    expiresAtMs: null,
  };
  const source: CredentialSource = {
    authenticate: async (token) => (token === 'good' ? acme : undefined),
  };

  async function app(burst: number) {
    const credentials = new CredentialCache({ source, throttle: new AuthThrottle({ burst }) });
    const a = Fastify();
    a.get('/q', { onRequest: requireScope(credentials, 'metrics:read') }, async () => 'ok');
    await a.ready();
    return a;
  }
  const get = (a: Awaited<ReturnType<typeof app>>, authorization: string, remoteAddress = '10.0.0.1') =>
    a.inject({ method: 'GET', url: '/q', headers: { authorization }, remoteAddress });

  it('answers 429 with Retry-After after the burst, and only to that source', async () => {
    const a = await app(3);
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await get(a, `Bearer bad${i}`)).statusCode);
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    const r = await get(a, 'Bearer bad9');
    expect(r.headers['retry-after']).toBe('60');
    expect(r.json().error).toContain('err-cortex-auth-throttled');
    expect((await get(a, 'Bearer good', '10.0.0.2')).statusCode).toBe(200);
    expect((await get(a, 'Bearer bad', '10.0.0.2')).statusCode).toBe(401);
  });

  it('lets a token verified earlier through a locked source, but not a new one', async () => {
    const a = await app(2);
    expect((await get(a, 'Bearer good')).statusCode).toBe(200);
    await get(a, 'Bearer x');
    await get(a, 'Bearer y');
    expect((await get(a, 'Bearer good')).statusCode).toBe(200);
    expect((await get(a, 'Bearer z')).statusCode).toBe(429);
  });

  it('throttles a Basic-auth user across source addresses', async () => {
    const a = await app(2);
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    await get(a, basic('acme', 'bad1'), '10.0.0.1');
    await get(a, basic('acme', 'bad2'), '10.0.0.2');
    expect((await get(a, basic('acme', 'bad3'), '10.0.0.3')).statusCode).toBe(429);
    expect((await get(a, basic('other', 'bad3'), '10.0.0.4')).statusCode).toBe(401);
  });

  it('counts malformed headers but not missing ones', async () => {
    const a = await app(2);
    for (let i = 0; i < 5; i++) expect((await a.inject({ method: 'GET', url: '/q' })).statusCode).toBe(401);
    await get(a, 'Digest x');
    await get(a, 'Digest y');
    expect((await get(a, 'Digest z')).statusCode).toBe(429);
  });
});
