/**
 * PromQL engine benchmark (`npm run bench:promql`): generates 10,000 series × 24 h at a 15 s scrape
 * interval into the in-memory storage (5,000 counters, 4,500 classic histogram buckets, 500 `up`
 * gauges), then runs typical dashboard queries as instant queries (at the end) and as range queries
 * (last 6 h, 60 s step) and prints the median latency of each.
 *
 * Flags: `--instances N` (default 500; series = 20 × N), `--hours H` (default 24), `--runs R`
 * (default 5), `--compare-prometheus`: also load the same data into a local Prometheus 2.42
 * (`promtool tsdb create-blocks-from openmetrics`, server on 127.0.0.1, temp dir), run the same
 * queries over its HTTP API and print latency ratios and whether results match. Comparison uses
 * 25 instances (500 series) unless `--instances` is given, and query times 7.5 s off the scrape
 * grid so 2.x's closed and 3.x's left-open range windows select the same samples.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Labels, Matcher } from '../data-plane/model/index.js';
import { Engine, toApiData } from '../data-plane/promql/index.js';
import { ValueType } from '../data-plane/storage/index.js';
import { MemoryStorage } from '../data-plane/storage/memory/index.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const COMPARE = process.argv.includes('--compare-prometheus');
const INSTANCES = arg('instances', COMPARE ? 25 : 500);
const HOURS = arg('hours', 24);
const RUNS = arg('runs', 5);
const SCRAPE_MS = 15_000;
const END = HOURS * 3600_000;
const LE = ['0.005', '0.01', '0.05', '0.1', '0.5', '1', '5', '10', '+Inf'];

/** Deterministic PRNG so every run sees the same data. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(): Promise<MemoryStorage> {
  const store = new MemoryStorage();
  const rnd = mulberry32(42);
  const points = END / SCRAPE_MS + 1;
  for (let i = 0; i < INSTANCES; i++) {
    const job = `job-${i % 10}`;
    const instance = `i-${i}`;
    const app = store.appender();
    for (let m = 0; m < 10; m++) {
      const l = Labels.fromObject({ __name__: 'http_requests_total', job, instance, method: `m${m}` });
      let v = 0;
      for (let k = 0; k < points; k++) {
        v += Math.floor(rnd() * 20);
        app.append(l, k * SCRAPE_MS, v);
      }
    }
    const counts = new Array<number>(LE.length).fill(0);
    const bucketLabels = LE.map((le) =>
      Labels.fromObject({ __name__: 'http_request_duration_seconds_bucket', job, instance, le }),
    );
    for (let k = 0; k < points; k++) {
      let cum = 0;
      for (let b = 0; b < LE.length; b++) {
        cum += Math.floor(rnd() * 5);
        counts[b] = Math.max(counts[b]!, 0) + cum;
        app.append(bucketLabels[b]!, k * SCRAPE_MS, counts[b]!);
      }
    }
    const up = Labels.fromObject({ __name__: 'up', job, instance });
    for (let k = 0; k < points; k++) app.append(up, k * SCRAPE_MS, 1);
    await app.commit();
  }
  return store;
}

const QUERIES: [string, string][] = [
  ['rate one series', 'rate(http_requests_total{instance="i-1",method="m1"}[5m])'],
  ['sum by rate', 'sum by (job) (rate(http_requests_total[5m]))'],
  ['histogram_quantile', 'histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))'],
  ['topk', 'topk(10, sum by (instance) (rate(http_requests_total[5m])))'],
  ['binary join', 'sum by (instance, job) (rate(http_requests_total[5m])) / on(instance) group_left up'],
  ['subquery', 'max_over_time(sum by (job) (rate(http_requests_total[5m]))[1h:1m])'],
  ['count_over_time', 'count(count_over_time(up[1h]))'],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const store = await generate();
  const samples = store.seriesCount * (END / SCRAPE_MS + 1);
  console.log(
    `generated ${store.seriesCount} series × ${HOURS} h @15s = ${(samples / 1e6).toFixed(1)}M samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const prom = COMPARE ? await startPrometheus(store) : undefined;
  try {
    const engine = new Engine({ maxSamples: 500_000_000, timeoutMs: 600_000 });
    // off the scrape grid when comparing (see header comment)
    const at = COMPARE ? END - 7_500 : END;
    const rangeStart = at - 6 * 3600_000;
    console.log(
      `${'query'.padEnd(20)} ${'instant p50 ms'.padStart(15)} ${'range 6h/60s p50 ms'.padStart(20)} ${'series'.padStart(7)} ${'loaded'.padStart(9)}${prom ? '  prom inst ms  prom range ms  ratio i/r  match' : ''}`,
    );
    for (const [name, q] of QUERIES) {
      const inst: number[] = [];
      const rng: number[] = [];
      let seriesOut = 0;
      let loaded = 0;
      let lastInst: unknown;
      let lastRange: unknown;
      for (let r = 0; r < RUNS; r++) {
        let t = performance.now();
        const a = await engine.instantQuery(store, q, at);
        inst.push(performance.now() - t);
        seriesOut = a.value.type === 'vector' ? a.value.samples.length : 1;
        lastInst = toApiData(a.value);
        t = performance.now();
        const b = await engine.rangeQuery(store, q, rangeStart, at, 60_000);
        rng.push(performance.now() - t);
        loaded = b.stats.samplesLoaded;
        lastRange = toApiData(b.value);
      }
      let extra = '';
      if (prom) {
        const pi: number[] = [];
        const pr: number[] = [];
        let di: unknown;
        let dr: unknown;
        for (let r = 0; r < RUNS; r++) {
          let t = performance.now();
          di = await prom.query('query', { query: q, time: String(at / 1000) });
          pi.push(performance.now() - t);
          t = performance.now();
          dr = await prom.query('query_range', {
            query: q,
            start: String(rangeStart / 1000),
            end: String(at / 1000),
            step: '60',
          });
          pr.push(performance.now() - t);
        }
        const match = sameData(lastInst, di) && sameData(lastRange, dr);
        if (!match && process.env.DEBUG_MATCH) {
          // DEBUG_MATCH=<path prefix>: dump both results of a mismatching query for inspection
          const file = `${process.env.DEBUG_MATCH}-${name.replace(/\W+/g, '_')}.json`;
          writeFileSync(file, JSON.stringify({ ours: lastRange, prom: dr, oursI: lastInst, promI: di }));
        }
        extra = `  ${median(pi).toFixed(1).padStart(11)}  ${median(pr).toFixed(1).padStart(13)}  ${(median(inst) / median(pi)).toFixed(2)}/${(median(rng) / median(pr)).toFixed(2)}  ${match ? 'yes' : 'NO'}`;
      }
      console.log(
        `${name.padEnd(20)} ${median(inst).toFixed(1).padStart(15)} ${median(rng).toFixed(1).padStart(20)} ${String(seriesOut).padStart(7)} ${String(loaded).padStart(9)}${extra}`,
      );
    }
  } finally {
    prom?.stop();
  }
}

interface PromServer {
  query(kind: 'query' | 'query_range', params: Record<string, string>): Promise<unknown>;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Writes the store as OpenMetrics, builds TSDB blocks with promtool and starts Prometheus on loopback. */
