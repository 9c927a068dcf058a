import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStaleNaN, Matcher, STALE_NAN } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { Overrides, StaticTenantLimitsSource } from '../validation/index.js';
import { Ingester, type IngesterOptions } from './index.js';
import { lbls, limits, ManualClock, RecordingLogger, readAll, req, series, T1, T2 } from './testing.js';

const eq = (n: string, v: string) => new Matcher('=', n, v);
const all = [new Matcher('=~', '__name__', '.+')];

let dir: string;
const open: Ingester[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingester-wal-'));
});
afterEach(async () => {
  // Instances that "crashed" were never stopped; closing them here only releases timers and files.
  for (const i of open.splice(0)) await i.stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function boot(extra: Partial<IngesterOptions> = {}): Promise<Ingester> {
  const i = new Ingester({
    walDir: dir,
    limits: limits({ outOfOrderTimeWindowMs: 1_000_000 }),
    clock: new ManualClock(),
    checkpointIntervalMs: 0,
    fsyncBatchIntervalMs: 2,
    ...extra,
  });
  open.push(i);
  await i.start();
  return i;
}

/** Pushes `n` rounds over `k` series: round r writes t = r*1000, v = r + series index. */
async function load(i: Ingester, rounds: number, k: number, from = 0): Promise<void> {
  for (let r = from; r < from + rounds; r++) {
    const ts = Array.from({ length: k }, (_, s) => series({ __name__: 'm', s: String(s) }, [[r * 1000, r + s]]));
    await i.push(T1, req(ts));
  }
}

function expected(rounds: number, k: number, from = 0): Array<[string, Array<[number, number]>]> {
  return Array.from({ length: k }, (_, s) => s)
    .map((s) => String(s))
    .sort()
    .map((s) => [
      `m{s="${s}"}`,
      Array.from({ length: from + rounds }, (_, r): [number, number] => [r * 1000, r + Number(s)]),
    ]);
}

describe('WAL durability', () => {
  it.each(['always', 'batch', 'never'] as const)('fsync=%s: acknowledged samples survive a crash', async (fsync) => {
    const a = await boot({ fsync });
    await load(a, 130, 5);
    // Concurrent pushes share group commits.
    await Promise.all(
      Array.from({ length: 20 }, (_, k) =>
        a.push(T2, req([series({ __name__: 'c', k: String(k) }, [{ t: 5, v: k === 0 ? STALE_NAN : k }])])),
      ),
    );
    // Crash: the object is dropped without stop(); a new instance opens the same directory.
    const b = await boot({ fsync });
    expect(await readAll(b.queryable(T1), all)).toEqual(expected(130, 5));
    expect((await readAll(b.queryable(T2), all)).length).toBe(20);
    const [s] = await b
      .queryable(T2)
      .querier(0, 10)
      .select(false, undefined, [eq('k', '0')]);
    const it = s!.iterator();
    expect(it.next()).toBe(ValueType.Float);
    expect(isStaleNaN(it.atV())).toBe(true);
  });

  it('replays out-of-order samples, histograms and series refs, and keeps appending after replay', async () => {
    const a = await boot();
    await a.push(
      T1,
      req([
        series({ __name__: 'x' }, [
          [100, 1],
          [200, 2],
        ]),
      ]),
    );
    await a.push(T1, req([series({ __name__: 'x' }, [[150, 1.5]])]));
    await a.push(
      T1,
      req([
        series({ __name__: 'h' }, [], {
          histograms: [
            {
              t: 7,
              h: {
                counterResetHint: 'gauge',
                schema: 1,
                zeroThreshold: 0.001,
                zeroCount: 1,
                count: 3,
                sum: 4.5,
                positiveSpans: [{ offset: 1, length: 2 }],
                negativeSpans: [],
                positiveBuckets: [1, 1],
                negativeBuckets: [],
              },
            },
          ],
        }),
      ]),
    );
    const b = await boot();
    // The replayed series keeps its ordering state: a duplicate and an old sample are still refused.
    const out = await b.push(
      T1,
      req([
        series({ __name__: 'x' }, [
          [200, 3],
          [300, 3],
        ]),
      ]),
    );
    expect(out.errors.map((e) => e.error.id)).toEqual(['err-cortex-sample-duplicate-timestamp']);
    expect(await readAll(b.queryable(T1), [eq('__name__', 'x')])).toEqual([
      [
        'x',
        [
          [100, 1],
          [150, 1.5],
          [200, 2],
          [300, 3],
        ],
      ],
    ]);
    const [h] = await b
      .queryable(T1)
      .querier(0, 10)
      .select(false, undefined, [eq('__name__', 'h')]);
    const it = h!.iterator();
    expect(it.next()).toBe(ValueType.Histogram);
    expect(it.atHistogram().positiveSpans).toEqual([{ offset: 1, length: 2 }]);
    // A third generation sees the writes of the second one too.
    const c = await boot();
    expect((await readAll(c.queryable(T1), [eq('__name__', 'x')]))[0]![1]).toHaveLength(4);
  });

  it('truncates a torn tail with a log line and replays the rest', async () => {
    const a = await boot({ fsync: 'always' });
    await load(a, 10, 3);
    const segs = (await readdir(dir)).filter((n) => /^\d{8}$/.test(n)).sort();
    const last = join(dir, segs[segs.length - 1]!);
    const before = (await stat(last)).size;
    // A half-written record at the end, as a crash mid-write leaves it.
    await writeFile(last, Buffer.concat([await readFile(last), Buffer.from([0x40, 0, 0, 0, 1, 2, 3, 4, 2, 9])]));
    const logger = new RecordingLogger();
    const b = await boot({ logger });
    expect(await readAll(b.queryable(T1), all)).toEqual(expected(10, 3));
    expect(
      logger.lines.some((l) => l.startsWith('warn:') && l.includes('torn record') && l.includes('truncating')),
    ).toBe(true);
    expect((await stat(last)).size).toBe(before);
  });

  it('drops a corrupt record (bad checksum) and everything after it in that file, then replays later files', async () => {
    const a = await boot({ fsync: 'always' });
    await load(a, 4, 2);
    await a.checkpoint(); // segment boundary: the first 4 rounds are now in the checkpoint
    await load(a, 4, 2, 4);
    const segs = (await readdir(dir)).filter((n) => /^\d{8}$/.test(n)).sort();
    const seg = join(dir, segs[segs.length - 1]!);
    const buf = await readFile(seg);
    // Flip one byte in the body of the last record (round 7).
    const copy = Buffer.from(buf);
    copy[copy.length - 3]! ^= 0xff;
    await writeFile(seg, copy);
    const logger = new RecordingLogger();
    const b = await boot({ logger });
    expect(await readAll(b.queryable(T1), all)).toEqual(expected(7, 2));
    expect(logger.lines.some((l) => l.includes('checksum mismatch'))).toBe(true);
    expect((await b.metrics.walCorruptions.get()).values[0]?.value).toBe(1);
  });
});

describe('WAL mechanics', () => {
  it.each([
    { name: 'from segments', checkpoint: false },
    { name: 'from a checkpoint', checkpoint: true },
  ])('exemplars survive a crash $name', async ({ checkpoint }) => {
    const lim = limits({ maxGlobalExemplarsPerUser: 10 });
    const a = await boot({ limits: lim });
    const ex = (t: number) => ({ labels: lbls({ trace_id: `t${t}` }), t, v: t / 2 });
    await a.push(T1, req([series({ __name__: 'e', k: '1' }, [[1, 1]], { exemplars: [ex(1), ex(2)] })]));
    await a.push(T1, req([series({ __name__: 'e', k: '2' }, [[1, 1]], { exemplars: [ex(3)] })]));
    if (checkpoint) await a.checkpoint();
    const b = await boot({ limits: lim });
    const got = b.exemplars(T1, [[eq('__name__', 'e')]], 0, 10);
    expect(
      got.map((g) => [g.seriesLabels.get('k'), g.exemplars.map((e) => [e.labels.get('trace_id'), e.t, e.v])]),
    ).toEqual([
      [
        '1',
        [
          ['t1', 1, 0.5],
          ['t2', 2, 1],
        ],
      ],
      ['2', [['t3', 3, 1.5]]],
    ]);
  });

  it('concurrent pushes share group commits (far fewer fsyncs than pushes)', async () => {
    const a = await boot({ fsync: 'always' });
    await Promise.all(
      Array.from({ length: 50 }, (_, k) => a.push(T1, req([series({ __name__: 'g', k: String(k) }, [[1, k]])]))),
    );
    const fsyncs = (await a.metrics.walFsyncSeconds.get()).values.find((v) => v.metricName?.endsWith('_count'))!.value;
    expect(fsyncs).toBeGreaterThan(0);
    expect(fsyncs).toBeLessThanOrEqual(3);
  });

  it.each([
    { name: 'tiny segments (rotation after every write)', segmentBytes: 1 },
    { name: 'small segments', segmentBytes: 2048 },
    { name: 'default segments', segmentBytes: 64 << 20 },
  ])('replays across rotated segments: $name', async ({ segmentBytes }) => {
    const a = await boot({ walSegmentBytes: segmentBytes });
    await load(a, 30, 3);
    const segs = (await readdir(dir)).filter((n) => /^\d{8}$/.test(n));
    if (segmentBytes === 1) expect(segs.length).toBeGreaterThanOrEqual(30);
    const b = await boot();
    expect(await readAll(b.queryable(T1), all)).toEqual(expected(30, 3));
  });

  it('works with the validation Overrides as its limits', async () => {
    const overrides = new Overrides(new StaticTenantLimitsSource(new Map([[T1, { max_global_series_per_user: 1 }]])));
    const a = await boot({ limits: overrides });
    const out = await a.push(T1, req([series({ __name__: 'a' }, [[1, 1]]), series({ __name__: 'b' }, [[1, 1]])]));
    expect(out.errors.map((e) => e.error.id)).toEqual(['err-cortex-max-series-per-user']);
  });
});

describe('WAL directory lock', () => {
  it.each([
    { name: 'held by another live process', content: () => String(process.ppid), refused: true },
    { name: 'left by a dead process', content: () => '999999999', refused: false },
    { name: 'unreadable', content: () => 'garbage', refused: false },
  ])('lock $name', async ({ content, refused }) => {
    await writeFile(join(dir, 'LOCK'), content());
    const i = new Ingester({ walDir: dir, limits: limits(), checkpointIntervalMs: 0 });
    if (refused) {
      await expect(i.start()).rejects.toThrow(/in use by process/);
      return;
    }
    open.push(i);
    await i.start();
    expect((await readFile(join(dir, 'LOCK'), 'utf8')).trim()).toBe(String(process.pid));
    await i.stop();
    expect(await readdir(dir)).not.toContain('LOCK');
  });
});

describe('checkpoints', () => {
  it('replay = checkpoint + newer segments; older segments are deleted', async () => {
    const a = await boot({ fsync: 'never' });
    await load(a, 150, 4);
    await a.checkpoint();
    const files = await readdir(dir);
    const cps = files.filter((n) => n.startsWith('checkpoint.'));
    expect(cps).toHaveLength(1);
    const cpNum = Number(cps[0]!.slice('checkpoint.'.length));
    expect(files.filter((n) => /^\d{8}$/.test(n)).every((n) => Number(n) > cpNum)).toBe(true);
    await load(a, 20, 4, 150);
    const b = await boot();
    expect(await readAll(b.queryable(T1), all)).toEqual(expected(170, 4));
    // Appending continues the reopened head chunk after replay.
    await load(b, 1, 4, 170);
    expect(await readAll(b.queryable(T1), all)).toEqual(expected(171, 4));
  });

  it('pushes racing a checkpoint are neither lost nor duplicated', async () => {
    const a = await boot({ fsync: 'batch' });
    const pushes: Promise<unknown>[] = [];
    for (let r = 0; r < 60; r++) {
      pushes.push(a.push(T1, req([series({ __name__: 'm', s: '0' }, [[r * 1000, r]])])));
      if (r === 30) pushes.push(a.checkpoint());
    }
    await Promise.all(pushes);
    const b = await boot();
    expect(await readAll(b.queryable(T1), all)).toEqual(expected(60, 1));
  });

  it('a checkpoint taken in slices while pushes continue loses and duplicates nothing', {
    timeout: 30_000,
  }, async () => {
    const a = await boot({ fsync: 'never' });
    const k = 2500; // more than one checkpoint slice
    await load(a, 1, k);
    const cp = a.checkpoint();
    await Promise.all([cp, load(a, 3, k, 1)]);
    await load(a, 1, k, 4);
    const b = await boot();
    expect(await readAll(b.queryable(T1), all)).toEqual(expected(5, k));
  });

  it('stop() writes a final checkpoint so the next start reads no old segments', async () => {
    const logger = new RecordingLogger();
    const a = await boot();
    await load(a, 5, 2);
    await a.stop();
    const b = await boot({ logger });
    expect(await readAll(b.queryable(T1), all)).toEqual(expected(5, 2));
    expect(logger.lines.find((l) => l.includes('WAL replay done'))).toMatch(/checkpoint \d+, 0 segments/);
  });

  it('a leftover temporary checkpoint is ignored', async () => {
    const a = await boot();
    await load(a, 3, 1);
    await writeFile(join(dir, 'checkpoint.00000099.tmp'), 'garbage');
    const b = await boot();
    expect(await readAll(b.queryable(T1), all)).toEqual(expected(3, 1));
    expect(await readdir(dir)).not.toContain('checkpoint.00000099.tmp');
  });
});
