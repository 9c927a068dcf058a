/**
 * The query path's evaluation half, in process, for profiling (`node --import tsx
 * bench/promql-eval.ts [--series N] [--runs N] [--only REGEX] [--kinds instant,range2h]`; add
 * `--cpu-prof` to node for a profile). Not a comparison figure: `bench:promql` measures the product
 * over HTTP against Prometheus. This one feeds bench:promql's exporter workload into an in-memory
 * ingester and runs each dashboard query the way a pool worker does (select on the head, copy into
 * series batches, evaluate from the batches, encode and render the JSON), printing the median
 * CPU milliseconds of each step (this process's CPU time, steadier than wall time on a shared box), so a change to the evaluation can be measured in seconds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Ingester } from '../data-plane/ingester/index.js';
import { Labels, type TenantId, type TimeSeries } from '../data-plane/model/index.js';
import { dataRange, Engine, evaluateSeries, selectHints } from '../data-plane/promql/engine.js';
import { EvalPool, PooledEngine, SERVER_INLINE } from '../data-plane/promql/pool/index.js';
import { encodeSeriesResult } from '../data-plane/promql/pool/result-codec.js';
import { BatchCollector, batchSeries, type SeriesBatch } from '../data-plane/promql/pool/series-batch.js';
import { decodeWriteRequest, snappyDecode } from '../data-plane/remotewrite/index.js';
import { KVChunkStore } from '../data-plane/storage/chunkstore/index.js';
import { EmbeddedKV } from '../data-plane/storage/embedded/index.js';
import type { Series } from '../data-plane/storage/index.js';
import { SCRAPE_MS, Workload } from './promql-workload.js';

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '9' },
    only: { type: 'string' },
    kinds: { type: 'string', default: 'instant,range2h' },
    /** Writes a sampling heap profile of the query phase alone (allocations by function) here. */
    'heap-prof': { type: 'string' },
    /**
     * Comma-separated shard counts: instead of the steps above, runs each query through the server's
     * PooledEngine (worker pool, in-thread tries, sharding) with each count in turn, alternating, and
     * prints the median wall milliseconds per count (workers at normal priority).
     */
    pooled: { type: 'string' },
    /** `head` (default) or `embedded`: flush everything to an embedded chunk store and query only that. */
    store: { type: 'string', default: 'head' },
    /** The data's last timestamp (RFC 3339 or ms; default about now): e.g. to keep 24 h inside one store bucket. */
    end: { type: 'string' },
  },
});

const QUERIES = [
  'sum by (code) (rate(http_requests_total[5m]))',
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
  'topk(10, sum by (instance) (rate(http_requests_total[5m])))',
  'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
  'avg by (job) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))',
  'count by (job) (up == 1)',
  'avg_over_time(node_memory_MemAvailable_bytes[10m])',
  'increase(http_requests_total[1h])',
  'quantile(0.9, rate(http_requests_total[5m]))',
  'sum(rate(http_requests_total[5m]))',
].filter((q) => !args.only || new RegExp(args.only).test(q));

const tenant = 'bench' as TenantId;
const endArg = args.end === undefined ? undefined : /^\d+$/.test(args.end) ? Number(args.end) : Date.parse(args.end);
const END = Math.floor(((endArg ?? Date.now()) - 60_000) / 300_000) * 300_000;
const w = new Workload({
  series: Number(args.series),
  points: Math.round(7_200_000 / SCRAPE_MS) + 1,
  endMs: END,
  hostsPerRequest: 5,
  scrapesPerRequest: 10,
  resets: true,
  nativeHistograms: false,
});
const limits = {
  maxGlobalSeriesPerUser: () => 0,
  maxGlobalSeriesPerMetric: () => 0,
  outOfOrderTimeWindowMs: () => 0,
  maxGlobalExemplarsPerUser: () => 0,
  maxMetadataPerUser: () => 0,
};
const chunkStore =
  args.store === 'embedded'
    ? new KVChunkStore({
        kv: await EmbeddedKV.open({ dir: mkdtempSync(join(tmpdir(), 'promql-eval-')), sync: false }),
      })
    : undefined;
const ing = new Ingester({ limits, checkpointIntervalMs: 0, ...(chunkStore ? { chunkStore } : {}) });
await ing.start();
let t0 = performance.now();
w.reset();
for (let win = 0; win < w.windows; win++)
  for (let g = 0; g < w.groups; g++) {
    const { body } = w.render(win, g);
    const wire = decodeWriteRequest(snappyDecode(body, 64 << 20));
    const timeseries: TimeSeries[] = wire.timeseries.map((s) => {
      const pairs: [string, string][] = [];
      for (let i = 0; i < s.labels.length; i += 2) pairs.push([s.labels[i]!, s.labels[i + 1]!]);
      return { labels: Labels.fromPairs(pairs), samples: s.samples, histograms: [], exemplars: [] };
    });
    await ing.push(tenant, { timeseries, metadata: [] });
  }
