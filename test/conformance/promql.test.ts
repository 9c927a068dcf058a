/**
 * Runs Prometheus's upstream PromQL test files (promqltest scripts) against our engine and the
 * in-memory storage. One describe per file, one it per eval; every eval must pass (there is no skip
 * list), and the totals are printed at the end.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import { parseScript, ScriptRunner } from '../../data-plane/promql/promqltest/index.js';
import { MemoryStorage } from '../../data-plane/storage/memory/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = resolve(repoRoot, '../shared/promql-tests/testdata');
const present = existsSync(dir);

if (!present && process.env.CI === 'true') {
  throw new Error(`PromQL conformance files not found at ${dir} (CI=true requires them)`);
}
if (!present) {
  console.warn(`\n!!! PromQL conformance files not found at ${dir}: the PromQL conformance suite is SKIPPED !!!\n`);
}

const stats = new Map<string, { pass: number; fail: number }>();

afterAll(() => {
  let pass = 0;
  let fail = 0;
  const lines: string[] = [];
  for (const [file, s] of stats) {
    lines.push(`  ${file.padEnd(28)} pass ${s.pass}  fail ${s.fail}`);
    pass += s.pass;
    fail += s.fail;
  }
  console.log(`PromQL conformance:\n${lines.join('\n')}\n  TOTAL pass ${pass}  fail ${fail}  (${files.length} files)`);
});

const files = present
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.test'))
      .sort()
  : [];

describe.skipIf(!present)('promql conformance', () => {
  it('found the test files', ({ expect }) => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    describe(file, () => {
      const commands = parseScript(readFileSync(resolve(dir, file), 'utf8'));
      const runner = new ScriptRunner(commands, () => new MemoryStorage());
      const s = { pass: 0, fail: 0 };
      stats.set(file, s);
      commands.forEach((c, i) => {
        if (c.kind !== 'eval') return;
        const name = `line ${c.line}: ${c.expr}`;
        it(name, async () => {
          try {
            await runner.runEval(i);
            s.pass++;
          } catch (err) {
            s.fail++;
            throw err;
          }
        });
      });
    });
  }
});
