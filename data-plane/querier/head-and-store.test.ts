import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ingester } from '../ingester/index.js';
import { limits, ManualClock, readAll, req, series, T1 } from '../ingester/testing.js';
import { Matcher } from '../model/index.js';
import { KVChunkStore } from '../storage/chunkstore/index.js';
import { EmbeddedKV } from '../storage/embedded/index.js';
import type { Queryable } from '../storage/index.js';
import { headAndStore } from './head-and-store.js';

const MIN = 60_000;
const T0 = 1_700_000_000_000;
const GRACE = 10 * MIN;
const all = [new Matcher('=~', '__name__', '.+')];

/** The chunk store, counting the queriers asked of it (the real store answers them). */
function counted(store: Queryable): Queryable & { queriers: Array<[number, number]> } {
  const queriers: Array<[number, number]> = [];
  return {
    queriers,
    querier: (mint, maxt) => {
      queriers.push([mint, maxt]);
      return store.querier(mint, maxt);
    },
  };
}

interface Scenario {
  name: string;
  /** Where the clock stands when the ingester is created (before the first sample or after all). */
  createdAt: number;
  /** Clock at each half hour's push: real time, or the creation time for a backfill. */
  pushAt(lastSample: number): number;
}

const scenarios: Scenario[] = [
  // Scraped in real time, flushed every half hour: the oldest chunks were flushed long enough ago to
  // be dropped from memory, the newest are still open.
  { name: 'scraped in real time', createdAt: T0, pushAt: (last) => last + 1000 },
  // Backfilled into a fresh process: the head holds the flushed chunks but cannot know that nothing
  // of that time was flushed by an earlier process, so the store is read and the head leaves them out.
  { name: 'backfilled after start', createdAt: T0 + 5 * 60 * MIN, pushAt: () => T0 + 5 * 60 * MIN },
];

describe.each(scenarios)('head and store read each for the part only it holds ($name)', (sc) => {
  let dir: string;
  let kv: EmbeddedKV;
  let store: KVChunkStore;
  let ingester: Ingester;
  const clock = new ManualClock(sc.createdAt);
  const pushed: Array<[number, number]> = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'head-store-'));
    kv = await EmbeddedKV.open({ dir, sync: false });
    store = new KVChunkStore({ kv, registry: new Registry() });
    ingester = new Ingester({
      limits: { ...limits(), creationGracePeriodMs: () => GRACE },
      clock,
      chunkStore: store,
      registry: new Registry(),
      flushPeriodMs: 0,
      flush: { retainPeriodMs: 30 * MIN },
    });
    await ingester.start();
    for (let half = 0; half < 8; half++) {
      const samples = Array.from({ length: 120 }, (_, k): [number, number] => {
        const t = T0 + half * 30 * MIN + k * 15_000;
        return [t, t / 1000];
      });
      pushed.push(...samples);
      clock.t = sc.pushAt(samples.at(-1)![0]);
      await ingester.push(T1, req([series({ __name__: 'up', job: 'a' }, samples)]));
      await ingester.flush(false);
    }
  });

  afterAll(async () => {
    await ingester.stop();
    await kv.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('knows from when the head holds everything', () => {
    const since = ingester.coveredSince(T1);
    // Nothing before the process started (plus the creation grace period) counts as held.
    expect(since).toBeGreaterThan(sc.createdAt + GRACE);
    // Dropped chunks end more than the retain period ago.
    expect(since).toBeLessThanOrEqual(Math.max(clock.now() - 30 * MIN, sc.createdAt + GRACE) + 1);
    expect(new Ingester({ limits: { ...limits(), creationGracePeriodMs: () => GRACE }, clock }).coveredSince(T1)).toBe(
      clock.now() + GRACE + 1,
    );
  });

  const cases = [
    { name: 'the whole history', from: T0 - MIN, to: T0 + 5 * 60 * MIN },
    { name: 'history only', from: T0, to: T0 + 60 * MIN },
    { name: 'straddling the coverage', from: T0 + 90 * MIN, to: T0 + 200 * MIN },
    { name: 'recent data only', from: T0 + 220 * MIN, to: T0 + 240 * MIN },
  ];
  it.each(cases)('answers like head ∪ store, reading no chunk twice ($name)', async ({ from, to }) => {
    const since = ingester.coveredSince(T1);
    const spy = counted(store.queryable(T1));
    const q = headAndStore(ingester, spy, T1);
    const want = pushed.filter(([t]) => t >= from && t <= to);
    expect(await readAll(q, all, from, to)).toEqual([['up{job="a"}', want]]);
    // The store is asked only for what the head may lack, and not at all for recent data.
    if (from >= since) expect(spy.queriers).toEqual([]);
    else expect(spy.queriers.every(([, maxt]) => maxt < since)).toBe(true);
    // The encoded chunks handed to query workers hold each sample once.
    const [s] = await q.querier(from, to).select(true, { start: from, end: to }, all);
    const chunks = s!.encodedChunks!()!;
    const held = chunks.reduce((n, c) => n + ((c.data[0]! << 8) | c.data[1]!), 0);
    const whole = pushed.filter(([t]) => chunks.some((c) => t >= c.mint && t <= c.maxt)).length;
    expect(held).toBe(whole);
  });
});
