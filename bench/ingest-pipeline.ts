/**
 * The write path in one process, without HTTP: snappy → decode → distributor → real ingester (WAL on
 * in a temp dir), over every series of the bench workload in turn, so caches see the real working set.
 * Prints µs of CPU and of GC per sample for each stage (cumulative). The "columns" stages are what a
 * decode worker's answer costs this thread (`decodeColumns` itself runs on the worker there). Run by hand:
 *
 *   node --expose-gc --import tsx bench/ingest-pipeline.ts [series=100000] [seconds=5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { createPushHandler, Distributor } from '../data-plane/distributor/index.js';
import { Ingester } from '../data-plane/ingester/index.js';
import type { TenantId } from '../data-plane/model/index.js';
import {
  decodeColumns,
  decodeWriteRequest,
  seriesCache,
  snappyDecode,
  wireFromColumns,
} from '../data-plane/remotewrite/index.js';
import { unlimited } from './ingest-limits.js';
import { buildBatches, renderBatch } from './ingest-workload.js';

const N = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 5);
const tenant = 'bench' as TenantId;
const batches = buildBatches(N, 2000);
const dir = await mkdtemp(join(tmpdir(), 'bench-pipeline-'));
const { overrides: limits, ingester: ingesterLimits } = unlimited(tenant);
const ingester = new Ingester({
  walDir: dir,
  limits: ingesterLimits,
  registry: new Registry(),
});
await ingester.start();
const d = new Distributor({ limits, ingester, registry: new Registry() });
const handler = createPushHandler(d, { maxDecompressedBytes: 64 << 20 });

let round = 0;
let t = Date.now();
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });
async function stage(name: string, fn: (body: Uint8Array) => unknown): Promise<void> {
  let samples = 0;
  const gc0 = gcMs;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    t++;
    round++;
    for (const b of batches) {
      await fn(renderBatch(b, t, round));
      samples += b.samples;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const us = (cpu.user + cpu.system) / samples;
  const wall = (performance.now() - start) / 1000;
  // GC entries arrive from a later tick: let them in before reading the total.
  await new Promise((r) => setImmediate(r));
  const gcUs = ((gcMs - gc0) * 1000) / samples;
  console.log(
    `${name.padEnd(38)} ${us.toFixed(3)} µs CPU/sample (GC ${gcUs.toFixed(3)})  ${Math.round(samples / wall).toLocaleString('en-US')} samples/s`,
  );
}

const push = async (b: Uint8Array) => {
  const r = await handler({
    tenantId: tenant,
    contentType: 'application/x-protobuf',
    contentEncoding: 'snappy',
    remoteWriteVersion: '0.1.0',
    body: b,
  });
  if (r.status !== 204) throw new Error(`${r.status} ${r.body}`);
};
{
  const cpu0 = process.cpuUsage();
  t++;
  round++;
  for (const b of batches) await push(renderBatch(b, t, round));
  const cpu = process.cpuUsage(cpu0);
  console.log(`${'create every series'.padEnd(34)} ${((cpu.user + cpu.system) / N).toFixed(3)} µs CPU/series`);
}
await stage('render only', () => undefined);
await stage('snappy', (b) => snappyDecode(b, 64 << 20));
await stage('snappy + decode', (b) => decodeWriteRequest(snappyDecode(b, 64 << 20), { cache: seriesCache }));
await stage('snappy + columns + wireFromColumns', (b) =>
  wireFromColumns(decodeColumns(snappyDecode(b, 64 << 20))!, seriesCache),
);
await stage('push handler (+distributor+ingester)', push);
await stage('push from columns (+distributor+ingester)', async (b) => {
  const r = await d.push(tenant, wireFromColumns(decodeColumns(snappyDecode(b, 64 << 20))!, seriesCache));
  if (r.errors.length > 0) throw new Error(r.errors[0]!.error.message);
});
await ingester.stop();
await rm(dir, { recursive: true, force: true });
