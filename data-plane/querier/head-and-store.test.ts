import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encoding, XORChunk } from '../chunkenc/index.js';
import { Ingester } from '../ingester/index.js';
import { limits, ManualClock, RecordingChunkStore, readAll, req, series, T1 } from '../ingester/testing.js';
import { Labels, Matcher } from '../model/index.js';
import { KVChunkStore } from '../storage/chunkstore/index.js';
import { EmbeddedKV } from '../storage/embedded/index.js';
import type { EncodedChunk, Queryable } from '../storage/index.js';
import { headAndStore } from './head-and-store.js';

const MIN = 60_000;
const T0 = 1_700_000_000_000;
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
  /** A sample of the series an earlier process flushed (its chunk is in the store already). */
  earlier?: number;
  /** Where the head's coverage must start, given the newest sample dropped from memory. */
  since(droppedMaxT: number): number;
}

const scenarios: Scenario[] = [
  // Scraped in real time, flushed every half hour: the oldest chunks were flushed long enough ago to
  // be dropped from memory, the newest are still open.
  {
    name: 'scraped in real time',
    createdAt: T0,
    pushAt: (last) => last + 1000,
    since: (dropped) => dropped + 1,
  },
  // Backfilled into a fresh store: the head holds every flushed chunk still, so it covers everything.
  {
    name: 'backfilled into a fresh store',
    createdAt: T0 + 5 * 60 * MIN,
    pushAt: () => T0 + 5 * 60 * MIN,
    since: () => Number.NEGATIVE_INFINITY,
  },
  // An earlier process flushed data up to 3 h (its mark says 15 minutes more): the store is read up
  // to there, and the head leaves out what it flushed itself before then.
  {
    name: 'after a restart',
    createdAt: T0 + 5 * 60 * MIN,
    pushAt: () => T0 + 5 * 60 * MIN,
    earlier: T0 + 3 * 60 * MIN,
    since: () => T0 + 3 * 60 * MIN + 15 * MIN + 1,
  },
];

describe.each(scenarios)('head and store read each for the part only it holds ($name)', (sc) => {
  let dir: string;
  let kv: EmbeddedKV;
  let store: KVChunkStore;
  let ingester: Ingester;
  const clock = new ManualClock(sc.createdAt);
  const pushed: Array<[number, number]> = [];
  let dropped = Number.NEGATIVE_INFINITY;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'head-store-'));
    kv = await EmbeddedKV.open({ dir, sync: false });
    if (sc.earlier !== undefined) {
      const chunk = new XORChunk();
      chunk.appender().append(sc.earlier, sc.earlier / 1000);
      await new KVChunkStore({ kv, registry: new Registry() }).put(T1, [
        {
          labels: Labels.fromObject({ __name__: 'up', job: 'a' }),
          mint: sc.earlier,
          maxt: sc.earlier,
          encoding: Encoding.XOR,
          data: chunk.bytes(),
        },
      ]);
    }
    store = new KVChunkStore({ kv, registry: new Registry() });
    ingester = new Ingester({
      limits: limits(),
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
      // What the flush just dropped from memory: flushed more than the retain period ago.
      if (sc.pushAt(0) !== sc.createdAt && half >= 2) dropped = T0 + (half - 1) * 30 * MIN - 15_000;
    }
  });

  afterAll(async () => {
    await ingester.stop();
    await kv.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('knows from when the head holds everything', async () => {
    expect(await ingester.coveredSince(T1)).toBe(sc.since(dropped));
  });

  const cases = [
    { name: 'the whole history', from: T0 - MIN, to: T0 + 5 * 60 * MIN },
    { name: 'history only', from: T0, to: T0 + 60 * MIN },
    { name: 'straddling the coverage', from: T0 + 90 * MIN, to: T0 + 200 * MIN },
    { name: 'recent data only', from: T0 + 220 * MIN, to: T0 + 240 * MIN },
  ];
  it.each(cases)('answers like head ∪ store, reading no chunk twice ($name)', async ({ from, to }) => {
    const since = await ingester.coveredSince(T1);
    const spy = counted(store.queryable(T1));
    const q = headAndStore(ingester, spy, T1);
    const want = pushed.filter(([t]) => t >= from && t <= to);
    expect(await readAll(q, all, from, to)).toEqual([['up{job="a"}', want]]);
    // The store is asked only for what the head may lack, and not at all for recent data.
    if (from >= since) expect(spy.queriers).toEqual([]);
    else expect(spy.queriers.every(([, maxt]) => maxt < since)).toBe(true);
    // The encoded chunks handed to query workers hold each sample once, except a chunk the head
    // flushed across the coverage start (read from both) and the earlier process's own cut.
    const [s] = await q.querier(from, to).select(true, { start: from, end: to }, all);
    const distinct = new Map<string, EncodedChunk>();
    const twice: EncodedChunk[] = [];
    for (const c of s!.encodedChunks!()!) {
      const k = `${c.mint}:${c.maxt}:${Buffer.from(c.data).toString('base64')}`;
      if (distinct.has(k)) twice.push(c);
      else distinct.set(k, c);
    }
    expect(twice.every((c) => c.mint < since && c.maxt >= since)).toBe(true);
    const ours = [...distinct.values()].filter((c) => c.mint !== sc.earlier);
    const held = ours.reduce((n, c) => n + ((c.data[0]! << 8) | c.data[1]!), 0);
    const whole = pushed.filter(([t]) => ours.some((c) => t >= c.mint && t <= c.maxt)).length;
    expect(held).toBe(whole);
  });
});

describe('a chunk store without a flushed-through mark', () => {
  it('leaves the head the creation grace period after the process started', async () => {
    const clock = new ManualClock(T0);
    const i = new Ingester({
      limits: { ...limits(), creationGracePeriodMs: () => 7 * MIN },
      clock,
      chunkStore: new RecordingChunkStore(),
    });
    clock.advance(60 * MIN);
    expect(await i.coveredSince(T1)).toBe(T0 + 7 * MIN + 1);
  });
});
