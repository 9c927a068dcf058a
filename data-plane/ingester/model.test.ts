import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Matcher } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { Ingester } from './index.js';
import { limits, ManualClock, req, series, T1 } from './testing.js';

/** mulberry32: seeded, so every failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ordering rules restated over a plain map per series (the reference model). */
class Model {
  readonly data = new Map<string, Map<number, number>>();
  private readonly lastT = new Map<string, number>();
  private maxT = Number.NEGATIVE_INFINITY;
  constructor(private readonly window: number) {}

  push(key: string, t: number, v: number): 'ok' | 'dup' | 'ooo' {
    let m = this.data.get(key);
    if (!m) this.data.set(key, (m = new Map()));
    const last = this.lastT.get(key) ?? Number.NEGATIVE_INFINITY;
    const prev = m.get(t);
    if (t < last && !(this.window > 0 && t >= this.maxT - this.window)) return 'ooo';
    if (prev !== undefined) return Object.is(prev, v) ? 'ok' : 'dup';
    m.set(t, v);
    if (t > last) this.lastT.set(key, t);
    if (t > this.maxT) this.maxT = t;
    return 'ok';
  }
}

const dirs: string[] = [];
const live: Ingester[] = [];
afterEach(async () => {
  for (const i of live.splice(0)) await i.stop().catch(() => {});
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function readSeries(i: Ingester, key: string, mint: number, maxt: number): Promise<Array<[number, number]>> {
  const q = i.queryable(T1).querier(mint, maxt);
  const [s] = await q.select(false, undefined, [new Matcher('=', 'k', key)]);
  if (!s) return [];
  const it = s.iterator();
  const out: Array<[number, number]> = [];
  while (it.next() === ValueType.Float) out.push([it.atT(), it.atV()]);
  return out;
}

describe('head against a reference model (seeded)', () => {
  it.each([
    { name: 'in-order only', seed: 11, window: 0 },
    { name: 'small out-of-order window', seed: 12, window: 3_000 },
    { name: 'wide out-of-order window', seed: 13, window: 1_000_000 },
  ])('$name', async ({ seed, window }) => {
    const r = rng(seed);
    const dir = await mkdtemp(join(tmpdir(), 'ingester-model-'));
    dirs.push(dir);
    const opts = {
      walDir: dir,
      limits: limits({ outOfOrderTimeWindowMs: window }),
      clock: new ManualClock(),
      checkpointIntervalMs: 0,
      fsync: 'never' as const,
    };
    const ing = new Ingester(opts);
    live.push(ing);
    await ing.start();
    const model = new Model(window);
    const keys = ['a', 'b', 'c'];
    let clock = 0;
    let rejected = 0;
    for (let step = 0; step < 400; step++) {
      clock += Math.floor(r() * 1000);
      const key = keys[Math.floor(r() * keys.length)]!;
      const samples: Array<[number, number]> = [];
      for (let n = 1 + Math.floor(r() * 5); n > 0; n--) {
        // Mostly forward, sometimes late, sometimes an exact retry of an old timestamp.
        const t = r() < 0.7 ? clock + Math.floor(r() * 100) : clock - Math.floor(r() * 5_000);
        samples.push([t, Math.floor(r() * 4)]);
      }
      const out = await ing.push(T1, req([series({ __name__: 'm', k: key }, samples)]));
      const want = { ok: 0, dup: 0, ooo: 0 };
      for (const [t, v] of samples) want[model.push(key, t, v)]++;
      const errs = new Map(out.errors.map((e) => [e.error.id, e.dropped]));
      expect({
        dup: errs.get('err-cortex-sample-duplicate-timestamp') ?? 0,
        ooo: errs.get('err-cortex-sample-out-of-order') ?? 0,
      }).toEqual({ dup: want.dup, ooo: want.ooo });
      rejected += want.dup + want.ooo;
    }
    const check = async (i: Ingester) => {
      for (const key of keys) {
        const want = [...(model.data.get(key) ?? new Map()).entries()].sort((x, y) => x[0] - y[0]);
        expect(await readSeries(i, key, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toEqual(want);
        // A window in the middle, read through seek.
        const mid = want[Math.floor(want.length / 2)]?.[0] ?? 0;
        expect(await readSeries(i, key, mid - 2_000, mid + 2_000)).toEqual(
          want.filter(([t]) => t >= mid - 2_000 && t <= mid + 2_000),
        );
      }
    };
    await check(ing);
    // Crash and replay: the same data comes back.
    const again = new Ingester(opts);
    live.push(again);
    await again.start();
    await check(again);
    expect(rejected).toBeGreaterThan(0);
  });
});
