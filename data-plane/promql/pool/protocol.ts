import type { ErrorId, ErrorKind } from '../../model/index.js';
import type { EncodedResult } from './result-codec.js';
import type { SeriesBatch } from './series-batch.js';
import type { EncodedSeriesList } from './shard-eval.js';

/** One evaluation, as the pool sends it to a worker. */
export interface EvalTask {
  id: number;
  query: string;
  start: number;
  end: number;
  step: number;
  instant: boolean;
  lookbackMs: number;
  maxSamples: number;
  /** Time left (ms) when the task was sent; the worker's own clock counts it down. */
  remainingMs: number;
  /** One batch per selector, in the prepared query's selector order. */
  batches: SeriesBatch[];
  /** Render the API JSON on the worker too. */
  render: boolean;
  /**
   * Sharding (see shard-plan.ts): `partial` evaluates only the partial aggregates of the given nodes
   * over this shard's series; `final` evaluates the query with those nodes' values merged from every
   * shard's partials (`partials[node][partial]`: one list per shard).
   */
  shard?: { mode: 'partial'; nodes: number[] } | { mode: 'final'; nodes: number[]; partials: EncodedSeriesList[][][] };
}

/** What a `partial` task answers: per node, per partial aggregate, the shard's series. */
export interface PartialResult {
  partials: EncodedSeriesList[][];
  warnings: string[];
  infos: string[];
  samplesLoaded: number;
}

/** A worker's answer to a task. */
export type EvalReply =
  | { id: number; ok: true; result: EncodedResult | PartialResult }
  | { id: number; ok: false; error: { kind: ErrorKind; message: string; errorId: ErrorId | undefined } };

/** What the pool hands a new worker. */
export interface WorkerInit {
  /** One Int32 per worker: non-zero asks the running evaluation to stop (see CancelFlag). */
  flags: SharedArrayBuffer;
  slot: number;
  /** Niceness added to the worker's thread, so queries yield the CPU to ingestion (Linux). */
  nice: number;
}

/** Values of a worker's cancel flag. */
export const CancelFlag = { None: 0, Canceled: 1, TimedOut: 2 } as const;
