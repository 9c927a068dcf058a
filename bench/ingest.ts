/**
 * Remote-write ingest benchmark (`npm run bench:ingest -- [flags]`).
 *
 *   --url URL              push endpoint (default http://127.0.0.1:9009/api/v1/push)
 *   --token TOKEN          bearer token for the tenant (or CORTEX_TOKEN)
 *   --series N             active series (default 200000, up to 1000000)
 *   --per-request N        series per request (default 2000)
 *   --conns N              concurrent keep-alive connections (default 4)
 *   --seconds N            steady-state duration per run (default 20)
 *   --repeat N             A/B alternations with --compare-prometheus (default 2)
 *   --prom-port N          port for the temporary Prometheus (default 19090)
 *   --compare-prometheus   also run Debian's `prometheus` (2.42) on 127.0.0.1 under the same load,
 *                          alternating with the server under test, and print the ratio
 *   --prometheus-only      only run the temporary Prometheus (a baseline when no server is up)
 *   --histograms           native-histogram load: every series an integer native histogram (schema 3,
 *                          20 buckets and a zero bucket, growing every round) instead of a float;
 *                          the temporary Prometheus gets --enable-feature=native-histograms
 *   --rw2                  send remote write 2.0 bodies to the server under test (Prometheus 2.42
 *                          only speaks 1.0, so it always gets 1.0 bodies)
 *   --otlp                 after each remote-write run, the same series over OTLP/HTTP protobuf
 *                          (`/otlp/v1/metrics`, uncompressed, bench/otlp-workload.ts) against the same
 *                          server, and the OTLP / remote-write ratio (not with --compare-prometheus:
 *                          Prometheus 2.42 has no OTLP receiver)
 *   --in-process           no HTTP: decode + distributor against the in-memory ingester client
 *   --start-server         start `cortexctl server --dev` (bench/ingest-server.ts, WAL on) in a temp dir,
 *                          create a tenant + token with limits that fit the load, and report the server's
 *                          CPU seconds per million samples (and the main thread's share of them, with the
 *                          time it waited for a core) and heap bytes per active series; a fresh
 *                          server per scale point (with --series 10000,100000,1000000)
 *   --fsync POLICY         WAL fsync policy for --start-server (always|batch|never, default batch)
 *   --cpu-prof DIR         with --start-server: write a V8 CPU profile of each steady phase to DIR
 *   --alloc-prof DIR       with --start-server: write a V8 sampling heap profile (where the steady phase
 *                          allocates, objects that died included) to DIR (`.heapprofile`, Chrome DevTools)
 *   --server-node-args S   extra Node flags for the started server (e.g. "--max-semi-space-size=64")
 *   --decode-workers N     remote-write decode threads of the started server (default: the server's own
 *                          default, one per core but one; 0 = decode on the main thread)
 *   --during LIST          operations to load the started server during (default checkpoint,flush; '' = none)
 *
 * With --start-server, after the steady runs: load again while the server writes a WAL checkpoint,
 * then while it seals and flushes every chunk (Cortex's `/flush`); samples/s and p99 meanwhile
 * against the second before, and the event-loop lag it saw (`cortex_ingester_event_loop_lag_seconds`).
 * With --compare-prometheus, Prometheus gets the same load during a head snapshot
 * (`/api/v1/admin/tsdb/snapshot`, it writes the whole head as a block).
 *
 * Bodies are real snappy + protobuf remote-write 1.0 requests. Phase "create" sends every series
 * once; phase "steady" keeps appending to them for --seconds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { createPushHandler, Distributor, InMemoryIngesterClient } from '../data-plane/distributor/index.js';
import type { TenantId } from '../data-plane/model/index.js';
import {
  decodeWriteRequest,
  decodeWriteRequestV2,
  snappyDecode,
  snappyEncode,
} from '../data-plane/remotewrite/index.js';
import { Overrides, StaticTenantLimitsSource } from '../data-plane/validation/index.js';
import { type Batch, buildBatches, buildHistogramBatches, renderBatch } from './ingest-workload.js';
import { buildOtlpBatches } from './otlp-workload.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:9009/api/v1/push' },
    token: { type: 'string' },
    series: { type: 'string', default: '200000' },
    'per-request': { type: 'string', default: '2000' },
    conns: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '20' },
    repeat: { type: 'string', default: '2' },
    'compare-prometheus': { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
    'prometheus-only': { type: 'boolean', default: false },
    rw2: { type: 'boolean', default: false },
    otlp: { type: 'boolean', default: false },
    histograms: { type: 'boolean', default: false },
    'prom-port': { type: 'string', default: '19090' },
    'start-server': { type: 'boolean', default: false },
    fsync: { type: 'string', default: 'batch' },
    'cpu-prof': { type: 'string' },
    'alloc-prof': { type: 'string' },
    'server-node-args': { type: 'string', default: '' },
    'decode-workers': { type: 'string' },
    during: { type: 'string', default: 'checkpoint,flush' },
  },
});
if (args.otlp && (args['compare-prometheus'] || args.histograms || args.rw2 || args['in-process'])) {
  console.error(
    '--otlp compares OTLP with remote write 1.0 floats on one server: drop --compare-prometheus, --histograms, --rw2 and --in-process',
  );
  process.exit(2);
}

const scalePoints = (args.series ?? '200000').split(',').map((x) => Math.min(1_000_000, Number(x)));
let activeSeries = scalePoints[0]!;
const perRequest = Number(args['per-request']);
const conns = Number(args.conns);
const seconds = Number(args.seconds);

interface PhaseResult {
  samples: number;
  requests: number;
  failed: number;
  statuses: Map<number, number>;
  latenciesMs: number[];
  /** performance.now() at each request's answer, and the samples it got accepted (0 if refused). */
  doneAt: number[];
  doneSamples: number[];
  elapsedS: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function report(label: string, r: PhaseResult): number {
  const rate = r.samples / r.elapsedS;
  const codes = [...r.statuses].map(([c, n]) => `${c}×${n}`).join(' ');
  console.log(
    `${label.padEnd(28)} ${Math.round(rate).toLocaleString('en-US').padStart(11)} samples/s  p50 ${pct(r.latenciesMs, 50).toFixed(1)} ms  p99 ${pct(r.latenciesMs, 99).toFixed(1)} ms  requests ${r.requests} (${codes})`,
  );
  return rate;
}

