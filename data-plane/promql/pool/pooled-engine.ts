import { type Deadline, deadlineSignal, type Labels, TimeoutError } from '../../model/index.js';
import type { Querier, Queryable, Series } from '../../storage/index.js';
import { children, type Expr, type VectorSelector } from '../ast.js';
import {
  dataRange,
  type Engine,
  evaluateSeries,
  type PreparedQuery,
  type QueryOptions,
  type QueryResult,
  queryError,
  selectHints,
} from '../engine.js';
import type { EvalOutcome, EvalPool, RunOptions, TaskBody } from './pool.js';
import type { PartialResult } from './protocol.js';
import { concatResults, decodeResult, type EncodedResult, seriesQueryResult } from './result-codec.js';
import {
  BatchCollector,
  BYTES_PER_SAMPLE,
  emptyBatch,
  type SeriesBatch,
  seriesShardOf,
  shardOf,
} from './series-batch.js';
import { planShards, splitsBySeries } from './shard-plan.js';

export interface PooledQueryOptions extends QueryOptions {
  signal?: AbortSignal;
  /** Fairness key of the pool's queue (the tenant); the engine attaches no meaning to it. */
  queueKey?: string;
  /** Pool workers this key may occupy at once (0 = all but one). */
  maxWorkers?: number;
  /** Bytes of sample data the query may fetch (16 per decoded sample); 0 = unlimited. */
  maxFetchedBytes?: number;
  /** Shards a shardable query is split into (0 = one per worker but one; 1 or absent = none). */
  shards?: number;
}

/** How long the event loop is held while series are loaded before other work gets a turn. */
const LOAD_SLICE_MS = 2;

export interface InlineOptions {
  /** Largest estimated work (as shardCount estimates it) tried in this thread; 0 = none. */
  maxWork: number;
  /** Time a try may hold this thread before it is dropped and the query runs on the pool. */
  budgetMs: number;
  /**
   * Largest selected series × steps (what a result without aggregation holds) tried here: the
   * result's JSON is rendered in this thread after the try, outside its budget.
   */
  maxPoints: number;
}

/**
 * What the server uses: an instant `rate(x[5m])` over ~7,000 series (~150k) is tried here; a try
 * holds the thread at most ~40 ms, about what loading that query's batches for a worker took.
 */
