/**
 * Query isolation benchmark (issue #25): `npm run bench:isolation -- [flags]`.
 *
 * Starts the real product, `node <repo>/bin/run.js server --dev`, as a child process on a free
 * loopback port with a temp `--data-dir`, creates tenants `iso-a` and `iso-b` with tokens through the
 * admin API and remote-writes two hours of data for both. Then two phases of the same length:
 *
 *   baseline  tenant B pushes and queries, a probe hits /ready; tenant A is idle
 *   load      the same, while tenant A fires pathological PromQL in a loop (--a-concurrency workers)
 *
 * and, after the load phase, how long until /ready answers again. Everything goes over HTTP with
 * bearer tokens, the way Prometheus and Grafana talk to the server; every request has a client
 * timeout, so a wedged server cannot hang the bench, and the server is SIGKILLed at the end (also on
 * error, Ctrl-C, or when the --max-seconds watchdog fires).
 *
 *   --repo DIR            checkout whose bin/run.js (and built dist/) is measured (default: this repo)
 *   --seconds N           length of each phase (default 12)
 *   --a-series N          tenant A series (default 3000; 2/3 counters, 1/3 gauges)
 *   --b-series N          tenant B series, pushed by 2 sequential pushers (default 500)
 *   --hours N             history written before the phases, at 15 s (default 2)
 *   --a-concurrency N     tenant A workers (default 3)
 *   --probe-timeout MS    client timeout of /ready probes, B pushes and B queries (default 10000)
 *   --max-seconds N       hard wall-clock bound for the whole run (default 240)
 *   --a-queries LIST      only these of tenant A's queries: comma-separated indexes (0-based) into
 *                         the set below, to see what each one does on its own
 *   --recovery-seconds N  how long to wait for /ready after the load phase (default 45)
 *   --json FILE           also write the raw figures as JSON
 *
 * Latency percentiles are over every attempt; a request that failed or timed out counts with the
 * time it took to fail (a timed-out one at the client timeout).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeWriteRequest, snappyEncode } from '../data-plane/remotewrite/index.js';

const { values: args } = parseArgs({
  options: {
    repo: { type: 'string', default: resolve(dirname(fileURLToPath(import.meta.url)), '..') },
    seconds: { type: 'string', default: '12' },
    'a-series': { type: 'string', default: '3000' },
    'b-series': { type: 'string', default: '500' },
    hours: { type: 'string', default: '2' },
    'a-concurrency': { type: 'string', default: '3' },
    'probe-timeout': { type: 'string', default: '10000' },
    'max-seconds': { type: 'string', default: '240' },
    'a-queries': { type: 'string' },
    'recovery-seconds': { type: 'string', default: '45' },
    json: { type: 'string' },
    /** Write CPU profiles of the server (one per thread) to this directory; the server then gets SIGINT first. */
    profile: { type: 'string' },
  },
});

const REPO = resolve(args.repo!);
const PHASE_MS = Number(args.seconds) * 1000;
const A_SERIES = Number(args['a-series']);
const B_SERIES = Number(args['b-series']);
const HOURS = Number(args.hours);
const A_CONC = Number(args['a-concurrency']);
const CLIENT_TIMEOUT = Number(args['probe-timeout']);
const MAX_MS = Number(args['max-seconds']) * 1000;
const SCRAPE = 15_000;
const ROOT_TOKEN = 'bench-isolation-root-token-0123456789';
const A = 'iso-a';
const B = 'iso-b';
/** Client timeout of tenant A's queries: its requested timeout plus this, at most CLIENT_TIMEOUT + 2 s. */
const A_CLIENT_GRACE = 10_000;
const RECOVERY_MS = Number(args['recovery-seconds']) * 1000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// The server under test

interface Server {
  url: string;
  child: ChildProcess;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  log: string[];
}

let server: Server | undefined;
let dataDir: string | undefined;

