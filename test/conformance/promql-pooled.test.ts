/**
 * Prometheus's upstream PromQL scripts once more, evaluated the way the querier runs them: through
 * `PooledEngine` on worker threads, with every float series offered as 120-sample XOR chunks (as the
 * ingester head offers them), so the batch transfer, the worker's chunk decoding and the result codec
 * are held to the same expectations as the engine itself; and a second time with every shardable
 * aggregation split into 3 shards whose partials are merged (sharding must not change any answer).
 * Every eval must pass.
 */
import { afterAll, describe } from 'vitest';
import { Encoding, XORChunk } from '../../data-plane/chunkenc/index.js';
import { EvalPool, PooledEngine } from '../../data-plane/promql/index.js';
import { conformanceEngine, ScriptRunner } from '../../data-plane/promql/promqltest/index.js';
import {
  type EncodedChunk,
  type Querier,
  type Queryable,
  type Series,
  ValueType,
} from '../../data-plane/storage/index.js';
import { MemoryStorage } from '../../data-plane/storage/memory/index.js';
import { describeScripts, SCRIPT_DIR, scriptsPresent } from '../helpers/promql-scripts.js';

if (!scriptsPresent) {
  console.warn(`\n!!! PromQL test files not found at ${SCRIPT_DIR}: the pooled PromQL run is SKIPPED !!!\n`);
}

/**
 * XOR chunks of a float-only series (undefined when it holds a histogram or a start timestamp, which
 * XOR chunks cannot carry: the pool then reads the series sample by sample).
 */
function asChunks(s: Series): EncodedChunk[] | undefined {
  const out: EncodedChunk[] = [];
  const it = s.iterator();
  let c: XORChunk | undefined;
  let app: ReturnType<XORChunk['appender']> | undefined;
  let mint = 0;
  let maxt = 0;
  const cut = () => {
    if (c) out.push({ encoding: Encoding.XOR, data: c.bytes().slice(), mint, maxt });
    c = undefined;
  };
  for (let vt = it.next(); vt !== ValueType.None; vt = it.next()) {
    if (vt !== ValueType.Float || (it.atST?.() ?? 0) !== 0) return undefined;
    if (!c || c.numSamples() >= 120) {
      cut();
      c = new XORChunk();
      app = c.appender();
      mint = it.atT();
    }
    app!.append(it.atT(), it.atV());
    maxt = it.atT();
  }
  cut();
  return out;
}

/** MemoryStorage whose series also come as encoded chunks. */
class ChunkedMemoryStorage extends MemoryStorage {
  override querier(mint: number, maxt: number): Querier {
    const q = super.querier(mint, maxt);
    return {
      ...q,
      select: async (sorted, hints, matchers, opts) =>
        (await q.select(sorted, hints, matchers, opts)).map((s) => ({ ...s, encodedChunks: () => asChunks(s) })),
      labelNames: (m, o) => q.labelNames(m, o),
      labelValues: (n, m, o) => q.labelValues(n, m, o),
      close: () => q.close(),
    };
  }
}

const pool = new EvalPool({ size: 2 });
afterAll(() => pool.close());
const engine = conformanceEngine();
const pooled = new PooledEngine(engine, pool);
// every query that has a shardable aggregation is sharded, however few its series
const sharded = new PooledEngine(engine, pool, 0, 0);

/** AST rewrites (execExpr) stay in-thread; every query string goes through the pool. */
const variants = [
  {
    name: 'whole',
    engine: {
      instantQuery: pooled.instantQuery.bind(pooled),
      rangeQuery: pooled.rangeQuery.bind(pooled),
      execExpr: engine.execExpr.bind(engine),
    },
  },
  {
    name: 'sharded in 3',
    engine: {
      instantQuery: (q: Queryable, e: string, t: number) => sharded.instantQuery(q, e, t, { shards: 3 }),
      rangeQuery: (q: Queryable, e: string, s: number, en: number, st: number) =>
        sharded.rangeQuery(q, e, s, en, st, { shards: 3 }),
      execExpr: engine.execExpr.bind(engine),
    },
  },
];

describe.skipIf(!scriptsPresent).each(variants)(
  'promql scripts on the worker pool: $name',
  ({ engine: scriptEngine }) => {
    describeScripts((commands) => new ScriptRunner(commands, () => new ChunkedMemoryStorage(), scriptEngine));
  },
);
