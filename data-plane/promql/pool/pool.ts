import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  CanceledError,
  CortexError,
  type ErrorId,
  type ErrorKind,
  ExecutionError,
  InternalError,
  TimeoutError,
} from '../../model/index.js';
import { CancelFlag, type EvalReply, type EvalTask, type PartialResult, type WorkerInit } from './protocol.js';
import type { EncodedResult } from './result-codec.js';

/** A finished task: a query's result, or a shard's partial aggregates. */
export type EvalOutcome = EncodedResult | PartialResult;

import { batchBuffers } from './series-batch.js';
import { seriesListBuffers } from './shard-eval.js';

export interface EvalPoolOptions {
  /** Worker threads (the cores queries may use). */
  size: number;
  /** Heap cap of one worker in MiB: a query beyond it ends its worker, not the process. */
  maxHeapMb?: number;
  /** How long a worker gets to honour a cancellation before it is terminated and replaced. */
  cancelGraceMs?: number;
  /** Niceness of the workers' threads (Linux), so evaluation yields the CPU to ingestion. */
  nice?: number;
  onWorkerLost?: (reason: string) => void;
}

/** How a task is queued and bounded. */
export interface RunOptions {
  /** Fairness key (the tenant): queues are served round-robin by key. */
  key: string;
  /** Workers one key may occupy at once; 0 = all but one when there are two or more. */
  maxPerKey: number;
  /** Absolute deadline (Date.now ms); past it the evaluation stops with a timeout. */
  deadline: number;
  signal?: AbortSignal | undefined;
}

export type TaskBody = Omit<EvalTask, 'id' | 'remainingMs'>;

interface Job {
  body: TaskBody;
  opts: RunOptions;
  resolve(r: EvalOutcome): void;
  reject(e: unknown): void;
  onAbort?: () => void;
}

interface Slot {
  index: number;
  worker: Worker | undefined;
  job: Job | undefined;
  timers: NodeJS.Timeout[];
}

/**
 * A pool of query worker threads with fair, bounded dispatch. Tasks wait in per-key FIFO queues served
 * round-robin, and one key may hold at most `maxPerKey` workers, so a tenant running expensive
 * queries waits for its own workers while others keep theirs. A running task stops at its deadline or
 * when its signal aborts: the worker sees a shared-memory flag at its next check, and one that does
 * not answer within the grace period is terminated and replaced.
 */
