/**
 * Registers Prometheus's upstream PromQL scripts (../shared/promql-tests/testdata) as vitest cases:
 * one describe per file, one it per eval, every one of which must pass. Each suite brings its own
 * storage and engine through `runnerFor`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { type Command, parseScript, type ScriptRunner } from '../../data-plane/promql/promqltest/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SCRIPT_DIR = resolve(repoRoot, '../shared/promql-tests/testdata');
export const scriptsPresent = existsSync(SCRIPT_DIR);

export function scriptFiles(): string[] {
  return scriptsPresent
    ? readdirSync(SCRIPT_DIR)
        .filter((f) => f.endsWith('.test'))
        .sort()
    : [];
}

export function describeScripts(runnerFor: (commands: Command[]) => ScriptRunner): void {
  for (const file of scriptFiles()) {
    describe(file, () => {
      const commands = parseScript(readFileSync(resolve(SCRIPT_DIR, file), 'utf8'));
      const runner = runnerFor(commands);
      commands.forEach((c, i) => {
        if (c.kind !== 'eval') return;
        const name = `line ${c.line}: ${c.expr}`;
        it(name, async () => {
          await runner.runEval(i);
        });
      });
    });
  }
}
