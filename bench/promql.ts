/**
 * Query-path benchmark, the whole product over HTTP (`npm run bench:promql -- [flags]`), issue #18.
 *
 * Starts `cortexctl server --dev` (bin/run.js → dist/, built first when the sources are newer) in a
 * temp dir on a free 127.0.0.1 port, creates a tenant and a `metrics:write,metrics:read` token through
 * the admin API, and with `--compare-prometheus` starts Debian's Prometheus 2.42 beside it (temp TSDB,
 * no scrape jobs, `--web.enable-remote-write-receiver`, default query limits). Both receive the same
 * remote-write 1.0 bytes: exporter-shaped series (bench/promql-workload.ts), 2 h at 15 s ending a
 * minute or more before now, written window by window in time order by a few concurrent senders.
 * Once both hold every sample (checked by counting on both), it keeps scraping every series every
 * 15 s in real time (samples after the query time, so no result changes) and runs ten dashboard queries over
 * HTTP — ours through the gateway with the tenant's Bearer token, Prometheus without auth — each as
 * an instant query at the end of the data, a 2 h range at 30 s step and a 24 h range at 5 m step.
 * Every run appends ` + 0 * <n>` (` * (1 + 0 * <n>)` to a histogram result: a fresh string, so no results cache answers), the servers
 * alternate A/B/B/A, one warm-up per query is not timed and its results are compared, and the
 * medians of `--runs` runs are printed with the ratio ours / Prometheus and their geometric means.
 *
 * Flags:
 *   --compare-prometheus     also run Prometheus 2.42 and compare (otherwise ours only)
 *   --series N               series, rounded up to whole hosts of 81 series (default 10000)
 *   --store LIST             comma-separated: head (default: data in the ingester head, queried once
 *                            the ingester has flushed its full chunks, as in steady state), embedded
 *                            (the server is restarted: a graceful stop flushes every chunk to the
 *                            embedded store and the new process holds none in memory), bigtable
 *                            (the same with the chunk store on the Bigtable emulator)
 *   --runs N                 timed runs per query and server (default 7)
 *   --hours H                history (default 2)
 *   --query-workers N        the server's --query-workers (default: its own, one per core)
 *   --only REGEX             only queries whose name or expression matches
 *   --kinds LIST             instant,range2h,range24h (default all three)
 *   --profile DIR            run the server under `node --cpu-prof --cpu-prof-dir DIR` (one profile
 *                            per thread, written when it stops) and summarise the query phase
 *   --debug-dir DIR          write both responses of every mismatching query to DIR
 *   --senders N              concurrent remote-write senders (default 4)
 *   --max-minutes N          hard time limit for the whole run (default 60): everything is killed
 *   --no-build               do not rebuild dist/ when it is older than the sources
 *   --no-resets              no application restarts in the data (no counter starts again from 0
 *                            inside a query range; see bench/RESULTS.md for why that matters)
 *   --native-histograms      also write the request latency as native histograms
 *                            (http_request_duration_seconds, 2 per host, schema 3) and add their
 *                            queries; Prometheus runs with --enable-feature=native-histograms
 *   --instances N            (old flag, used by `npm run bench`) hosts instead of --series
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summariseProfiles } from './cpuprofile-summary.js';
import { compareBodies } from './promql-compare.js';
import {
  build,
  type Cortex,
  cpuSecondsOf,
  createTenant,
  distIsStale,
  type Emulator,
  killAll,
  type Prometheus,
  REPO,
  removeDir,
  request,
  rssOf,
  sleep,
  startBigtableEmulator,
  startCortex,
  startPrometheus,
  tempDir,
} from './promql-servers.js';
import { SCRAPE_MS, SERIES_PER_HOST, Workload } from './promql-workload.js';

const { values: args } = parseArgs({
  options: {
    'compare-prometheus': { type: 'boolean', default: false },
    series: { type: 'string', default: '10000' },
    store: { type: 'string', default: 'head' },
    runs: { type: 'string', default: '7' },
    hours: { type: 'string', default: '2' },
    'query-workers': { type: 'string' },
    only: { type: 'string' },
    kinds: { type: 'string', default: 'instant,range2h,range24h' },
    profile: { type: 'string' },
    'debug-dir': { type: 'string' },
    senders: { type: 'string', default: '4' },
    'max-minutes': { type: 'string', default: '60' },
    'no-build': { type: 'boolean', default: false },
    'no-resets': { type: 'boolean', default: false },
    'native-histograms': { type: 'boolean', default: false },
    instances: { type: 'string' },
  },
});

const COMPARE = args['compare-prometheus'] ?? false;
const SERIES = args.instances ? Number(args.instances) * SERIES_PER_HOST : Number(args.series);
const RUNS = Math.max(1, Number(args.runs));
const HOURS = Number(args.hours);
const STORES = (args.store ?? 'head').split(',').map((s) => s.trim());
for (const s of STORES)
  if (!['head', 'embedded', 'bigtable'].includes(s)) throw new Error(`--store: ${s} is not head, embedded or bigtable`);
const KINDS = (args.kinds ?? '').split(',').map((s) => s.trim()) as Kind[];
for (const k of KINDS) if (!['instant', 'range2h', 'range24h'].includes(k)) throw new Error(`--kinds: ${k}?`);
const ROOT_TOKEN = 'promql-bench-root-token-0123456789';
const TENANT = 'bench';
const QUERY_TIMEOUT_MS = 300_000;

type Kind = 'instant' | 'range2h' | 'range24h';
const KIND_LABEL: Record<Kind, string> = {
  instant: 'instant',
  range2h: `range ${HOURS}h/30s`,
  range24h: 'range 24h/5m',
};

const NATIVE_SUM = 'sum by (job) (rate(http_request_duration_seconds[5m]))';
/** Queries whose answer is native histograms. */
const HISTOGRAM_RESULTS = new Set([NATIVE_SUM]);