export class EvalPool {
  private readonly flags: Int32Array;
  private readonly slots: Slot[];
  private readonly queues = new Map<string, Job[]>();
  private readonly order: string[] = [];
  private readonly running = new Map<string, number>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: EvalPoolOptions) {
    const size = Math.max(1, Math.floor(opts.size));
    this.flags = new Int32Array(new SharedArrayBuffer(4 * size));
    this.slots = Array.from({ length: size }, (_, index) => ({ index, worker: undefined, job: undefined, timers: [] }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Queued tasks of a key (for metrics and tests). */
  queued(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  run(body: TaskBody, opts: RunOptions): Promise<EvalOutcome> {
    if (this.closed) return Promise.reject(new CanceledError('query engine is shutting down'));
    if (opts.signal?.aborted) return Promise.reject(abortReason(opts.signal));
    return new Promise<EvalOutcome>((resolve, reject) => {
      const job: Job = { body, opts, resolve, reject };
      let q = this.queues.get(opts.key);
      if (!q) {
        q = [];
        this.queues.set(opts.key, q);
        this.order.push(opts.key);
      }
      q.push(job);
      if (opts.signal) {
        job.onAbort = () => this.abortQueued(job);
        opts.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.dispatch();
    });
  }

  /** Starts every worker now and resolves once all are ready (otherwise they start on first use). */
  async warm(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.readyOf(s)));
  }

  private readonly ready = new WeakMap<Worker, Promise<void>>();

  private readyOf(slot: Slot): Promise<void> {
    const w = this.workerOf(slot);
    return this.ready.get(w) ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [key, q] of this.queues) {
      for (const job of q) this.settle(job, new CanceledError('query engine is shutting down'));
      this.queues.delete(key);
    }
    this.order.length = 0;
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.job) this.finish(s, new CanceledError('query engine is shutting down'));
        const w = s.worker;
        s.worker = undefined;
        await w?.terminate();
      }),
    );
  }

  private capFor(opts: RunOptions): number {
    const all = this.slots.length;
    if (opts.maxPerKey > 0) return Math.min(opts.maxPerKey, all);
    return all > 1 ? all - 1 : 1;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job || this.closed) continue;
      const job = this.nextJob();
      if (!job) return;
      this.start(slot, job);
    }
  }

  /** The first queued job, round-robin over keys, of a key still under its worker cap. */
  private nextJob(): Job | undefined {
    for (let i = 0; i < this.order.length; i++) {
      const key = this.order[i]!;
      const q = this.queues.get(key)!;
      const head = q[0]!;
      if ((this.running.get(key) ?? 0) >= this.capFor(head.opts)) continue;
      q.shift();
      this.order.splice(i, 1);
      if (q.length > 0) this.order.push(key);
      else this.queues.delete(key);
      return head;
    }
    return undefined;
  }

  private start(slot: Slot, job: Job): void {
    const remaining = job.opts.deadline - Date.now();
    if (remaining <= 0) {
      this.settle(job, new TimeoutError('query timed out in query execution'));
      return;
    }
    const key = job.opts.key;
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
    slot.job = job;
    Atomics.store(this.flags, slot.index, CancelFlag.None);
    const worker = this.workerOf(slot);
    const task: EvalTask = { ...job.body, id: this.nextId++, remainingMs: remaining };
    const transfer = batchBuffers(task.batches);
    if (task.shard?.mode === 'final')
      transfer.push(...task.shard.partials.flat(2).flatMap((l) => seriesListBuffers([l])));
    try {
      worker.postMessage(task, transfer);
    } catch (err) {
      // a task that cannot be sent (a detached buffer, a value structured clone refuses) fails alone
      // and frees its slot, rather than holding it forever
      this.finish(
        slot,
        new InternalError(`query could not be sent to a worker: ${(err as Error).message}`, { cause: err }),
      );
      return;
    }
    slot.timers.push(setTimeout(() => this.stop(slot, job, CancelFlag.TimedOut), remaining + 5));
    if (job.onAbort && job.opts.signal) {
      const signal = job.opts.signal;
      signal.removeEventListener('abort', job.onAbort);
      job.onAbort = () =>
        this.stop(slot, job, isTimeoutReason(signal.reason) ? CancelFlag.TimedOut : CancelFlag.Canceled);
      signal.addEventListener('abort', job.onAbort, { once: true });
    }
  }

  /** Asks the worker running `job` to stop; terminates it if it has not answered after the grace period. */
  private stop(slot: Slot, job: Job, why: (typeof CancelFlag)['Canceled' | 'TimedOut']): void {
    if (slot.job !== job) return;
    Atomics.store(this.flags, slot.index, why);
    const err =
      why === CancelFlag.TimedOut
        ? new TimeoutError('query timed out in query execution')
        : new CanceledError('query was canceled');
    slot.timers.push(
      setTimeout(() => {
        if (slot.job !== job) return;
        this.opts.onWorkerLost?.('query worker did not stop when asked; terminated');
        this.replace(slot);
        this.finish(slot, err);
      }, this.opts.cancelGraceMs ?? 250),
    );
  }

  private workerOf(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    const init: WorkerInit = {
      flags: this.flags.buffer as SharedArrayBuffer,
      slot: slot.index,
      nice: this.opts.nice ?? 0,
    };
    const w = spawnWorker(init, this.opts.maxHeapMb ?? 4096);
    w.unref();
    this.ready.set(
      w,
      new Promise<void>((resolve) => {
        const onReady = (m: unknown) => {
          if (m !== 'ready') return;
          w.off('message', onReady);
          resolve();
        };
        w.on('message', onReady);
        w.once('exit', () => resolve());
      }),
    );
    w.on('message', (reply: EvalReply | 'ready') => {
      if (reply === 'ready' || slot.worker !== w || !slot.job) return;
      this.finish(slot, reply.ok ? reply.result : replyError(reply.error));
    });
    const lost = (reason: string, err: unknown) => {
      if (slot.worker !== w) return;
      slot.worker = undefined;
      if (!slot.job) return;
      this.opts.onWorkerLost?.(reason);
      this.finish(slot, err);
    };
    w.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        lost(
          'query worker ran out of memory',
          new ExecutionError(
            'query processing exceeded the memory of a query worker (err-cortex-query-worker-memory). Narrow the selectors or the time range.',
            { id: 'err-cortex-query-worker-memory' },
          ),
        );
      } else lost(`query worker failed: ${err.message}`, new InternalError(`query worker failed: ${err.message}`));
    });
    w.on('exit', (code) => lost(`query worker exited (${code})`, new InternalError('query worker exited')));
    slot.worker = w;
    return w;
  }

  private replace(slot: Slot): void {
    const w = slot.worker;
    slot.worker = undefined;
    void w?.terminate();
  }

  /** Ends the slot's job with a result or an error and frees the slot. */
  private finish(slot: Slot, outcome: EvalOutcome | unknown): void {
    const job = slot.job;
    if (!job) return;
    slot.job = undefined;
    for (const t of slot.timers) clearTimeout(t);
    slot.timers = [];
    Atomics.store(this.flags, slot.index, CancelFlag.None);
    const key = job.opts.key;
    const n = (this.running.get(key) ?? 1) - 1;
    if (n > 0) this.running.set(key, n);
    else this.running.delete(key);
    this.settle(job, outcome);
    this.dispatch();
  }

  private settle(job: Job, outcome: EvalOutcome | unknown): void {
    if (job.onAbort) job.opts.signal?.removeEventListener('abort', job.onAbort);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome as EvalOutcome);
  }

  private abortQueued(job: Job): void {
    const q = this.queues.get(job.opts.key);
    const i = q ? q.indexOf(job) : -1;
    if (!q || i < 0) return;
    q.splice(i, 1);
    if (q.length === 0) {
      this.queues.delete(job.opts.key);
      const k = this.order.indexOf(job.opts.key);
      if (k >= 0) this.order.splice(k, 1);
    }
    job.reject(abortReason(job.opts.signal!));
  }
}

