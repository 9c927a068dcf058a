/**
 * `npm run bench:cli`: how long `cortexctl` takes from process start to exit against a running server
 * (issue #22: `tenant list` ≤ 250 ms median through the bin, ≤ 500 ms through `npx`). Starts
 * `cortexctl server --dev` on free loopback ports with its own data dir, creates a few tenants, then
 * runs each command `--runs` times (after one warm-up) and prints the median and p90 wall time, next
 * to a bare `node -e ''` for the machine's own floor, and the median CPU time (user + system) of each run,
 * which a busy machine inflates far less than wall time. Needs `npm run build` first (compiled JS only:
 * no TypeScript loader at run time).
 *
 * `npx` is measured twice. In a project that depends on cortex-ts (how an operator installs it; the
 * bench builds that layout in a temp dir, linking this checkout as npm links a `file:` dependency),
 * npm finds node_modules/.bin/cortexctl and runs it; beside it, npm exec running a no-op bin is npm's
 * own floor. Inside this checkout, npm 11 treats `cortexctl` as the root package's own bin and reads
 * the whole node_modules tree first (libnpmexec), which no package can change.
 *
 *   npm run bench:cli [-- --runs 20]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'bin/run.js');
const ROOT_TOKEN = 'bench-cli-root-token-0123456789';
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      BIN,
      'server',
      '--dev',
      '--port',
      String(port),
      '--grpc-listen-port',
      '0',
      '--data-dir',
      dataDir,
      '--dev-root-token',
      ROOT_TOKEN,
      '--query-workers',
      '0',
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready in 60 s');
}

/**
 * CPU time (user + system, ms) of this process's waited-for children so far, from /proc (Linux);
 * undefined elsewhere. Unlike wall time it hardly moves with the machine's load, so it shows what a
 * start-up costs even on a busy box. Clock ticks are 100 per second on Linux.
 */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return undefined;
  }
}

function timeOnce(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = REPO,
): { ms: number; cpuMs: number | undefined } {
  const cpu0 = childrenCpuMs();
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const cpu1 = childrenCpuMs();
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, cpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

function stats(samples: number[]): { median: number; p90: number; min: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { median, p90: at(0.9), min: s[0]! };
}

/**
 * A project that depends on cortex-ts, laid out as `npm install` lays out a linked `file:` dependency,
 * plus a no-op bin for npm exec's own cost.
 */
function consumerProject(dir: string): string {
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'bench-cli-consumer', private: true, dependencies: { 'cortex-ts': `file:${REPO}` } }),
  );
  symlinkSync(REPO, join(dir, 'node_modules/cortex-ts'));
  symlinkSync('../cortex-ts/bin/run.js', join(dir, 'node_modules/.bin/cortexctl'));
  writeFileSync(join(dir, 'node_modules/.bin/noop'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'node_modules/.bin/noop'), 0o755);
  return dir;
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
const consumer = consumerProject(join(dataDir, 'consumer'));
const { url, child } = await startServer(join(dataDir, 'data'));
try {
  const env = {
    ...process.env,
    CORTEXCTL_ADDRESS: url,
    CORTEXCTL_TOKEN: ROOT_TOKEN,
    XDG_CONFIG_HOME: join(dataDir, 'config'),
    NO_COLOR: '1',
  };
  for (const t of ['acme', 'globex', 'initech']) timeOnce(process.execPath, [BIN, 'tenant', 'create', t], env);
  const cases: {
    name: string;
    cmd: string;
    args: string[];
    target?: number;
    env?: Record<string, string>;
    cwd?: string;
  }[] = [
    { name: "node -e '' (floor)", cmd: process.execPath, args: ['-e', ''] },
    {
      name: 'node bin/run.js tenant list, oclif only',
      cmd: process.execPath,
      args: [BIN, 'tenant', 'list'],
      env: { CORTEXCTL_FAST: '0' },
    },
    { name: 'node bin/run.js tenant list', cmd: process.execPath, args: [BIN, 'tenant', 'list'], target: 250 },
    { name: 'node bin/run.js tenant list -o json', cmd: process.execPath, args: [BIN, 'tenant', 'list', '-o', 'json'] },
    { name: 'node bin/run.js --help', cmd: process.execPath, args: [BIN, '--help'] },
    { name: 'npx, a no-op bin (npm exec floor)', cmd: 'npx', args: ['--no', 'noop'], cwd: consumer },
    {
      name: 'npx cortexctl tenant list, in a project',
      cmd: 'npx',
      args: ['--no', 'cortexctl', 'tenant', 'list'],
      target: 500,
      cwd: consumer,
    },
    { name: 'npx cortexctl tenant list, in this checkout', cmd: 'npx', args: ['--no', 'cortexctl', 'tenant', 'list'] },
  ];
  const load = loadavg()[0]!;
  console.log(`cortexctl start-up to exit against ${url}, ${RUNS} runs each after a warm-up (ms)`);
  console.log(`load average at start: ${load.toFixed(2)} on this machine (figures are wall time)\n`);
  console.log(
    `${'command'.padEnd(46)}${'median'.padStart(8)}${'p90'.padStart(8)}${'min'.padStart(8)}${'cpu'.padStart(8)}  target`,
  );
  let missed = 0;
  for (const c of cases) {
    const caseEnv = { ...env, ...c.env };
    let runs: ReturnType<typeof timeOnce>[];
    try {
      timeOnce(c.cmd, c.args, caseEnv, c.cwd);
      runs = Array.from({ length: RUNS }, () => timeOnce(c.cmd, c.args, caseEnv, c.cwd));
    } catch (err) {
      // One failing way in (npx with a broken cache, say) must not hide the other figures.
      console.log(`${c.name.padEnd(46)}  failed: ${String((err as Error).message).split('\n')[0]}`);
      if (c.target !== undefined) missed++;
      continue;
    }
    const s = stats(runs.map((r) => r.ms));
    const cpus = runs.flatMap((r) => (r.cpuMs === undefined ? [] : [r.cpuMs]));
    const cpu = cpus.length ? stats(cpus).median.toFixed(0) : '-';
    const verdict = c.target === undefined ? '' : s.median <= c.target ? `≤ ${c.target} ok` : `> ${c.target} MISSED`;
    if (c.target !== undefined && s.median > c.target) missed++;
    console.log(
      `${c.name.padEnd(46)}${s.median.toFixed(0).padStart(8)}${s.p90.toFixed(0).padStart(8)}${s.min.toFixed(0).padStart(8)}${cpu.padStart(8)}  ${verdict}`,
    );
  }
  console.log(`\nload average at end: ${loadavg()[0]!.toFixed(2)}`);
  process.exitCode = missed > 0 ? 1 : 0;
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