console.log(
  `${w.series} series, ${w.totalSamples} samples loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

if (chunkStore) {
  t0 = performance.now();
  await ing.flush(true);
  console.log(`flushed to the embedded store in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
const q = chunkStore ? chunkStore.queryable(tenant) : ing.queryable(tenant);
const engine = new Engine();
// for bench/cpuprofile-summary.ts --from: the query phase alone, on the profile's clock
console.error(`query phase from ${process.hrtime.bigint() / 1000n} µs`);
/** CPU milliseconds of this process so far: steadier than wall time on a shared machine. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const heapProfiler = args['heap-prof'] ? await startHeapSampling() : undefined;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const kinds = (args.kinds ?? '').split(',');
let fresh = 0;
if (args.pooled) await runPooled(args.pooled.split(',').map(Number));
for (const expr of args.pooled ? [] : QUERIES)
  for (const kind of kinds) {
    const times = { select: [] as number[], load: [] as number[], eval: [] as number[], render: [] as number[] };
    let bytes = 0;
    for (let r = 0; r < Number(args.runs); r++) {
      const query = `(${expr}) + 0 * ${++fresh}`;
      t0 = cpuMs();
      const inline = kind.endsWith('-inline');
      const p = kind.startsWith('instant')
        ? engine.prepareInstant(query, END)
        : kind.startsWith('range24h')
          ? engine.prepareRange(query, END - 86_400_000, END, 300_000)
          : engine.prepareRange(query, END - 7_200_000, END, 30_000);
      const { mint, maxt } = dataRange(p);
      const querier = q.querier(mint, maxt);
      const sets: Series[][] = [];
      for (const { vs, range } of p.selectors)
        sets.push(await querier.select(true, selectHints(p, range), vs.matchers));
      const t1 = cpuMs();
      if (inline) {
        // evaluated from the selected series themselves, as an in-thread evaluation reads them
        const direct = new Map(p.selectors.map(({ vs }, i) => [vs, sets[i]!]));
        const res = evaluateSeries(p, direct, new AbortController().signal as never, Date.now);
        const t3 = cpuMs();
        bytes = encodeSeriesResult(res, true).rendered?.length ?? 0;
        const t4 = cpuMs();
        times.select.push(t1 - t0);
        times.load.push(0);
        times.eval.push(t3 - t1);
        times.render.push(t4 - t3);
        continue;
      }
      const collector = new BatchCollector({ maxSamples: 0, maxBytes: 0 });
      const batches: SeriesBatch[] = [];
      for (const [i, s] of sets.entries()) {
        const { mint: lo, maxt: hi } = p.selectors[i]!.range;
        batches.push(await collector.collect(s, lo, hi, () => undefined));
      }
      const t2 = cpuMs();
      const selected = new Map(p.selectors.map(({ vs }, i) => [vs, batchSeries(batches[i]!)]));
      const res = evaluateSeries(p, selected, new AbortController().signal as never, Date.now);
      const t3 = cpuMs();
      const enc = encodeSeriesResult(res, true);
      bytes = enc.rendered?.length ?? 0;
      const t4 = cpuMs();
      times.select.push(t1 - t0);
      times.load.push(t2 - t1);
      times.eval.push(t3 - t2);
      times.render.push(t4 - t3);
    }
    const m = (xs: number[]) => median(xs).toFixed(1).padStart(7);
    const totals = times.select.map((x, i) => x + times.load[i]! + times.eval[i]! + times.render[i]!);
    const total = median(totals);
    // the minimum too: on a shared machine it moves less than the median between two runs
    console.log(
      `${kind.padEnd(8)} total ${total.toFixed(1).padStart(7)} ms (min ${Math.min(...totals).toFixed(1)}, select min ${Math.min(...times.select).toFixed(1)}): select ${m(times.select)} load ${m(times.load)} eval ${m(times.eval)} render ${m(times.render)}  (${(bytes / 1024).toFixed(0)} KB)  ${expr}`,
    );
  }
if (heapProfiler) {
  writeFileSync(args['heap-prof']!, JSON.stringify(await heapProfiler.stop()));
  console.error(`heap profile of the query phase: ${args['heap-prof']}`);
}
await ing.stop();

/** `--pooled`: each query through the server's PooledEngine, the shard counts alternating. */
async function runPooled(counts: number[]): Promise<void> {
  const pool = new EvalPool({ size: availableParallelism() + 1 });
  const pooled = new PooledEngine(engine, pool, undefined, undefined, SERVER_INLINE);
  for (const expr of QUERIES)
    for (const kind of kinds) {
      const ms = new Map<number, number[]>(counts.map((c) => [c, []]));
      for (let r = 0; r < Number(args.runs); r++)
        for (const shards of counts) {
          const query = `(${expr}) + 0 * ${++fresh}`;
          const start = performance.now();
          const opts = { shards, render: true };
          if (kind.startsWith('instant')) await pooled.instantQuery(q, query, END, opts);
          else if (kind.startsWith('range24h')) await pooled.rangeQuery(q, query, END - 86_400_000, END, 300_000, opts);
          else await pooled.rangeQuery(q, query, END - 7_200_000, END, 30_000, opts);
          ms.get(shards)!.push(performance.now() - start);
        }
      const cells = counts.map((c) => `${c} shards ${median(ms.get(c)!).toFixed(1).padStart(7)} ms`);
      console.log(`${kind.padEnd(8)} ${cells.join('  ')}  ${expr}`);
    }
  await pool.close();
}

/** V8's sampling heap profiler (what `--heap-prof` uses), started now instead of at process start. */
async function startHeapSampling(): Promise<{ stop(): Promise<unknown> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((res, rej) => session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r))));
  await post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    async stop() {
      const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
      session.disconnect();
      return profile;
    },
  };
}
