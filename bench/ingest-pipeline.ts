/**
 * The write path in one process, without HTTP: snappy → decode → distributor → real ingester (WAL on
 * in a temp dir), over every series of the bench workload in turn, so caches see the real working set.
 * Prints µs of CPU per sample for each stage (cumulative). Run by hand:
 *
 *   node --expose-gc --import tsx bench/ingest-pipeline.ts [series=100000] [seconds=5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createPushHandler, Distributor } from '../data-plane/distributor/index.js';
import { Ingester } from '../data-plane/ingester/index.js';
import type { TenantId } from '../data-plane/model/index.js';
import { decodeWriteRequest, seriesCache, snappyDecode } from '../data-plane/remotewrite/index.js';
import { Overrides, StaticTenantLimitsSource } from '../data-plane/validation/index.js';
import { buildBatches, renderBatch } from './ingest-workload.js';

const N = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 5);
const tenant = 'bench' as TenantId;
const batches = buildBatches(N, 2000);
const dir = await mkdtemp(join(tmpdir(), 'bench-pipeline-'));
const limits = new Overrides(
  new StaticTenantLimitsSource(
    new Map([
      [
        tenant,
        {
          ingestion_rate: 1e9,
          ingestion_burst_size: 1e10,
          max_global_series_per_user: 0,
          max_global_series_per_metric: 0,
        },
      ],
    ]),
  ),
);
const ingester = new Ingester({
  walDir: dir,
  limits: {
    maxGlobalSeriesPerUser: () => 0,
    maxGlobalSeriesPerMetric: () => 0,
    outOfOrderTimeWindowMs: () => 0,
    maxGlobalExemplarsPerUser: () => 0,
    maxMetadataPerUser: () => 1000,
  },
  registry: new Registry(),
});
await ingester.start();
const d = new Distributor({ limits, ingester, registry: new Registry() });
const handler = createPushHandler(d, { maxDecompressedBytes: 64 << 20 });

let round = 0;
let t = Date.now();
async function stage(name: string, fn: (body: Uint8Array) => unknown): Promise<void> {
  let samples = 0;
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
  console.log(
    `${name.padEnd(34)} ${us.toFixed(3)} µs CPU/sample  ${Math.round(samples / wall).toLocaleString('en-US')} samples/s`,
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
await stage('push handler (+distributor+ingester)', push);
await ingester.stop();
await rm(dir, { recursive: true, force: true });
