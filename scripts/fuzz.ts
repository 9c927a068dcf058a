/**
 * `npm run fuzz [-- --target NAME] [--runs N] [--seed S]`: runs the interface fuzz targets
 * (test/fuzz/) long. Without --target it runs every target and the PromQL fuzzer
 * (test/integration/promql-fuzz.test.ts); `--target promql` runs only that one. Default 20,000 runs.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { target: { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' } },
});
const env = { ...process.env, FUZZ_RUNS: values.runs ?? process.env.FUZZ_RUNS ?? '20000' };
if (values.seed !== undefined) env.FUZZ_SEED = values.seed;
const files: string[] = [];
if (values.target === undefined || values.target === 'promql') files.push('test/integration/promql-fuzz.test.ts');
if (values.target !== 'promql') {
  files.push('test/fuzz/interfaces.test.ts');
  if (values.target !== undefined) env.FUZZ_TARGET = values.target;
}
const r = spawnSync('npx', ['vitest', 'run', ...files], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
