import { afterAll, describe, expect, it } from 'vitest';
import { Labels, Matcher } from '../../model/index.js';
import { MemoryStorage } from '../../storage/memory/index.js';
import { toApiData } from '../api.js';
import { Engine } from '../engine.js';
import { EvalPool } from './pool.js';
import { PooledEngine } from './pooled-engine.js';
import { BatchCollector, shardOf } from './series-batch.js';

const MIN = 60_000;
/** Legal and within every limit, but minutes of work: 1,500 steps each sorting a 86,400-point window. */
const SLOW = 'quantile_over_time(0.5, vector(1)[1d:1s])';
const slowOpts = { maxSubquerySteps: 100_000, maxSamples: 1e9 };

async function storage(): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const app = s.appender();
  for (let i = 0; i < 20; i++) {
    const l = Labels.fromObject({ __name__: 'x', i: String(i), job: i % 2 ? 'a' : 'b' });
    for (let k = 0; k <= 120; k++) app.append(l, k * 15_000, k * (i + 1));
  }
  const h = Labels.fromObject({ __name__: 'h' });
  for (let k = 0; k <= 20; k++) {
    app.appendHistogram(h, k * 15_000, {
      counterResetHint: 'unknown',
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: k,
      sum: k,
      positiveSpans: [{ offset: 0, length: 1 }],
      negativeSpans: [],
      positiveBuckets: [k],
      negativeBuckets: [],
    });
  }
  await app.commit();
  return s;
}

describe('PooledEngine', async () => {
  const store = await storage();
  const engine = new Engine();
  const pool = new EvalPool({ size: 2, cancelGraceMs: 200 });
  const pooled = new PooledEngine(engine, pool);
  const local = new PooledEngine(engine, undefined);
  afterAll(() => pool.close());

  const queries = [
    'sum by (job) (rate(x[5m]))',
    'x{i="3"}',
    'topk(3, x)',
    'max_over_time(rate(x[1m])[10m:1m])',
    'h',
    'histogram_count(rate(h[2m]))',
    '1 + 2',
    '"str"',
    'absent(nope)',
    'count_values("v", x)',
  ];
  it.each(queries)('gives the same result on a worker as in-thread: %s', async (q) => {
    const at = 25 * MIN;
    expect(toApiData((await pooled.instantQuery(store, q, at)).value)).toEqual(
      toApiData((await local.instantQuery(store, q, at)).value),
    );
    const rendered = await pooled.instantQuery(store, q, at, { render: true });
    expect(new TextDecoder().decode(rendered.rendered)).toBe(JSON.stringify(toApiData(rendered.value)));
    if (q.startsWith('"')) return;
    expect(toApiData((await pooled.rangeQuery(store, q, 5 * MIN, 30 * MIN, 30_000)).value)).toEqual(
      toApiData((await local.rangeQuery(store, q, 5 * MIN, 30 * MIN, 30_000)).value),
    );
  });

  const refusals = [
    { q: 'rate(x[1d:1ms])', kind: 'execution', id: 'err-cortex-max-subquery-steps' },
    { q: 'sum(rate(x[30d:1ms]))', kind: 'execution', id: 'err-cortex-max-subquery-steps' },
    { q: 'x[5m]', kind: 'execution', id: 'err-cortex-max-samples-per-query', maxSamples: 50 },
    { q: 'x', kind: 'execution', id: 'err-cortex-max-chunks-bytes-per-query', maxFetchedBytes: 100 },
  ];
  it.each(refusals)('refuses $q before evaluating it ($id)', async ({ q, kind, id, ...limits }) => {
    const err = await pooled.instantQuery(store, q, 25 * MIN, { maxSubquerySteps: 11_000, ...limits }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ kind });
    expect((err as Error).message).toContain(id);
  });

  it('stops a query at its timeout, on a worker, and keeps serving', async () => {
    const t0 = Date.now();
    const err = await pooled.rangeQuery(store, SLOW, 0, 25 * MIN, 1000, { timeoutMs: 300, ...slowOpts }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(300 + 1500);
    const ok = await pooled.instantQuery(store, 'count(x)', 25 * MIN);
    expect(toApiData(ok.value).result).toEqual([{ metric: {}, value: [1500, '20'] }]);
  });

  it('cancels a running query when its signal aborts', async () => {
    const ac = new AbortController();
    const p = pooled.rangeQuery(store, SLOW, 0, 25 * MIN, 1000, { signal: ac.signal, ...slowOpts });
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toMatchObject({ kind: 'canceled' });
  });
});