/** Pushes rendered batches from a shared queue over `conns` keep-alive connections. */
async function runPhase(
  url: string,
  token: string | undefined,
  batches: Batch[],
  rounds: () => number | undefined,
  contentType: string,
): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  const target = new URL(url);
  const res: PhaseResult = {
    samples: 0,
    requests: 0,
    failed: 0,
    statuses: new Map(),
    latenciesMs: [],
    doneAt: [],
    doneSamples: [],
    elapsedS: 0,
  };
  let round = 0;
  let idx = 0;
  let t = rounds();
  let lastT = 0;
  const next = (): { body: Uint8Array; n: number } | undefined => {
    if (t === undefined) return undefined;
    if (idx === batches.length) {
      idx = 0;
      round++;
      t = rounds();
      if (t === undefined) return undefined;
    }
    // Strictly increasing timestamps per series, close to the server's clock.
    const ts = Math.max(t, lastT + (idx === 0 ? 1 : 0));
    lastT = ts;
    const b = batches[idx++]!;
    return { body: renderBatch(b, ts, round), n: b.samples };
  };
  const start = performance.now();
  const worker = async () => {
    for (let job = next(); job !== undefined; job = next()) {
      const t0 = performance.now();
      const status = await post(target, agent, token, job.body, contentType).catch(() => 0);
      const t1 = performance.now();
      const ok = status >= 200 && status < 300;
      res.latenciesMs.push(t1 - t0);
      res.doneAt.push(t1);
      res.doneSamples.push(ok ? job.n : 0);
      res.requests++;
      res.statuses.set(status, (res.statuses.get(status) ?? 0) + 1);
      if (ok) res.samples += job.n;
      else res.failed++;
    }
  };
  await Promise.all(Array.from({ length: conns }, worker));
  res.elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  return res;
}

