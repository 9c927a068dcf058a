import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Counter, type Registry } from 'prom-client';
import type { ColumnarWriteRequest } from '../remotewrite/index.js';
import type { DecodeReply, DecodeTask } from './decode-protocol.js';

export interface DecodePoolOptions {
  /** Decode threads (at least 1). */
  size: number;
  /** Told when a worker died (crash, out of memory, killed); it is replaced at once. */
  onWorkerLost?: (reason: string) => void;
  /** Where `cortex_distributor_decode_worker_*` are registered (none without). */
  registry?: Registry;
}

interface Slot {
  /** Started on the first request, so a process that never receives a large body starts no thread. */
  worker: Worker | undefined;
  /** Requests sent to this worker and not answered yet. */
  jobs: Map<number, (c: ColumnarWriteRequest | undefined) => void>;
  /** `close()` waiting for `jobs` to empty. */
  drained: (() => void)[];
  /** Its worker failed before ever answering (it cannot load): not restarted, the caller decodes. */
  broken?: boolean;
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
  /** Requests handed back undecoded because their worker died (the caller decoded them). */
  handedBack = 0;
  private readonly requests: Counter<'outcome'> | undefined;
  private readonly restartsTotal: Counter | undefined;

  constructor(private readonly opts: DecodePoolOptions) {
    if (opts.registry) {
      this.requests = new Counter({
        name: 'cortex_distributor_decode_worker_requests_total',
        help: 'Remote-write bodies sent to a decode worker, by outcome: decoded there, left to the main thread (a shape or bytes only the full decoder handles), or worker lost.',
        labelNames: ['outcome'],
        registers: [opts.registry],
      });
      this.restartsTotal = new Counter({
        name: 'cortex_distributor_decode_worker_restarts_total',
        help: 'Decode workers replaced after they died.',
        registers: [opts.registry],
      });
    }
    for (let i = 0; i < Math.max(1, opts.size); i++)
      this.slots.push({ worker: undefined, jobs: new Map(), drained: [] });
  }

  get size(): number {
    return this.slots.length;
  }

  /** Requests sent to workers and not answered yet. */
  get inFlight(): number {
    let n = 0;
    for (const s of this.slots) n += s.jobs.size;
    return n;
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
    let slot: Slot | undefined;
    for (const s of this.slots) if (!s.broken && (slot === undefined || s.jobs.size < slot.jobs.size)) slot = s;
    if (this.closed || slot === undefined) return Promise.resolve(undefined);
    const id = this.nextId++;
    // A copy of exactly these bytes (a Buffer's slice() would share, and transferring its buffer
    // would detach the caller's bytes, or hand over a whole pool slab).
    const copy = new Uint8Array(body.byteLength);
    copy.set(body);
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
    let answered = false;
    const settled = () => {
      if (slot.jobs.size > 0) return;
      for (const done of slot.drained.splice(0)) done();
    };
    w.on('message', (reply: DecodeReply) => {
      answered = true;
      const resolve = slot.jobs.get(reply.id);
      if (resolve === undefined) return;
      slot.jobs.delete(reply.id);
      this.requests?.inc({ outcome: reply.columns ? 'decoded' : 'left_to_main_thread' });
      resolve(reply.columns);
      settled();
    });
    let lost = false;
    const onLost = (reason: string, failed: boolean) => {
      if (lost) return;
      lost = true;
      // Whatever this worker held is decoded again on the main thread: nothing is lost.
      for (const resolve of slot.jobs.values()) resolve(undefined);
      this.handedBack += slot.jobs.size;
      if (slot.jobs.size > 0) this.requests?.inc({ outcome: 'worker_lost' }, slot.jobs.size);
      slot.jobs.clear();
      settled();
      slot.worker = undefined;
      if (this.closed) return;
      if (failed && !answered) {
        // Restarting a worker that cannot even start would spin; this slot's share goes inline.
        slot.broken = true;
        this.opts.onWorkerLost?.(`${reason}; not restarted, its requests are decoded on the main thread`);
        return;
      }
      this.start(slot);
      this.restarts++;
      this.restartsTotal?.inc();
      this.opts.onWorkerLost?.(reason);
    };
    w.on('error', (err) => onLost(`decode worker failed: ${err.message}`, true));
    w.on('exit', (code) => onLost(`decode worker exited (${code})`, false));
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
