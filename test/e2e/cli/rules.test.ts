/** `cortexctl rules …` in-process against a live control plane (PGlite), with rule files on disk. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import RulesDelete from '../../../cli/commands/rules/delete.js';
import RulesDiff from '../../../cli/commands/rules/diff.js';
import RulesGet from '../../../cli/commands/rules/get.js';
import RulesLint from '../../../cli/commands/rules/lint.js';
import RulesList from '../../../cli/commands/rules/list.js';
import RulesPush from '../../../cli/commands/rules/push.js';
import RulesSync from '../../../cli/commands/rules/sync.js';
import TenantCreate from '../../../cli/commands/tenant/create.js';
import { type CommandClass, prepareCommands, runCommand } from '../../../cli/testing/index.js';
import { type LiveControlPlane, startControlPlane } from './live-control-plane.js';

beforeAll(prepareCommands, 120_000);

const NODE = `namespace: infra
groups:
  - name: node
    interval: 1m
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
  - name: alerts
    rules:
      - alert: InstanceDown
        expr: up == 0
        for: 5m
        labels: {severity: page}
`;
const APP = `groups:
  - name: app
    rules:
      - record: job:requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
`;

let cp: LiveControlPlane;
let dir: string;
beforeAll(async () => {
  cp = await startControlPlane();
  expect((await runCommand(TenantCreate, ['acme'], cp.env)).exitCode).toBe(0);
  dir = mkdtempSync(join(tmpdir(), 'cortexctl-rules-'));
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules', 'node.yaml'), NODE);
  writeFileSync(join(dir, 'rules', 'app.yml'), APP);
});
afterAll(async () => {
  await cp?.close();
});

const run = (cmd: CommandClass, argv: string[]) => runCommand(cmd, argv, { ...cp.env, CORTEXCTL_TENANT: 'acme' });

describe('rules', () => {
  it('lints files offline', async () => {
    const r = await runCommand(RulesLint, [join(dir, 'rules')], { CORTEXCTL_ADDRESS: 'http://127.0.0.1:9' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('2 file(s), 3 group(s): no problems\n');
  });

  it('reports lint findings as file:line:col and exits 1', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'groups:\n  - name: g\n    rules:\n      - record: x:y\n        expr: sum(rate(x[5m])\n');
    const r = await runCommand(RulesLint, [bad], {});
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${bad}:5:30: parse error: unexpected end of input\n`);
    const j = await runCommand(RulesLint, [bad, '-o', 'json'], {});
    expect(JSON.parse(j.stdout).problems).toEqual([
      { file: bad, line: 5, col: 30, message: 'parse error: unexpected end of input' },
    ]);
  });

  it('diff shows what push would create', async () => {
    const r = await run(RulesDiff, [join(dir, 'rules'), '--exit-code']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('+ app/app (new, 1 rules)\n+ infra/alerts (new, 1 rules)\n+ infra/node (new, 1 rules)\n');
    expect(r.stderr).toContain('3 to create, 0 to update, 0 to delete, 0 unchanged');
  });

  it('pushes groups and lists them', async () => {
    const r = await run(RulesPush, [join(dir, 'rules')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('created infra/node');
    expect(r.stderr).toContain('3 created, 0 updated, 0 unchanged');
    const list = await run(RulesList, []);
    expect(list.stdout).toBe(
      [
        'NAMESPACE   GROUP    INTERVAL   RULES',
        'app         app      -          1',
        'infra       alerts   -          1',
        'infra       node     1m         1',
        '',
      ].join('\n'),
    );
  });

  it('a second push changes nothing; diff is empty', async () => {
    const again = await run(RulesPush, [join(dir, 'rules')]);
    expect(again.stderr).toContain('0 created, 0 updated, 3 unchanged');
    const d = await run(RulesDiff, [join(dir, 'rules'), '--sync', '--exit-code']);
    expect(d.exitCode, d.stderr).toBe(0);
    expect(d.stdout).toBe('');
  });

  it('gets a namespace as a rule file that lints clean', async () => {
    const r = await run(RulesGet, ['infra']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^namespace: infra\ngroups:\n/);
    const file = join(dir, 'roundtrip.yaml');
    writeFileSync(file, r.stdout);
    expect((await runCommand(RulesLint, [file], {})).exitCode).toBe(0);
    const one = await run(RulesGet, ['infra', 'alerts', '-o', 'json']);
    expect(JSON.parse(one.stdout).groups.map((g: { name: string }) => g.name)).toEqual(['alerts']);
  });

  it('diff shows an update as a line diff', async () => {
    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, NODE.replace('interval: 1m', 'interval: 2m'));
    const r = await run(RulesDiff, [changed]);
    expect(r.stdout).toBe('~ infra/node\n    - interval: 1m\n    + interval: 2m\n');
  });

  it('sync deletes what the files no longer have, only with --yes', async () => {
    const only = join(dir, 'only-node.yaml');
    writeFileSync(only, NODE.replace(/ {2}- name: alerts[\s\S]*$/, ''));
    const refused = await run(RulesSync, [only]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(
      /delete 2 rule group\(s\) of tenant acme \(app\/app, infra\/alerts\)\? — refusing without --yes/,
    );
    const r = await run(RulesSync, [only, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('deleted namespace app');
    expect(r.stderr).toContain('deleted infra/alerts');
    const list = JSON.parse((await run(RulesList, ['-o', 'json'])).stdout);
    expect(Object.fromEntries(Object.entries(list.namespaces).map(([k, v]) => [k, (v as []).length]))).toEqual({
      infra: 1,
    });
  });

  it('deletes a namespace with --yes', async () => {
    const r = await run(RulesDelete, ['infra', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse((await run(RulesList, ['-o', 'json'])).stdout).namespaces).toEqual({});
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'a namespace named %s: list, push, diff, list, sync',
    async (ns) => {
      // Absent: an empty listing (was "groups.map is not a function" from Object.prototype's member).
      const none = await run(RulesList, ['--namespace', ns, '-o', 'json']);
      expect(none.exitCode, none.stderr).toBe(0);
      expect(Object.entries(JSON.parse(none.stdout).namespaces)).toEqual([[ns, []]]);
      const file = join(dir, `${ns}.yaml`);
      writeFileSync(file, NODE.replace('namespace: infra', `namespace: ${ns}`));
      const pushed = await run(RulesPush, [file]);
      expect(pushed.exitCode, pushed.stderr).toBe(0);
      expect(pushed.stderr).toContain('2 created, 0 updated, 0 unchanged');
      const d = await run(RulesDiff, [file, '--sync', '--exit-code']);
      expect(d.exitCode, d.stdout).toBe(0);
      const one = JSON.parse((await run(RulesList, ['--namespace', ns, '-o', 'json'])).stdout).namespaces;
      expect(Object.keys(one)).toEqual([ns]);
      expect(one[ns].map((g: { name: string }) => g.name)).toEqual(['alerts', 'node']);
      const empty = join(dir, 'empty.yaml');
      writeFileSync(empty, `namespace: ${ns}\ngroups: []\n`);
      const synced = await run(RulesSync, [empty, '--yes']);
      expect(synced.exitCode, synced.stderr).toBe(0);
      expect(synced.stderr).toContain(`deleted namespace ${ns}`);
    },
  );

  it.each([
    {
      name: 'missing file',
      cmd: RulesPush,
      argv: ['/nonexistent/rules.yaml'],
      exit: 1,
      err: /cannot read \/nonexistent\/rules\.yaml/,
    },
    {
      name: 'invalid file is not pushed',
      cmd: RulesPush,
      argv: ['BAD'],
      exit: 1,
      err: /bad\.yaml:5:30: parse error[\s\S]*nothing was changed/,
    },
    { name: 'delete without --yes', cmd: RulesDelete, argv: ['infra'], exit: 2, err: /refusing without --yes/ },
    {
      name: 'lint takes no --tenant',
      cmd: RulesLint,
      argv: ['x.yaml', '--tenant', 'acme'],
      exit: 2,
      err: /Nonexistent flag: --tenant/,
    },
  ])('fails: $name', async ({ cmd, argv, exit, err }) => {
    const r = await run(
      cmd,
      argv.map((a) => (a === 'BAD' ? join(dir, 'bad.yaml') : a)),
    );
    expect(r.stderr).toMatch(err);
    expect(r.exitCode).toBe(exit);
  });
});
