/**
 * The server under test for `npm run bench:ingest -- --start-server`: `cortexctl server --dev` composed
 * in this process (the same `startServer` the CLI calls), in a temporary data dir, WAL on. Started by
 * bench/ingest.ts as a child with an IPC channel: it prints `READY <url>` and answers `{ op: 'stats' }`
 * with CPU seconds and heap/ArrayBuffer bytes after a full GC (run with `--expose-gc`);
 * `{ op: 'prof-start' }` / `{ op: 'prof-stop', file }` record a V8 CPU profile of a window (`alloc-start` /
 * `alloc-stop`: a sampling heap profile);
 * `{ op: 'flush' }` seals and flushes every chunk to the store (Cortex's `/flush`) and
 * `{ op: 'checkpoint' }` writes a WAL checkpoint, each answering `{ seconds }` when done.
 *
 *   node --expose-gc --import tsx bench/ingest-server.ts <dataDir> <rootToken> [fsync] [decodeWorkers]
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { startServer } from '../cli/server/compose.js';

const [dataDir, rootToken, fsync, decodeWorkers] = process.argv.slice(2);
if (dataDir === undefined || rootToken === undefined) throw new Error('usage: ingest-server.ts <dataDir> <rootToken>');

const server = await startServer(
  {
    dev: true,
    host: '127.0.0.1',
    port: 0,
    dataDir,
    rootToken,
    clusterSecret: 'bench-cluster-secret-0123456789',
    postgresUrl: undefined,
    migrate: true,
    walFsync: (fsync ?? 'batch') as 'always' | 'batch' | 'never',
    ...(decodeWorkers !== undefined ? { decodeWorkers: Number(decodeWorkers) } : {}),
    storage: { kind: 'embedded' },
  },
  (line) => process.stderr.write(`${line}\n`),
);
process.stdout.write(`READY ${server.url}\n`);

const gc = (globalThis as { gc?: () => void }).gc;
let session: Session | undefined;
let allocSession: Session | undefined;
process.on('message', async (msg: { op?: string; file?: string; id?: number }) => {
  // CPU profile of a window (the steady phase), not of start-up and shutdown.
  if (msg.op === 'prof-start') {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    process.send?.({ ok: true, id: msg.id });
    return;
  }
  if (msg.op === 'prof-stop' && session !== undefined && msg.file !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(msg.file, JSON.stringify(profile));
    session.disconnect();
    session = undefined;
    process.send?.({ ok: true, id: msg.id });
    return;
  }
  // Where a window allocates (objects collected since included): young-generation churn is GC time.
  if (msg.op === 'alloc-start') {
    allocSession = new Session();
    allocSession.connect();
    await allocSession.post('HeapProfiler.enable');
    await allocSession.post('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    process.send?.({ ok: true, id: msg.id });
    return;
  }
  if (msg.op === 'alloc-stop' && allocSession !== undefined && msg.file !== undefined) {
    const { profile } = await allocSession.post('HeapProfiler.stopSampling');
    writeFileSync(msg.file, JSON.stringify(profile));
    allocSession.disconnect();
    allocSession = undefined;
    process.send?.({ ok: true, id: msg.id });
    return;
  }
  if (msg.op === 'flush' || msg.op === 'checkpoint') {
    const ingester = server.dataPlane.ingester;
    const t0 = performance.now();
    await (msg.op === 'flush' ? ingester.flush(true) : ingester.checkpoint());
    process.send?.({ seconds: (performance.now() - t0) / 1000, id: msg.id });
    return;
  }
  if (msg.op !== 'stats') return;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  process.send?.({
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    heapUsed: m.heapUsed,
    arrayBuffers: m.arrayBuffers,
    external: m.external,
    rss: m.rss,
    gc: gc !== undefined,
    id: msg.id,
  });
});

const stop = () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
