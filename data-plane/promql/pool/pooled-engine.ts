import type { Querier, Queryable, Series } from '../../storage/index.js';
import { toApiData } from '../api.js';
import type { VectorSelector } from '../ast.js';
import {
  dataRange,
  type Engine,
  evaluatePrepared,
  type PreparedQuery,
  type QueryOptions,
  type QueryResult,
  queryError,
  selectHints,
} from '../engine.js';
import type { EvalPool } from './pool.js';
import { decodeResult } from './result-codec.js';
import { BatchCollector, type SeriesBatch } from './series-batch.js';

export interface PooledQueryOptions extends QueryOptions {
  signal?: AbortSignal;
  /** Fairness key of the pool's queue (the tenant); the engine attaches no meaning to it. */
  queueKey?: string;
  /** Pool workers this key may occupy at once (0 = all but one). */
  maxWorkers?: number;
  /** Bytes of sample data the query may fetch (16 per decoded sample); 0 = unlimited. */
  maxFetchedBytes?: number;
}

/** How long the event loop is held while series are loaded before other work gets a turn. */
const LOAD_SLICE_MS = 5;

/**
 * The engine as the querier runs it: a query is parsed and its limits checked here, its series are
 * read here (yielding the event loop every few milliseconds, counting samples against the budget),
 * and it is evaluated on a worker of the pool, so no query holds the thread that serves ingestion
 * and health checks. Without a pool it evaluates in this thread (tests, tools).
 */
export class PooledEngine {
  constructor(
    private readonly engine: Engine,
    private readonly pool: EvalPool | undefined,
  ) {}

  instantQuery(q: Queryable, query: string, timeMs: number, opts: PooledQueryOptions = {}): Promise<QueryResult> {
    return this.run(q, () => this.engine.prepareInstant(query, timeMs, opts), opts);
  }

  rangeQuery(
    q: Queryable,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: PooledQueryOptions = {},
  ): Promise<QueryResult> {
    return this.run(q, () => this.engine.prepareRange(query, startMs, endMs, stepMs, opts), opts);
  }

  private async run(q: Queryable, prepare: () => PreparedQuery, opts: PooledQueryOptions): Promise<QueryResult> {
    const signal = opts.signal;
    let querier: Querier | undefined;
    let all: AbortSignal | undefined;
    try {
      const p = prepare();
      // the query's own timer: a select or a load that outlives the deadline stops there too
      const deadlineSignal = AbortSignal.timeout(Math.max(0, p.deadline - this.engine.now()));
      all = signal ? AbortSignal.any([signal, deadlineSignal]) : deadlineSignal;
      const sets: Series[][] = [];
      if (p.selectors.length > 0) {
        const { mint, maxt } = dataRange(p);
        querier = q.querier(mint, maxt);
        const qr = querier;
        const o = { signal: all };
        sets.push(
          ...(await Promise.all(
            p.selectors.map(({ vs, range }) => qr.select(true, selectHints(p, range), vs.matchers, o)),
          )),
        );
      }
      if (all.aborted) throw all.reason;
      if (!this.pool) {
        const selected = new Map<VectorSelector, Series[]>();
        for (const [i, { vs }] of p.selectors.entries()) selected.set(vs, sets[i]!);
        const r = evaluatePrepared(p, selected, all, this.engine.now);
        if (opts.render) r.rendered = new TextEncoder().encode(JSON.stringify(toApiData(r.value)));
        return r;
      }
      const batches = await this.load(p, sets, opts, all);
      const encoded = await this.pool.run(
        {
          query: p.query,
          start: p.start,
          end: p.end,
          step: p.step,
          instant: p.instant,
          lookbackMs: p.lookback,
          maxSamples: p.maxSamples,
          batches,
          render: opts.render === true,
        },
        {
          key: opts.queueKey ?? '',
          maxPerKey: opts.maxWorkers ?? 0,
          deadline: Date.now() + (p.deadline - this.engine.now()),
          signal: all,
        },
      );
      return decodeResult(encoded);
    } catch (err) {
      throw queryError(err, all?.aborted ? all : undefined);
    } finally {
      querier?.close();
    }
  }

  /** Decodes every selected series into batches, in slices of the event loop. */
  private async load(
    p: PreparedQuery,
    sets: Series[][],
    opts: PooledQueryOptions,
    signal: AbortSignal,
  ): Promise<SeriesBatch[]> {
    const collector = new BatchCollector({ maxSamples: p.maxSamples, maxBytes: opts.maxFetchedBytes ?? 0 });
    let sliceStart = performance.now();
    const pause = (): Promise<void> | undefined => {
      if (performance.now() - sliceStart < LOAD_SLICE_MS) return undefined;
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          sliceStart = performance.now();
          resolve();
        }),
      ).then(() => {
        if (signal.aborted) throw signal.reason;
      });
    };
    const out: SeriesBatch[] = [];
    for (let i = 0; i < p.selectors.length; i++) {
      const { range } = p.selectors[i]!;
      out.push(await collector.collect(sets[i]!, range.mint, range.maxt, pause));
    }
    return out;
  }
}