export const SERVER_INLINE: InlineOptions = { maxWork: 150_000, budgetMs: 40, maxPoints: 25_000 };

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
    /** Below this many selected series a query is evaluated whole (sharding costs more than it saves). */
    private readonly minSeriesToShard = 1000,
    /**
     * Nor is a query with less work than this: selected series × (steps + samples a selector's range
     * holds at a 15 s scrape). An instant `rate(x[5m])` over 2,500 series (~50k) costs less to evaluate
     * than two more worker round trips; a 2 h dashboard range over them (~2M) is worth splitting.
     */
    private readonly minWorkToShard = 250_000,
    /**
     * Small queries cost less evaluated here, straight from the selected series, than copied into
     * batches, sent to a worker, and their result sent back: a dashboard's instant `rate` over a few
     * thousand head series spends most of its time on that trip. Only queries without subqueries
     * (whose cost the estimate cannot see) and with little estimated work are tried, and a try that
     * outlasts its budget is dropped for the pool, so this thread is never held longer than that.
     * Off unless given (tests of the pool keep every query on it).
     */
    private readonly inline: InlineOptions = { maxWork: 0, budgetMs: 0, maxPoints: 0 },
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
    let deadline: Deadline | undefined;
    try {
      const p = prepare();
      // the query's own timer: a select, a load or a wait for a worker that outlives the deadline
      // stops there too (deadlineSignal: Node's own timeout signal is lost at a GC once combined)
      deadline = deadlineSignal(p.deadline - this.engine.now(), signal);
      all = deadline.signal;
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
      const selected = (): Map<VectorSelector, Series[]> =>
        new Map(p.selectors.map(({ vs }, i) => [vs, sets[i]!] as [VectorSelector, Series[]]));
      if (!this.pool)
        return seriesQueryResult(evaluateSeries(p, selected(), all, this.engine.now), opts.render === true);
      if (this.triesInline(opts, p, sets)) {
        const budgetEnd = this.engine.now() + this.inline.budgetMs;
        if (budgetEnd < p.deadline) {
          try {
            const r = evaluateSeries({ ...p, deadline: budgetEnd }, selected(), all, this.engine.now);
            return seriesQueryResult(r, opts.render === true);
          } catch (err) {
            // only the try's own deadline sends the query on to the pool; any other error is the answer
            if (!(err instanceof TimeoutError) || this.engine.now() > p.deadline) throw err;
          }
        }
      }
      const pool = this.pool;
      const runOpts = {
        key: opts.queueKey ?? '',
        maxPerKey: opts.maxWorkers ?? 0,
        deadline: Date.now() + (p.deadline - this.engine.now()),
        signal: all,
      };
      const base = {
        query: p.query,
        start: p.start,
        end: p.end,
        step: p.step,
        instant: p.instant,
        lookbackMs: p.lookback,
        maxSamples: p.maxSamples,
        render: opts.render === true,
      };
      const shards = this.shardCount(opts, p, sets);
      const plan =
        shards > 1
          ? planShards(
              p.expr,
              p.selectors.map((s) => s.vs),
            )
          : undefined;
      if (!plan && shards > 1 && splitsBySeries(p.expr, [p.selectors[0]!.vs], p.instant)) {
        // no aggregation to merge: each shard evaluates (and renders) the query over its own series
        const { collector, pause } = this.loader(p, opts, all);
        const { range } = p.selectors[0]!;
        const parts = splitByShard(sets[0]!, shards, seriesShardOf);
        const answers = await this.fanOut(all, runOpts, shards, async (s) => ({
          ...base,
          batches: [await collector.collect(parts[s]!, range.mint, range.maxt, pause)],
        }));
        return decodeResult(concatResults(answers as EncodedResult[]));
      }
      if (!plan) {
        const batches = await this.load(p, sets, opts, all);
        return decodeResult((await pool.run({ ...base, batches }, runOpts)) as EncodedResult);
      }
      // sharded: each shard's batches go to a worker as soon as they are loaded, so the workers
      // evaluate while this thread loads the next shard; then one task merges and finishes
      const { collector, pause } = this.loader(p, opts, all);
      const bySelector = sets.map((set, i) =>
        plan.shardedSelectors.has(i) ? splitByShard(set, shards, shardOf) : undefined,
      );
      const rest: SeriesBatch[] = [];
      const parts = (await this.fanOut(
        all,
        runOpts,
        shards,
        async (s) => {
          const batches: SeriesBatch[] = [];
          for (const [i, part] of bySelector.entries()) {
            const { range } = p.selectors[i]!;
            batches.push(part ? await collector.collect(part[s]!, range.mint, range.maxt, pause) : emptyBatch());
          }
          return { ...base, render: false, batches, shard: { mode: 'partial', nodes: plan.nodes } };
        },
        async () => {
          for (const [i, part] of bySelector.entries()) {
            const { range } = p.selectors[i]!;
            rest.push(part ? emptyBatch() : await collector.collect(sets[i]!, range.mint, range.maxt, pause));
          }
        },
      )) as PartialResult[];
      const final = (await pool.run(
        {
          ...base,
          batches: rest,
          shard: {
            mode: 'final',
            nodes: plan.nodes,
            partials: plan.nodes.map((_, k) =>
              parts[0]!.partials[k]!.map((_, j) => parts.map((r) => r.partials[k]![j]!)),
            ),
          },
        },
        runOpts,
      )) as EncodedResult;
      const r = decodeResult(final);
      r.warnings = [...new Set([...r.warnings, ...parts.flatMap((x) => x.warnings)])];
      r.infos = [...new Set([...r.infos, ...parts.flatMap((x) => x.infos)])];
      r.stats.samplesLoaded += parts.reduce((n, x) => n + x.samplesLoaded, 0);
      return r;
    } catch (err) {
      throw queryError(err, all?.aborted ? all : undefined);
    } finally {
      deadline?.clear();
      querier?.close();
    }
  }

  /**
   * Runs one task per shard, each sent as soon as `load` has built it, so the workers
   * evaluate while this thread loads the next shard; `more` loads what comes after the last. A failed
   * load or task stops the tasks still running (the query's signal is passed on by a listener, not
   * AbortSignal.any, whose sources Node 20 holds only weakly: see deadlineSignal).
   */
  private async fanOut(
    query: AbortSignal,
    runOpts: RunOptions,
    shards: number,
    load: (shard: number) => Promise<TaskBody>,
    more?: () => Promise<void>,
  ): Promise<EvalOutcome[]> {
    const pool = this.pool!;
    const stop = new AbortController();
    if (query.aborted) stop.abort(query.reason);
    else query.addEventListener('abort', () => stop.abort(query.reason), { once: true });
    const shardRunOpts = { ...runOpts, signal: stop.signal };
    const running: Promise<EvalOutcome>[] = [];
    try {
      for (let s = 0; s < shards; s++) {
        const task = pool.run(await load(s), shardRunOpts);
        // awaited below; a later load that fails first must not leave its rejection unhandled
        task.catch(() => undefined);
        running.push(task);
      }
      await more?.();
      return await Promise.all(running);
    } catch (err) {
      stop.abort(err);
      throw err;
    }
  }

  /** Shards for this query: 1 (unsharded) unless enough series make parallel evaluation pay off. */
  private shardCount(opts: PooledQueryOptions, p: PreparedQuery, sets: Series[][]): number {
    const pool = this.pool;
    if (!pool || opts.shards === undefined || opts.shards === 1 || p.selectors.length === 0) return 1;
    const { series, work } = estimate(p, sets);
    if (series < this.minSeriesToShard || work < this.minWorkToShard) return 1;
    return opts.shards > 0 ? opts.shards : Math.max(1, pool.size - 1);
  }

  /**
   * Whether to try the query in this thread first: little estimated work, no subquery, and a fetch
   * limit (checked exactly only by the pool's loader) that even 16 bytes per estimated sample meets.
   */
  private triesInline(opts: PooledQueryOptions, p: PreparedQuery, sets: Series[][]): boolean {
    if (this.inline.maxWork <= 0 || hasSubquery(p.expr)) return false;
    const { work, samples, points } = estimate(p, sets);
    if (work > this.inline.maxWork || points > this.inline.maxPoints) return false;
    const maxBytes = opts.maxFetchedBytes ?? 0;
    return maxBytes === 0 || samples * BYTES_PER_SAMPLE <= maxBytes;
  }

  /**
   * Copies every selected series into batches (one per selector), in slices of the event loop.
   */
  private async load(
    p: PreparedQuery,
    sets: Series[][],
    opts: PooledQueryOptions,
    signal: AbortSignal,
  ): Promise<SeriesBatch[]> {
    const { collector, pause } = this.loader(p, opts, signal);
    const out: SeriesBatch[] = [];
    for (let i = 0; i < p.selectors.length; i++) {
      const { range } = p.selectors[i]!;
      out.push(await collector.collect(sets[i]!, range.mint, range.maxt, pause));
    }
    return out;
  }

  /**
   * A query's batch collector (its sample and byte budget) and the pause its loads take between
   * series: every few milliseconds a turn of the event loop, then a check of the query's signal.
   */
  private loader(
    p: PreparedQuery,
    opts: PooledQueryOptions,
    signal: AbortSignal,
  ): { collector: BatchCollector; pause: () => Promise<void> | undefined } {
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
    return { collector, pause };
  }
}

