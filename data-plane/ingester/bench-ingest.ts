/**
 * Ingester measurements (run by hand, not part of the test suite):
 *
 *   node --expose-gc --import tsx data-plane/ingester/bench-ingest.ts [series=100000] [walDir]
 *
 * Reports heap bytes per active series (~10 labels, node_exporter-like, 10 samples each) and push
 * throughput: series creation, then steady-state appends of 2,000-series requests, with and without
 * a WAL. Label strings are built at run time, as a remote-write decoder would, so nothing is shared
 * by accident through string literals.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Labels, type TenantId, type WriteRequest } from '../model/index.js';
import { Ingester } from './index.js';

const N = Number(process.argv[2] ?? 100_000);
const BATCH = 2000;
const tenant = 'bench' as TenantId;
const gc = (globalThis as { gc?: () => void }).gc;
/** Heap plus ArrayBuffer backing stores (chunk bytes live outside the V8 heap). */
const heap = () => {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

function labelsFor(i: number): Labels {
  const host = Math.floor(i / 1000);
  const local = i % 1000;
  // Sorted names; values repeat across series like real targets (per host, per region, …).
  return Labels.fromSortedFlat([
    '__name__',
    `node_metric_${local % 50}_total`,
    'az',
    `az-${host % 3}`,
    'cluster',
    `cluster-${host % 4}`,
    'cpu',
    `${local}`,
    'env',
    host % 2 ? 'prod' : 'staging',
    'instance',
    `host-${host}.eu-west-1.internal.example.com:9100`,
    'job',
    'node',
    'mode',
    `mode-${Math.floor(local / 50) % 8}`,
    'region',
    `eu-west-${host % 3}`,
    'team',
    `team-${host % 7}`,
  ]);
}

const allLabels = Array.from({ length: N }, (_, i) => labelsFor(i));

function request(from: number, t: number): WriteRequest {
  const timeseries = [];
  for (let i = from; i < Math.min(N, from + BATCH); i++) {
    timeseries.push({
      labels: allLabels[i]!,
      samples: [{ t, v: (i * 7 + t / 1000) % 1000 }],
      histograms: [],
      exemplars: [],
    });
  }
  return { timeseries, metadata: [] };
}

const limits = {
  maxGlobalSeriesPerUser: () => 0,
  maxGlobalSeriesPerMetric: () => 0,
  outOfOrderTimeWindowMs: () => 0,
  maxGlobalExemplarsPerUser: () => 0,
  maxMetadataPerUser: () => 0,
};

async function run(walDir: string | undefined, label: string): Promise<void> {
  const base = heap();
  const ing = new Ingester({ limits, walDir, fsync: 'batch', checkpointIntervalMs: 0 });
  await ing.start();
  const rounds = 10;
  // Requests are built before each timed round so we time the ingester, not the request builder.
  const round = (r: number) => {
    const rs: WriteRequest[] = [];
    for (let from = 0; from < N; from += BATCH) rs.push(request(from, 1_700_000_000_000 + r * 15_000));
    return rs;
  };
  let t0 = performance.now();
  // Creation round: 8 pushes in flight, like a distributor fanning in.
  const first = round(0);
  t0 = performance.now();
  await pushAll(ing, first);
  const createS = (performance.now() - t0) / 1000;
  let appendS = 0;
  for (let r = 1; r < rounds; r++) {
    const rs = round(r);
    t0 = performance.now();
    await pushAll(ing, rs);
    appendS += (performance.now() - t0) / 1000;
  }
  const appended = N * (rounds - 1);
  const used = heap() - base;
  console.log(
    `${label}: ${N} series created at ${Math.round(N / createS).toLocaleString()} series/s; ` +
      `steady appends ${Math.round(appended / appendS).toLocaleString()} samples/s; ` +
      `heap+arrayBuffers ${(used / N).toFixed(0)} B/series (${rounds} samples each)${gc ? '' : ' [run with --expose-gc]'}`,
  );
  if (walDir) {
    // Replay cost: from WAL segments (a crash before any checkpoint), then from a checkpoint.
    let t = performance.now();
    const fromSegments = new Ingester({ limits, walDir, checkpointIntervalMs: 0 });
    await fromSegments.start();
    const segS = (performance.now() - t) / 1000;
    t = performance.now();
    await ing.checkpoint();
    const cpS = (performance.now() - t) / 1000;
    t = performance.now();
    const fromCheckpoint = new Ingester({ limits, walDir, checkpointIntervalMs: 0 });
    await fromCheckpoint.start();
    const cpReplayS = (performance.now() - t) / 1000;
    console.log(
      `  replay from segments ${segS.toFixed(2)} s; checkpoint written in ${cpS.toFixed(2)} s; replay from checkpoint ${cpReplayS.toFixed(2)} s (${fromCheckpoint.stats(tenant).numSeries} series)`,
    );
  }
  await ing.stop();
}

async function pushAll(ing: Ingester, rs: WriteRequest[]): Promise<void> {
  const inflight = new Set<Promise<unknown>>();
  for (const r of rs) {
    const p: Promise<unknown> = ing.push(tenant, r).then(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= 8) await Promise.race(inflight);
  }
  await Promise.all(inflight);
}

await run(undefined, 'memory only');
const dir = process.argv[3] ?? (await mkdtemp(join(tmpdir(), 'ingester-bench-')));
try {
  await run(dir, 'with WAL (fsync=batch)');
} finally {
  if (!process.argv[3]) await rm(dir, { recursive: true, force: true });
}
