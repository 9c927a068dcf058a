/**
 * Runs the built `cortexctl` binary as a user would: `bin/run.js` as a child process. `npm test`
 * builds first; when a test is run on its own, `ensureBuilt()` compiles if `dist/` is missing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(REPO, 'bin', 'run.js');

export function ensureBuilt(): void {
  if (!existsSync(join(REPO, 'dist', 'cli', 'commands', 'server.js'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cortexctl <args>` to completion with a clean environment plus `env`. */
export async function runCli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(input ?? '');
  const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
  return { code, stdout, stderr };
}

export interface DevServer {
  url: string;
  rootToken: string;
  dataDir: string;
  process: ChildProcess;
  /** Output so far (stdout + stderr), for failure messages. */
  output(): string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops and removes the data dir (unless `keepData`). */
  dispose(): Promise<void>;
}

/** Starts `cortexctl server --dev --port 0` and waits until it prints its address. */
export async function startDevServer(
  opts: { dataDir?: string; rootToken?: string; keepData?: boolean; args?: string[] } = {},
): Promise<DevServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cortex-e2e-'));
  const rootToken = opts.rootToken ?? 'e2e-root-token-0123456789';
  const child = spawn(
    process.execPath,
    [
      BIN,
      'server',
      '--dev',
      '--port',
      '0',
      '--grpc-listen-port',
      '0',
      '--data-dir',
      dataDir,
      '--dev-root-token',
      rootToken,
      ...(opts.args ?? []),
    ],
    {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /export CORTEXCTL_ADDRESS=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`server exited with ${code} before starting:\n${out}`));
    });
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return await exited;
  };
  return {
    url,
    rootToken,
    dataDir,
    process: child,
    output: () => out,
    stop,
    async dispose() {
      await stop();
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
