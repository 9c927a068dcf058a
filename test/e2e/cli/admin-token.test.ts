/** `cortexctl admin-token …` (and the creator in `token list`) in-process against a live control plane. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import AdminTokenCreate from '../../../cli/commands/admin-token/create.js';
import AdminTokenList from '../../../cli/commands/admin-token/list.js';
import AdminTokenRevoke from '../../../cli/commands/admin-token/revoke.js';
import TenantCreate from '../../../cli/commands/tenant/create.js';
import TenantList from '../../../cli/commands/tenant/list.js';
import TokenCreate from '../../../cli/commands/token/create.js';
import TokenList from '../../../cli/commands/token/list.js';
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

async function json<T>(cmd: CommandClass, argv: string[], env: Record<string, string | undefined> = {}): Promise<T> {
  const r = await run(cmd, [...argv, '-o', 'json'], env);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface AdminTokenOut {
  id: string;
  name: string;
  role: string;
  createdBy: string;
  revokedAt: string | null;
  token?: string;
}

describe('admin-token', () => {
  it('creates, lists and revokes operator tokens; a viewer reads but changes nothing', async () => {
    const ops = await json<AdminTokenOut>(AdminTokenCreate, ['--name', 'ops']);
    expect(ops).toMatchObject({ name: 'ops', role: 'admin', createdBy: 'root' });
    expect(ops.token).toMatch(/^cxa_/);
    const asOps = { CORTEXCTL_TOKEN: ops.token };

    // An operator's own token creates the viewer: the creator is that token, not root.
    const viewer = await json<AdminTokenOut>(AdminTokenCreate, ['--name', 'dash', '--role', 'viewer'], asOps);
    expect(viewer).toMatchObject({ role: 'viewer', createdBy: `admin:${ops.id}` });
    const asViewer = { CORTEXCTL_TOKEN: viewer.token };

    const table = await run(AdminTokenList, []);
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+PREFIX\s+CREATED\s+CREATED BY\s+LAST USED\s+EXPIRES\s+REVOKED$/m);
    expect(table.stdout).not.toContain(ops.token);
    expect((await run(AdminTokenList, ['-o', 'yaml'])).stdout).toMatch(/role: viewer/);

    expect((await json<AdminTokenOut[]>(AdminTokenList, [], asViewer)).map((t) => t.name).sort()).toEqual([
      'dash',
      'ops',
    ]);
    for (const [cmd, argv] of [
      [AdminTokenCreate, ['--name', 'sneaky']],
      [AdminTokenRevoke, [ops.id, '--yes']],
      [TenantCreate, ['viewer-made']],
    ] as const) {
      const r = await run(cmd, [...argv], asViewer);
      expect({ exit: r.exitCode, stdout: r.stdout }).toEqual({ exit: 4, stdout: '' });
      expect(r.stderr).toMatch(/viewer role.*403 forbidden/s);
    }

    const revoked = await json<AdminTokenOut>(AdminTokenRevoke, [viewer.id, '--yes'], asOps);
    expect(revoked.revokedAt).not.toBeNull();
    // Revocation is immediate: the admin API reads operator tokens on every call.
    const after = await run(TenantList, [], asViewer);
    expect(after.exitCode).toBe(4);
    expect(after.stderr).toMatch(/401 unauthorized/);
    expect((await json<AdminTokenOut[]>(AdminTokenList, [])).map((t) => t.name)).toEqual(['ops']);
    expect((await json<AdminTokenOut[]>(AdminTokenList, ['--all'])).map((t) => t.name)).toEqual(['ops', 'dash']);
  });

  it.each([
    { name: 'missing --name', argv: [], exit: 2, err: /Missing required flag name/ },
    { name: 'unknown role', argv: ['--name', 'x', '--role', 'root'], exit: 2, err: /Expected --role=root/ },
    { name: 'bad lifetime', argv: ['--name', 'x', '--expires-in', 'soon'], exit: 2, err: /expires-in/ },
  ])('fails: $name', async ({ argv, exit, err }) => {
    const r = await run(AdminTokenCreate, argv);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(err);
    expect(r.exitCode).toBe(exit);
  });

  it('revoking an unknown token is a 404 (exit 1), and revoke asks without --yes', async () => {
    const r = await run(AdminTokenRevoke, ['no-such-id', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/404 not_found/);
    expect((await run(AdminTokenRevoke, ['no-such-id'])).exitCode).toBe(2);
  });
});

describe('token list', () => {
  it('shows who created each token', async () => {
    await json(TenantCreate, ['meta']);
    const ops = await json<AdminTokenOut>(AdminTokenCreate, ['--name', 'issuer']);
    await json(TokenCreate, ['--tenant', 'meta', '--scopes', 'metrics:read'], { CORTEXCTL_TOKEN: ops.token });
    await json(TokenCreate, ['--tenant', 'meta', '--scopes', 'metrics:write']);
    const list = await json<Array<{ createdBy: string; scopes: string[] }>>(TokenList, ['--tenant', 'meta']);
    expect(list.map((t) => [t.scopes[0], t.createdBy])).toEqual([
      ['metrics:read', `admin:${ops.id}`],
      ['metrics:write', 'root'],
    ]);
    const table = await run(TokenList, ['--tenant', 'meta']);
    expect(table.stdout).toMatch(/CREATED BY/);
    expect(table.stdout).toContain(`admin:${ops.id}`);
  });
});