function killServer(): void {
  const s = server;
  if (s?.child.pid !== undefined && s.exit === undefined) {
    // The child is its own process group (detached): take anything it started with it.
    try {
      process.kill(-s.child.pid, 'SIGKILL');
    } catch {
      try {
        s.child.kill('SIGKILL');
      } catch {}
    }
  }
  if (dataDir !== undefined) {
    try {
      rmSync(dataDir, { recursive: true, force: true });
    } catch {}
  }
}
process.on('exit', killServer);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killServer();
    process.exit(130);
  });
}
const watchdog = setTimeout(() => {
  console.error(`\nbench:isolation: still running after ${MAX_MS / 1000} s; killing the server and giving up`);
  killServer();
  process.exit(3);
}, MAX_MS);
watchdog.unref();

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function startProduct(): Promise<Server> {
  const bin = join(REPO, 'bin', 'run.js');
  if (!existsSync(bin)) throw new Error(`${bin} not found (--repo must be a checkout)`);
  if (!existsSync(join(REPO, 'dist', 'cli', 'commands', 'server.js')))
    throw new Error(`${REPO}/dist is missing: run \`npm ci && npm run build\` in ${REPO}`);
  dataDir = mkdtempSync(join(tmpdir(), 'bench-isolation-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(args.profile ? ['--cpu-prof', '--cpu-prof-dir', resolve(args.profile)] : []),
      bin,
      'server',
      '--dev',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--grpc-listen-port',
      '0',
      '--data-dir',
      join(dataDir, 'data'),
      '--dev-root-token',
      ROOT_TOKEN,
    ],
    { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  const s: Server = { url: `http://127.0.0.1:${port}`, child, exit: undefined, log: [] };
  server = s;
  const keep = (d: Buffer) => {
    for (const line of String(d).split('\n')) if (line.trim()) s.log.push(line);
    if (s.log.length > 200) s.log.splice(0, s.log.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('exit', (code, signal) => {
    s.exit = { code, signal };
  });
  for (let i = 0; ; i++) {
    if (s.exit) throw new Error(`server exited (${JSON.stringify(s.exit)}):\n${s.log.join('\n')}`);
    const r = await fetch(`${s.url}/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (r?.status === 200) break;
    await r?.body?.cancel();
    if (i > 600) throw new Error(`server not ready after 120 s:\n${s.log.join('\n')}`);
    await sleep(200);
  }
  return s;
}

async function admin(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`${server!.url}/admin/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ROOT_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function createTenant(id: string): Promise<string> {
  await admin('POST', '/tenants', { id });
  // The backfill is a burst far above the default ingestion rate; the limits that matter here (query
  // limits) stay at their defaults.
  await admin('PATCH', `/tenants/${id}/limits`, {
    ingestion_rate: 1e9,
    ingestion_burst_size: 1e10,
    max_global_series_per_user: 1_000_000,
    max_global_series_per_metric: 0,
  });
  const created = await admin('POST', `/tenants/${id}/tokens`, {
    scopes: ['metrics:write', 'metrics:read'],
    name: 'bench-isolation',
  });
  return String(created.token);
}

// ---------------------------------------------------------------------------------------------------
// Data

function aLabels(i: number): string[] {
  const counter = i % 3 !== 2;
  const host = i % 500;
  return [
    '__name__',
    counter ? 'a_requests_total' : 'a_latency_seconds',
    'code',
    i % 7 === 0 ? '500' : '200',
    'instance',
    `host-${host}.eu-west-1.compute.internal.example.com:9100`,
    'job',
    `api-${i % 10}`,
    'path',
    `/api/v1/resources/${Math.floor(i / 500)}/items/${i}`,
  ];
}

function bLabels(i: number): string[] {
  return ['__name__', 'b_requests_total', 'instance', `b-host-${i}:9100`, 'job', 'b'];
}

function aValue(i: number, k: number): number {
  // Counters grow; gauges take values that are (almost surely) all distinct, for count_values.
  return i % 3 !== 2 ? k * (1 + (i % 5)) : Math.random() * 1000;
}

async function push(
  token: string,
  series: { labels: string[]; samples: { t: number; v: number }[] }[],
  timeoutMs: number,
) {
  const body = snappyEncode(encodeWriteRequest({ timeseries: series }));
  const r = await fetch(`${server!.url}/api/v1/push`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
      'user-agent': 'cortex-ts-bench-isolation/0.1',
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await r.text();
  return { status: r.status, text };
}

/** Writes `hours` of history at 15 s ending at `end` for `n` series, in time order per series. */
async function backfill(
  token: string,
  n: number,
  labels: (i: number) => string[],
  value: (i: number, k: number) => number,
  end: number,
): Promise<number> {
  const samples = Math.floor((HOURS * 3_600_000) / SCRAPE);
  const start = end - (samples - 1) * SCRAPE;
  const perSlab = 40; // 10 minutes per request
  const perGroup = 500;
  const groups = Math.ceil(n / perGroup);
  let total = 0;
  // Groups are pushed in parallel (2 at a time), slabs of one group in order.
  const runGroup = async (g: number) => {
    for (let k0 = 0; k0 < samples; k0 += perSlab) {
      const series = [];
      for (let i = g * perGroup; i < Math.min(n, (g + 1) * perGroup); i++) {
        const s = [];
        for (let k = k0; k < Math.min(samples, k0 + perSlab); k++) s.push({ t: start + k * SCRAPE, v: value(i, k) });
        series.push({ labels: labels(i), samples: s });
      }
      const r = await push(token, series, 60_000);
      if (r.status !== 204 && r.status !== 200) throw new Error(`backfill push: ${r.status} ${r.text.slice(0, 300)}`);
      total += series.length * Math.min(perSlab, samples - k0);
    }
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < groups) await runGroup(next++);
    }),
  );
  return total;
}

// ---------------------------------------------------------------------------------------------------
// Measuring

interface Series {
  n: number;
  failed: number;
  timedOut: number;
  wrong: number;
  latencies: number[];
  statuses: Map<string, number>;
}
const newSeries = (): Series => ({ n: 0, failed: 0, timedOut: 0, wrong: 0, latencies: [], statuses: new Map() });

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const maxOf = (xs: number[]) => (xs.length === 0 ? Number.NaN : Math.max(...xs));

function ms(x: number): string {
  if (Number.isNaN(x)) return '–';
  if (x >= 1000) return `${(x / 1000).toFixed(x >= 10_000 ? 1 : 2)} s`;
  return `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function isTimeout(e: unknown): boolean {
  return e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
}

interface AQuery {
  name: string;
  kind: 'instant' | 'range';
  /** `%N%` is replaced by a fresh nonce on every call, so the results cache never answers. */
  query: string;
  /** Range queries: window ending now and step, in ms. */
  rangeMs?: number;
  stepMs?: number;
  timeout: string;
  timeoutMs: number;
}

const nested = (depth: number, inner: string) => {
  const fns = ['abs', 'ceil', 'floor', 'round', 'sqrt', 'exp', 'ln', 'sgn'];
  let q = inner;
  for (let i = 0; i < depth; i++) q = `${fns[i % fns.length]}(${q})`;
  return q;
};

const HEAVY_RE = '(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)\\\\.(.*)';

/**
 * Tenant A's query set: refusable by cost, or only stoppable by a timeout. Range queries use steps of
 * 10 s or more so the same set means the same work on older commits too: before 47b8e49 the
 * query-frontend evaluated a cacheable day from its first grid point (00:00 UTC), and at a 1 s step
 * that alone passed the 11,000-points limit after 03:03 UTC, so a 2 h / 1 s query was refused with a
 * 400 for a reason that has nothing to do with its cost.
 */
function aQueries(): AQuery[] {
  const sel = (m: string) => `${m}{nonce!="%N%"}`;
  return [
    {
      name: 'rate(x[1d:1ms])',
      kind: 'instant',
      query: `rate(${sel('a_requests_total')}[1d:1ms])`,
      timeout: '2s',
      timeoutMs: 2000,
    },
    {
      name: 'sum(rate(x[30d:1ms]))',
      kind: 'instant',
      query: `sum(rate(${sel('a_requests_total')}[30d:1ms]))`,
      timeout: '2s',
      timeoutMs: 2000,
    },
    {
      name: 'count_values, 2h at 10s',
      kind: 'range',
      query: `count_values("v", ${sel('a_latency_seconds')})`,
      rangeMs: 2 * 3_600_000,
      stepMs: 10_000,
      timeout: '2s',
      timeoutMs: 2000,
    },
    {
      name: 'label_replace heavy regex, all series, 2h at 10s',
      kind: 'range',
      query: `label_replace({__name__=~"a_.+", nonce!="%N%"}, "dst", "$1$2$21", "instance", "${HEAVY_RE}")`,
      rangeMs: 2 * 3_600_000,
      stepMs: 10_000,
      timeout: '2s',
      timeoutMs: 2000,
    },
    {
      name: '40 nested functions over x[1h:1s]',
      kind: 'instant',
      query: nested(40, `rate(${sel('a_requests_total')}[1h:1s])`),
      timeout: '2s',
      timeoutMs: 2000,
    },
    {
      name: 'nested subqueries [10m:1s] x3',
      kind: 'instant',
      query: `max_over_time(max_over_time(max_over_time(${sel('a_requests_total')}[10m:1s])[10m:1s])[10m:1s])`,
      timeout: '2s',
      timeoutMs: 2000,
    },
    {
      name: 'normal range query, timeout=1ms',
      kind: 'range',
      query: `sum by (job) (rate(${sel('a_requests_total')}[5m]))`,
      rangeMs: 2 * 3_600_000,
      stepMs: 15_000,
      timeout: '1ms',
      timeoutMs: 1,
    },
    {
      name: 'legal range query, 2h at 10s, timeout=2s',
      kind: 'range',
      query: `sum by (job) (rate(${sel('a_requests_total')}[5m]))`,
      rangeMs: 2 * 3_600_000,
      stepMs: 10_000,
      timeout: '2s',
      timeoutMs: 2000,
    },
  ];
}

function selectedAQueries(): AQuery[] {
  const all = aQueries();
  if (!args['a-queries']) return all;
  return args['a-queries'].split(',').map((x) => {
    const q = all[Number(x)];
    if (q === undefined) throw new Error(`--a-queries: no query ${x} (0..${all.length - 1})`);
    return q;
  });
}

interface AStats extends Series {
  q: AQuery;
  /** Requests that ended later than requested timeout + 1 s (or never ended before the client gave up). */
  overBound: number;
  messages: Map<string, number>;
}

interface PhaseResult {
  name: string;
  seconds: number;
  ready: Series;
  push: Series;
  query: Series;
  a: AStats[];
  /** After the load phase: ms from A's last request being sent until /ready answered again. */
  recoveryMs?: number;
  serverExited?: string;
}

let nonce = 0;

async function timed(
  s: Series,
  timeoutMs: number,
  fn: (signal: AbortSignal) => Promise<{ ok: boolean; label: string; wrong?: boolean }>,
): Promise<void> {
  const t0 = performance.now();
  s.n++;
  try {
    const r = await fn(AbortSignal.timeout(timeoutMs));
    s.latencies.push(performance.now() - t0);
    bump(s.statuses, r.label);
    if (!r.ok) s.failed++;
    if (r.wrong) s.wrong++;
  } catch (e) {
    s.latencies.push(performance.now() - t0);
    s.failed++;
    if (isTimeout(e)) {
      s.timedOut++;
      bump(s.statuses, 'client timeout');
    } else bump(s.statuses, `error ${(e as Error).message.slice(0, 40)}`);
  }
}

async function runPhase(
  name: string,
  withA: boolean,
  b: { token: string; last: number[] },
  aToken: string,
): Promise<PhaseResult> {
  const res: PhaseResult = {
    name,
    seconds: PHASE_MS / 1000,
    ready: newSeries(),
    push: newSeries(),
    query: newSeries(),
    a: withA ? selectedAQueries().map((q) => ({ ...newSeries(), q, overBound: 0, messages: new Map() })) : [],
  };
  const url = server!.url;
  const start = performance.now();
  const end = start + PHASE_MS;
  const live = () => performance.now() < end;
  const pending: Promise<void>[] = [];

  // /ready every 100 ms, whether or not earlier probes answered.
  const probes = (async () => {
    for (let t = start; live(); t += 100) {
      pending.push(
        timed(res.ready, CLIENT_TIMEOUT, async (signal) => {
          const r = await fetch(`${url}/ready`, { signal });
          await r.text();
          return { ok: r.status === 200, label: String(r.status) };
        }),
      );
      await sleep(Math.max(0, t + 100 - performance.now()));
    }
  })();

  // Tenant B: two sequential remote-write senders (like two Prometheus shards), one push each every
  // 100 ms, each over its own half of B's series.
  const half = Math.ceil(B_SERIES / 2);
  const pushers = [0, 1].map(async (shard) => {
    const from = shard * half;
    const to = Math.min(B_SERIES, from + half);
    while (live()) {
      const t0 = performance.now();
      await timed(res.push, CLIENT_TIMEOUT, async (signal) => {
        const now = Date.now();
        const series = [];
        for (let i = from; i < to; i++) {
          const t = Math.max(now, b.last[i]! + 1);
          b.last[i] = t;
          series.push({ labels: bLabels(i), samples: [{ t, v: t / 1000 }] });
        }
        const body = snappyEncode(encodeWriteRequest({ timeseries: series }));
        const r = await fetch(`${url}/api/v1/push`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${b.token}`,
            'content-type': 'application/x-protobuf',
            'content-encoding': 'snappy',
            'x-prometheus-remote-write-version': '0.1.0',
          },
          body,
          signal,
        });
        await r.text();
        return { ok: r.status >= 200 && r.status < 300, label: String(r.status) };
      });
      await sleep(Math.max(0, t0 + 100 - performance.now()));
    }
  });

  // Tenant B: a normal dashboard query every second, checked.
  const bQueries = (async () => {
    while (live()) {
      const t0 = performance.now();
      await timed(res.query, CLIENT_TIMEOUT, async (signal) => {
        const q = new URLSearchParams({ query: 'count(b_requests_total)', time: String(Date.now() / 1000) });
        const r = await fetch(`${url}/prometheus/api/v1/query?${q}`, {
          headers: { authorization: `Bearer ${b.token}` },
          signal,
        });
        const body = (await r.json().catch(() => undefined)) as
          | { data?: { result?: { value?: [number, string] }[] } }
          | undefined;
        const v = body?.data?.result?.[0]?.value?.[1];
        return { ok: r.status === 200, label: String(r.status), wrong: r.status === 200 && v !== String(B_SERIES) };
      });
      await sleep(Math.max(0, t0 + 1000 - performance.now()));
    }
  })();

  // Tenant A: the pathological set, round robin, A_CONC at a time.
  const aWorkers = withA
    ? Array.from({ length: A_CONC }, async (_, w) => {
        for (let k = w; live(); k++) {
          const st = res.a[k % res.a.length]!;
          const q = st.q;
          const nowMs = Date.now();
          const params = new URLSearchParams({ query: q.query.replaceAll('%N%', String(++nonce)), timeout: q.timeout });
          let path = '/prometheus/api/v1/query';
          if (q.kind === 'instant') params.set('time', String(nowMs / 1000));
          else {
            path = '/prometheus/api/v1/query_range';
            const endS = Math.floor(nowMs / 1000);
            params.set('start', String(endS - q.rangeMs! / 1000));
            params.set('end', String(endS));
            params.set('step', String(q.stepMs! / 1000));
          }
          const t0 = performance.now();
          await timed(st, Math.min(q.timeoutMs + A_CLIENT_GRACE, CLIENT_TIMEOUT + 2000), async (signal) => {
            const r = await fetch(`${url}${path}`, {
              method: 'POST',
              headers: { authorization: `Bearer ${aToken}`, 'content-type': 'application/x-www-form-urlencoded' },
              body: params.toString(),
              signal,
            });
            let label = String(r.status);
            if (r.status === 200) {
              // Possibly huge: read and drop.
              for await (const _ of r.body ?? []) {
              }
            } else {
              const text = await r.text();
              let msg = text.slice(0, 200);
              try {
                const j = JSON.parse(text) as { errorType?: string; error?: string };
                label = `${r.status} ${j.errorType ?? '?'}`;
                msg = `${label}: ${(j.error ?? '').replace(/nonce!="\d+"/g, 'nonce!="N"').slice(0, 160)}`;
              } catch {}
              bump(st.messages, msg);
            }
            return { ok: r.status === 200, label };
          });
          if (performance.now() - t0 > q.timeoutMs + 1000) st.overBound++;
        }
      })
    : [];

  await Promise.all([probes, ...pushers, bQueries]);
  const aEnd = performance.now();
  // After the phase: time until /ready answers again (A has stopped sending new queries).
  let recovery: Promise<void> | undefined;
  if (withA) {
    recovery = (async () => {
      const deadline = aEnd + RECOVERY_MS;
      while (performance.now() < deadline) {
        const t = performance.now();
        const ok = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) }).then(
          async (r) => {
            await r.text();
            return r.status === 200;
          },
          () => false,
        );
        if (ok) {
          res.recoveryMs = performance.now() - aEnd;
          return;
        }
        await sleep(Math.max(0, t + 200 - performance.now()));
      }
    })();
  }
  await Promise.all([...aWorkers, ...pending, recovery]);
  if (server!.exit) res.serverExited = JSON.stringify(server!.exit);
  return res;
}