function post(
  url: URL,
  agent: http.Agent,
  token: string | undefined,
  body: Uint8Array,
  contentType: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> =
      contentType === OTLP_TYPE
        ? {
            'content-type': 'application/x-protobuf',
            'user-agent': 'cortex-ts-bench/0.1',
            'content-length': body.length,
          }
        : {
            'content-type': contentType,
            'content-encoding': 'snappy',
            'x-prometheus-remote-write-version': contentType.includes('v2') ? '2.0.0' : '0.1.0',
            'user-agent': 'cortex-ts-bench/0.1',
            'content-length': body.length,
          };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request(url, { method: 'POST', agent, headers }, (resp) => {
      resp.resume();
      resp.on('end', () => resolve(resp.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const V1_TYPE = 'application/x-protobuf';
const V2_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';
/** Not a content type: marks OTLP/HTTP protobuf bodies (sent uncompressed, to /otlp/v1/metrics). */
const OTLP_TYPE = 'otlp';

/** utime + stime of a process in seconds, from /proc (Linux; clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * The main thread's (task id = pid) CPU seconds and seconds spent runnable but waiting for a core,
 * from schedstat (Linux, nanoseconds): the event loop is the write path's bottleneck, and on a
 * loaded box the wait says how much of a run's rate the box, not the code, decided.
 */
function mainThreadOf(pid: number | undefined): { cpu: number; wait: number } {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ');
    return { cpu: Number(run) / 1e9, wait: Number(wait) / 1e9 };
  } catch {
    return { cpu: Number.NaN, wait: Number.NaN };
  }
}

function rssOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

interface SteadyResult {
  rate: number;
  /** Server CPU seconds per million accepted samples (NaN when the server's pid is unknown). */
  cpuPerMillion: number;
  /** Server CPU cores used on average during the steady phase. */
  cores: number;
  p50: number;
  p99: number;
  /** This process's (the load generator's) CPU cores during the steady phase. */
  clientCores: number;
}

/**
 * One round over every series (it creates them on a server's first run), then steady rounds for
 * `seconds`. Returns the steady figures.
 */
async function runServer(
  label: string,
  url: string,
  token: string | undefined,
  batches: Batch[],
  contentType = V1_TYPE,
  pid?: number,
  server?: BenchServer,
): Promise<SteadyResult> {
  let done = false;
  const first = await runPhase(
    url,
    token,
    batches,
    () => {
      if (done) return undefined;
      done = true;
      return Date.now();
    },
    contentType,
  );
  report(`${label} round 1`, first);
  if (first.samples === 0) {
    throw new Error(
      `${label}: no request was accepted (statuses ${[...first.statuses.keys()].join(', ')}); check --url, --token and the tenant's limits`,
    );
  }
  const profDir = args['cpu-prof'];
  const allocDir = args['alloc-prof'];
  if (server && profDir) await server.request({ op: 'prof-start' });
  if (server && allocDir) await server.request({ op: 'alloc-start' });
  const deadline = performance.now() + seconds * 1000;
  const lag0 = await scrapeLag(url);
  const cpu0 = cpuSecondsOf(pid);
  const main0 = mainThreadOf(pid);
  const client0 = process.cpuUsage();
  const steady = await runPhase(
    url,
    token,
    batches,
    () => (performance.now() < deadline ? Date.now() : undefined),
    contentType,
  );
  const cpu = cpuSecondsOf(pid) - cpu0;
  const main1 = mainThreadOf(pid);
  const client = process.cpuUsage(client0);
  if (server && profDir) {
    const file = join(profDir, `steady-${activeSeries}-${Date.now()}.cpuprofile`);
    await server.request({ op: 'prof-stop', file });
    console.log(`${''.padEnd(28)} CPU profile of the steady phase: ${file}`);
  }
  if (server && allocDir) {
    const file = join(allocDir, `steady-${activeSeries}-${Date.now()}.heapprofile`);
    await server.request({ op: 'alloc-stop', file });
    console.log(`${''.padEnd(28)} allocation profile of the steady phase: ${file}`);
  }
  const lag1 = await scrapeLag(url);
  const rate = report(`${label} steady`, steady);
  if (lag0 && lag1) console.log(`${''.padEnd(28)} event loop: ${describeLag(lag0, lag1)}`);
  const res: SteadyResult = {
    rate,
    cpuPerMillion: (cpu / steady.samples) * 1e6,
    cores: cpu / steady.elapsedS,
    p50: pct(steady.latenciesMs, 50),
    p99: pct(steady.latenciesMs, 99),
    clientCores: (client.user + client.system) / 1e6 / steady.elapsedS,
  };
  if (pid !== undefined) {
    console.log(
      `${''.padEnd(28)} server CPU ${res.cpuPerMillion.toFixed(2)} s per million samples (${res.cores.toFixed(2)} cores); load generator ${res.clientCores.toFixed(2)} cores`,
    );
  }
  // Ours only: Prometheus's goroutines are not tied to its first thread.
  if (server !== undefined && Number.isFinite(main1.cpu - main0.cpu)) {
    const mainCpu = main1.cpu - main0.cpu;
    console.log(
      `${''.padEnd(28)} main thread ${((mainCpu / steady.samples) * 1e6).toFixed(2)} CPU s per million samples, other threads ${(((cpu - mainCpu) / steady.samples) * 1e6).toFixed(2)}; it waited ${(main1.wait - main0.wait).toFixed(1)} s of ${steady.elapsedS.toFixed(1)} for a core`,
    );
  }
  return res;
}

interface DuringResult {
  /** Samples/s and p99 of the requests answered in the 2 s before the operation started. */
  beforeRate: number;
  beforeP99: number;
  /** The same while it ran (over at least 1 s from its start). */
  duringRate: number;
  duringP99: number;
  opSeconds: number;
  /** Set when the operation outlasted the measurement (its first 20 s). */
  measuredSeconds?: number;
  /** Event-loop lag observed meanwhile (the server's histogram), when the server exports it. */
  lag?: { ticks: number; over50ms: number; worstBucket: string };
}

/**
 * Steady load with a heavy operation (a forced flush, a WAL checkpoint, Prometheus's head snapshot)
 * started 3 s in: samples/s and p99 while it ran against the second before it, in the same run, so
 * a busy box shifts both alike.
 */
async function runDuring(
  label: string,
  url: string,
  token: string | undefined,
  batches: Batch[],
  contentType: string,
  op: () => Promise<unknown>,
  server?: BenchServer,
): Promise<DuringResult> {
  let stopAt = Number.POSITIVE_INFINITY;
  const lag0 = await scrapeLag(url);
  const phase = runPhase(url, token, batches, () => (performance.now() < stopAt ? Date.now() : undefined), contentType);
  await new Promise((r) => setTimeout(r, 3000));
  const profDir = args['cpu-prof'];
  if (server && profDir) await server.request({ op: 'prof-start' });
  const t0 = performance.now();
  // Measured over its first 20 s at most; the load then stops and the operation finishes alone.
  const done = op();
  const finished = await Promise.race([done.then(() => true), new Promise((r) => setTimeout(r, 20_000, false))]);
  const end = Math.max(performance.now(), t0 + 1000);
  stopAt = end;
  const r = await phase;
  if (server && profDir) {
    const file = join(profDir, `${label.replaceAll(' ', '-')}-${activeSeries}-${Date.now()}.cpuprofile`);
    await server.request({ op: 'prof-stop', file });
    console.log(`${''.padEnd(28)} CPU profile: ${file}`);
  }
  const lag1 = await scrapeLag(url);
  await done;
  const t1 = performance.now();
  // `inFlight`: the latency of every request in flight at some point of the window (the operation
  // delays all of them); otherwise only of those sent and answered inside it.
  const window = (from: number, to: number, inFlight: boolean) => {
    let samples = 0;
    const lat: number[] = [];
    for (let i = 0; i < r.doneAt.length; i++) {
      const done = r.doneAt[i]!;
      const sent = done - r.latenciesMs[i]!;
      if (done >= from && done <= to) samples += r.doneSamples[i]!;
      if (inFlight ? done >= from && sent <= to : sent >= from && done <= to) lat.push(r.latenciesMs[i]!);
    }
    return { rate: samples / ((to - from) / 1000), p99: pct(lat, 99) };
  };
  const before = window(t0 - 2000, t0, false);
  const meanwhile = window(t0, end, true);
  const res: DuringResult = {
    beforeRate: before.rate,
    beforeP99: before.p99,
    duringRate: meanwhile.rate,
    duringP99: meanwhile.p99,
    opSeconds: (t1 - t0) / 1000,
    ...(finished ? {} : { measuredSeconds: (end - t0) / 1000 }),
  };
  if (lag0 && lag1) res.lag = lagBetween(lag0, lag1);
  console.log(`${label.padEnd(28)} ${describeDuring(res)}`);
  return res;
}

/** `steady`: the median of the steady runs, the reference the issue's goal (≥ 90%) is about. */
function describeDuring(r: DuringResult, steady?: number): string {
  const ofSteady = steady ? `${Math.round((100 * r.duringRate) / steady)}% of steady, ` : '';
  let s = `${fmt(r.duringRate)} samples/s (${ofSteady}${Math.round((100 * r.duringRate) / r.beforeRate)}% of the ${fmt(r.beforeRate)} just before), p99 ${r.duringP99.toFixed(1)} ms (before ${r.beforeP99.toFixed(1)} ms), operation took ${r.opSeconds.toFixed(2)} s${r.measuredSeconds ? ` (measured over its first ${r.measuredSeconds.toFixed(0)} s)` : ''}`;
  if (r.lag) s += `; event loop: ${formatLag(r.lag)}`;
  return s;
}

type LagScrape = { count: number; buckets: Map<string, number> };

function lagBetween(a: LagScrape, b: LagScrape): NonNullable<DuringResult['lag']> {
  const ticks = b.count - a.count;
  let worst = '';
  for (const [le, n] of b.buckets) if (n - (a.buckets.get(le) ?? 0) < ticks) worst = le;
  const over = (m: LagScrape) => m.count - (m.buckets.get('0.05') ?? 0);
  return { ticks, over50ms: over(b) - over(a), worstBucket: worst };
}

function formatLag(l: NonNullable<DuringResult['lag']>): string {
  return `${l.over50ms} of ${l.ticks} ticks late by > 50 ms, worst ${l.worstBucket ? `> ${l.worstBucket} s` : '< 1 ms'}`;
}

function describeLag(a: LagScrape, b: LagScrape): string {
  return formatLag(lagBetween(a, b));
}

/** The server's event-loop lag histogram (cumulative buckets), or undefined when it has none. */
async function scrapeLag(pushUrl: string): Promise<LagScrape | undefined> {
  const text = await fetch(new URL('/metrics', pushUrl)).then(
    (r) => (r.ok ? r.text() : ''),
    () => '',
  );
  const buckets = new Map<string, number>();
  let count: number | undefined;
  for (const m of text.matchAll(/^cortex_ingester_event_loop_lag_seconds_(bucket\{le="([^"]+)"\}|count) (\S+)$/gm)) {
    if (m[2] !== undefined) buckets.set(m[2], Number(m[3]));
    else count = Number(m[3]);
  }
  return count === undefined ? undefined : { count, buckets };
}

interface BenchServer {
  url: string;
  token: string;
  pid: number;
  request(msg: Record<string, unknown>): Promise<unknown>;
  stats(): Promise<{ cpuSeconds: number; heapUsed: number; arrayBuffers: number; rss: number; gc: boolean }>;
  stop(): Promise<void>;
}

/**
 * Starts bench/ingest-server.ts (`cortexctl server --dev`'s composition, WAL on) in a temp dir and
 * creates a tenant whose limits fit the load (rate limit off, series limits above the active series).
 */
async function startBenchServer(series: number): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cortex-'));
  const rootToken = 'bench-root-token-0123456789abcdef';
  const nodeArgs = [
    '--expose-gc',
    '--max-old-space-size=8192',
    ...(args['server-node-args'] ?? '').split(' ').filter(Boolean),
  ];
  const script = new URL('./ingest-server.ts', import.meta.url).pathname;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--import',
      'tsx',
      script,
      join(dir, 'data'),
      rootToken,
      args.fsync ?? 'batch',
      ...(args['decode-workers'] !== undefined ? [args['decode-workers']] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let requestId = 0;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s: ${out}`)), 120_000);
    child.stdout!.on('data', (d) => {
      // After READY, whatever the server prints (e.g. --trace-gc through --server-node-args) is shown.
      if (ready) return void process.stderr.write(d);
      out += d;
      const m = /READY (\S+)/.exec(out);
      if (m) {
        ready = true;
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
  const admin = async (method: string, path: string, body: unknown) => {
    const r = await fetch(`${url}/admin/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${rootToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  };
  await admin('POST', '/tenants', { id: 'bench' });
  await admin('PATCH', '/tenants/bench/limits', {
    ingestion_rate: 1e9,
    ingestion_burst_size: 1e10,
    max_global_series_per_user: Math.max(series * 2, 150_000),
    max_global_series_per_metric: 0,
  });
  const created = await admin('POST', '/tenants/bench/tokens', { scopes: ['metrics:write'], name: 'bench' });
  const token = String(created.token);
  // The data plane learns tenants, tokens and limits from the control-plane feed: wait until a push works.
  const pushUrl = `${url}/api/v1/push`;
  const probe = buildBatches(1, 1)[0]!;
  for (let i = 0; ; i++) {
    const status = await post(new URL(pushUrl), new http.Agent(), token, renderBatch(probe, Date.now(), 0), V1_TYPE);
    if (status === 204) break;
    if (i > 100) throw new Error(`bench tenant not usable: push answers ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: pushUrl,
    token,
    pid: child.pid!,
    // Requests may overlap (a profile stopped while a flush still runs): answers carry the id.
    request: (msg) =>
      new Promise((resolve) => {
        const id = ++requestId;
        const onMessage = (m: { id?: number }) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          resolve(m);
        };
        child.on('message', onMessage);
        child.send({ ...msg, id });
      }),
    stats: () =>
      new Promise((resolve) => {
        const id = ++requestId;
        const onMessage = (m: { id?: number }) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          resolve(m as Awaited<ReturnType<BenchServer['stats']>>);
        };
        child.on('message', onMessage);
        child.send({ op: 'stats', id });
      }),
    async stop() {
      // No graceful shutdown: flushing a million series to the embedded store takes minutes, and
      // the data dir is deleted anyway.
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withPrometheus<T>(fn: (url: string, pid: number | undefined) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const port = Number(args['prom-port']);
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--web.enable-admin-api',
      '--storage.tsdb.retention.time=1d',
      ...(args.histograms ? ['--enable-feature=native-histograms'] : []),
    ],
    { stdio: 'ignore' },
  );
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 100) throw new Error('prometheus did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
    return await fn(`http://127.0.0.1:${port}/api/v1/write`, proc.pid);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Decode + distributor in this process, single-threaded, against the in-memory ingester client. */
async function inProcess(batches: Batch[], v2Batches: Batch[]): Promise<void> {
  const tenant = 'bench' as TenantId;
  const limits = new Overrides(
    new StaticTenantLimitsSource(new Map([[tenant, { ingestion_rate: 1e9, ingestion_burst_size: 1e10 }]])),
  );
  const ingester = new InMemoryIngesterClient({ retain: false });
  const d = new Distributor({ limits, ingester, registry: new Registry() });
  const handler = createPushHandler(d, { maxDecompressedBytes: 64 << 20 });
  // The box is shared: a plain byte loop over one request's raw bytes gives the scale of this run.
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  const bodies = batches.slice(0, 50).map((b, i) => renderBatch(b, Date.now(), i));
  const raws = bodies.map((b) => snappyDecode(b, 64 << 20));
  const rawBytes = raws.reduce((n, r) => n + r.length, 0) / raws.length;
  const packed = bodies.reduce((n, r) => n + r.length, 0) / bodies.length;
  console.log(`request: ${perRequest} series, ${Math.round(rawBytes)} B raw protobuf, ${Math.round(packed)} B snappy`);
  const v2Bodies = v2Batches.slice(0, 50).map((b, i) => renderBatch(b, Date.now(), i));
  const v2Raws = v2Bodies.map((b) => snappyDecode(b, 64 << 20));
  const v2Packed = v2Bodies.reduce((n, r) => n + r.length, 0) / v2Bodies.length;
  console.log(
    `2.0 request: ${Math.round(v2Raws.reduce((n, r) => n + r.length, 0) / v2Raws.length)} B raw, ${Math.round(v2Packed)} B snappy`,
  );
  let baseline: number | undefined;
  const measure = async (name: string, fn: (i: number) => unknown) => {
    const runs: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      let n = 0;
      let samples = 0;
      const start = performance.now();
      while (performance.now() - start < 700) {
        await fn(n % bodies.length);
        samples += batches[n % bodies.length]!.samples;
        n++;
      }
      runs.push(samples / ((performance.now() - start) / 1000));
    }
    const med = median(runs);
    baseline ??= med;
    const mbps = ((med / perRequest) * rawBytes) / 1e6;
    console.log(
      `${name.padEnd(36)} ${(med / 1e6).toFixed(2).padStart(6)} M samples/s  (${Math.round(mbps)} MB/s of 1.0 protobuf, ${(med / baseline).toFixed(2)}× the byte loop)`,
    );
  };
  await measure('baseline: one byte loop over the body', (i) => {
    const r = raws[i]!;
    let x = 0;
    for (let k = 0; k < r.length; k++) x += r[k]!;
    if (x < 0) throw new Error('unreachable');
  });
  await measure('snappy decode', (i) => snappyDecode(bodies[i]!, 64 << 20));
  await measure('protobuf decode (raw)', (i) => decodeWriteRequest(raws[i]!));
  await measure('snappy + protobuf decode', (i) => decodeWriteRequest(snappyDecode(bodies[i]!, 64 << 20)));
  await measure('snappy encode', (i) => snappyEncode(raws[i]!));
  await measure('2.0: protobuf decode (raw)', (i) => decodeWriteRequestV2(v2Raws[i % v2Raws.length]!));
  await measure('push handler (decode+validate+dist.)', async (i) => {
    const r = await handler({
      tenantId: tenant,
      contentType: 'application/x-protobuf',
      contentEncoding: 'snappy',
      remoteWriteVersion: '0.1.0',
      body: bodies[i]!,
    });
    if (r.status !== 204) throw new Error(`unexpected ${r.status}: ${r.body}`);
  });
}

/** The float load, or the native-histogram one with --histograms. */
function workload(series: number, per: number, version: 1 | 2 = 1): Batch[] {
  return args.histograms ? buildHistogramBatches(series, per, version) : buildBatches(series, per, version);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** One scale point against a fresh bench server (and, with --compare-prometheus, a fresh Prometheus). */
async function scalePoint(series: number): Promise<string> {
  activeSeries = series;
  const t0 = performance.now();
  const batches = workload(series, perRequest);
  const ours = args.rw2 ? workload(series, perRequest, 2) : batches;
  const ourType = args.rw2 ? V2_TYPE : V1_TYPE;
  console.log(
    `\nworkload: ${fmt(series)} active series, ${batches.length} requests/round of ${perRequest} series, ${conns} connections (built in ${Math.round(performance.now() - t0)} ms); load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  const server = args['start-server'] ? await startBenchServer(series) : undefined;
  const url = server?.url ?? args.url;
  const token = server?.token ?? args.token ?? process.env.CORTEX_TOKEN;
  try {
    const base = await server?.stats();
    const oursRuns: SteadyResult[] = [];
    const promRuns: SteadyResult[] = [];
    const otlpRuns: SteadyResult[] = [];
    const otlp = args.otlp
      ? { url: new URL('/otlp/v1/metrics', url).href, batches: buildOtlpBatches(series, perRequest) }
      : undefined;
    let promRss = Number.NaN;
    let heapLine = '';
    const during: { who: 'server' | 'prometheus'; what: string; r: DuringResult }[] = [];
    const runOurs = async (i: number) => {
      oursRuns.push(await runServer(`server #${i + 1}`, url, token, ours, ourType, server?.pid, server));
    };
    // Heap first (flushing and checkpointing change what memory holds), then the disruptive phases.
    const afterSteady = async () => {
      if (server && base) {
        const after = await server.stats();
        const heap = after.heapUsed + after.arrayBuffers - (base.heapUsed + base.arrayBuffers);
        heapLine = `, heap ${fmt(heap / series)} B/series${after.gc ? '' : ' (no --expose-gc)'}, RSS ${fmt(rssOf(server.pid) / 1e6)} MB`;
      }
      if (!server) return;
      const ops = (args.during ?? '').split(',').filter((o) => o === 'checkpoint' || o === 'flush');
      for (const op of ops) {
        const r = await runDuring(
          `server during ${op}`,
          url,
          token,
          ours,
          ourType,
          () => server.request({ op }),
          server,
        );
        during.push({ who: 'server', what: `server during ${op}`, r });
      }
    };
    if (args['compare-prometheus']) {
      // Alternate A/B; each server keeps its state across its runs (only the first run creates series).
      await withPrometheus(async (promUrl, promPid) => {
        for (let i = 0; i < Number(args.repeat); i++) {
          await runOurs(i);
          promRuns.push(await runServer(`prometheus #${i + 1}`, promUrl, undefined, batches, V1_TYPE, promPid));
        }
        promRss = rssOf(promPid);
        await afterSteady();
        // Prometheus cannot be told to compact its head; a snapshot writes the whole head as a block,
        // the nearest thing to our forced flush.
        const snap = new URL('/api/v1/admin/tsdb/snapshot', promUrl);
        const r = await runDuring('prometheus during snapshot', promUrl, undefined, batches, V1_TYPE, async () => {
          const res = await fetch(snap, { method: 'POST' });
          if (!res.ok) throw new Error(`prometheus snapshot: ${res.status} ${await res.text()}`);
        });
        during.push({ who: 'prometheus', what: 'prometheus during head snapshot', r });
      });
    } else {
      for (let i = 0; i < Math.max(1, server ? Number(args.repeat) : 1); i++) {
        await runOurs(i);
        if (otlp)
          otlpRuns.push(
            await runServer(`otlp #${i + 1}`, otlp.url, token, otlp.batches, OTLP_TYPE, server?.pid, server),
          );
      }
      await afterSteady();
    }
    const med = (rs: SteadyResult[], k: keyof SteadyResult) => median(rs.map((r) => r[k]));
    let line = `${fmt(series).padStart(9)} series | server ${fmt(med(oursRuns, 'rate'))} samples/s, ${med(oursRuns, 'cpuPerMillion').toFixed(2)} CPU s/M samples, p50 ${med(oursRuns, 'p50').toFixed(1)} ms, p99 ${med(oursRuns, 'p99').toFixed(1)} ms${heapLine}`;
    if (promRuns.length > 0) {
      const mo = med(oursRuns, 'rate');
      const mp = med(promRuns, 'rate');
      line += ` | prometheus ${fmt(mp)} samples/s, ${med(promRuns, 'cpuPerMillion').toFixed(2)} CPU s/M samples, p50 ${med(promRuns, 'p50').toFixed(1)} ms, p99 ${med(promRuns, 'p99').toFixed(1)} ms, RSS ${fmt(promRss / series)} B/series | ratio ${(mo / mp).toFixed(2)}x`;
      line += ` (runs: server ${oursRuns.map((r) => fmt(r.rate)).join(' / ')}; prometheus ${promRuns.map((r) => fmt(r.rate)).join(' / ')})`;
    }
    if (otlpRuns.length > 0) {
      const mo = med(otlpRuns, 'rate');
      line += `\n${''.padEnd(9)}        otlp ${fmt(mo)} samples/s, ${med(otlpRuns, 'cpuPerMillion').toFixed(2)} CPU s/M samples, p50 ${med(otlpRuns, 'p50').toFixed(1)} ms, p99 ${med(otlpRuns, 'p99').toFixed(1)} ms | otlp / remote write ${(mo / med(oursRuns, 'rate')).toFixed(2)}x (runs: ${otlpRuns.map((r) => fmt(r.rate)).join(' / ')})`;
    }
    for (const d of during) {
      const steady = med(d.who === 'server' ? oursRuns : promRuns, 'rate');
      line += `\n${''.padEnd(9)}        ${d.what}: ${describeDuring(d.r, steady)}`;
    }
    console.log(line);
    return line;
  } finally {
    await server?.stop();
  }
}

async function main(): Promise<void> {
  if (args['in-process']) {
    const batches = workload(activeSeries, perRequest);
    await inProcess(batches, workload(Math.min(activeSeries, 100_000), perRequest, 2));
    return;
  }
  if (args['prometheus-only']) {
    const batches = workload(activeSeries, perRequest);
    await withPrometheus((promUrl, pid) => runServer('prometheus', promUrl, undefined, batches, V1_TYPE, pid));
    return;
  }
  const lines: string[] = [];
  for (const series of scalePoints) lines.push(await scalePoint(series));
  console.log('\nsummary (medians of the steady runs):');
  for (const l of lines) console.log(l);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