async function startPrometheus(store: MemoryStorage): Promise<PromServer> {
  const dir = mkdtempSync(join(tmpdir(), 'promql-bench-'));
  const om = join(dir, 'data.om');
  const out = createWriteStream(om);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  const q = store.querier(0, END);
  for (const name of ['http_requests_total', 'http_request_duration_seconds_bucket', 'up']) {
    const series = await q.select(true, undefined, [new Matcher('=', '__name__', name)]);
    for (const s of series) {
      const lbl = s.labels.toString().slice(name.length).replace(/, /g, ',');
      const it = s.iterator();
      let chunk = '';
      for (let vt = it.next(); vt !== ValueType.None; vt = it.next()) {
        chunk += `${name}${lbl} ${it.atV()} ${it.atT() / 1000}\n`;
        if (chunk.length > 1 << 20) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(chunk);
    }
  }
  await write('# EOF\n');
  await new Promise<void>((r) => out.end(() => r()));
  const data = join(dir, 'tsdb');
  const t0 = performance.now();
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, data], { stdio: 'ignore' });
  rmSync(om);
  console.log(`promtool built TSDB blocks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const cfg = join(dir, 'prometheus.yml');
  writeFileSync(cfg, 'global: {}\n');
  const port = await freePort();
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
      '--query.max-samples=500000000',
    ],
    { stdio: 'ignore' },
  );
  const base = `http://127.0.0.1:${port}/api/v1`;
  const stop = () => {
    proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 120; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/-/ready`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    async query(kind, params) {
      const r = await fetch(`${base}/${kind}?${new URLSearchParams(params)}`);
      const body = (await r.json()) as { status: string; data: unknown; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus: ${body.error}`);
      return body.data;
    },
    stop,
  };
}

/** Compares two API `data` objects: same series (any order) and values within 1e-6 relative. */
function sameData(a: unknown, b: unknown): boolean {
  type D = {
    resultType: string;
    result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
  };
  const x = a as D;
  const y = b as D;
  if (x.resultType !== y.resultType || x.result.length !== y.result.length) return false;
  const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort());
  const ym = new Map(y.result.map((r) => [key(r.metric), r]));
  const close = (p: string, q: string) => {
    const u = Number(p);
    const v = Number(q);
    return (
      u === v || (Number.isNaN(u) && Number.isNaN(v)) || Math.abs(u - v) <= 1e-6 * Math.max(Math.abs(u), Math.abs(v))
    );
  };
  for (const r of x.result) {
    const o = ym.get(key(r.metric));
    if (!o) return false;
    const pa = r.values ?? (r.value ? [r.value] : []);
    const pb = o.values ?? (o.value ? [o.value] : []);
    if (pa.length !== pb.length) return false;
    for (let i = 0; i < pa.length; i++) if (pa[i]![0] !== pb[i]![0] || !close(pa[i]![1], pb[i]![1])) return false;
  }
  return true;
}

await main();
