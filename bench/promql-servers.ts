/**
 * Processes for the query benchmark (`bench/promql.ts`), all on 127.0.0.1 in temp dirs:
 * `cortexctl server --dev` (bin/run.js, i.e. `dist/`), Debian's Prometheus 2.42 with the
 * remote-write receiver, and the Bigtable emulator. Every child is registered so that
 * `killAll()` (on error, SIGINT, SIGTERM or exit) ends it by its pid and removes its files.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const CBT_EMULATOR =
  process.env.CBT_EMULATOR ?? '/usr/lib/google-cloud-sdk/platform/bigtable-emulator/cbtemulator';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

/** SIGKILLs every child still running (by pid) and removes every temp dir. Synchronous. */
export function killAll(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

export function removeDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
  dirs.delete(d);
}

function track(c: ChildProcess): ChildProcess {
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}

/** Sends `signal`, waits up to `ms` for the exit, then SIGKILLs. Returns whether it exited by itself. */
export async function stopChild(c: ChildProcess, signal: NodeJS.Signals, ms: number): Promise<boolean> {
  if (c.exitCode !== null || c.signalCode !== null) return true;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), ms);
    }),
  ]);
  clearTimeout(timer);
  if (!inTime) {
    c.kill('SIGKILL');
    await exited;
  }
  return inTime;
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

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, ms: number, ok: () => Promise<boolean>, dead?: () => string | undefined) {
  const deadline = Date.now() + ms;
  for (;;) {
    const why = dead?.();
    if (why) throw new Error(`${what}: ${why}`);
    if (await ok().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${ms / 1000} s`);
    await sleep(200);
  }
}

/** Newest mtime of the TypeScript sources `dist/` is built from, against dist/.tsbuildinfo. */
export function distIsStale(): { stale: boolean; newest: string } {
  const built = existsSync(join(REPO, 'dist/.tsbuildinfo')) ? statSync(join(REPO, 'dist/.tsbuildinfo')).mtimeMs : 0;
  let newest = 0;
  let newestFile = '';
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'cli', 'control-plane', 'data-plane'], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
    .split('\n')
    .filter((f) => f.endsWith('.ts') && !/\.(test|bench|conformance)\.ts$/.test(f));
  for (const f of files) {
    try {
      const m = statSync(join(REPO, f)).mtimeMs;
      if (m > newest) {
        newest = m;
        newestFile = f;
      }
    } catch {
      // deleted in the working tree
    }
  }
  return { stale: newest > built, newest: newestFile };
}

export function build(): void {
  execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO,
    stdio: 'inherit',
  });
}

export interface Cortex {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  dataDir: string;
  log: string;
  /** Graceful stop (SIGTERM: the ingester flushes every chunk to the store); SIGKILL after `ms`. */
  stop(ms: number): Promise<boolean>;
}

export interface CortexOptions {
  dataDir: string;
  rootToken: string;
  queryWorkers?: number;
  /** Extra node flags (e.g. --cpu-prof --cpu-prof-dir DIR). */
  nodeArgs?: string[];
  bigtable?: { emulatorHost: string; project: string; instance: string };
  logFile: string;
}

/** `node bin/run.js server --dev` on a free loopback port; resolves once /ready answers 200. */
export async function startCortex(o: CortexOptions): Promise<Cortex> {
  const port = await freePort();
  const args = [
    ...(o.nodeArgs ?? []),
    join(REPO, 'bin/run.js'),
    'server',
    '--dev',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--grpc-listen-port',
    '0',
    '--data-dir',
    o.dataDir,
    '--dev-root-token',
    o.rootToken,
    ...(o.queryWorkers !== undefined ? ['--query-workers', String(o.queryWorkers)] : []),
    ...(o.bigtable
      ? [
          '--bigtable-project',
          o.bigtable.project,
          '--bigtable-instance',
          o.bigtable.instance,
          '--bigtable-emulator-host',
          o.bigtable.emulatorHost,
        ]
      : []),
  ];
  const log = createWriteStream(o.logFile, { flags: 'a' });
  const child = track(spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const url = `http://127.0.0.1:${port}`;
  const tail = () => {
    try {
      return readFileSync(o.logFile, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  };
  await waitUntil(
    'cortexctl server',
    180_000,
    async () => (await fetch(`${url}/ready`)).ok,
    () => (child.exitCode !== null ? `exited with ${child.exitCode}:\n${tail()}` : undefined),
  ).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    url,
    port,
    pid: child.pid!,
    child,
    dataDir: o.dataDir,
    log: o.logFile,
    stop: (ms) => stopChild(child, 'SIGTERM', ms),
  };
}

/** Admin API call with the root token. */
export async function admin(url: string, rootToken: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${url}/admin/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${rootToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!r.ok) throw new Error(`admin ${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, unknown>;
}

/**
 * Creates tenant `tenant` with limits that fit the load (ingestion rate limit off, series limits
 * above `series`; query limits stay at their defaults) and a `metrics:write,metrics:read` token.
 */
export async function createTenant(url: string, rootToken: string, tenant: string, series: number): Promise<string> {
  await admin(url, rootToken, 'POST', '/tenants', { id: tenant });
  await admin(url, rootToken, 'PATCH', `/tenants/${tenant}/limits`, {
    ingestion_rate: 1e9,
    ingestion_burst_size: 1e10,
    max_global_series_per_user: Math.max(series * 2, 150_000),
    max_global_series_per_metric: 0,
  });
  const created = await admin(url, rootToken, 'POST', `/tenants/${tenant}/tokens`, {
    scopes: ['metrics:write', 'metrics:read'],
    name: 'promql-bench',
  });
  return String(created.token);
}

export interface Prometheus {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Prometheus 2.42 on a free loopback port, temp TSDB, no scrape jobs, remote-write receiver on.
 * Query limits are Prometheus's defaults (`--query.max-samples` 50M, `--query.timeout` 2m).
 */
export async function startPrometheus(extraArgs: string[] = []): Promise<Prometheus> {
  if (!existsSync(PROMETHEUS_BIN))
    throw new Error(
      `${PROMETHEUS_BIN} not found: apt-get install -y prometheus (then stop the Debian daemon on :9090)`,
    );
  const dir = tempDir('promql-bench-prom-');
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const port = await freePort();
  const child = track(
    spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
        '--storage.tsdb.retention.time=30d',
        '--log.level=warn',
        ...extraArgs,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  let err = '';
  child.stderr!.on('data', (d) => {
    err = (err + d).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    'prometheus',
    60_000,
    async () => (await fetch(`${url}/-/ready`)).ok,
    () => (child.exitCode !== null ? `exited with ${child.exitCode}: ${err}` : undefined),
  );
  return {
    url,
    pid: child.pid!,
    async stop() {
      await stopChild(child, 'SIGTERM', 30_000);
      removeDir(dir);
    },
  };
}

export interface Emulator {
  host: string;
  stop(): Promise<void>;
}

export async function startBigtableEmulator(): Promise<Emulator> {
  if (!existsSync(CBT_EMULATOR)) throw new Error(`${CBT_EMULATOR} not found (Google Cloud SDK Bigtable emulator)`);
  const port = await freePort();
  const child = track(spawn(CBT_EMULATOR, ['-host', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' }));
  await waitUntil(
    'bigtable emulator',
    30_000,
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    () => (child.exitCode !== null ? `exited with ${child.exitCode}` : undefined),
  );
  return {
    host: `127.0.0.1:${port}`,
    async stop() {
      await stopChild(child, 'SIGKILL', 10_000);
    },
  };
}

/** utime + stime of a process in seconds (Linux /proc; clock ticks of 1/100 s). */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** One keep-alive agent for every request of the bench (both servers). */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

export interface HttpResult {
  status: number;
  body: Buffer;
  ms: number;
}

/** A request to 127.0.0.1; `ms` runs from sending to the last byte of the body. */
export function request(
  url: string,
  opts: {
    method: 'GET' | 'POST';
    headers?: Record<string, string | number>;
    body?: Uint8Array | string;
    timeoutMs: number;
  },
): Promise<HttpResult> {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') return Promise.reject(new Error(`bench traffic stays on 127.0.0.1, not ${u.host}`));
  return new Promise((resolve, reject) => {
    const body = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
    const headers = { ...(opts.headers ?? {}), ...(body ? { 'content-length': body.length } : {}) };
    const t0 = performance.now();
    const req = http.request(u, { method: opts.method, agent, headers, timeout: opts.timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const ms = performance.now() - t0;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), ms });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs} ms: ${u.pathname}`)));
    req.on('error', reject);
    req.end(body);
  });
}
