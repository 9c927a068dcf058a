/** `cortexctl alertmanager …` in-process against a live control plane (PGlite). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import AlertmanagerDelete from '../../../cli/commands/alertmanager/delete.js';
import AlertmanagerGet from '../../../cli/commands/alertmanager/get.js';
import AlertmanagerPush from '../../../cli/commands/alertmanager/push.js';
import AlertmanagerVerify from '../../../cli/commands/alertmanager/verify.js';
import TenantCreate from '../../../cli/commands/tenant/create.js';
import { type CommandClass, prepareCommands, runCommand } from '../../../cli/testing/index.js';
import { type LiveControlPlane, startControlPlane } from './live-control-plane.js';

beforeAll(prepareCommands, 120_000);

const CONFIG = `route:
  receiver: team
  group_by: [alertname]
receivers:
  - name: team
    webhook_configs:
      - url: https://hooks.example.com/team
`;
const TEMPLATE = '{{ define "team.title" }}[{{ .Status }}] {{ .GroupLabels.alertname }}{{ end }}\n';

let cp: LiveControlPlane;
let dir: string;
beforeAll(async () => {
  cp = await startControlPlane();
  expect((await runCommand(TenantCreate, ['acme'], cp.env)).exitCode).toBe(0);
  dir = mkdtempSync(join(tmpdir(), 'cortexctl-am-'));
  writeFileSync(join(dir, 'am.yaml'), CONFIG);
  writeFileSync(join(dir, 'team.tmpl'), TEMPLATE);
  writeFileSync(
    join(dir, 'bad.yaml'),
    'route:\n  receiver: nobody\nreceivers:\n  - name: team\n    webhook_configs:\n      - url: file:///etc/passwd\n        http_config: {password_file: /x}\n',
  );
});
afterAll(async () => {
  await cp?.close();
});

const run = (cmd: CommandClass, argv: string[]) => runCommand(cmd, argv, { ...cp.env, CORTEXCTL_TENANT: 'acme' });

describe('alertmanager', () => {
  it('verifies offline and reports every problem with its position', async () => {
    expect((await runCommand(AlertmanagerVerify, [join(dir, 'am.yaml')], {})).stderr).toBe(
      `${join(dir, 'am.yaml')}: valid\n`,
    );
    const r = await runCommand(AlertmanagerVerify, [join(dir, 'bad.yaml')], {});
    expect(r.exitCode).toBe(1);
    const bad = join(dir, 'bad.yaml');
    expect(r.stderr).toContain(`${bad}:2:13: route.receiver: undefined receiver "nobody" used in route\n`);
    expect(r.stderr).toContain(`${bad}:6:14: receivers[0].webhook_configs[0].url: URL scheme file is not allowed`);
    expect(r.stderr).toContain(
      `${bad}:7:23: receivers[0].webhook_configs[0].http_config.password_file: field password_file`,
    );
  });

  it('pushes a configuration with a template and gets it back', async () => {
    const r = await run(AlertmanagerPush, [join(dir, 'am.yaml'), join(dir, 'team.tmpl')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('Alertmanager configuration of tenant acme updated (1 template)\n');
    const get = await run(AlertmanagerGet, []);
    expect(get.stdout).toBe(CONFIG);
    const json = JSON.parse((await run(AlertmanagerGet, ['-o', 'json'])).stdout);
    expect(json).toMatchObject({ config: CONFIG, templates: { 'team.tmpl': TEMPLATE } });
    const out = join(dir, 'out');
    expect((await run(AlertmanagerGet, ['--output-dir', out])).exitCode).toBe(0);
    expect(readFileSync(join(out, 'config.yaml'), 'utf8')).toBe(CONFIG);
    expect(readFileSync(join(out, 'team.tmpl'), 'utf8')).toBe(TEMPLATE);
  });

  it('accepts the Cortex alertmanager_config wrapper', async () => {
    const wrapped = join(dir, 'wrapped.yaml');
    writeFileSync(
      wrapped,
      `alertmanager_config: |\n${CONFIG.trimEnd().replace(/^/gm, '  ')}\ntemplate_files:\n  w.tmpl: "x"\n`,
    );
    expect((await run(AlertmanagerPush, [wrapped])).exitCode).toBe(0);
    expect(Object.keys(JSON.parse((await run(AlertmanagerGet, ['--json'])).stdout).templates)).toEqual(['w.tmpl']);
  });

  it('deletes with --yes', async () => {
    expect((await run(AlertmanagerDelete, [])).exitCode).toBe(2);
    const r = await run(AlertmanagerDelete, ['--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    const after = await run(AlertmanagerGet, []);
    expect(after.exitCode).toBe(1);
    expect(after.stderr).toMatch(/404 not_found: POST \/cortex\.admin\.v1\.AdminService\/GetAlertmanagerConfig/);
  });

  it.each([
    {
      name: 'invalid config is not pushed',
      argv: ['BAD'],
      exit: 1,
      err: /undefined receiver "nobody"[\s\S]*nothing was uploaded/,
    },
    { name: 'missing file', argv: ['/nonexistent.yaml'], exit: 1, err: /cannot read \/nonexistent\.yaml/ },
  ])('push fails: $name', async ({ argv, exit, err }) => {
    const r = await run(
      AlertmanagerPush,
      argv.map((a) => (a === 'BAD' ? join(dir, 'bad.yaml') : a)),
    );
    expect(r.stderr).toMatch(err);
    expect(r.exitCode).toBe(exit);
  });
});
