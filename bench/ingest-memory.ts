/**
 * Memory of the write path in one process, without HTTP or worker threads (the figures the issue's
 * "heap per active series" and the GC's churn come from), run by hand:
 *
 *   node --expose-gc --import tsx bench/ingest-memory.ts [series=100000] [samples=120]
 *
 * Pushes the bench workload (bench/ingest-workload.ts) as a decode worker's columns would arrive
 * (`decodeColumns` + `wireFromColumns`, the 1.0 fast path) through a real distributor into a real
 * ingester (no WAL), `samples` rounds, then prints:
 * - heap + ArrayBuffer bytes per series after two full GCs, against the same before the first push
 *   (decoder cache, distributor memo and head, everything the series keep alive);
 * - bytes allocated per sample by the steady pushes (V8's sampling heap profiler, objects already
 *   collected included), split by allocating function: what the young generation has to sweep.
 */
import { Session } from 'node:inspector/promises';
import { Registry } from 'prom-client';
import { Distributor } from '../data-plane/distributor/index.js';
import { Ingester } from '../data-plane/ingester/index.js';
import type { TenantId } from '../data-plane/model/index.js';
import { decodeColumns, seriesCache, snappyDecode, wireFromColumns } from '../data-plane/remotewrite/index.js';
import { unlimited } from './ingest-limits.js';
import { buildBatches, renderBatch } from './ingest-workload.js';

interface HeapProfileNode {
  callFrame: { functionName: string };
  selfSize: number;
  children: HeapProfileNode[];
}

const N = Number(process.argv[2] ?? 100_000);
const S = Number(process.argv[3] ?? 120);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const tenant = 'bench' as TenantId;
const used = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const batches = buildBatches(N, 2000);
const { overrides: limits, ingester: ingesterLimits } = unlimited(tenant);
const ingester = new Ingester({
  limits: ingesterLimits,
  registry: new Registry(),
  flushPeriodMs: 0,
});
await ingester.start();
const d = new Distributor({ limits, ingester, registry: new Registry() });
// After the workload is built: its buffers are not the series' memory.
const base = used();

let t = Date.now() - (S + 5) * 15_000;
const round = async (r: number) => {
  t += 15_000;
  // Columns are made before the pushes: on the server a worker thread makes them.
  const columns = batches.map((b) => decodeColumns(snappyDecode(renderBatch(b, t, r), 64 << 20))!);
  return async () => {
    for (const c of columns) {
      const res = await d.push(tenant, wireFromColumns(c, seriesCache));
      if (res.errors.length > 0) throw new Error(res.errors[0]!.error.message);
    }
  };
};
for (let r = 0; r < S; r++) await (await round(r))();
const perSeries = (used() - base) / N;

// Five more rounds under the sampling heap profiler (on top of the S samples measured above).
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
const profiled = 5;
for (let r = S; r < S + profiled; r++) {
  const push = await round(r);
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await push();
  if (r < S + profiled - 1) await session.post('HeapProfiler.stopSampling');
}
// Only the last round's profile is read: each round restarts the sampling (decoding is left out).
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: HeapProfileNode } };
const byFunction = new Map<string, number>();
let total = 0;
const walk = (n: HeapProfileNode) => {
  total += n.selfSize;
  if (n.selfSize > 0)
    byFunction.set(
      n.callFrame.functionName || '(anonymous)',
      (byFunction.get(n.callFrame.functionName || '(anonymous)') ?? 0) + n.selfSize,
    );
  for (const c of n.children) walk(c);
};
walk(profile.head);
const samples = N;
const top = [...byFunction]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 6)
  .map(([f, n]) => `${f} ${Math.round(n / samples)}`)
  .join(', ');
console.log(
  `${N.toLocaleString('en-US')} series x ${S} samples: ${Math.round(perSeries).toLocaleString('en-US')} B heap + ArrayBuffers per series; ` +
    `steady pushes allocate ${Math.round(total / samples)} B per sample (${top})`,
);
await ingester.stop();
