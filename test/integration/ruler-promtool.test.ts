/**
 * Verdict parity with Prometheus's own `promtool test rules` on the example files, and the
 * `cortexctl rules test` command on the same files. Without promtool the parity cases skip loudly,
 * unless CI=true, where a missing promtool fails the run.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import RulesTest from '../../cli/commands/rules/test.js';
import { prepareCommands, runCommand } from '../../cli/testing/index.js';
import { runUnitTestFile, summarize } from '../../data-plane/ruler/unittest/index.js';

const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const HAVE_PROMTOOL = existsSync(PROMTOOL);
const DIR = fileURLToPath(new URL('../../data-plane/ruler/unittest/testdata/', import.meta.url));
const FILES = ['pass.test.yaml', 'templates.test.yaml', 'fail.test.yaml', 'broken.test.yaml'];

if (!HAVE_PROMTOOL) {
  if (process.env.CI === 'true') throw new Error(`CI=true but promtool is missing at ${PROMTOOL}`);
  console.warn(`\n!!! promtool not found at ${PROMTOOL}: promtool parity cases are SKIPPED !!!\n`);
}

/** promtool's exit code and how many assertions it reported as failed. */
async function promtool(file: string): Promise<{ code: number; failures: number }> {
  const count = (out: string) => out.split('\n').filter((l) => /^\s+(alertname|expr): /.test(l)).length;
  try {
    const { stdout, stderr } = await promisify(execFile)(PROMTOOL, ['test', 'rules', file], { cwd: DIR });
    return { code: 0, failures: count(stdout + stderr) };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, failures: count(`${e.stdout ?? ''}${e.stderr ?? ''}`) };
  }
}

describe.skipIf(!HAVE_PROMTOOL)('promtool parity', () => {
  it.each(FILES)('%s: same verdict and failure count as promtool', async (file) => {
    const theirs = await promtool(file);
    const ours = await runUnitTestFile(`${DIR}${file}`);
    expect(summarize([ours]).ok).toBe(theirs.code === 0);
    expect(ours.failures.length).toBe(theirs.failures);
  });
});

describe('cortexctl rules test', () => {
  beforeAll(() => prepareCommands(), 60_000);

  it('exits 0 and prints SUCCESS for passing tests', async () => {
    const r = await runCommand(RulesTest, [`${DIR}pass.test.yaml`]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr + r.stdout).toContain('SUCCESS');
  });

  it('exits 1 and prints the failures', async () => {
    const r = await runCommand(RulesTest, [`${DIR}pass.test.yaml`, `${DIR}fail.test.yaml`]);
    expect(r.exitCode).toBe(1);
    const out = r.stderr + r.stdout;
    expect(out).toContain('FAILED:');
    expect(out).toContain('alertname: InstanceDown, time: 3m');
    expect(out).toContain('1 of 2 test file(s) failed');
  });
});
