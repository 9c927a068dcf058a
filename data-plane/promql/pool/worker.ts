/**
 * A query worker thread: evaluates prepared queries over the series batches the pool sends, and
 * stops at the next check when its shared cancel flag is raised. Nothing else lives here: no
 * storage, no tenants, no HTTP.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { CortexError, InternalError } from '../../model/index.js';
import type { VectorSelector } from '../ast.js';
import type { CancelSignal } from '../context.js';
import { Engine, evaluatePrepared, queryError } from '../engine.js';
import { CancelFlag, type EvalReply, type EvalTask, type WorkerInit } from './protocol.js';
import { encodeResult, resultBuffers } from './result-codec.js';
import { batchSeries } from './series-batch.js';

const init = workerData as WorkerInit;
const flags = new Int32Array(init.flags);
lowerPriority(init.nice);

const signal: CancelSignal = {
  get aborted() {
    return Atomics.load(flags, init.slot) !== CancelFlag.None;
  },
  get reason() {
    return Atomics.load(flags, init.slot) === CancelFlag.TimedOut ? 'timeout' : 'canceled';
  },
};

// the pool sends each task's remaining time; the worker adds no timeout of its own
const engine = new Engine({ timeoutMs: Number.POSITIVE_INFINITY });

parentPort!.on('message', (task: EvalTask) => {
  let reply: EvalReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const opts = { lookbackDeltaMs: task.lookbackMs, maxSamples: task.maxSamples, timeoutMs: task.remainingMs };
    const p = task.instant
      ? engine.prepareInstant(task.query, task.start, opts)
      : engine.prepareRange(task.query, task.start, task.end, task.step, opts);
    if (p.selectors.length !== task.batches.length) throw new InternalError('worker: selector count mismatch');
    const selected = new Map<VectorSelector, ReturnType<typeof batchSeries>>();
    for (const [i, { vs }] of p.selectors.entries()) selected.set(vs, batchSeries(task.batches[i]!));
    const result = encodeResult(evaluatePrepared(p, selected, signal, Date.now), task.render);
    transfer = resultBuffers(result);
    reply = { id: task.id, ok: true, result };
  } catch (err) {
    const e = err instanceof CortexError ? err : queryError(err, signal);
    reply = { id: task.id, ok: false, error: { kind: e.kind, message: e.message, errorId: e.id } };
  }
  parentPort!.postMessage(reply, transfer);
});

parentPort!.postMessage('ready');

/** Lowers this thread's scheduling priority (Linux: a thread is a task with its own nice value). */
function lowerPriority(nice: number): void {
  if (nice <= 0) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // not Linux, or not permitted: the worker runs at normal priority
  }
}
