/**
 * `cortexctl tenant delete-series` in-process against the whole platform (`cortexctl server --dev`
 * composition): samples pushed by remote write vanish from queries once the command returns; bad
 * input is refused with the server's precise message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import TenantDeleteSeries from '../../../cli/commands/tenant/delete-series.js';
import type { RunningServer } from '../../../cli/server/compose.js';
import { prepareCommands, runCommand } from '../../../cli/testing/index.js';
import { startServerIn } from '../../helpers/platform.js';
import { remoteWriteBody, remoteWriteHeaders } from '../../helpers/remote-write.js';

const ROOT = 'cli-delete-root-token-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'cli-delete-series-'));
let server: RunningServer;
let env: Record<string, string | undefined>;
let token: string;

beforeAll(prepareCommands, 120_000);
beforeAll(async () => {
  server = await startServerIn(dataDir, { rootToken: ROOT, clusterSecret: 'cli-delete-cluster-secret-0123456789' });
  env = {
    CORTEXCTL_ADDRESS: server.url,
    CORTEXCTL_TOKEN: ROOT,
    CORTEXCTL_TENANT: undefined,
    CORTEXCTL_CONTEXT: undefined,
    CORTEXCTL_CONFIG: undefined,
    XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'cortexctl-delete-')),
    NO_COLOR: '1',
  };
  const admin = (path: string, body: unknown) =>
    fetch(`${server.url}/admin/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ROOT}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await admin('/tenants', { id: 'acme' });
  token = (
    (await (await admin('/tenants/acme/tokens', { scopes: ['metrics:write', 'metrics:read'] })).json()) as {
      token: string;
    }
  ).token;
}, 120_000);
afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function names(): Promise<string[]> {
  const q = new URLSearchParams({ query: 'count_over_time({__name__=~"m.*"}[30m])' });
  const r = await fetch(`${server.url}/prometheus/api/v1/query?${q}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const j = (await r.json()) as { data: { result: { metric: { job: string } }[] } };
  return j.data.result.map((s) => s.metric.job).sort();
}

describe('cortexctl tenant delete-series', () => {
  it('deletes the matching series at once and refuses bad selectors', async () => {
    const now = Date.now();
    const body = remoteWriteBody(
      ['api', 'db'].map((job) => ({
        labels: { __name__: 'm_requests', job },
        samples: [0, 1, 2, 3].map((k) => ({ value: k, timestamp: now - (4 - k) * 60_000 })),
      })),
    );
    const pushed = await fetch(`${server.url}/api/v1/push`, {
      method: 'POST',
      headers: remoteWriteHeaders(token),
      body,
    });
    expect(pushed.status).toBe(204);
    expect(await names()).toEqual(['api', 'db']);

    const r = await runCommand(
      TenantDeleteSeries,
      ['acme', '--match', 'm_requests{job="api"}', '--start', 'now-1h', '--end', 'now', '--yes', '-o', 'json'],
      env,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      tenantId: 'acme',
      selectors: ['{__name__="m_requests",job="api"}'],
      samplesRemovedFromMemory: 4,
    });
    expect(r.stderr).toMatch(/series of tenant acme deleted/);
    expect(await names()).toEqual(['db']);

    const bad = await runCommand(TenantDeleteSeries, ['acme', '--match', '{job=~".*"}', '--yes'], env);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/matches every series/);
    const order = await runCommand(
      TenantDeleteSeries,
      ['acme', '--match', 'm_requests', '--start', 'now', '--end', 'now-1h', '--yes'],
      env,
    );
    expect(order.exitCode).not.toBe(0);
    expect(order.stderr).toMatch(/is after end/);
    expect(await names()).toEqual(['db']);
  });
});
