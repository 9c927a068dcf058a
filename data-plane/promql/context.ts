import { CanceledError, ExecutionError, TimeoutError } from '../model/index.js';
import type { Series } from '../storage/index.js';
import type { Expr, PosRange, VectorSelector } from './ast.js';
import { positionOf } from './parser.js';
import type { EvalValue } from './value.js';

/** Per-query state shared by every (sub)evaluator: limits, annotations, selected series. */
export class QueryContext {
  readonly warnings = new Set<string>();
  readonly infos = new Set<string>();
  /** Series returned by the storage for each selector of the query (populated before evaluation). */
  readonly selected = new Map<VectorSelector, Series[]>();
  /** Values of nodes computed elsewhere (merged shard partials); evaluation returns them as they are. */
  readonly precomputed = new Map<Expr, EvalValue>();
  samplesLoaded = 0;
  private cur = 0;
  private ticks = 0;

  constructor(
    readonly query: string,
    readonly maxSamples: number,
    readonly deadline: number,
    readonly now: () => number,
    /** Cancellation: an AbortSignal, or anything with `aborted` (a shared flag inside a worker). */
    readonly signal: CancelSignal | undefined,
    /** Query start/end in ms, for `@ start()` / `@ end()` and start()/end(). */
    readonly queryStart: number,
    readonly queryEnd: number,
    readonly queryStep: number,
  ) {}

  warn(msg: string, pos: PosRange | undefined): void {
    this.warnings.add(`PromQL warning: ${msg}${pos ? ` (${positionOf(this.query, pos.start)})` : ''}`);
  }

  /**
   * A warning Prometheus merges by message (startTimeOverlapErr): the first position stays and
   * repeats are counted, `… (N occurrences) (pos)`.
   */
  warnCounted(msg: string, pos: PosRange | undefined): void {
    const base = `PromQL warning: ${msg}`;
    let c = this.counted.get(base);
    if (c) this.warnings.delete(c.rendered);
    else {
      c = { at: pos ? ` (${positionOf(this.query, pos.start)})` : '', count: 0, rendered: '' };
      this.counted.set(base, c);
    }
    c.count++;
    c.rendered = `${base}${c.count > 1 ? ` (${c.count} occurrences)` : ''}${c.at}`;
    this.warnings.add(c.rendered);
  }

  private readonly counted = new Map<string, { at: string; count: number; rendered: string }>();

  info(msg: string, pos: PosRange | undefined): void {
    this.infos.add(`PromQL info: ${msg}${pos ? ` (${positionOf(this.query, pos.start)})` : ''}`);
  }

  /** Accounts for samples held in memory at once (Prometheus's currentSamples). */
  addSamples(n: number): void {
    this.cur += n;
    if (this.cur > this.maxSamples) {
      throw new ExecutionError(
        'query processing would load too many samples into memory in query execution (err-cortex-max-samples-per-query)',
        { id: 'err-cortex-max-samples-per-query' },
      );
    }
  }

  /** The sample counters, to undo an evaluation attempt that is thrown away (`restore`). */
  snapshot(): { cur: number; loaded: number } {
    return { cur: this.cur, loaded: this.samplesLoaded };
  }

  restore(s: { cur: number; loaded: number }): void {
    this.cur = s.cur;
    this.samplesLoaded = s.loaded;
  }

  releaseSamples(n: number): void {
    this.cur -= n;
    if (this.cur < 0) this.cur = 0;
  }

  /**
   * Cheap periodic check for cancellation and timeout inside evaluation loops, which call it once per
   * series and step: the cancel flag every 64 calls (a few microseconds of work), the clock every 1,024.
   */
  check(): void {
    if ((++this.ticks & 63) !== 0) return;
    if (this.signal?.aborted) throw abortError(this.signal);
    if ((this.ticks & 1023) === 0 && this.now() > this.deadline) {
      throw new TimeoutError('query timed out in query execution');
    }
  }

  checkNow(): void {
    if (this.signal?.aborted) throw abortError(this.signal);
    if (this.now() > this.deadline) throw new TimeoutError('query timed out in query execution');
  }
}

/** The part of AbortSignal the evaluator reads; a worker backs it with a shared-memory flag. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

/** The error for an aborted query: a timeout (the `timeout` parameter's signal) or a cancellation. */
export function abortError(signal: CancelSignal, cause?: unknown): CanceledError | TimeoutError {
  const r = signal.reason;
  const isTimeout = r instanceof TimeoutError || (r instanceof Error && r.name === 'TimeoutError') || r === 'timeout';
  return isTimeout
    ? new TimeoutError('query timed out in query execution', cause === undefined ? undefined : { cause })
    : new CanceledError('query was canceled', cause === undefined ? undefined : { cause });
}
