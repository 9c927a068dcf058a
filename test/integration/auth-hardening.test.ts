/**
 * Hardened authentication over real HTTP (issue #23 part 3): failed-auth throttling per source
 * address, with valid clients elsewhere unaffected; and token secrets never appearing in the server's
 * log, the audit log or /metrics. Runs on a real PostgreSQL when global setup started one.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../control-plane/index.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { requireService } from '../helpers/require-service.js';
import { createDatabase } from './control-plane/harness.js';

/** GET through a chosen loopback source address (Linux routes all of 127/8 to lo). */
function get(
  url: string,
  headers: Record<string, string>,
  localAddress = '127.0.0.1',
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The audit entry of a lock is written right after the lock, not before the 429: wait for it. */
async function auditOf(path: string) {
  for (let i = 0; ; i++) {
    const r = await p.admin('GET', path);
    if (r.json.items.length > 0 || i === 50) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

let db: { url: string; drop(): Promise<void> } | undefined;
let p: TestPlatform;
const logLines: string[] = [];

beforeAll(async () => {
  const pgUrl = requireService('pgUrl');
  db = pgUrl ? await createDatabase(pgUrl) : undefined;
  p = await startPlatform({
    ...(db ? { postgresUrl: db.url } : {}),
    authThrottle: { burst: 20, cooldownMs: 60_000 },
    log: (l) => logLines.push(l),
  });
}, 60_000);

afterAll(async () => {
  await p?.close();
  await db?.drop();
});

describe('failed-auth throttling', () => {
  it('answers 429 after 20 failures from one address while a valid token from another keeps working', async () => {
    const good = await p.tenantToken('throttled', ['metrics:read']);
    const q = `${p.url}/prometheus/api/v1/query?query=up`;
    const statuses = new Map<number, number>();
    let firstThrottled = -1;
    let retryAfter: string | undefined;
    for (let i = 0; i < 300; i++) {
      // Well-formed tokens (valid checksum), so each one is a real lookup until the lock.
      const r = await get(q, { authorization: `Bearer ${generateToken('cxt_').secret}` });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 429 && firstThrottled < 0) {
        firstThrottled = i;
        retryAfter = r.headers['retry-after'];
      }
      if (i % 50 === 0) {
        expect((await get(q, { authorization: `Bearer ${good}` }, '127.0.0.2')).status).toBe(200);
      }
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 20, 429: 280 });
    expect(firstThrottled).toBe(20);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    // A token never seen by this process is refused from the locked address too: no lookup happens there.
    const fresh = await p.tenantToken('throttled', ['metrics:read']);
    expect((await get(q, { authorization: `Bearer ${fresh}` })).status).toBe(429);
    // The token verified earlier keeps working from the locked address (a shared NAT or proxy).
    expect((await get(q, { authorization: `Bearer ${good}` })).status).toBe(200);
    expect((await get(q, { authorization: `Bearer ${good}` }, '127.0.0.2')).status).toBe(200);

    const metrics = (await get(`${p.url}/metrics`, {})).body;
    expect(metrics).toMatch(/^cortex_auth_failures_total 20$/m);
    expect(metrics).toMatch(/^cortex_auth_throttled_total\{key="address"\} 281$/m);
    const audit = await auditOf('/audit?action=auth.throttle');
    expect(audit.json.items).toHaveLength(1);
    expect(audit.json.items[0]).toMatchObject({ actor: 'gateway', target: 'address:127.0.0.1' });
    expect(audit.json.items[0].after.failures).toBe(20);
  });

  it('throttles a Basic-auth user whatever the source address', async () => {
    await p.tenantToken('basicuser', ['metrics:read']);
    const q = `${p.url}/prometheus/api/v1/query?query=up`;
    const basic = (pw: string) => `Basic ${Buffer.from(`basicuser:${pw}`).toString('base64')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const src = `127.0.1.${(i % 200) + 1}`;
      statuses.push((await get(q, { authorization: basic(randomBytes(8).toString('hex')) }, src)).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const audit = await auditOf('/audit?action=auth.throttle&tenant=basicuser');
    expect(audit.json.items.map((e: { target: string }) => e.target)).toEqual(['user:basicuser']);
  });
});

describe('token secrets', () => {
  it('never appear in the server log, the audit log or /metrics', async () => {
    const secrets: string[] = [];
    await p.admin('POST', '/tenants', { id: 'secretive' });
    for (const scopes of [['metrics:write', 'metrics:read'], ['rules:read']]) {
      const t = await p.admin('POST', '/tenants/secretive/tokens', { scopes, name: 'n' });
      secrets.push(t.json.token);
      // Used: good, with a wrong Basic-auth user, and as an admin token (wrong API).
      await get(`${p.url}/prometheus/api/v1/query?query=up`, { authorization: `Bearer ${t.json.token}` });
      await get(`${p.url}/prometheus/api/v1/query?query=up`, {
        authorization: `Basic ${Buffer.from(`other:${t.json.token}`).toString('base64')}`,
      });
      await p.admin('GET', '/tenants', undefined);
      await fetch(`${p.url}/admin/api/v1/tenants`, { headers: { authorization: `Bearer ${t.json.token}` } });
      await p.admin('DELETE', `/tenants/secretive/tokens/${t.json.id}`);
      await get(`${p.url}/prometheus/api/v1/query?query=up`, { authorization: `Bearer ${t.json.token}` });
    }
    const admin = await p.admin('POST', '/admin-tokens', { name: 'ops', role: 'viewer' });
    secrets.push(admin.json.token);
    await fetch(`${p.url}/admin/api/v1/tenants`, { headers: { authorization: `Bearer ${admin.json.token}` } });
    await fetch(`${p.url}/admin/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.json.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'nope' }),
    });
    await p.admin('DELETE', `/admin-tokens/${admin.json.id}`);
    // Force a throttle event and a warning into the log, with a secret-looking guess.
    for (let i = 0; i < 25; i++) {
      const authorization = `Bearer ${generateToken('cxt_').secret}`;
      await get(`${p.url}/api/v1/push`, { authorization }, '127.0.0.9', 'POST');
    }
    expect(logLines.some((l) => l.includes('127.0.0.9'))).toBe(true);

    const audit = JSON.stringify((await p.admin('GET', '/audit?limit=1000')).json);
    const metrics = (await get(`${p.url}/metrics`, {})).body;
    const haystacks = { log: logLines.join('\n'), audit, metrics };
    for (const s of secrets) {
      expect(s).toMatch(/^cx[ta]_/);
      for (const [where, text] of Object.entries(haystacks)) {
        // The whole secret, and its random part past the listed prefix (12 characters).
        expect({ where, found: text.includes(s) || text.includes(s.slice(12)) }).toEqual({ where, found: false });
      }
    }
    expect(audit).toContain(secrets[0]!.slice(0, 12)); // the non-secret prefix is what identifies a token
  });
});