describe('PooledEngine sharding while it loads', async () => {
  const store = await storage();
  const engine = new Engine();
  const pool = new EvalPool({ size: 2, cancelGraceMs: 200 });
  // every shardable query sharded, however few its series
  const sharded = new PooledEngine(engine, pool, 0, 0);
  const local = new PooledEngine(engine, undefined);
  afterAll(() => pool.close());
  const at = 25 * MIN;

  it.each(['sum by (job) (rate(x[5m]))', 'sum(rate(x{job="a"}[5m])) / sum(rate(x[5m]))', 'topk(2, sum by (i) (x))'])(
    'answers as one thread does: %s',
    async (q) => {
      // an instant vector's order is not part of the answer (Prometheus's tests compare it as a set)
      const bySeries = (v: ReturnType<typeof toApiData>) => (v.result as object[]).map((x) => JSON.stringify(x)).sort();
      const want = bySeries(toApiData((await local.instantQuery(store, q, at)).value));
      for (const shards of [2, 3, 5]) {
        expect(bySeries(toApiData((await sharded.instantQuery(store, q, at, { shards })).value))).toEqual(want);
      }
    },
  );

  // no aggregation: each shard evaluates and renders its own series, and the answers are spliced
  it.each([
    { q: 'rate(x[5m])', range: true },
    { q: 'x', range: true },
    { q: 'increase(x{job="a"}[10m]) * 2 > 5', range: true },
    { q: 'max_over_time(rate(x[1m])[10m:1m])', range: true },
    { q: 'x[2m]', range: false },
    { q: 'histogram_count(rate(h[2m]))', range: true },
  ])('answers a per-series query split by series as one thread does, in its order: $q', async ({ q, range }) => {
    const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
    const want = await local.instantQuery(store, q, at, { render: true });
    for (const shards of [2, 3]) {
      const got = await sharded.instantQuery(store, q, at, { shards, render: true });
      expect(text(got.rendered)).toBe(text(want.rendered));
      expect(toApiData(got.value)).toEqual(toApiData(want.value));
      expect(got.stats.samplesLoaded).toBe(want.stats.samplesLoaded);
      if (!range) continue;
      const [w, g] = await Promise.all([
        local.rangeQuery(store, q, 5 * MIN, at, 30_000, { render: true }),
        sharded.rangeQuery(store, q, 5 * MIN, at, 30_000, { shards, render: true }),
      ]);
      expect(text(g.rendered)).toBe(text(w.rendered));
    }
  });

  it('finds series that meet once their names are dropped, whichever shards they would fall in', async () => {
    const clash = new MemoryStorage();
    const app = clash.appender();
    for (let i = 0; i < 20; i++) {
      for (const name of ['x', 'y']) {
        const l = Labels.fromObject({ __name__: name, i: String(i) });
        // y's points start where x's stop: one series after the names go, not a clash
        for (let k = name === 'x' ? 0 : 40; k <= (name === 'x' ? 39 : 80); k++) app.append(l, k * 15_000, k);
      }
    }
    await app.commit();
    const q = 'rate({__name__=~"x|y"}[1m])';
    const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
    const want = await local.rangeQuery(clash, q, 0, 20 * MIN, 60_000, { render: true });
    expect(toApiData(want.value).result).toHaveLength(20);
    const got = await sharded.rangeQuery(clash, q, 0, 20 * MIN, 60_000, { shards: 3, render: true });
    expect(text(got.rendered)).toBe(text(want.rendered));
    // overlapping in time, they clash, in one thread and split alike
    const overlap = 'rate({__name__=~"x|y"}[30m])';
    for (const e of [local, sharded]) {
      await expect(e.rangeQuery(clash, overlap, 0, 20 * MIN, 60_000, { shards: 3 })).rejects.toThrow(
        'vector cannot contain metrics with the same labelset',
      );
    }
  });

  it('refuses a query whose later shard breaks the sample budget, stops the shards it sent, and keeps serving', async () => {
    const xs = (await store.querier(0, at).select(false, undefined, [new Matcher('=', '__name__', 'x')])).map(
      (s) => s.labels,
    );
    const first = xs.filter((l) => shardOf(l, 3) === 0).length;
    // room for the first shard's samples (20 per series in 5m at 15s, a little more for safety), not all
    const maxSamples = first * 21 + 2;
    expect(maxSamples).toBeLessThan(xs.length * 20);
    const err = await sharded.instantQuery(store, 'sum(rate(x[5m]))', at, { shards: 3, maxSamples }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).toContain('err-cortex-max-samples-per-query');
    const ok = await sharded.instantQuery(store, 'count(x)', at, { shards: 3 });
    expect(toApiData(ok.value).result).toEqual([{ metric: {}, value: [1500, '20'] }]);
  });
});

