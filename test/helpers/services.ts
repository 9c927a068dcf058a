/**
 * Ephemeral real services for integration tests: a PostgreSQL server (temporary data dir, free port,
 * run as the `postgres` user when we are root), the Bigtable emulator (`cbtemulator`), and the AWS
 * emulators from npm: `dynalite` (DynamoDB, in memory) and `s3rver` (S3, in a temp dir). Each start
 * returns a handle whose `stop()` kills the process and removes its files.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const CBT_EMULATOR =
  process.env.CBT_EMULATOR ?? '/usr/lib/google-cloud-sdk/platform/bigtable-emulator/cbtemulator';

export interface Service {
  /** `postgres://…` URL, or `host:port` for the emulator. */
  readonly address: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function postgresAvailable(): boolean {
  return existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_ctl'));
}

export function bigtableEmulatorAvailable(): boolean {
  return existsSync(CBT_EMULATOR);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function asPostgres(cmd: string, args: string[]): void {
  if (isRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
  else execFileSync(cmd, args, { stdio: 'pipe' });
}

export async function startPostgres(): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-pg-'));
  const data = join(dir, 'data');
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    await chown(dir, uid, gid);
  }
  const port = await freePort();
  asPostgres(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  asPostgres(join(PG_BIN, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`,
    'start',
  ]);
  await waitForPort(port);
  return {
    address: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export async function startBigtableEmulator(): Promise<Service> {
  const port = await freePort();
  const child: ChildProcess = spawn(CBT_EMULATOR, ['-host', '127.0.0.1', '-port', String(port)], {
    stdio: 'ignore',
  });
  await waitForPort(port);
  return {
    address: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const requireFromHere = createRequire(import.meta.url);

/** The CLI script of an npm package (its `bin` entry), or undefined when the package is not installed. */
function packageBin(pkg: string, rel: string): string | undefined {
  try {
    return join(dirname(requireFromHere.resolve(`${pkg}/package.json`)), rel);
  } catch {
    return undefined;
  }
}

export const DYNALITE_CLI = packageBin('dynalite', 'cli.js');
export const S3RVER_CLI = packageBin('s3rver', 'bin/s3rver.js');

export function dynaliteAvailable(): boolean {
  return DYNALITE_CLI !== undefined && existsSync(DYNALITE_CLI);
}

export function s3rverAvailable(): boolean {
  return S3RVER_CLI !== undefined && existsSync(S3RVER_CLI);
}

/** A child process that can be frozen (SIGSTOP) and thawed (SIGCONT), for fault tests. */
export interface ChildService extends Service {
  readonly pid: number | undefined;
}

async function startNodeService(script: string, args: string[], port: number): Promise<ChildService> {
  const child: ChildProcess = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await Promise.race([
      waitForPort(port),
      exited.then(() => {
        throw new Error(`${script} exited before listening: ${stderr}`);
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * dynalite (DynamoDB on an in-memory LevelDB) on a free loopback port; tables are created at once.
 * Address: `http://127.0.0.1:<port>`, the `--dynamodb-endpoint`.
 */
export async function startDynalite(port?: number): Promise<ChildService> {
  if (!DYNALITE_CLI) throw new Error('dynalite is not installed (npm i -D dynalite)');
  const p = port ?? (await freePort());
  return startNodeService(
    DYNALITE_CLI,
    [
      '--host',
      '127.0.0.1',
      '--port',
      String(p),
      '--createTableMs',
      '0',
      '--deleteTableMs',
      '0',
      '--updateTableMs',
      '0',
    ],
    p,
  );
}

/**
 * s3rver (S3 on files in a temp dir) on a free loopback port; path-style only, credentials
 * `S3RVER`/`S3RVER`. Address: `http://127.0.0.1:<port>`, the `--s3-endpoint`.
 */
export async function startS3rver(port?: number): Promise<ChildService> {
  if (!S3RVER_CLI) throw new Error('s3rver is not installed (npm i -D s3rver)');
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'cortex-s3rver-'));
  const svc = await startNodeService(
    S3RVER_CLI,
    ['-d', dir, '-a', '127.0.0.1', '-p', String(p), '--silent', '--no-vhost-buckets'],
    p,
  );
  return {
    address: svc.address,
    pid: svc.pid,
    async stop() {
      try {
        await svc.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The credentials s3rver accepts (dynalite accepts any). */
export const EMULATOR_AWS_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
