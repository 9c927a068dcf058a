import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { closedAddress, prepareCommands, runCommand } from '../../testing/index.js';
import TenantCreate from './create.js';
import TenantDelete from './delete.js';

beforeAll(prepareCommands, 120_000);

const env = {
  XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'cortexctl-')),
  CORTEXCTL_CONFIG: undefined,
  CORTEXCTL_CONTEXT: undefined,
  CORTEXCTL_TENANT: undefined,
  CORTEXCTL_ADDRESS: '',
  CORTEXCTL_TOKEN: 'x',
};

describe('tenant commands without a server', () => {
  beforeAll(async () => {
    env.CORTEXCTL_ADDRESS = await closedAddress();
  });
  const cases = [
    {
      name: 'server down',
      argv: ['acme'],
      exit: 1,
      stderr:
        /cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused \[POST \/cortex\.admin\.v1\.AdminService\/CreateTenant\]/,
    },
    { name: 'unknown flag', argv: ['acme', '--bogus'], exit: 2, stderr: /Nonexistent flag: --bogus/ },
    { name: 'missing id', argv: [], exit: 2, stderr: /Missing 1 required arg/ },
    { name: 'bad label', argv: ['acme', '--label', 'novalue'], exit: 2, stderr: /expected key=value/ },
    { name: 'unknown context', argv: ['acme', '--context', 'nope'], exit: 2, stderr: /context "nope" not found/ },
  ];
  it.each(cases)('create: $name', async ({ argv, exit, stderr }) => {
    const r = await runCommand(TenantCreate, argv, env);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(stderr);
    expect(r.exitCode).toBe(exit);
  });

  it('delete refuses without --yes when stdin is not a terminal', async () => {
    const r = await runCommand(TenantDelete, ['acme'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/refusing without --yes/);
  });
});