// ---------------------------------------------------------------------------------------------------
// Report

function statusList(m: Map<string, number>): string {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
}

function failures(s: Series): string {
  const extra = s.wrong > 0 ? `, ${s.wrong} wrong` : '';
  return `${s.failed}/${s.n}${s.timedOut > 0 ? ` (${s.timedOut} timed out)` : ''}${extra}`;
}

function printPhase(p: PhaseResult): void {
  console.log(`\n== ${p.name} (${p.seconds} s) ==`);
  const line = (label: string, s: Series) =>
    console.log(
      `${label.padEnd(14)} p50 ${ms(pct(s.latencies, 50)).padStart(8)}  p99 ${ms(pct(s.latencies, 99)).padStart(8)}  max ${ms(maxOf(s.latencies)).padStart(8)}  failed ${failures(s)}  [${statusList(s.statuses)}]`,
    );
  line('/ready', p.ready);
  line('B push', p.push);
  line('B query', p.query);
  for (const a of p.a) {
    console.log(
      `A ${a.q.name.padEnd(50)} timeout=${a.q.timeout.padEnd(4)} n=${String(a.n).padStart(3)}  p50 ${ms(pct(a.latencies, 50)).padStart(8)}  max ${ms(maxOf(a.latencies)).padStart(8)}  >timeout+1s ${a.overBound}  [${statusList(a.statuses)}]`,
    );
    for (const [m, n] of a.messages) console.log(`    ${n}× ${m}`);
  }
  if (p.recoveryMs !== undefined) console.log(`/ready answered again ${ms(p.recoveryMs)} after the phase ended`);
  else if (p.a.length > 0) console.log(`/ready did not answer within ${RECOVERY_MS / 1000} s after the phase ended`);
  if (p.serverExited) console.log(`SERVER EXITED: ${p.serverExited}`);
}

