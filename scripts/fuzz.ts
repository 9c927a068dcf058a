/**
 * `npm run fuzz [-- --target NAME[,NAME…]] [--runs N] [--seed S] [--concurrency N]`: runs the fuzz
 * targets (test/fuzz/) long, N inputs in flight per target (FUZZ_CONCURRENCY). Without --target it runs every interface target, the PromQL fuzzer
 * (test/integration/promql-fuzz.test.ts) and the PromQL differential fuzzer against Prometheus
 * (test/fuzz/promql-diff.test.ts); `--target promql` or `--target promql-diff` runs only that one.
 * Default 20,000 runs. The differential fuzzer collects every difference (FUZZ_REPORT=1) in long runs.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    runs: { type: 'string' },
    seed: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const env = { ...process.env, FUZZ_RUNS: values.runs ?? process.env.FUZZ_RUNS ?? '20000' };
if (values.seed !== undefined) env.FUZZ_SEED = values.seed;
if (values.concurrency !== undefined) env.FUZZ_CONCURRENCY = values.concurrency;
const files: string[] = [];
const only = values.target?.split(',').map((t) => t.trim());
const own = ['promql', 'promql-diff'];
if (only === undefined || only.includes('promql')) files.push('test/integration/promql-fuzz.test.ts');
if (only === undefined || only.includes('promql-diff')) {
  files.push('test/fuzz/promql-diff.test.ts');
  env.FUZZ_REPORT ??= '1';
}
const rest = only?.filter((t) => !own.includes(t));
if (only === undefined || (rest !== undefined && rest.length > 0)) {
  files.push('test/fuzz/interfaces.test.ts');
  if (rest !== undefined) env.FUZZ_TARGET = rest.join(',');
}
const r = spawnSync('npx', ['vitest', 'run', ...files], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
