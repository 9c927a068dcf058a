import { describe, expect, it } from 'vitest';
import {
  BadDataError,
  CanceledError,
  Labels,
  LimitExceededError,
  parseTenantId,
  type TenantId,
  TimeoutError,
  UnavailableError,
} from '../model/index.js';
import { FairQueue, type FrontendCallOptions, type FrontendResult, QueryFrontend, splitByInterval } from './index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const tenant = parseTenantId('acme');

/**
 * A deterministic stand-in for the querier: every query yields series whose presence and values
 * depend only on the evaluation timestamp, like a real range query over fixed data.
 */
class GridQuerier {
  rangeCalls: [number, number][] = [];
  failNext = 0;
  async instantQuery(): Promise<FrontendResult> {
    return { value: { type: 'vector', samples: [] }, warnings: [], infos: [] };
  }
  async rangeQuery(
    _t: TenantId,
    query: string,
    s: number,
    e: number,
    step: number,
    o?: FrontendCallOptions,
  ): Promise<FrontendResult> {
    this.rangeCalls.push([s, e]);
    const rendered = o?.render ? new TextEncoder().encode(`rendered ${s}-${e}`) : undefined;
    if (this.failNext > 0) {
      this.failNext--;
      throw new UnavailableError('querier restarting');
    }
    const series = ['a', 'b', 'c'].map((name, i) => {
      const floats = [];
      for (let t = s; t <= e; t += step) {
        // Series i is absent at every (i+2)-th step, so gaps cross split boundaries too.
        if (Math.floor(t / step) % (i + 2) !== 0) floats.push({ t, v: (t / 1000) * (i + 1) + query.length });
      }
      return { labels: Labels.fromObject({ __name__: name }), floats, histograms: [] };
    });
    return {
      value: { type: 'matrix', series: series.filter((x) => x.floats.length > 0) },
      warnings: [],
      infos: [],
      ...(rendered ? { rendered } : {}),
    };
  }
}

function setup(nowMs: number) {
  const downstream = new GridQuerier();
  const queue = new FairQueue({ concurrency: 4, maxOutstanding: () => 100 });
  const clock = { now: () => nowMs };
  const fe = new QueryFrontend({ downstream, queue, canSplit: () => true, clock });
  return { downstream, fe };
}