function isTimeoutReason(r: unknown): boolean {
  return r instanceof TimeoutError || (r instanceof Error && r.name === 'TimeoutError');
}

function abortReason(signal: AbortSignal): CortexError {
  return isTimeoutReason(signal.reason)
    ? new TimeoutError('query timed out in query execution')
    : new CanceledError('query was canceled');
}

/** Rebuilds the CortexError a worker reported (errors do not cross threads with their class). */
function replyError(e: { kind: ErrorKind; message: string; errorId: ErrorId | undefined }): CortexError {
  return new CortexError(e.kind, e.message, e.errorId ? { id: e.errorId } : undefined);
}

/**
 * A worker's young generation: 96 MB is 32 MB semi-spaces, twice V8's default. An evaluation's
 * arrays live for the whole query; in the default 16 MB they outlive two or three scavenges, are
 * copied each time, and are promoted to be collected again by a full GC. In process, a 32 MB
 * semi-space cut the fastest of nine runs of the dashboard queries by a quarter.
 */
const YOUNG_GENERATION_MB = 96;

/**
 * Starts a worker on worker.js next to this module; from TypeScript sources (tests, `tsx`) the worker
 * loads through tsx, since a worker thread does not inherit the parent's module hooks.
 */
function spawnWorker(init: WorkerInit, maxHeapMb: number): Worker {
  const here = import.meta.url;
  const options = {
    workerData: init,
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  };
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), options);
  const tsx = tsxEsmApi(here);
  const entry = new URL('./worker.ts', here).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { ...options, eval: true });
}

/** The file URL of tsx's ESM register API (its `import` export, which require.resolve would not pick). */
function tsxEsmApi(from: string): string {
  const require = createRequire(from);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = require(pkgPath) as { exports: Record<string, { import: { default: string } }> };
  return new URL(pkg.exports['./esm/api']!.import.default, pathToFileURL(pkgPath)).href;
}
