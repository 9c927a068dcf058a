/**
 * A query worker thread: evaluates prepared queries over the series batches the pool sends, and
 * stops at the next check when its shared cancel flag is raised. Nothing else lives here: no
 * storage, no tenants, no HTTP.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { CortexError, InternalError, Labels } from '../../model/index.js';
import type { AggregateExpr, Expr, VectorSelector } from '../ast.js';
import type { CancelSignal, QueryContext } from '../context.js';
import { Engine, evaluateSeries, evaluatorFor, queryError } from '../engine.js';
import type { Evaluator } from '../evaluator.js';
import type { SeriesOut } from '../value.js';
import { CancelFlag, type EvalReply, type EvalTask, type PartialResult, type WorkerInit } from './protocol.js';
import { encodeSeriesResult, resultBuffers } from './result-codec.js';
import { batchSeries } from './series-batch.js';
import {
  decodeSeriesList,
  type EncodedSeriesList,
  encodeSeriesList,
  mergeAverages,
  mergeExpr,
  partialsOf,
  placeholder,
  seriesListBuffers,
} from './shard-eval.js';
import { preorder } from './shard-plan.js';

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
    const shard = task.shard;
    if (shard?.mode === 'partial') {
      const nodes = preorder(p.expr);
      const { ctx, ev } = evaluatorFor(p, selected, signal, Date.now);
      const partials = shard.nodes.map((i) => {
        const node = nodes[i] as AggregateExpr;
        const aggs = partialsOf(node);
        // several partials of one node share its input: evaluate that once
        if (aggs.length > 1) ctx.precomputed.set(node.expr, ev.eval(node.expr));
        return aggs.map((n) => encodeSeriesList(ev.evalVector(n)));
      });
      transfer = seriesListBuffers(partials.flat());
      const result: PartialResult = {
        partials,
        warnings: [...ctx.warnings],
        infos: [...ctx.infos],
        samplesLoaded: ctx.samplesLoaded,
      };
      reply = { id: task.id, ok: true, result };
    } else {
      const setup = shard?.mode === 'final' ? mergePartials(p.expr, shard.nodes, shard.partials) : undefined;
      const result = encodeSeriesResult(evaluateSeries(p, selected, signal, Date.now, setup), task.render);
      transfer = resultBuffers(result);
      reply = { id: task.id, ok: true, result };
    }
  } catch (err) {
    const e = err instanceof CortexError ? err : queryError(err, signal);
    reply = { id: task.id, ok: false, error: { kind: e.kind, message: e.message, errorId: e.id } };
  }
  parentPort!.postMessage(reply, transfer);
});

/** Gives each sharded node its value: the merge of every shard's partials, on the query's evaluator. */
function mergePartials(
  expr: Expr,
  nodeIndexes: number[],
  partials: EncodedSeriesList[][][],
): (ev: Evaluator, ctx: QueryContext) => void {
  return (ev, ctx) => {
    const nodes = preorder(expr);
    nodeIndexes.forEach((ni, k) => {
      const node = nodes[ni] as AggregateExpr;
      const unions = partialsOf(node).map((_, j) => {
        const union: SeriesOut[] = [];
        for (const list of partials[k]![j]!) decodeSeriesList(list, union);
        // in the selectors' (label) order, so topk/bottomk break ties as the unsharded query does
        if (node.op === 'topk' || node.op === 'bottomk') union.sort((a, b) => Labels.compare(a.metric, b.metric));
        return union;
      });
      const averaged =
        node.op === 'avg' ? mergeAverages(unions[0]!, unions[1]!, (m) => ctx.warn(m, node.expr.pos)) : undefined;
      if (averaged) {
        ctx.precomputed.set(node, { kind: 'vector', series: averaged });
        return;
      }
      const inputs = unions.map((series) => {
        const ph = placeholder(node);
        ctx.precomputed.set(ph, { kind: 'vector', series });
        return ph;
      });
      ctx.precomputed.set(node, ev.eval(mergeExpr(node, inputs)));
    });
  };
}

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