/** Seeded PRNG so the property cases are reproducible. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe('splitByInterval', () => {
  it('puts every grid point in exactly one sub-range', () => {
    const r = rng(7);
    for (let i = 0; i < 200; i++) {
      const step = 1000 * (1 + Math.floor(r() * 3600));
      const start = Math.floor(r() * 10 * DAY);
      const end = start + Math.floor(r() * 5 * DAY);
      const subs = splitByInterval(start, end, step, DAY);
      const pts: number[] = [];
      for (const s of subs) {
        expect(Math.floor(s.start / DAY)).toBe(Math.floor(s.end / DAY));
        for (let t = s.start; t <= s.end; t += step) pts.push(t);
      }
      const want: number[] = [];
      for (let t = start; t <= end; t += step) want.push(t);
      expect(pts).toEqual(want);
    }
  });
});

describe('QueryFrontend', () => {
  // Up to 8-day ranges at 15 s steps: seconds of work on a loaded CI machine, past vitest's 5 s default.
  it('returns what an unsplit query returns, cold and warm (property test)', { timeout: 60_000 }, async () => {
    const r = rng(42);
    for (let i = 0; i < 60; i++) {
      const now = 20 * DAY + Math.floor(r() * DAY);
      const { downstream, fe } = setup(now);
      const step = [15_000, 60_000, 300_000, 3_600_000, 7_000][Math.floor(r() * 5)]!;
      const end = now - Math.floor(r() * 3 * DAY);
      const start = end - Math.floor(r() * 8 * DAY);
      const want = await downstream.rangeQuery(tenant, 'q', start, end, step);
      const cold = await fe.rangeQuery(tenant, 'q', start, end, step);
      const warm = await fe.rangeQuery(tenant, 'q', start, end, step);
      expect(cold.value).toEqual(want.value);
      expect(warm.value).toEqual(want.value);
    }
  });

  it('answers a repeated 7-day query mostly from cache', async () => {
    const now = 30 * DAY + 5 * HOUR;
    const { downstream, fe } = setup(now);
    await fe.rangeQuery(tenant, 'q', now - 7 * DAY, now, 60_000);
    const cold = downstream.rangeCalls.length;
    downstream.rangeCalls = [];
    await fe.rangeQuery(tenant, 'q', now - 7 * DAY, now, 60_000);
    // Only the still-changing tail (newer than now - 10m) is asked again.
    expect(cold).toBeGreaterThanOrEqual(8);
    expect(downstream.rangeCalls).toHaveLength(1);
    const [s, e] = downstream.rangeCalls[0]!;
    expect(e - s).toBeLessThanOrEqual(60 * 60_000);
  });

  it('never answers one tenant from another tenant’s cache', async () => {
    const now = 30 * DAY;
    const { downstream, fe } = setup(now);
    await fe.rangeQuery(tenant, 'q', now - 3 * DAY, now - DAY, 60_000);
    downstream.rangeCalls = [];
    await fe.rangeQuery(parseTenantId('other'), 'q', now - 3 * DAY, now - DAY, 60_000);
    expect(downstream.rangeCalls.length).toBeGreaterThan(0);
  });

  it('retries sub-queries that failed with a retryable error', async () => {
    const { downstream, fe } = setup(30 * DAY);
    const want = await downstream.rangeQuery(tenant, 'q', 10 * DAY, 10 * DAY + HOUR, 60_000);
    downstream.failNext = 2;
    const got = await fe.rangeQuery(tenant, 'q', 10 * DAY, 10 * DAY + HOUR, 60_000);
    expect(got.value).toEqual(want.value);
  });

  it('never widens a fine-step query past 11,000 points to fill the cache', async () => {
    const now = 10 * DAY + 12 * HOUR;
    const { downstream, fe } = setup(now);
    // 25 minutes at 1 s (1,500 points) late in a day: the cache's extent would start at midnight
    const start = now - HOUR;
    await fe.rangeQuery(tenant, 'q', start, start + 1_500_000, 1000);
    for (const [s, e] of downstream.rangeCalls) expect((e - s) / 1000).toBeLessThanOrEqual(11_000);
    expect(downstream.rangeCalls).toEqual([[start, start + 1_500_000]]);
  });

  it('evaluates a cold query over its own range only, then extends that extent as the window slides', async () => {
    const now = 10 * DAY + 12 * HOUR;
    const { downstream, fe } = setup(now);
    // A dashboard's 2 h window late in the day: nothing before it is evaluated to fill the cache.
    await fe.rangeQuery(tenant, 'q', now - 2 * HOUR, now, 30_000);
    expect(downstream.rangeCalls).toEqual([[now - 2 * HOUR, now]]);
    // Five minutes later the window slid: only what follows the cached extent is asked.
    const want = await downstream.rangeQuery(tenant, 'q', now - 2 * HOUR + 5 * 60_000, now + 5 * 60_000, 30_000);
    downstream.rangeCalls = [];
    const got = await fe.rangeQuery(tenant, 'q', now - 2 * HOUR + 5 * 60_000, now + 5 * 60_000, 30_000);
    expect(got.value).toEqual(want.value);
    expect(downstream.rangeCalls).toHaveLength(1);
    expect(downstream.rangeCalls[0]![0]).toBeGreaterThan(now - 2 * HOUR + 5 * 60_000);
    // A window reaching further back replaces the extent: it is evaluated whole.
    downstream.rangeCalls = [];
    await fe.rangeQuery(tenant, 'q', now - 3 * HOUR, now, 30_000);
    expect(downstream.rangeCalls).toEqual([[now - 3 * HOUR, now]]);
  });

  it("keeps the querier's rendered JSON only where its answer is the whole answer", async () => {
    const now = 10 * DAY + 12 * HOUR;
    const { fe } = setup(now);
    const text = (r: FrontendResult) => (r.rendered ? new TextDecoder().decode(r.rendered) : undefined);
    // One day, cold: evaluated exactly as asked, so its JSON stands (and its values are cached).
    const cold = await fe.rangeQuery(tenant, 'q', now - 2 * HOUR, now, 30_000, { render: true });
    expect(text(cold)).toBe(`rendered ${now - 2 * HOUR}-${now}`);
    // Warm: stitched from the cache and a fresh tail, so values only.
    const warm = await fe.rangeQuery(tenant, 'q', now - 2 * HOUR, now, 30_000, { render: true });
    expect(warm.rendered).toBeUndefined();
    expect(warm.value).toEqual(cold.value);
    // Across midnight: stitched from two days.
    const across = await fe.rangeQuery(tenant, 'q2', now - 14 * HOUR, now, 30_000, { render: true });
    expect(across.rendered).toBeUndefined();
  });

  it('caches an answer rendered downstream without reading its values until a later query needs them', async () => {
    const now = 10 * DAY + 12 * HOUR;
    const downstream = new GridQuerier();
    let reads = 0;
    // a querier whose answers count their points and build their values only when read (as the
    // query workers' answers do)
    const lazy = {
      instantQuery: downstream.instantQuery.bind(downstream),
      async rangeQuery(t: TenantId, q: string, s: number, e: number, step: number, o?: FrontendCallOptions) {
        const r = await downstream.rangeQuery(t, q, s, e, step, o);
        const value = r.value as { series: { floats: unknown[] }[] };
        const floats = value.series.reduce((n, x) => n + x.floats.length, 0);
        const readValue = () => {
          reads++;
          return value;
        };
        return {
          ...r,
          get value() {
            return readValue();
          },
          readValue,
          stats: { samplesLoaded: 0, points: { floats, histograms: 0 } },
        };
      },
    };
    const fe = new QueryFrontend({
      downstream: lazy,
      queue: new FairQueue({ concurrency: 2, maxOutstanding: () => 10 }),
      canSplit: () => true,
      clock: { now: () => now },
    });
    const want = await downstream.rangeQuery(tenant, 'q', now - 2 * HOUR, now - HOUR, 30_000);
    const cold = await fe.rangeQuery(tenant, 'q', now - 2 * HOUR, now - HOUR, 30_000, { render: true });
    expect(cold.rendered).toBeDefined();
    expect(reads).toBe(0);
    downstream.rangeCalls = [];
    const warm = await fe.rangeQuery(tenant, 'q', now - 2 * HOUR, now - HOUR, 30_000, { render: true });
    expect(downstream.rangeCalls).toEqual([]);
    expect(warm.value).toEqual(want.value);
    expect(reads).toBe(1);
  });

  it('does not split queries that depend on their range', async () => {
    const downstream = new GridQuerier();
    const fe = new QueryFrontend({
      downstream,
      queue: new FairQueue({ concurrency: 1, maxOutstanding: () => 10 }),
      canSplit: () => false,
      clock: { now: () => 30 * DAY },
    });
    await fe.rangeQuery(tenant, 'q @ start()', 10 * DAY, 13 * DAY, 60_000);
    expect(downstream.rangeCalls).toEqual([[10 * DAY, 13 * DAY]]);
  });
});

describe('FairQueue', () => {
  it('rejects with 429 past max_outstanding_requests_per_tenant', async () => {
    const q = new FairQueue({ concurrency: 1, maxOutstanding: () => 2 });
    let release!: () => void;
    const blocker = new Promise<void>((r) => (release = r));
    const running = q.enqueue(tenant, () => blocker);
    const a = q.enqueue(tenant, async () => 1);
    const b = q.enqueue(tenant, async () => 2);
    await expect(q.enqueue(tenant, async () => 3)).rejects.toBeInstanceOf(LimitExceededError);
    release();
    await expect(Promise.all([running, a, b])).resolves.toEqual([undefined, 1, 2]);
  });

  it("caps one tenant's running queries at half the slots, so another tenant's query runs at once", async () => {
    const q = new FairQueue({ concurrency: 4, maxOutstanding: () => 100 });
    let release!: () => void;
    const blocker = new Promise<void>((r) => (release = r));
    let started = 0;
    const hogs = Array.from({ length: 6 }, () =>
      q.enqueue(tenant, async () => {
        started++;
        await blocker;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(2);
    expect(await q.enqueue(parseTenantId('other'), async () => 'ran')).toBe('ran');
    release();
    await Promise.all(hogs);
    expect(started).toBe(6);
  });

  it('frees the slot of a run that throws instead of returning a promise', async () => {
    // found by the query-params fuzzer: an over-long query_range refused synchronously by the querier
    // kept its slot, and after `concurrency / 2` of them the tenant's next query never started
    const q = new FairQueue({ concurrency: 2, maxOutstanding: () => 100 });
    const refuse = (): Promise<number> => {
      throw new BadDataError('the query time range exceeds the limit');
    };
    for (let i = 0; i < 3; i++) await expect(q.enqueue(tenant, refuse)).rejects.toBeInstanceOf(BadDataError);
    let ran = false;
    const next = q.enqueue(tenant, async () => {
      ran = true;
      return 1;
    });
    // a free slot starts the run at once, inside enqueue
    expect(ran).toBe(true);
    expect(q.queued(tenant)).toBe(0);
    await expect(next).resolves.toBe(1);
  });

  it.each([
    ['its timeout passes', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), TimeoutError],
    ['its client leaves', new Error('client went away'), CanceledError],
  ])('takes a waiting query off the queue when %s', async (_what, reason, kind) => {
    const q = new FairQueue({ concurrency: 2, maxOutstanding: () => 100 });
    let release!: () => void;
    const blocker = new Promise<void>((r) => (release = r));
    const running = q.enqueue(tenant, () => blocker);
    const abort = new AbortController();
    let ran = false;
    const waiting = q.enqueue(
      tenant,
      async () => {
        ran = true;
      },
      abort.signal,
    );
    const after = q.enqueue(tenant, async () => 'next');
    expect(q.queued(tenant)).toBe(2);
    abort.abort(reason);
    await expect(waiting).rejects.toBeInstanceOf(kind);
    expect(q.queued(tenant)).toBe(1);
    release();
    await expect(Promise.all([running, after])).resolves.toEqual([undefined, 'next']);
    expect(ran).toBe(false);
    // an already aborted signal is refused without queueing
    await expect(q.enqueue(tenant, async () => 1, abort.signal)).rejects.toBeInstanceOf(kind);
  });

  it('serves tenants round-robin', async () => {
    const q = new FairQueue({ concurrency: 1, maxOutstanding: () => 100 });
    const order: string[] = [];
    let release!: () => void;
    const blocker = new Promise<void>((r) => (release = r));
    const first = q.enqueue(tenant, () => blocker);
    const other = parseTenantId('other');
    const jobs = [
      q.enqueue(tenant, async () => void order.push('acme1')),
      q.enqueue(tenant, async () => void order.push('acme2')),
      q.enqueue(other, async () => void order.push('other1')),
    ];
    release();
    await Promise.all([first, ...jobs]);
    expect(order).toEqual(['acme1', 'other1', 'acme2']);
  });
});