function summaryTable(label: string, phases: PhaseResult[]): string {
  const rows = [
    '| run | phase | /ready p50 / p99 / max | /ready failed (timed out) | B push p50 / p99 | B push failed | B query p50 / p99 | B query failed | A queries (status ×n) | A over timeout+1 s | /ready back after A stops |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const p of phases) {
    const aAll = new Map<string, number>();
    let aOver = 0;
    let aN = 0;
    for (const a of p.a) {
      for (const [k, n] of a.statuses) aAll.set(k, (aAll.get(k) ?? 0) + n);
      aOver += a.overBound;
      aN += a.n;
    }
    rows.push(
      `| ${label} | ${p.name} | ${ms(pct(p.ready.latencies, 50))} / ${ms(pct(p.ready.latencies, 99))} / ${ms(maxOf(p.ready.latencies))} | ${p.ready.failed}/${p.ready.n} (${p.ready.timedOut}) | ${ms(pct(p.push.latencies, 50))} / ${ms(pct(p.push.latencies, 99))} | ${failures(p.push)} | ${ms(pct(p.query.latencies, 50))} / ${ms(pct(p.query.latencies, 99))} | ${failures(p.query)} | ${p.a.length === 0 ? '–' : statusList(aAll)} | ${p.a.length === 0 ? '–' : `${aOver}/${aN}`} | ${p.a.length === 0 ? '–' : p.recoveryMs === undefined ? `> ${RECOVERY_MS / 1000} s` : ms(p.recoveryMs)} |`,
    );
  }
  return rows.join('\n');
}

