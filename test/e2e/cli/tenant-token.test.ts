/** `cortexctl tenant …` and `token …` run in-process against a live control plane (PGlite). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import TenantCreate from '../../../cli/commands/tenant/create.js';
import TenantDelete from '../../../cli/commands/tenant/delete.js';
import TenantGet from '../../../cli/commands/tenant/get.js';
import TenantList from '../../../cli/commands/tenant/list.js';
import TenantResume from '../../../cli/commands/tenant/resume.js';
import TenantSuspend from '../../../cli/commands/tenant/suspend.js';
import TenantUpdate from '../../../cli/commands/tenant/update.js';
import TokenCreate from '../../../cli/commands/token/create.js';
import TokenList from '../../../cli/commands/token/list.js';
import TokenRevoke from '../../../cli/commands/token/revoke.js';
import { type CommandClass, prepareCommands, runCommand } from '../../../cli/testing/index.js';
import { type LiveControlPlane, startControlPlane } from './live-control-plane.js';

beforeAll(prepareCommands, 120_000);

let cp: LiveControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.close();
});

const run = (cmd: CommandClass, argv: string[], env: Record<string, string | undefined> = {}) =>
  runCommand(cmd, argv, { ...cp.env, ...env });

async function json<T>(cmd: CommandClass, argv: string[]): Promise<T> {
  const r = await run(cmd, [...argv, '-o', 'json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe('tenant', () => {
  it('creates a tenant and prints a table, message on stderr', async () => {
    const r = await run(TenantCreate, ['acme', '--display-name', 'Acme Corp', '--label', 'team=infra']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [header, row] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+DISPLAY NAME\s+LABELS\s+CREATED$/);
    expect(row).toMatch(/^acme\s+active\s+Acme Corp\s+team=infra\s+\d{4}-/);
    expect(r.stderr).toBe('tenant acme created\n');
  });

  it('prints JSON and YAML', async () => {
    const t = await json<{ id: string; labels: object; status: string }>(TenantCreate, ['beta', '--label', 'a=b=c']);
    expect(t).toMatchObject({ id: 'beta', status: 'active', labels: { a: 'b=c' } });
    const y = await run(TenantGet, ['beta', '-o', 'yaml']);
    expect(y.stdout).toMatch(/^id: beta$/m);
    expect((await run(TenantGet, ['beta', '--json'])).stdout).toContain('"id": "beta"');
  });

  it('lists, updates, suspends, resumes and deletes', async () => {
    const list = await json<Array<{ id: string }>>(TenantList, []);
    expect(list.map((t) => t.id).sort()).toEqual(['acme', 'beta']);
    const upd = await json<{ displayName: string; labels: object }>(TenantUpdate, ['acme', '--label', 'tier=gold']);
    expect(upd.labels).toEqual({ tier: 'gold' });
    expect((await json<{ status: string }>(TenantSuspend, ['acme'])).status).toBe('suspended');
    expect((await json<Array<{ id: string }>>(TenantList, ['--status', 'suspended'])).map((t) => t.id)).toEqual([
      'acme',
    ]);
    expect((await json<{ status: string }>(TenantResume, ['acme'])).status).toBe('active');
    const del = await run(TenantDelete, ['beta', '--yes']);
    expect(del.exitCode, del.stderr).toBe(0);
    expect(del.stderr).toContain('tenant beta deleted');
    expect((await json<{ status: string }>(TenantGet, ['beta'])).status).toBe('deleted');
  });

  it.each([
    {
      name: 'duplicate tenant',
      cmd: TenantCreate,
      argv: ['acme'],
      env: {},
      exit: 1,
      err: /\[409 conflict: POST \/cortex\.admin\.v1\.AdminService\/CreateTenant\]/,
    },
    {
      name: 'unknown tenant',
      cmd: TenantGet,
      argv: ['nope'],
      env: {},
      exit: 1,
      err: /\[404 not_found: POST \/cortex\.admin\.v1\.AdminService\/GetTenant\]/,
    },
    { name: 'invalid tenant ID', cmd: TenantCreate, argv: ['-bad'], env: {}, exit: 2, err: /Nonexistent flag|flag/ },
    { name: 'bad ID rejected by the server', cmd: TenantCreate, argv: ['a.b'], env: {}, exit: 1, err: /400 bad_data/ },
    {
      name: 'wrong token',
      cmd: TenantList,
      argv: [],
      env: { CORTEXCTL_TOKEN: 'wrong-token-xxxxxxxx' },
      exit: 4,
      err: /401 unauthorized: POST \/cortex\.admin\.v1\.AdminService\/ListTenants/,
    },
    { name: 'no token', cmd: TenantList, argv: [], env: { CORTEXCTL_TOKEN: undefined }, exit: 4, err: /401/ },
    {
      name: 'delete without --yes',
      cmd: TenantDelete,
      argv: ['acme'],
      env: {},
      exit: 2,
      err: /refusing without --yes/,
    },
    {
      name: 'tenant does not take --tenant',
      cmd: TenantList,
      argv: ['--tenant', 'x'],
      env: {},
      exit: 2,
      err: /Nonexistent flag: --tenant/,
    },
  ])('fails: $name', async ({ cmd, argv, env, exit, err }) => {
    const r = await run(cmd, argv, env);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(err);
    expect(r.exitCode).toBe(exit);
  });

  it('asks before deleting on a terminal: n aborts, y deletes', async () => {
    await json(TenantCreate, ['gamma']);
    const no = await runCommand(TenantDelete, ['gamma'], cp.env, { terminalInput: 'n\n' });
    expect(no.exitCode).toBe(2);
    expect(no.stderr).toContain('delete tenant gamma and all its data? [y/N] ');
    expect(no.stderr).toContain('Error: aborted');
    expect((await json<{ status: string }>(TenantGet, ['gamma'])).status).toBe('active');
    const yes = await runCommand(TenantDelete, ['gamma'], cp.env, { terminalInput: 'y\n' });
    expect(yes.exitCode, yes.stderr).toBe(0);
    expect((await json<{ status: string }>(TenantGet, ['gamma'])).status).toBe('deleted');
  });

  it('lists every tenant across pages', async () => {
    for (let i = 0; i < 105; i++) {
      const res = await fetch(`${cp.address}/admin/api/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cp.rootToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: `bulk-${String(i).padStart(3, '0')}` }),
      });
      expect(res.status).toBe(201);
    }
    const all = await json<Array<{ id: string }>>(TenantList, []);
    expect(all.filter((t) => t.id.startsWith('bulk-'))).toHaveLength(105);
    expect(new Set(all.map((t) => t.id)).size).toBe(all.length);
  });

  it('prints a JSON error envelope with -o json', async () => {
    const r = await run(TenantGet, ['nope', '-o', 'json']);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({
      error: { kind: 'not_found', status: 404, request: 'POST /cortex.admin.v1.AdminService/GetTenant' },
    });
  });

  it('takes the address and token from flags over env', async () => {
    const r = await run(TenantGet, ['acme', '--address', cp.address, '--token', cp.rootToken, '-o', 'json'], {
      CORTEXCTL_ADDRESS: 'http://127.0.0.1:9',
      CORTEXCTL_TOKEN: 'bad',
    });
    expect(r.exitCode, r.stderr).toBe(0);
  });
});

describe('token', () => {
  let tokenId = '';

  it('creates a token whose secret is the token field of -o json', async () => {
    const t = await json<{ token: string; id: string; scopes: string[]; expiresAt: string | null }>(TokenCreate, [
      '--tenant',
      'acme',
      '--scopes',
      'metrics:write,metrics:read',
      '--name',
      'prom',
      '--expires-in',
      '30d',
    ]);
    expect(t.token.length).toBeGreaterThan(20);
    expect(t.scopes).toEqual(['metrics:write', 'metrics:read']);
    const days = (Date.parse(t.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    tokenId = t.id;
  });

  it('prints the secret in table mode with a warning on stderr', async () => {
    const r = await run(TokenCreate, ['-t', 'acme', '--scopes', 'rules:read'], {});
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^token:\s+\S{20,}$/m);
    expect(r.stderr).toContain('cannot be shown again');
  });

  it('takes the tenant from CORTEXCTL_TENANT', async () => {
    const list = await run(TokenList, ['-o', 'json'], { CORTEXCTL_TENANT: 'acme' });
    expect(list.exitCode, list.stderr).toBe(0);
    const items = JSON.parse(list.stdout) as Array<{ id: string; name: string }>;
    expect(items).toHaveLength(2);
    expect(list.stdout).not.toContain('"token"');
  });

  it('revokes a token and hides it unless --all', async () => {
    const r = await run(TokenRevoke, [tokenId, '--tenant', 'acme', '--yes', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).revokedAt).toEqual(expect.any(String));
    expect(await json<unknown[]>(TokenList, ['-t', 'acme'])).toHaveLength(1);
    expect(await json<unknown[]>(TokenList, ['-t', 'acme', '--all'])).toHaveLength(2);
  });

  it.each([
    { name: 'no tenant', argv: ['--scopes', 'metrics:read'], exit: 2, err: /no tenant: pass --tenant/ },
    {
      name: 'unknown scope',
      argv: ['-t', 'acme', '--scopes', 'metrics:delete'],
      exit: 2,
      err: /unknown scope metrics:delete/,
    },
    {
      name: 'bad expiry',
      argv: ['-t', 'acme', '--scopes', 'metrics:read', '--expires-in', 'soon'],
      exit: 2,
      err: /invalid --expires-in/,
    },
    { name: 'missing scopes', argv: ['-t', 'acme'], exit: 2, err: /Missing required flag scopes/ },
    {
      name: 'unknown tenant',
      argv: ['-t', 'ghost', '--scopes', 'metrics:read'],
      exit: 1,
      err: /404 not_found: POST \/cortex\.admin\.v1\.AdminService\/CreateToken/,
    },
  ])('create fails: $name', async ({ argv, exit, err }) => {
    const r = await run(TokenCreate, argv);
    expect(r.stderr).toMatch(err);
    expect(r.exitCode).toBe(exit);
  });
});

describe('token --federate (issue #23)', () => {
  it('grants a token several tenants, shown by create and list', async () => {
    for (const t of ['fed-x', 'fed-y']) expect((await run(TenantCreate, [t])).exitCode).toBe(0);
    const t = await json<{ federate: string[]; scopes: string[] }>(TokenCreate, [
      '-t',
      'fed-x',
      '--federate',
      'fed-y,fed-x',
      '--scopes',
      'metrics:read',
    ]);
    expect(t.federate).toEqual(['fed-x', 'fed-y']);
    const table = await run(TokenList, ['-t', 'fed-x']);
    expect(table.stdout).toMatch(/FEDERATE/);
    expect(table.stdout).toContain('fed-x,fed-y');
  });

  it.each([
    { name: 'empty entry', federate: 'fed-y,,fed-x', exit: 2, err: /invalid --federate: "" is not a tenant ID/ },
    { name: 'duplicate', federate: 'fed-y,fed-y', exit: 2, err: /tenant fed-y is listed twice/ },
    { name: 'unknown tenant', federate: 'fed-y,ghost', exit: 1, err: /tenants not found: ghost/ },
  ])('refuses $name', async ({ federate, exit, err }) => {
    const r = await run(TokenCreate, ['-t', 'fed-x', '--federate', federate, '--scopes', 'metrics:read']);
    expect(r.exitCode).toBe(exit);
    expect(r.stderr).toMatch(err);
  });
});
