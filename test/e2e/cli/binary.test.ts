/**
 * The built `cortexctl` (bin/run.js) as a child process against `cortexctl server --dev`: the same
 * binary and server a user runs, checking stdout, stderr and exit codes of the main paths.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedAddress } from '../../../cli/testing/index.js';
import { type DevServer, runCli, startDevServer } from '../../helpers/cortexctl.js';
import { ensureFreshBuild } from './fresh-build.js';

let server: DevServer;
let env: Record<string, string>;
const home = mkdtempSync(join(tmpdir(), 'cortexctl-bin-'));

beforeAll(async () => {
  ensureFreshBuild();
  server = await startDevServer();
  env = { CORTEXCTL_ADDRESS: server.url, CORTEXCTL_TOKEN: server.rootToken, XDG_CONFIG_HOME: home };
}, 300_000);
afterAll(async () => {
  await server?.dispose();
});

describe('cortexctl binary', () => {
  it('creates a tenant and a token whose secret is .token of -o json', async () => {
    const t = await runCli(['tenant', 'create', 'acme', '-o', 'json'], env);
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ id: 'acme', status: 'active' });
    const k = await runCli(
      ['token', 'create', '--tenant', 'acme', '--scopes', 'metrics:write,metrics:read', '-o', 'json'],
      env,
    );
    expect(k.code, k.stderr).toBe(0);
    expect(JSON.parse(k.stdout).token).toMatch(/^\S{20,}$/);
    expect(k.stderr).toContain('cannot be shown again');
  });

  it('reports status: ready, with the tenant limits', async () => {
    const r = await runCli(['status', '--tenant', 'acme'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ready:\s+yes$/m);
    expect(r.stdout).toMatch(/^ingestion_rate\s+\d+/m);
  });

  it('sets limits and pushes rules', async () => {
    const l = await runCli(
      ['limits', 'set', '-t', 'acme', '--ingestion-rate', '50000', '--retention-period', '30d'],
      env,
    );
    expect(l.code, l.stderr).toBe(0);
    const file = join(home, 'rules.yaml');
    writeFileSync(
      file,
      'namespace: infra\ngroups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n',
    );
    const p = await runCli(['rules', 'push', '-t', 'acme', file], env);
    expect(p.code, p.stderr).toBe(0);
    const list = await runCli(['rules', 'list', '-t', 'acme'], env);
    expect(list.stdout).toMatch(/^infra\s+g\s+-\s+1$/m);
  });

  it('uses a saved context when no flags or env are given', async () => {
    const add = await runCli(
      ['context', 'add', 'dev', '--address', server.url, '--token', server.rootToken, '--tenant', 'acme', '--use'],
      { XDG_CONFIG_HOME: home },
    );
    expect(add.code, add.stderr).toBe(0);
    const r = await runCli(['token', 'list', '-o', 'json'], { XDG_CONFIG_HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
  });

  it.each([
    {
      name: 'help with examples',
      args: ['tenant', 'create', '--help'],
      code: 0,
      out: /EXAMPLES[\s\S]*cortexctl tenant create acme/,
      err: /^$/,
    },
    { name: 'unknown flag', args: ['tenant', 'list', '--bogus'], code: 2, out: /^$/, err: /Nonexistent flag: --bogus/ },
    {
      name: 'wrong token',
      args: ['tenant', 'list', '--token', 'wrong-token-0123456789'],
      code: 4,
      out: /^$/,
      err: /401 unauthorized: POST \/cortex\.admin\.v1\.AdminService\/ListTenants/,
    },
    {
      name: 'unknown tenant',
      args: ['tenant', 'get', 'ghost'],
      code: 1,
      out: /^$/,
      err: /404 not_found: POST \/cortex\.admin\.v1\.AdminService\/GetTenant/,
    },
    {
      name: 'destructive without --yes',
      args: ['tenant', 'delete', 'acme'],
      code: 2,
      out: /^$/,
      err: /refusing without --yes/,
    },
  ])('$name → exit $code', async ({ args, code, out, err }) => {
    const r = await runCli(args, env);
    expect(r.stdout).toMatch(out);
    expect(r.stderr).toMatch(err);
    expect(r.code).toBe(code);
  });

  it('exits 1 with the address when the server is down', async () => {
    const address = await closedAddress();
    const r = await runCli(['tenant', 'list'], { ...env, CORTEXCTL_ADDRESS: address });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `cannot reach ${address}: connection refused [POST /cortex.admin.v1.AdminService/ListTenants]`,
    );
  });
});