function aTable(p: PhaseResult): string {
  const rows = [
    '| tenant A query | timeout | n | status ×n | p50 | max | over timeout+1 s |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const a of p.a) {
    rows.push(
      `| \`${a.q.name}\` | ${a.q.timeout} | ${a.n} | ${statusList(a.statuses)} | ${ms(pct(a.latencies, 50))} | ${ms(maxOf(a.latencies))} | ${a.overBound} |`,
    );
  }
  return rows.join('\n');
}

async function gitDescribe(): Promise<string> {
  return new Promise((res) => {
    const c = spawn('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    c.stdout.on('data', (d) => {
      out += d;
    });
    c.once('exit', () => res(out.trim() || 'unknown'));
    c.once('error', () => res('unknown'));
  });
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const commit = await gitDescribe();
  console.log(
    `bench:isolation — repo ${REPO} (commit ${commit}), ${cpus().length} cores, Node ${process.version}, load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  const t0 = performance.now();
  await startProduct();
  console.log(`server up on ${server!.url} in ${ms(performance.now() - t0)}`);
  const aToken = await createTenant(A);
  const bToken = await createTenant(B);
  // The data plane learns tenants and tokens from the control-plane feed: wait until pushes work.
  for (const token of [aToken, bToken]) {
    for (let i = 0; ; i++) {
      const r = await push(
        token,
        [{ labels: ['__name__', 'bench_probe', 'job', 'x'], samples: [{ t: Date.now(), v: 1 }] }],
        10_000,
      );
      if (r.status === 204 || r.status === 200) break;
      if (i > 100) throw new Error(`tenant not usable: push answers ${r.status} ${r.text.slice(0, 200)}`);
      await sleep(200);
    }
  }
  const end = Date.now() - 30_000;
  const t1 = performance.now();
  const nA = await backfill(aToken, A_SERIES, aLabels, aValue, end);
  const nB = await backfill(bToken, B_SERIES, bLabels, (_i, k) => (end - HOURS * 3_600_000 + k * SCRAPE) / 1000, end);
  console.log(
    `wrote ${A_SERIES} series / ${nA.toLocaleString('en-US')} samples for ${A} and ${B_SERIES} / ${nB.toLocaleString('en-US')} for ${B} (${HOURS} h at 15 s) in ${ms(performance.now() - t1)}`,
  );
  const b = { token: bToken, last: Array.from({ length: B_SERIES }, () => end) };
  const phases: PhaseResult[] = [];
  phases.push(await runPhase('baseline', false, b, aToken));
  printPhase(phases[0]!);
  phases.push(await runPhase(`load (A ×${A_CONC})`, true, b, aToken));
  printPhase(phases[1]!);

  const label = `${commit}`;
  const summary = `${summaryTable(label, phases)}\n\n${aTable(phases[1]!)}`;
  console.log(`\n--- summary (paste into bench/RESULTS.md) ---\n\n${summary}\n`);
  console.log(
    `total ${ms(performance.now() - t0)}; load average now ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  if (server!.exit) console.log(`server log tail:\n${server!.log.slice(-20).join('\n')}`);
  if (args.json) {
    const plain = (s: Series) => ({ ...s, statuses: Object.fromEntries(s.statuses) });
    writeFileSync(
      args.json,
      JSON.stringify(
        {
          commit,
          repo: REPO,
          phases: phases.map((p) => ({
            ...p,
            ready: plain(p.ready),
            push: plain(p.push),
            query: plain(p.query),
            a: p.a.map((a) => ({ ...plain(a), messages: Object.fromEntries(a.messages) })),
          })),
        },
        null,
        2,
      ),
    );
  }
}

main().then(
  async () => {
    if (args.profile && server?.child.pid) {
      // a profile is written on a clean exit only
      server.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 8_000));
    }
    killServer();
    process.exit(0);
  },
  (e) => {
    console.error(e);
    if (server) console.error(`server log tail:\n${server.log.slice(-20).join('\n')}`);
    killServer();
    process.exit(1);
  },
);
