/**
 * The remote-write bad-input table (data-plane/distributor/bad-input-cases.ts) end to end over real
 * HTTP through the gateway, plus the gateway's own refusals; the server stays healthy throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInputCases } from '../../data-plane/distributor/bad-input-cases.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';

let p: TestPlatform;
let write: string;
let readOnly: string;
let betaWrite: string;

beforeAll(async () => {
  p = await startPlatform();
  write = await p.tenantToken('acme', ['metrics:write', 'metrics:read']);
  readOnly = await p.tenantToken('acme', ['metrics:read']);
  betaWrite = await p.tenantToken('beta', ['metrics:write']);
}, 120_000);
afterAll(() => p?.close());

async function push(headers: Record<string, string>, body: Uint8Array) {
  const res = await fetch(`${p.url}/api/v1/push`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('remote-write bad input over HTTP', () => {
  it.each(badInputCases.map((c) => ({ ...c })))('$name → $expectedStatus', async (c) => {
    const req = c.build(Date.now());
    const headers: Record<string, string> = { authorization: `Bearer ${write}` };
    if (req.contentType !== undefined) headers['content-type'] = req.contentType;
    if (req.contentEncoding !== undefined) headers['content-encoding'] = req.contentEncoding;
    if (req.remoteWriteVersion !== undefined) headers['x-prometheus-remote-write-version'] = req.remoteWriteVersion;
    const r = await push(headers, req.body);
    expect(r.status, r.text).toBe(c.expectedStatus);
    if (c.expectedMessage) expect(r.text).toContain(c.expectedMessage);
  });
});

describe('gateway refusals on push', () => {
  const body = () =>
    remoteWriteBody([{ labels: { __name__: 'gw_test' }, samples: [{ value: 1, timestamp: Date.now() }] }]);
  const cases = [
    {
      name: 'no credentials',
      headers: () => ({ 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }),
      status: 401,
    },
    { name: 'unknown token', headers: () => remoteWriteHeaders('cxt_0000000000000000000000000000000000'), status: 401 },
    {
      name: 'garbage Authorization',
      headers: () => ({ ...remoteWriteHeaders(''), authorization: 'Token abc' }),
      status: 401,
    },
    { name: 'read-only token', headers: () => remoteWriteHeaders(readOnly), status: 403 },
    {
      name: 'Basic auth naming another tenant',
      headers: () => ({
        ...remoteWriteHeaders(''),
        authorization: `Basic ${Buffer.from(`acme:${betaWrite}`).toString('base64')}`,
      }),
      status: 401,
    },
    {
      name: 'Basic auth with the right tenant',
      headers: () => ({
        ...remoteWriteHeaders(''),
        authorization: `Basic ${Buffer.from(`beta:${betaWrite}`).toString('base64')}`,
      }),
      status: 204,
    },
  ];
  it.each(cases)('$name → $status', async ({ headers, status }) => {
    expect((await push(headers() as Record<string, string>, body())).status).toBe(status);
  });

  it('ignores a client-sent X-Scope-OrgID: data lands in the token’s tenant', async () => {
    const r = await push(
      { ...remoteWriteHeaders(betaWrite), 'x-scope-orgid': 'acme' },
      remoteWriteBody([{ labels: { __name__: 'orgid_probe' }, samples: [{ value: 1, timestamp: Date.now() }] }]),
    );
    expect(r.status).toBe(204);
    const q = await fetch(`${p.url}/prometheus/api/v1/query?query=orgid_probe`, {
      headers: { authorization: `Bearer ${write}` },
    });
    expect(((await q.json()) as any).data.result).toEqual([]);
  });

  it('refuses a suspended tenant with 403 naming the suspension, within 5 s', async () => {
    const t = await p.tenantToken('gamma', ['metrics:write']);
    expect((await push(remoteWriteHeaders(t), body())).status).toBe(204);
    expect((await p.admin('POST', '/tenants/gamma/suspend')).status).toBe(200);
    const t0 = Date.now();
    let r = await push(remoteWriteHeaders(t), body());
    while (r.status === 204 && Date.now() - t0 < 10_000) {
      await new Promise((res) => setTimeout(res, 200));
      r = await push(remoteWriteHeaders(t), body());
    }
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/suspended/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('stays healthy and accepts good data afterwards', async () => {
    expect((await fetch(`${p.url}/ready`)).status).toBe(200);
    expect((await push(remoteWriteHeaders(write), body())).status).toBe(204);
  });
});
