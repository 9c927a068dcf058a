/**
 * The v2 API as `amtool` (Alertmanager 0.25's CLI) sees it: a real listening server with the gateway's
 * bearer-token auth, amtool adding alerts and managing silences through `--http.config.file`.
 * Skips loudly when amtool is missing, unless CI=true.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultitenantAlertmanager } from '../../data-plane/alertmanager/index.js';
import { alertmanagerRoutes } from '../../data-plane/api/alertmanager-routes.js';
import type { CredentialSource } from '../../data-plane/gateway/index.js';
import { parseTenantId } from '../../data-plane/model/index.js';

const AMTOOL = '/usr/bin/amtool';
const present = existsSync(AMTOOL);
if (!present && process.env.CI === 'true') throw new Error(`${AMTOOL} is required in CI`);
if (!present) console.warn(`SKIPPING amtool compatibility test: ${AMTOOL} not found`);
const run = promisify(execFile);

const CONFIG = `
route:
  receiver: team
  group_by: [alertname]
receivers:
  - name: team
`;

describe.skipIf(!present)('amtool against /alertmanager/api/v2', () => {
  let app: FastifyInstance;
  let am: MultitenantAlertmanager;
  let dir: string;
  let args: string[];

  beforeAll(async () => {
    const credentials: CredentialSource = {
      authenticate: async (t) =>
        t === 'secret-token'
          ? {
              tenantId: parseTenantId('acme'),
              tokenId: 't',
              scopes: ['alerts:read', 'alerts:write'],
              tenantStatus: 'active',
              expiresAtMs: null,
            }
          : undefined,
    };
    am = new MultitenantAlertmanager({
      fetchConfigs: async () => ({ revision: 1, tenants: { acme: { config: CONFIG, templates: {}, revision: 1 } } }),
      externalUrl: 'http://localhost/alertmanager',
    });
    await am.start();
    app = Fastify();
    await app.register(alertmanagerRoutes, { alertmanager: am, credentials });
    await app.listen({ port: 0, host: '127.0.0.1' });
    dir = await mkdtemp(join(tmpdir(), 'amtool-'));
    await writeFile(join(dir, 'http.yml'), 'authorization:\n  credentials: secret-token\n');
    const port = (app.server.address() as AddressInfo).port;
    args = [`--alertmanager.url=http://127.0.0.1:${port}/alertmanager`, `--http.config.file=${join(dir, 'http.yml')}`];
  });

  afterAll(async () => {
    am?.stop();
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const amtool = async (...a: string[]) => (await run(AMTOOL, [...args, ...a], { timeout: 20_000 })).stdout;

  it('adds and queries alerts', async () => {
    await amtool('alert', 'add', 'alertname=Down', 'instance=a', '--annotation=summary=down');
    const out = JSON.parse(await amtool('alert', 'query', '-o', 'json'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ labels: { alertname: 'Down', instance: 'a' }, annotations: { summary: 'down' } });
  });

  it('adds, queries and expires silences', async () => {
    const id = (
      await amtool('silence', 'add', 'alertname=Down', '--comment=deploy', '--author=ops', '--duration=1h')
    ).trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const q = JSON.parse(await amtool('silence', 'query', '-o', 'json'));
    expect(q.map((s: { id: string }) => s.id)).toEqual([id]);
    const alerts = JSON.parse(await amtool('alert', 'query', '-o', 'json', '--silenced'));
    expect(alerts[0].status).toMatchObject({ state: 'suppressed', silencedBy: [id] });
    await amtool('silence', 'expire', id);
    expect(JSON.parse(await amtool('silence', 'query', '-o', 'json'))).toEqual([]);
  });

  it('shows the config through /status', async () => {
    expect(await amtool('config', 'show')).toContain('receiver: team');
  });

  it('is refused without the token', async () => {
    await expect(run(AMTOOL, [args[0]!, 'alert', 'query'], { timeout: 20_000 })).rejects.toThrow();
  });
});
