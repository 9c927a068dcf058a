/**
 * PromQL engine benchmark (`npm run bench:promql`): generates 10,000 series × 24 h at a 15 s scrape
 * interval into the in-memory storage (5,000 counters, 4,500 classic histogram buckets, 500 `up`
 * gauges), then runs typical dashboard queries as instant queries (at the end) and as range queries
 * (last 6 h, 60 s step) and prints the median latency of each.
 *
 * Flags: `--instances N` (default 500; series = 20 × N), `--hours H` (default 24), `--runs R`
 * (default 5).
 */
import { performance } from 'node:perf_hooks';
import { Labels } from '../data-plane/model/index.js';
import { Engine } from '../data-plane/promql/index.js';
import { MemoryStorage } from '../data-plane/storage/memory/index.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const INSTANCES = arg('instances', 500);
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
  const engine = new Engine({ maxSamples: 500_000_000, timeoutMs: 600_000 });
  console.log(
    `${'query'.padEnd(20)} ${'instant p50 ms'.padStart(15)} ${'range 6h/60s p50 ms'.padStart(20)} ${'series'.padStart(7)} samples loaded (range)`,
  );
  for (const [name, q] of QUERIES) {
    const inst: number[] = [];
    const rng: number[] = [];
    let seriesOut = 0;
    let loaded = 0;
    for (let r = 0; r < RUNS; r++) {
      let t = performance.now();
      const a = await engine.instantQuery(store, q, END);
      inst.push(performance.now() - t);
      seriesOut = a.value.type === 'vector' ? a.value.samples.length : 1;
      t = performance.now();
      const b = await engine.rangeQuery(store, q, END - 6 * 3600_000, END, 60_000);
      rng.push(performance.now() - t);
      loaded = b.stats.samplesLoaded;
    }
    console.log(
      `${name.padEnd(20)} ${median(inst).toFixed(1).padStart(15)} ${median(rng).toFixed(1).padStart(20)} ${String(seriesOut).padStart(7)} ${loaded}`,
    );
  }
}

await main();