/** The dashboard query set of issue #18. */
const QUERIES: [string, string][] = [
  ['sum by code rate', 'sum by (code) (rate(http_requests_total[5m]))'],
  ['histogram_quantile', 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'],
  ['topk sum by instance', 'topk(10, sum by (instance) (rate(http_requests_total[5m])))'],
  ['error ratio', 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'],
  ['avg by job cpu rate', 'avg by (job) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))'],
  ['count by job up==1', 'count by (job) (up == 1)'],
  ['avg_over_time mem', 'avg_over_time(node_memory_MemAvailable_bytes[10m])'],
  ['increase 1h', 'increase(http_requests_total[1h])'],
  ['quantile rate', 'quantile(0.9, rate(http_requests_total[5m]))'],
  ['sum rate', 'sum(rate(http_requests_total[5m]))'],
  ...((args['native-histograms']
    ? [
        ['native histogram_quantile', 'histogram_quantile(0.99, sum(rate(http_request_duration_seconds[5m])))'],
        ['native count by job', 'histogram_count(sum by (job) (rate(http_request_duration_seconds[5m])))'],
        ['native sum by job', NATIVE_SUM],
      ]
    : []) as [string, string][]),
].filter(([n, q]) => !args.only || new RegExp(args.only).test(n!) || new RegExp(args.only).test(q!)) as [
  string,
  string,
][];

interface Target {
  name: 'ours' | 'prometheus';
  /** Query API base, …/api/v1 */
  api: string;
  headers: Record<string, string>;
  pid: number;
}

interface Row {
  store: string;
  query: string;
  kind: Kind;
  ours: number[];
  prom: number[];
  oursCpu: number[];
  promCpu: number[];
  error?: string;
  match?: boolean;
  detail?: string;
  maxRelDiff?: number;
  series?: number;
  points?: number;
  bytes?: number;
  /** Chunks our server flushed to its store while the row ran (background work it competed with). */
  flushed?: number;
}

const rows: Row[] = [];
const T0 = performance.now();
const log = (s: string) => console.log(s);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

// ---------------------------------------------------------------------------------------------
// remote write

interface PushTarget {
  name: string;
  url: string;
  headers: Record<string, string>;
  accepted: number;
  failed: number;
  errors: string[];
}

async function push(t: PushTarget, body: Uint8Array, samples: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let status = 0;
    let text = '';
    try {
      const r = await request(t.url, { method: 'POST', headers: t.headers, body, timeoutMs: 120_000 });
      status = r.status;
      text = r.body.toString('utf8').slice(0, 300);
    } catch (err) {
      text = (err as Error).message;
    }
    if (status >= 200 && status < 300) {
      t.accepted += samples;
      return;
    }
    // Like Prometheus's sender: retry 5xx, 429 and network errors with backoff; drop 4xx.
    if ((status === 0 || status === 429 || status >= 500) && attempt < 10) {
      await sleep(Math.min(10_000, 250 * 2 ** attempt));
      continue;
    }
    t.failed += samples;
    if (t.errors.length < 5) t.errors.push(`${status} ${text}`);
    return;
  }
}

async function ingest(w: Workload, targets: PushTarget[]): Promise<void> {
  w.reset();
  const senders = Math.max(1, Number(args.senders));
  const t0 = performance.now();
  let lastReport = t0;
  for (let win = 0; win < w.windows; win++) {
    let next = 0;
    const sender = async () => {
      while (next < w.groups) {
        const g = next++;
        const { body, samples } = w.render(win, g);
        await Promise.all(targets.map((t) => push(t, body, samples)));
      }
    };
    await Promise.all(Array.from({ length: senders }, sender));
    const now = performance.now();
    if (now - lastReport > 15_000 || win === w.windows - 1) {
      lastReport = now;
      const done = targets[0]!.accepted + targets[0]!.failed;
      log(
        `  ingest: window ${win + 1}/${w.windows}, ${fmt(done)} samples per target, ${fmt(done / ((now - t0) / 1000))} samples/s, ${((now - t0) / 1000).toFixed(0)} s`,
      );
    }
  }
  for (const t of targets) {
    log(
      `  ${t.name}: ${fmt(t.accepted)} samples accepted, ${fmt(t.failed)} rejected${t.errors.length ? `: ${t.errors.join(' | ')}` : ''}`,
    );
    if (t.failed > 0)
      throw new Error(`${t.name} rejected ${t.failed} samples; the servers would not hold the same data`);
  }
}

/**
 * Keeps scraping after the history: scrape after scrape of every series, each sent once its
 * interval has passed (first catching up from the end of the history to now), to the same targets,
 * as a Prometheus that keeps writing while dashboards query. Samples after END change no result.
 */
class LiveScrapes {
  private stopped = false;
  private paused = false;
  private busy: Promise<void> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private caughtUpResolve!: () => void;
  readonly caughtUp = new Promise<void>((r) => {
    this.caughtUpResolve = r;
  });
  scrapes = 0;

  constructor(
    private readonly w: Workload,
    readonly targets: PushTarget[],
  ) {}

  start(): void {
    this.loop = this.run().catch((err) => {
      console.error(`live scrapes stopped: ${(err as Error).message}`);
    });
  }

  private async run(): Promise<void> {
    for (let k = this.w.opts.points; !this.stopped; k++) {
      const due = this.w.scrapeDue(k);
      if (Date.now() < due) this.caughtUpResolve();
      while (!this.stopped && (this.paused || Date.now() < due))
        await sleep(Math.max(10, Math.min(500, due - Date.now())));
      if (this.stopped) return;
      let done!: () => void;
      this.busy = new Promise<void>((r) => {
        done = r;
      });
      try {
        let g = 0;
        const sender = async () => {
          while (g < this.w.groups) {
            const { body, samples } = this.w.renderScrapes(k, k + 1, g++);
            await Promise.all(this.targets.map((t) => push(t, body, samples)));
          }
        };
        await Promise.all([sender(), sender()]);
        this.scrapes++;
      } finally {
        done();
      }
    }
  }

  /** Stops sending after the scrape in flight (for a server restart). */
  async pause(): Promise<void> {
    this.paused = true;
    await this.busy;
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** Sum of a metric's samples on the server's /metrics (NaN when unreachable). */
async function metric(c: Cortex, name: string): Promise<number> {
  try {
    const r = await request(`${c.url}/metrics`, { method: 'GET', timeoutMs: 30_000 });
    let n = 0;
    for (const line of r.body.toString('utf8').split('\n'))
      if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{'))
        n += Number(line.slice(line.lastIndexOf(' ') + 1));
    return n;
  } catch {
    return Number.NaN;
  }
}

/** Chunks the server has flushed to its store so far. */
const flushedChunks = (c: Cortex) => metric(c, 'cortex_ingester_chunks_flushed_total');

/**
 * Waits until the ingester has flushed the chunks the history filled (a flush sweep runs every
 * minute): that is where a head is in steady state, the full chunks in the store and still in
 * memory for their retain period; querying before would measure a head no server has for long.
 */
async function waitForFlush(c: Cortex, sinceMs: number): Promise<void> {
  const t0 = performance.now();
  let last = -1;
  for (;;) {
    const flushed = await flushedChunks(c);
    const queue = await metric(c, 'cortex_ingester_flush_queue_length');
    if (performance.now() - sinceMs > 65_000 && queue === 0 && flushed === last) {
      log(
        `  the ingester flushed its full chunks (${fmt(flushed)} chunks in the store, kept in memory too) after ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
      return;
    }
    if (performance.now() - t0 > 15 * 60_000)
      throw new Error(`the ingester's flush did not finish in 15 min (queue ${queue})`);
    last = flushed;
    await sleep(3_000);
  }
}

function oursPush(c: Cortex, token: string): PushTarget {
  return {
    name: 'ours',
    url: `${c.url}/api/v1/push`,
    headers: { ...RW_HEADERS, authorization: `Bearer ${token}` },
    accepted: 0,
    failed: 0,
    errors: [],
  };
}

const RW_HEADERS = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
  'user-agent': 'Prometheus/2.42.0',
};

// ---------------------------------------------------------------------------------------------
// queries

async function query(
  t: Target,
  kind: Kind | 'count',
  expr: string,
  end: number,
): Promise<{ ms: number; status: number; body: Buffer; cpu: number }> {
  const params = new URLSearchParams({ query: expr });
  if (kind === 'instant' || kind === 'count') params.set('time', String(end / 1000));
  else {
    const span = kind === 'range2h' ? HOURS * 3600_000 : 24 * 3600_000;
    params.set('start', String((end - span) / 1000));
    params.set('end', String(end / 1000));
    params.set('step', kind === 'range2h' ? '30' : '300');
  }
  const path = kind === 'instant' || kind === 'count' ? 'query' : 'query_range';
  const cpu0 = cpuSecondsOf(t.pid);
  const r = await request(`${t.api}/${path}`, {
    method: 'POST',
    headers: { ...t.headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: params.toString(),
    timeoutMs: QUERY_TIMEOUT_MS,
  });
  return { ...r, cpu: cpuSecondsOf(t.pid) - cpu0 };
}

async function scalarOf(t: Target, expr: string, end: number): Promise<number> {
  const r = await query(t, 'count', expr, end);
  if (r.status !== 200) throw new Error(`${t.name}: ${expr}: ${r.status} ${r.body.toString().slice(0, 300)}`);
  const data = JSON.parse(r.body.toString()).data as { result: { value: [number, string] }[] };
  return data.result.length === 0 ? 0 : Number(data.result[0]!.value[1]);
}

/** Counts series and samples per metric name on a server; waits until they are what was written. */
async function verifyIngested(t: Target, w: Workload, end: number): Promise<void> {
  const range = `${HOURS * 60 + 1}m`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const diffs: string[] = [];
    let series = 0;
    let samples = 0;
    for (const [name, e] of w.expected) {
      const n = await scalarOf(t, `count(count_over_time(${name}[${range}]))`, end);
      const s = await scalarOf(t, `sum(count_over_time(${name}[${range}]))`, end);
      series += n;
      samples += s;
      if (n !== e.series || s !== e.samples)
        diffs.push(`${name}: ${n} series / ${s} samples, want ${e.series} / ${e.samples}`);
    }
    if (diffs.length === 0) {
      log(
        `  ${t.name} holds ${fmt(series)} series, ${fmt(samples)} samples (staleness markers not counted): as written`,
      );
      return;
    }
    if (Date.now() > deadline) throw new Error(`${t.name} does not hold what was written: ${diffs.join('; ')}`);
    await sleep(2_000);
  }
}

/** Waits until the tenant token is accepted for queries (the data plane learns tokens from a feed). */
async function waitForToken(t: Target, end: number): Promise<void> {
  for (let i = 0; ; i++) {
    const r = await query(t, 'count', 'vector(1)', end).catch(() => undefined);
    if (r?.status === 200) return;
    if (i > 300) throw new Error(`tenant token not accepted: ${r?.status} ${r?.body.toString().slice(0, 200)}`);
    await sleep(200);
  }
}

let runCounter = 0;

async function runQuerySet(
  store: string,
  ours: Target,
  prom: Target | undefined,
  end: number,
  server: Cortex,
): Promise<void> {
  log(`\n== store: ${store} — ${QUERIES.length} queries × ${KINDS.length} kinds, ${RUNS} runs each after one warm-up`);
  log(
    `${'time'.padStart(6)} ${'query'.padEnd(22)} ${'kind'.padEnd(13)} ${'ours ms'.padStart(9)} ${prom ? `${'prom ms'.padStart(9)} ${'ratio'.padStart(6)} ${'match'.padEnd(6)}` : ''} ${'series'.padStart(7)} ${'points'.padStart(9)} ${'ours KB'.padStart(8)} ${'ours cpu ms'.padStart(11)}${prom ? ` ${'prom cpu ms'.padStart(11)}` : ''}`,
  );
  for (const [name, expr] of QUERIES) {
    for (const kind of KINDS) {
      const row: Row = { store, query: name, kind, ours: [], prom: [], oursCpu: [], promCpu: [] };
      rows.push(row);
      const flushed0 = await flushedChunks(server);
      // A histogram result cannot take `+ 0 * n` (histogram + float is dropped); `* (1 + 0 * n)` it can.
      const fresh = HISTOGRAM_RESULTS.has(expr)
        ? () => `(${expr}) * (1 + 0 * ${++runCounter})`
        : () => `(${expr}) + 0 * ${++runCounter}`;
      // warm-up, results compared
      const q0 = fresh();
      const a = await query(ours, kind, q0, end);
      row.bytes = a.body.length;
      if (a.status !== 200) row.error = `ours ${a.status}: ${a.body.toString().slice(0, 200)}`;
      if (prom) {
        const b = await query(prom, kind, q0, end);
        if (b.status !== 200)
          row.error = `${row.error ? `${row.error}; ` : ''}prometheus ${b.status}: ${b.body.toString().slice(0, 200)}`;
        else if (a.status === 200) {
          const c = compareBodies(a.body, b.body);
          row.match = c.match;
          row.detail = c.detail;
          row.maxRelDiff = c.maxRelDiff;
          row.series = c.series;
          row.points = c.points;
          if (!c.match && args['debug-dir']) {
            mkdirSync(args['debug-dir'], { recursive: true });
            const f = join(args['debug-dir'], `${store}-${name.replace(/\W+/g, '_')}-${kind}`);
            writeFileSync(`${f}.ours.json`, a.body);
            writeFileSync(`${f}.prom.json`, b.body);
          }
        }
      }
      if (!row.error) {
        for (let r = 1; r <= RUNS; r++) {
          const q = fresh();
          const order: Target[] = prom ? (r % 2 === 1 ? [ours, prom] : [prom, ours]) : [ours];
          for (const t of order) {
            const res = await query(t, kind, q, end);
            if (res.status !== 200) {
              row.error = `${t.name} ${res.status} on run ${r}: ${res.body.toString().slice(0, 200)}`;
              break;
            }
            (t === ours ? row.ours : row.prom).push(res.ms);
            (t === ours ? row.oursCpu : row.promCpu).push(res.cpu * 1000);
          }
          if (row.error) break;
        }
      }
      row.flushed = (await flushedChunks(server)) - flushed0;
      printRow(row, prom !== undefined);
    }
  }
}

function printRow(r: Row, compare: boolean): void {
  const mo = median(r.ours);
  const mp = median(r.prom);
  const match = r.match === undefined ? '-' : r.match ? 'yes' : 'NO';
  const el = Math.round((performance.now() - T0) / 1000);
  let line = `${`+${Math.floor(el / 60)}:${String(el % 60).padStart(2, '0')}`.padStart(6)} ${r.query.padEnd(22)} ${KIND_LABEL[r.kind].padEnd(13)} ${mo.toFixed(1).padStart(9)}`;
  if (compare) line += ` ${mp.toFixed(1).padStart(9)} ${(mo / mp).toFixed(2).padStart(6)} ${match.padEnd(6)}`;
  line += ` ${String(r.series ?? '').padStart(7)} ${String(r.points ?? '').padStart(9)} ${((r.bytes ?? 0) / 1024).toFixed(0).padStart(8)} ${median(r.oursCpu).toFixed(0).padStart(11)}`;
  if (compare) line += ` ${median(r.promCpu).toFixed(0).padStart(11)}`;
  if (r.flushed) line += `  (${fmt(r.flushed)} chunks flushed meanwhile)`;
  log(line);
  if (r.error) log(`    ERROR ${r.error}`);
  if (r.match === false) log(`    mismatch: ${r.detail}`);
}

const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);

/** Geomean per kind of the servers' CPU seconds (all threads, /proc, 10 ms ticks) per query. */
function cpuRatios(rs: Row[]): string[] {
  const out: string[] = [];
  for (const kind of [...KINDS, undefined]) {
    const ok = rs.filter(
      (r) => (kind === undefined || r.kind === kind) && !r.error && sum(r.promCpu) > 0 && sum(r.oursCpu) > 0,
    );
    out.push(
      `${kind ? KIND_LABEL[kind] : 'all'} ${geomean(ok.map((r) => sum(r.oursCpu) / sum(r.promCpu))).toFixed(2)}×`,
    );
  }
  return out;
}

function summary(compare: boolean): void {
  log('\n== summary');
  for (const store of STORES) {
    const rs = rows.filter((r) => r.store === store);
    if (rs.length === 0) continue;
    const parts: string[] = [];
    for (const kind of KINDS) {
      const ok = rs.filter((r) => r.kind === kind && !r.error && r.ours.length > 0);
      if (compare) {
        const ratios = ok.filter((r) => r.prom.length > 0).map((r) => median(r.ours) / median(r.prom));
        const worst = ok.reduce<Row | undefined>(
          (w, r) => (!w || median(r.ours) / median(r.prom) > median(w.ours) / median(w.prom) ? r : w),
          undefined,
        );
        parts.push(
          `${KIND_LABEL[kind]}: geomean ${geomean(ratios).toFixed(2)}× (${ratios.length} queries, worst ${worst ? `${(median(worst.ours) / median(worst.prom)).toFixed(2)}× ${worst.query}` : '-'})`,
        );
      } else {
        parts.push(`${KIND_LABEL[kind]}: geomean ${geomean(ok.map((r) => median(r.ours))).toFixed(1)} ms`);
      }
    }
    const all = rs.filter((r) => !r.error && r.prom.length > 0).map((r) => median(r.ours) / median(r.prom));
    const matched = rs.filter((r) => r.match === true).length;
    log(`store ${store}: ${parts.join('; ')}`);
    if (compare) {
      log(
        `  all kinds: geomean ${geomean(all).toFixed(2)}×; results match on ${matched}/${rs.length}; errors ${rs.filter((r) => r.error).length}`,
      );
      log(`  server CPU time per query (sum over the runs, ours / Prometheus): ${cpuRatios(rs).join('; ')}`);
    }
  }
  if (!compare) return;
  log('\nmarkdown (ratio = ours / Prometheus median; match = values within 1e-6 relative, label sets equal):');
  for (const store of STORES) {
    const rs = rows.filter((r) => r.store === store);
    if (rs.length === 0) continue;
    log(`\n| ${store} | ${KINDS.map((k) => KIND_LABEL[k]).join(' | ')} |`);
    log(`|---|${KINDS.map(() => '---').join('|')}|`);
    for (const [name, expr] of QUERIES) {
      const cells = KINDS.map((k) => {
        const r = rs.find((x) => x.query === name && x.kind === k);
        if (!r) return '';
        if (r.error) return 'error';
        const mo = median(r.ours);
        const mp = median(r.prom);
        return `${(mo / mp).toFixed(2)}× (${mo.toFixed(0)} / ${mp.toFixed(0)} ms)${r.match ? '' : ' **differs**'}`;
      });
      log(`| \`${expr.replaceAll('|', '\\|')}\` | ${cells.join(' | ')} |`);
    }
    const gm = KINDS.map((k) => {
      const ok = rs.filter((r) => r.kind === k && !r.error && r.prom.length > 0);
      return ok.length ? `**${geomean(ok.map((r) => median(r.ours) / median(r.prom))).toFixed(2)}×**` : '';
    });
    log(`| geomean | ${gm.join(' | ')} |`);
    log(`\nserver CPU per query, ours / Prometheus (geomean): ${cpuRatios(rs).join('; ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// main

const profileWindows: { store: string; pid: number; fromUs: number; toUs: number }[] = [];
const monoUs = () => Number(process.hrtime.bigint() / 1000n);

async function main(): Promise<void> {
  const limit = Number(args['max-minutes']) * 60_000;
  setTimeout(() => {
    console.error(`\ntime limit of ${args['max-minutes']} min reached: stopping every server`);
    killAll();
    if (rows.length > 0) summary(COMPARE);
    process.exit(2);
  }, limit).unref();

  const cpu = cpus();
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const dirty = execFileSync(
      'git',
      ['status', '--porcelain', '--untracked-files=no', 'cli', 'control-plane', 'data-plane'],
      {
        cwd: REPO,
        encoding: 'utf8',
      },
    ).trim();
    if (dirty) commit += ` + ${dirty.split('\n').length} modified source files in the working tree`;
  } catch {
    // not a git checkout
  }
  let promVersion = '';
  if (COMPARE) {
    try {
      promVersion = execFileSync('/usr/bin/prometheus', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
    } catch {
      promVersion = '(prometheus not found)';
    }
  }
  log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} free), Node ${process.version}, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  log(`code: ${commit}${promVersion ? `; ${promVersion}` : ''}`);

  if (!args['no-build']) {
    const { stale, newest } = distIsStale();
    if (stale) {
      log(`dist/ is older than ${newest}: building (npm run build)…`);
      build();
    }
  }

  // Queries are evaluated at END, a multiple of 5 minutes at least a minute ago; the data's last
  // scrape interval ends there.
  const END = Math.floor((Date.now() - 60_000) / 300_000) * 300_000;
  const w = new Workload({
    series: SERIES,
    points: Math.round((HOURS * 3600_000) / SCRAPE_MS) + 1,
    endMs: END,
    hostsPerRequest: 5,
    scrapesPerRequest: 10,
    resets: !args['no-resets'],
    nativeHistograms: args['native-histograms'] ?? false,
  });
  log(
    `data: ${fmt(w.series)} series (${w.hosts} hosts × ${SERIES_PER_HOST}), ${HOURS} h at 15 s → ${fmt(w.totalSamples)} samples; ${fmt(w.groups * w.windows)} remote-write requests of ≤ ${fmt(5 * SERIES_PER_HOST * 10)} samples per server; queries at ${new Date(END).toISOString()}`,
  );
  log(`queries: ${QUERIES.length} × ${KINDS.map((k) => KIND_LABEL[k]).join(', ')}; ${RUNS} timed runs each`);

  let prom: Prometheus | undefined;
  let promTarget: Target | undefined;
  let promIngested = false;
  if (COMPARE) {
    prom = await startPrometheus(args['native-histograms'] ? ['--enable-feature=native-histograms'] : []);
    promTarget = { name: 'prometheus', api: `${prom.url}/api/v1`, headers: {}, pid: prom.pid };
    log(`prometheus: ${prom.url} (pid ${prom.pid})`);
  }
  const promPush = (): PushTarget[] =>
    prom && !promIngested
      ? [
          {
            name: 'prometheus',
            url: `${prom.url}/api/v1/write`,
            headers: RW_HEADERS,
            accepted: 0,
            failed: 0,
            errors: [],
          },
        ]
      : [];

  const profileDir = args.profile;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const queryWorkers = args['query-workers'] !== undefined ? Number(args['query-workers']) : undefined;

  /** One server (embedded store or Bigtable): ingest, then the store modes it serves. */
  const session = async (modes: string[], bigtable: boolean) => {
    const dir = tempDir('promql-bench-cortex-');
    let emulator: Emulator | undefined;
    if (bigtable) {
      emulator = await startBigtableEmulator();
      log(`bigtable emulator: ${emulator.host}`);
    }
    const opts = {
      dataDir: join(dir, 'data'),
      rootToken: ROOT_TOKEN,
      nodeArgs,
      logFile: join(dir, 'server.log'),
      ...(queryWorkers !== undefined ? { queryWorkers } : {}),
      ...(emulator ? { bigtable: { emulatorHost: emulator.host, project: 'bench', instance: 'bench' } } : {}),
    };
    let t0 = performance.now();
    let live: LiveScrapes | undefined;
    let ours = await startCortex(opts);
    log(
      `ours: ${ours.url} (pid ${ours.pid}, ${bigtable ? 'Bigtable emulator' : 'embedded store'}) started in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    try {
      const token = await createTenant(ours.url, ROOT_TOKEN, TENANT, w.series);
      const target = (c: Cortex): Target => ({
        name: 'ours',
        api: `${c.url}/prometheus/api/v1`,
        headers: { authorization: `Bearer ${token}` },
        pid: c.pid,
      });
      await waitForToken(target(ours), END);
      await sleep(2_500); // the limits feed polls every second: let the raised limits arrive
      const pushTargets = [oursPush(ours, token), ...promPush()];
      log(`ingest → ${pushTargets.map((t) => t.name).join(' + ')} (${args.senders} senders, the same bodies to each)`);
      t0 = performance.now();
      await ingest(w, pushTargets);
      const ingestedAt = performance.now();
      log(`  ingested in ${((ingestedAt - t0) / 1000).toFixed(1)} s`);
      if (pushTargets.length > 1) promIngested = true;
      await verifyIngested(target(ours), w, END);
      if (promTarget && pushTargets.length > 1) await verifyIngested(promTarget, w, END);
      log(
        `  ours RSS ${fmt(rssOf(ours.pid) / 2 ** 20)} MiB${prom ? `, prometheus RSS ${fmt(rssOf(prom.pid) / 2 ** 20)} MiB` : ''}`,
      );
      live = new LiveScrapes(w, pushTargets);
      live.start();
      t0 = performance.now();
      await live.caughtUp;
      log(
        `live scrapes: every series keeps being scraped every 15 s (${pushTargets.map((t) => t.name).join(' + ')}); caught up with the clock in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      for (const mode of modes) {
        if (mode !== 'head') {
          // A graceful stop flushes every chunk to the store; the new process replays a checkpoint
          // that holds no chunk the store has, so every query reads the store.
          await live.pause();
          t0 = performance.now();
          if (!(await ours.stop(20 * 60_000))) throw new Error('the server did not stop (flush) within 20 min');
          const stopS = (performance.now() - t0) / 1000;
          t0 = performance.now();
          ours = await startCortex(opts);
          log(
            `restarted ours to query the store: graceful stop (flush to the ${bigtable ? 'Bigtable emulator' : 'embedded store'}) ${stopS.toFixed(1)} s, start ${((performance.now() - t0) / 1000).toFixed(1)} s (pid ${ours.pid})`,
          );
          await waitForToken(target(ours), END);
          live.targets[0] = oursPush(ours, token);
          live.resume();
          await verifyIngested(target(ours), w, END);
        }
        if (mode === 'head') await waitForFlush(ours, ingestedAt);
        const from = monoUs();
        await runQuerySet(mode, target(ours), promTarget, END, ours);
        profileWindows.push({ store: mode, pid: ours.pid, fromUs: from, toUs: monoUs() });
      }
    } finally {
      if (live) {
        await live.stop();
        log(`  live scrapes: ${live.scrapes} scrapes of every series sent while querying`);
      }
      // With --profile the server must exit by itself to write its profiles.
      if (profileDir) {
        t0 = performance.now();
        const ok = await ours.stop(20 * 60_000);
        log(`ours stopped${ok ? '' : ' (killed: no profile)'} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      } else await ours.stop(0);
      await emulator?.stop();
      removeDir(dir);
    }
  };

  try {
    const local = STORES.filter((s) => s !== 'bigtable');
    if (local.length > 0) await session(local, false);
    if (STORES.includes('bigtable')) await session(['bigtable'], true);
  } finally {
    await prom?.stop();
  }
  summary(COMPARE);
  log(
    `\nload average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );

  if (profileDir) {
    writeFileSync(join(profileDir, 'bench-windows.json'), JSON.stringify(profileWindows, null, 2));
    for (const win of profileWindows) {
      const files = readdirSync(profileDir)
        .filter((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(win.pid))
        .map((f) => join(profileDir, f));
      log(
        `\n== CPU profile of the server during the ${win.store} query phase (pid ${win.pid}, ${files.length} threads)`,
      );
      log(summariseProfiles(files, { fromUs: win.fromUs, toUs: win.toUs, top: 25 }));
    }
  }
}

process.once('SIGINT', () => {
  console.error('\ninterrupted: stopping every server');
  killAll();
  process.exit(130);
});
process.once('SIGTERM', () => {
  killAll();
  process.exit(143);
});
process.on('exit', killAll);

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  if (rows.length > 0) summary(COMPARE);
  killAll();
  process.exitCode = 1;
});