describe('EvalPool sending a task', () => {
  it('fails a task that cannot be sent, frees its worker, and runs the next one', async () => {
    const pool = new EvalPool({ size: 1 });
    try {
      const xs = (await (await storage()).querier(0, 25 * MIN).select(true, undefined, [new Matcher('=', 'i', '3')]))!;
      const batch = await new BatchCollector({ maxSamples: 0, maxBytes: 0 }).collect(xs, 0, 25 * MIN, () => undefined);
      const body = {
        query: 'x',
        start: 25 * MIN,
        end: 25 * MIN,
        step: 0,
        instant: true,
        lookbackMs: 300_000,
        maxSamples: 1e9,
        render: false,
      };
      const opts = { key: 't', maxPerKey: 0, deadline: Date.now() + 10_000 };
      // a value structured clone refuses (here a function) makes postMessage throw
      const unsendable = { ...body, batches: [batch!], hint: () => 1 } as unknown as Parameters<EvalPool['run']>[0];
      await expect(pool.run(unsendable, opts)).rejects.toMatchObject({ kind: 'internal' });
      // the single worker is free again: a good task runs (it waited forever before)
      const good = await new BatchCollector({ maxSamples: 0, maxBytes: 0 }).collect(xs, 0, 25 * MIN, () => undefined);
      await expect(pool.run({ ...body, batches: [good!] }, opts)).resolves.toBeDefined();
    } finally {
      await pool.close();
    }
  });
});

describe('EvalPool fairness', () => {
  it('lets one key hold at most size - 1 workers while another key waits', { timeout: 30_000 }, async () => {
    const store = await storage();
    const pool = new EvalPool({ size: 2 });
    const pooled = new PooledEngine(new Engine(), pool);
    await pool.warm();
    try {
      const opts = { queueKey: 'a', timeoutMs: 1500, ...slowOpts };
      let settled = 0;
      const hogs = [1, 2, 3].map(() =>
        pooled
          .rangeQuery(store, SLOW, 0, 25 * MIN, 1000, opts)
          .catch((e: unknown) => e)
          .finally(() => settled++),
      );
      // tenant b's cheap query is not queued behind tenant a's three slow ones
      await pooled.instantQuery(store, 'count(x)', 25 * MIN, { queueKey: 'b' });
      expect(settled).toBe(0);
      const results = await Promise.all(hogs);
      for (const r of results) expect(r).toMatchObject({ kind: 'timeout' });
    } finally {
      await pool.close();
    }
  });
});

describe('PooledEngine trying small queries in this thread', async () => {
  const store = await storage();
  const pool = new EvalPool({ size: 1 });
  afterAll(() => pool.close());
  const local = new PooledEngine(new Engine(), undefined);
  /** An engine whose clock moves 50 ms each time it is read: any try with a budget runs out at once. */
  const slowClock = () => {
    let t = 1_000_000;
    return () => (t += 50);
  };

  const cases = [
    { name: 'a small query stays here', q: 'sum by (job) (rate(x[5m]))', onPool: false },
    { name: 'an instant selector stays here', q: 'x{i="3"}', onPool: false },
    { name: 'a subquery goes to the pool', q: 'max_over_time(rate(x[1m])[10m:1m])', onPool: true },
    { name: 'more work than allowed goes to the pool', q: 'sum(rate(x[5m]))', inline: { maxWork: 10 }, onPool: true },
    { name: 'a larger result than allowed goes to the pool', q: 'x', inline: { maxPoints: 19 }, onPool: true },
    { name: 'a result within the points allowed stays here', q: 'x', inline: { maxPoints: 20 }, onPool: false },
    { name: 'a try past its budget goes to the pool', q: 'sum(rate(x[5m]))', clock: true, onPool: true },
    {
      name: 'a fetch limit the estimate might break goes to the pool',
      q: 'x',
      opts: { maxFetchedBytes: 100 },
      onPool: true,
      refused: 'err-cortex-max-chunks-bytes-per-query',
    },
  ];
  it.each(cases)('$name', async ({ q, onPool, inline, clock, opts, refused }) => {
    const engine = new Engine(clock ? { now: slowClock() } : {});
    const pooled = new PooledEngine(engine, pool, undefined, undefined, {
      maxWork: 1e6,
      budgetMs: 30,
      maxPoints: 1e6,
      ...inline,
    });
    let runs = 0;
    const run = pool.run.bind(pool);
    pool.run = (...a: Parameters<typeof run>) => {
      runs++;
      return run(...a);
    };
    try {
      const at = 25 * MIN;
      const got = await pooled.instantQuery(store, q, at, opts).then(
        (r) => toApiData(r.value),
        (e: Error) => e,
      );
      // refused while the pool path loads the batches (before any worker runs): a try here would
      // have answered, since evaluation does not count fetched bytes
      if (refused) expect((got as Error).message).toContain(refused);
      else {
        expect(got).toEqual(toApiData((await local.instantQuery(store, q, at)).value));
        expect(runs > 0).toBe(onPool);
      }
    } finally {
      pool.run = run;
    }
  });
});
