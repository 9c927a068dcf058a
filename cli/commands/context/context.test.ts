import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareCommands, runCommand } from '../../testing/index.js';
import ContextAdd from './add.js';
import ContextCurrent from './current.js';
import ContextDelete from './delete.js';
import ContextList from './list.js';
import ContextUse from './use.js';

beforeAll(prepareCommands, 120_000);

function freshEnv() {
  return {
    XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'cortexctl-ctx-')),
    CORTEXCTL_CONFIG: undefined,
    CORTEXCTL_CONTEXT: undefined,
    CORTEXCTL_ADDRESS: undefined,
    CORTEXCTL_TOKEN: undefined,
    CORTEXCTL_TENANT: undefined,
    NO_COLOR: '1',
  };
}

describe('context commands', () => {
  it('add, list, use, current and delete', async () => {
    const env = freshEnv();
    const add1 = await runCommand(ContextAdd, ['dev', '--address', 'http://dev:9009', '--token', 'devtoken123'], env);
    expect(add1).toMatchObject({ exitCode: 0, stdout: '' });
    expect(add1.stderr).toMatch(/context dev saved in .*config\.yaml \(current\)/);
    expect(statSync(join(env.XDG_CONFIG_HOME, 'cortexctl', 'config.yaml')).mode & 0o777).toBe(0o600);
    await runCommand(ContextAdd, ['prod', '--address', 'https://prod', '--tenant', 'acme'], env);

    const list = await runCommand(ContextList, [], env);
    expect(list.exitCode).toBe(0);
    expect(list.stdout.split('\n')).toEqual([
      'CURRENT   NAME   ADDRESS           TENANT   TOKEN',
      '*         dev    http://dev:9009   -        devtoken…',
      '          prod   https://prod      acme     -',
      '',
    ]);

    expect((await runCommand(ContextUse, ['prod'], env)).exitCode).toBe(0);
    const cur = await runCommand(ContextCurrent, ['-o', 'json'], env);
    expect(JSON.parse(cur.stdout)).toMatchObject({
      context: 'prod',
      address: 'https://prod',
      tenant: 'acme',
      source: { address: 'context', tenant: 'context', token: 'none' },
    });

    const overridden = await runCommand(ContextCurrent, ['--json'], { ...env, CORTEXCTL_ADDRESS: 'http://env' });
    expect(JSON.parse(overridden.stdout)).toMatchObject({ address: 'http://env', source: { address: 'env' } });

    expect((await runCommand(ContextDelete, ['prod'], env)).exitCode).toBe(0);
    const after = await runCommand(ContextList, ['-o', 'yaml'], env);
    expect(after.stdout).toContain('name: dev');
    expect(after.stdout).not.toContain('prod');
  });

  it('reads the token from stdin with --token-stdin', async () => {
    const env = freshEnv();
    const r = await runCommand(ContextAdd, ['ci', '--address', 'http://ci', '--token-stdin'], env, {
      stdin: 'secret-from-stdin\n',
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const cur = await runCommand(ContextCurrent, ['-o', 'json'], env);
    expect(JSON.parse(cur.stdout)).toMatchObject({ context: 'ci', token: 'secret-f…', source: { token: 'context' } });
    const both = await runCommand(ContextAdd, ['x', '--token', 'a', '--token-stdin'], env, { stdin: 'b' });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(/--token=a cannot also be provided when using --token-stdin/);
  });

  it.each([
    { name: 'use unknown', cmd: ContextUse, argv: ['nope'], exit: 2, stderr: /context "nope" not found/ },
    { name: 'delete unknown', cmd: ContextDelete, argv: ['nope'], exit: 2, stderr: /context "nope" not found/ },
    { name: 'current with unknown --context', cmd: ContextCurrent, argv: ['--context', 'x'], exit: 2, stderr: /"x"/ },
    { name: 'bad output format', cmd: ContextList, argv: ['-o', 'xml'], exit: 2, stderr: /Expected --output=xml/ },
  ])('$name', async ({ cmd, argv, exit, stderr }) => {
    const r = await runCommand(cmd, argv, freshEnv());
    expect(r.exitCode).toBe(exit);
    expect(r.stderr).toMatch(stderr);
  });
});
