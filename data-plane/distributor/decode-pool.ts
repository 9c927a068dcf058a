import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ColumnarWriteRequest } from '../remotewrite/index.js';
import type { DecodeReply, DecodeTask } from './decode-protocol.js';

export interface DecodePoolOptions {
  /** Decode threads (at least 1). */
  size: number;
  /** Told when a worker died (crash, out of memory, killed); it is replaced at once. */
  onWorkerLost?: (reason: string) => void;
}

interface Slot {
  /** Started on the first request, so a process that never receives a large body starts no thread. */
  worker: Worker | undefined;
  /** Requests sent to this worker and not answered yet. */
  jobs: Map<number, (c: ColumnarWriteRequest | undefined) => void>;
  /** `close()` waiting for `jobs` to empty. */
  drained: (() => void)[];
}

/**
 * Remote-write decoding (snappy + the protobuf walk) on worker threads, so the main thread's share
 * of a push is the series lookup, validation and the append. A worker never owns anything that
 * matters for durability: the main thread keeps the request's body, and a request whose worker
 * dies, or that a worker cannot decode, resolves `undefined`, meaning "decode it on the main
 * thread". So a crash costs a little time, never a request; the worker is replaced at once.
 */
export class DecodePool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  /** Workers replaced after dying since the pool started. */
  restarts = 0;

  constructor(private readonly opts: DecodePoolOptions) {
    for (let i = 0; i < Math.max(1, opts.size); i++)
      this.slots.push({ worker: undefined, jobs: new Map(), drained: [] });
  }

  get size(): number {
    return this.slots.length;
  }

  /** Workers currently started (they start on first use and are replaced when lost). */
  get running(): number {
    return this.slots.filter((s) => s.worker !== undefined).length;
  }

  /**
   * Decodes a compressed remote-write 1.0 body into columns on the least busy worker; `body` is
   * copied, not taken. Resolves `undefined` when the caller must decode it itself: the request has
   * a shape the columnar decoder leaves to the full one (metadata, exemplars, histograms, …), the
   * bytes are bad (the full decoder names the problem), its worker died, or the pool is closed.
   * Never rejects.
   */
  decode(body: Uint8Array, maxDecompressedBytes: number): Promise<ColumnarWriteRequest | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.jobs.size < slot.jobs.size) slot = s;
    const id = this.nextId++;
    const copy = body.slice();
    const task: DecodeTask = { id, body: copy.buffer, maxDecompressedBytes };
    const w = slot.worker ?? this.start(slot);
    return new Promise((resolve) => {
      slot.jobs.set(id, resolve);
      w.postMessage(task, [copy.buffer]);
    });
  }

  /**
   * Stops taking requests, waits for the ones in flight (each resolves, decoded or not), then ends
   * the workers. Later `decode` calls resolve `undefined`.
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.jobs.size > 0) await new Promise<void>((done) => s.drained.push(done));
        await s.worker?.terminate();
      }),
    );
  }

  /** Terminates worker `index` at once, as a crash would (fault tests). It is replaced like any lost worker. */
  kill(index: number): Promise<number> {
    const w = this.slots[index]?.worker;
    if (w === undefined) throw new RangeError(`decode worker ${index} is not running`);
    return w.terminate();
  }

  private start(slot: Slot): Worker {
    const w = spawnWorker();
    w.unref();
    slot.worker = w;
    const settled = () => {
      if (slot.jobs.size > 0) return;
      for (const done of slot.drained.splice(0)) done();
    };
    w.on('message', (reply: DecodeReply) => {
      const resolve = slot.jobs.get(reply.id);
      if (resolve === undefined) return;
      slot.jobs.delete(reply.id);
      resolve(reply.columns);
      settled();
    });
    let lost = false;
    const onLost = (reason: string) => {
      if (lost) return;
      lost = true;
      // Whatever this worker held is decoded again on the main thread: nothing is lost.
      for (const resolve of slot.jobs.values()) resolve(undefined);
      slot.jobs.clear();
      settled();
      slot.worker = undefined;
      if (this.closed) return;
      this.start(slot);
      this.restarts++;
      this.opts.onWorkerLost?.(reason);
    };
    w.on('error', (err) => onLost(`decode worker failed: ${err.message}`));
    w.on('exit', (code) => onLost(`decode worker exited (${code})`));
    return w;
  }
}

/**
 * Starts decode-worker.js next to this module; from TypeScript sources (tests, `tsx`) it loads
 * through tsx, since a worker thread does not inherit the parent's module hooks.
 */
function spawnWorker(): Worker {
  const here = import.meta.url;
  // Decoding holds one request at a time; a bounded heap keeps a hostile body from growing it.
  const options = { resourceLimits: { maxOldGenerationSizeMb: 512 } };
  if (!here.endsWith('.ts')) return new Worker(new URL('./decode-worker.js', here), options);
  const require = createRequire(here);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = require(pkgPath) as { exports: Record<string, { import: { default: string } }> };
  const tsx = new URL(pkg.exports['./esm/api']!.import.default, pathToFileURL(pkgPath)).href;
  const entry = new URL('./decode-worker.ts', here).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { ...options, eval: true });
}