/** Each series in the shard its labels hash to, in the order given (as a sharded load assigns them). */
function splitByShard(
  series: readonly Series[],
  shards: number,
  shardOf: (l: Labels, shards: number) => number,
): Series[][] {
  const out: Series[][] = Array.from({ length: shards }, () => []);
  for (const s of series) out[shardOf(s.labels, shards)]!.push(s);
  return out;
}

/**
 * What a query will do, roughly: selected series, their samples in the selectors' ranges at a 15 s
 * scrape, work (samples plus one step per series and step), and the points of a result that keeps
 * every series.
 */
function estimate(
  p: PreparedQuery,
  sets: Series[][],
): { series: number; samples: number; work: number; points: number } {
  let series = 0;
  let samples = 0;
  let work = 0;
  const steps = p.instant ? 1 : Math.floor((p.end - p.start) / p.step) + 1;
  for (const [i, s] of sets.entries()) {
    const { mint, maxt } = p.selectors[i]!.range;
    const perSeries = Math.max(0, maxt - mint) / 15_000;
    series += s.length;
    samples += s.length * perSeries;
    work += s.length * (steps + perSeries);
  }
  return { series, samples, work, points: series * steps };
}

function hasSubquery(e: Expr): boolean {
  return e.type === 'SubqueryExpr' || children(e).some(hasSubquery);
}
