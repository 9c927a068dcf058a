/**
 * The main thread's share of a remote-write push on the server, in one process and without HTTP: the
 * bench workload's bodies are decoded to columns beforehand (a decode worker's job on the server),
 * then pushed through a real distributor into a real ingester with its WAL (fsync batch, temp dir).
 * Prints CPU µs per sample of the main thread alone (its run time in `/proc/self/task/<pid>/schedstat`,
 * so the WAL's threadpool and V8's GC helper threads are left out) and of the whole process, per
 * round of every series, then the main thread's CPU for a WAL checkpoint of it all; with `--cpu-prof`
 * Node writes the profile on exit. Run by hand:
 *
 *   node --expose-gc --import tsx bench/ingest-main-thread.ts [series=100000] [rounds=20]
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { Distributor } from '../data-plane/distributor/index.js';
import { Ingester } from '../data-plane/ingester/index.js';
import type { TenantId } from '../data-plane/model/index.js';
import { decodeColumns, seriesCache, snappyDecode, wireFromColumns } from '../data-plane/remotewrite/index.js';
import { unlimited } from './ingest-limits.js';
import { buildBatches, renderBatch } from './ingest-workload.js';

const N = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 20);
const tenant = 'bench' as TenantId;
const batches = buildBatches(N, 2000);
const dir = await mkdtemp(join(tmpdir(), 'bench-main-thread-'));
const { overrides: limits, ingester: ingesterLimits } = unlimited(tenant);
const ingester = new Ingester({ walDir: dir, limits: ingesterLimits, registry: new Registry(), flushPeriodMs: 0 });
await ingester.start();
const d = new Distributor({ limits, ingester, registry: new Registry() });

/** CPU seconds of the main thread (its task id is the process id), to the nanosecond. */
function mainThreadCpu(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
}

let t = Date.now() - (rounds + 5) * 15_000;
const perRound: { main: number; process: number }[] = [];
for (let r = 0; r < rounds; r++) {
  t += 15_000;
  const columns = batches.map((b) => decodeColumns(snappyDecode(renderBatch(b, t, r), 64 << 20))!);
  const main0 = mainThreadCpu();
  const cpu0 = process.cpuUsage();
  // Four pushes in flight, as the bench's four connections keep them.
  let next = 0;
  const lane = async () => {
    while (next < columns.length) {
      const res = await d.push(tenant, wireFromColumns(columns[next++]!, seriesCache));
      if (res.errors.length > 0) throw new Error(res.errors[0]!.error.message);
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  const cpu = process.cpuUsage(cpu0);
  // The first round creates every series: not the steady cost.
  if (r > 0) perRound.push({ main: mainThreadCpu() - main0, process: (cpu.user + cpu.system) / 1e6 });
}
// A WAL checkpoint of everything pushed: what it costs this thread (the pushes' share while it runs).
const cp0 = mainThreadCpu();
const cpStart = performance.now();
await ingester.checkpoint();
const checkpointCpu = mainThreadCpu() - cp0;
const checkpointWall = (performance.now() - cpStart) / 1000;
await ingester.stop();
await rm(dir, { recursive: true, force: true });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const us = (s: number) => ((s / N) * 1e6).toFixed(3);
const main = perRound.map((x) => x.main);
console.log(
  `${N.toLocaleString('en-US')} series, ${perRound.length} steady rounds: main thread ${us(mean(main))} µs CPU/sample (mean; median round ${us(median(main))}), ` +
    `whole process ${us(mean(perRound.map((x) => x.process)))} µs; main-thread rounds ${main.map(us).join(' ')}`,
);
console.log(
  `WAL checkpoint of ${N.toLocaleString('en-US')} series x ${rounds} samples: main thread ${(checkpointCpu * 1000).toFixed(0)} ms CPU (${((checkpointCpu / N) * 1e6).toFixed(2)} µs per series), ${checkpointWall.toFixed(2)} s wall`,
);
