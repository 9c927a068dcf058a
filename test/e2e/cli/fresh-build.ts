/**
 * The binary runs compiled code from dist/. `npm test` builds first; a CLI e2e test run on its own
 * rebuilds (tsc, and the fast-start bundle) when any CLI source is newer than its compiled file, so it
 * never tests stale output.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from '../../helpers/cortexctl.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

export function ensureFreshBuild(): void {
  const stale = sources(join(REPO, 'cli')).some((src) => {
    const out = join(REPO, 'dist', relative(REPO, src).replace(/\.ts$/, '.js'));
    return !existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs;
  });
  if (!stale) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'pipe' });
  } catch {
    // tsc emits even when other folders have type errors; the tests below judge the result.
  }
  // bin/run.js runs most commands from this bundle (cli/fast-path.ts).
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bundle-cli-fast.ts'], { cwd: REPO, stdio: 'pipe' });
}
