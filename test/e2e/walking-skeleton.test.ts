/**
 * The first end-to-end path (issue #2): the built `cortexctl` starts the dev server, creates tenants
 * and tokens, a real snappy+protobuf remote-write body is pushed over HTTP, and the Prometheus query
 * API returns it to its own tenant only. Restarting on the same data dir keeps the data (WAL replay).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, ensureBuilt, runCli, startDevServer } from '../helpers/cortexctl.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';

const T0 = Date.now() - 60_000;

describe('walking skeleton: cortexctl → push → query', () => {
  let server: DevServer;
  let env: Record<string, string>;
  const tokens: Record<string, { write: string; read: string }> = {};

  beforeAll(async () => {
    ensureBuilt();
    server = await startDevServer({ keepData: true });
    env = { CORTEXCTL_ADDRESS: server.url, CORTEXCTL_TOKEN: server.rootToken };
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
  });

  async function cliJson(args: string[]): Promise<Record<string, unknown>> {
    const r = await runCli([...args, '-o', 'json'], env);
    expect(r.code, `cortexctl ${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  it('serves /ready', async () => {
    const res = await fetch(`${server.url}/ready`);
    expect(res.status).toBe(200);
  });

  it.each(['acme', 'beta'])('creates tenant %s and its tokens with the CLI', async (id) => {
    const tenant = await cliJson(['tenant', 'create', id]);
    expect(tenant.id).toBe(id);
    const write = await cliJson(['token', 'create', '--tenant', id, '--scopes', 'metrics:write,metrics:read']);
    expect(typeof write.token).toBe('string');
    const read = await cliJson(['token', 'create', '--tenant', id, '--scopes', 'metrics:read']);
    tokens[id] = { write: String(write.token), read: String(read.token) };
  });

  it('accepts a real remote-write body with 204', async () => {
    const body = remoteWriteBody([
      {
        labels: { __name__: 'skeleton_requests_total', job: 'api', instance: 'a:9100' },
        samples: [
          { value: 1, timestamp: T0 },
          { value: 5, timestamp: T0 + 15_000 },
        ],
      },
      { labels: { __name__: 'skeleton_up', job: 'api' }, samples: [{ value: 1, timestamp: T0 + 15_000 }] },
    ]);
    const res = await fetch(`${server.url}/api/v1/push`, {
      method: 'POST',
      headers: remoteWriteHeaders(tokens.acme!.write),
      body,
    });
    expect(res.status, await res.text()).toBe(204);
  });

  async function query(token: string, q: string, t: number) {
    const u = new URL(`${server.url}/prometheus/api/v1/query`);
    u.searchParams.set('query', q);
    u.searchParams.set('time', String(t / 1000));
    const res = await fetch(u, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as any };
  }

  it('returns the samples to their tenant in the Prometheus envelope', async () => {
    const { status, body } = await query(tokens.acme!.read, 'skeleton_requests_total', T0 + 20_000);
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          {
            metric: { __name__: 'skeleton_requests_total', instance: 'a:9100', job: 'api' },
            value: [(T0 + 20_000) / 1000, '5'],
          },
        ],
      },
    });
  });

  it('shows another tenant nothing', async () => {
    const { status, body } = await query(tokens.beta!.read, 'skeleton_requests_total', T0 + 20_000);
    expect(status).toBe(200);
    expect(body.data.result).toEqual([]);
  });

  it('answers 401 with a JSON error for a missing or wrong token', async () => {
    const none = await fetch(`${server.url}/prometheus/api/v1/query?query=up`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).errorType).toBe('unauthorized');
    const wrong = await query('cxt_not-a-real-token', 'up', T0);
    expect(wrong.status).toBe(401);
    expect(wrong.body.status).toBe('error');
  });

  it('answers 403 to a push with a read-only token', async () => {
    const res = await fetch(`${server.url}/api/v1/push`, {
      method: 'POST',
      headers: remoteWriteHeaders(tokens.acme!.read),
      body: remoteWriteBody([{ labels: { __name__: 'x' }, samples: [{ value: 1, timestamp: T0 }] }]),
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/metrics:write/);
  });

  it('keeps the data across a restart', async () => {
    expect(await server.stop()).toBe(0);
    server = await startDevServer({ dataDir: server.dataDir, rootToken: server.rootToken, keepData: true });
    env.CORTEXCTL_ADDRESS = server.url;
    const { status, body } = await query(tokens.acme!.read, 'skeleton_requests_total', T0 + 20_000);
    expect(status).toBe(200);
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0].value[1]).toBe('5');
  }, 120_000);
});
