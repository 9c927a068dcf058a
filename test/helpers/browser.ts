/**
 * A real Chromium for the console's tests: Debian's `chromium` (what .ci/run installs), driven by
 * playwright-core through its executable path, never a downloaded browser. Without one the suite
 * skips loudly; under CI=true that is a failure. The console is rebuilt when its sources are newer
 * than the build, so a test run on its own never tests a stale page.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { REPO } from './cortexctl.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary (CHROMIUM_PATH, else Debian's), or undefined after a loud warning. */
export function chromiumPath(): string | undefined {
  const path = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p): p is string => !!p && existsSync(p));
  if (path) return path;
  if (process.env.CI === 'true') throw new Error('CI=true but chromium is missing (apt-get install chromium)');
  console.warn('\n!!! chromium not found (set CHROMIUM_PATH or apt-get install chromium): skipping this suite !!!\n');
  return undefined;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  // --no-sandbox: CI and these machines run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
}

/** Builds the console (vite) when dist/console is missing or older than console/ or the generated code. */
export function ensureConsoleBuilt(): void {
  const index = join(REPO, 'dist', 'console', 'index.html');
  const sources = Math.max(newest(join(REPO, 'console')), newest(join(REPO, 'gen')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync('npx', ['vite', 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'], {
    cwd: REPO,
    stdio: 'inherit',
  });
}
