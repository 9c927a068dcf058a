/**
 * `npm run bench`: every benchmark once with small, quick settings, one after another. Each prints
 * its own figures; run the individual `npm run bench:<name>` scripts for full-size runs and the
 * side-by-side comparisons with Prometheus (`--compare-prometheus`).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const runs: [string, string[]][] = [
  ['ingest.ts', ['--in-process', '--series', '50000', '--seconds', '10']],
  ['promql.ts', ['--instances', '100', '--hours', '6', '--runs', '3']],
  ['storage.ts', ['--series', '200', '--hours', '6', '--no-prometheus']],
  ['frontend.ts', ['--series', '200']],
];
let failed = 0;
for (const [file, args] of runs) {
  console.log(`\n=== ${file} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, file), ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
