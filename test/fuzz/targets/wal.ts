/**
 * The WAL decoder on corrupted segments. An ingester writes rounds of pushes (new and reused series,
 * odd values) to its WAL and "crashes"; the segment is corrupted (truncation, bit flips, inserted
 * bytes, a zeroed range, a huge length written over a record header) and a second ingester replays
 * it. Properties: replay never throws; exactly the rounds written wholly before the first changed
 * byte come back, with their values (no later record is replayed); a warning says at which offset the
 * segment was cut, at or before the first changed byte and after the last kept round, and the segment
 * is truncated there. No HTTP: the decoder's input is a file, so the target drives the ingester itself.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Ingester } from '../../../data-plane/ingester/index.js';
import { Labels, Matcher, type TenantId } from '../../../data-plane/model/index.js';
import { ValueType } from '../../../data-plane/storage/index.js';
import { pick, registerTarget } from '../harness.js';
import { sampleValue } from '../wire.js';

export const TENANT = 'wal-fuzz' as TenantId;
const NOW = 1_700_000_000_000;

export interface Round {
  /** New series this round (label r = round), plus optionally a sample of the long-lived series. */
  fresh: number;
  shared: boolean;
  values: number[];
}

export type Corruption =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'zero'; at: number; len: number }
  | { kind: 'huge-length'; round: number; len: number };

interface WalInput {
  rounds: Round[];
  corruptions: Corruption[];
}

/** A round of pushes: new series, the long-lived one, odd values. */
export const round: fc.Arbitrary<Round> = fc.record({
  fresh: fc.integer({ min: 0, max: 3 }),
  shared: fc.boolean(),
  values: fc.array(sampleValue, { minLength: 4, maxLength: 4 }),
});

const input: fc.Arbitrary<WalInput> = fc.record({
  rounds: fc.array(round, { minLength: 1, maxLength: 10 }),
  corruptions: fileCorruptions(),
});

/** 1–2 corruptions of a WAL file: truncation, flips, inserted and zeroed bytes, a huge record length. */
export function fileCorruptions(): fc.Arbitrary<Corruption[]> {
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
      }),
      fc.record({ kind: fc.constant('zero' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 4096 }) }),
      fc.record({
        kind: fc.constant('huge-length' as const),
        round: fc.nat(),
        len: pick(0, 1, 7, 0x7fffffff, 0xffffffff),
      }),
    ),
    { minLength: 1, maxLength: 2 },
  );
}

const LIMITS = {
  maxGlobalSeriesPerUser: () => 0,
  maxGlobalSeriesPerMetric: () => 0,
  outOfOrderTimeWindowMs: () => 0,
  maxGlobalExemplarsPerUser: () => 0,
  maxMetadataPerUser: () => 0,
};

export function boot(dir: string, logger: { warn(m: string): void }): Ingester {
  return new Ingester({
    walDir: dir,
    fsync: 'never',
    checkpointIntervalMs: 0,
    flushPeriodMs: 0,
    limits: LIMITS,
    clock: { now: () => NOW },
    logger: { info() {}, error() {}, warn: (m) => logger.warn(m) },
  });
}

/** What round `r` writes: [series key, t, v] for each sample. */
export function samplesOf(rounds: Round[], r: number): [string, number, number][] {
  const t = NOW - (rounds.length - r) * 1000;
  const out: [string, number, number][] = [];
  const round = rounds[r]!;
  for (let k = 0; k < round.fresh; k++) out.push([`r${r}.${k}`, t, round.values[k]!]);
  if (round.shared) out.push(['shared', t, round.values[3]!]);
  return out;
}

export function labelsOf(key: string): Labels {
  return key === 'shared'
    ? Labels.fromObject({ __name__: 'wal_fuzz', s: 'shared' })
    : Labels.fromObject({ __name__: 'wal_fuzz', s: key });
}

export function corrupt(orig: Buffer, cs: Corruption[], ends: number[]): Buffer {
  let b = Buffer.from(orig);
  for (const c of cs) {
    const at = c.kind === 'huge-length' ? 0 : b.length === 0 ? 0 : c.at % (b.length + 1);
    switch (c.kind) {
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'flip':
        if (b.length > 0) b[at % b.length]! ^= 1 << c.bit;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), c.bytes, b.subarray(at)]);
        break;
      case 'zero':
        b.fill(0, at, Math.min(b.length, at + c.len));
        break;
      case 'huge-length': {
        // the length field of the first record of a round (rounds start at frame boundaries)
        const starts = [0, ...ends.slice(0, -1)];
        const off = starts[c.round % starts.length]!;
        if (off + 4 <= b.length) b.writeUInt32LE(c.len, off);
        break;
      }
    }
  }
  return b;
}

export async function readBack(ing: Ingester): Promise<Map<string, [number, number][]>> {
  const q = ing.queryable(TENANT).querier(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const out = new Map<string, [number, number][]>();
  for (const s of await q.select(true, undefined, [new Matcher('=', '__name__', 'wal_fuzz')])) {
    const it = s.iterator();
    const samples: [number, number][] = [];
    while (it.next() === ValueType.Float) samples.push([it.atT(), it.atV()]);
    if (samples.length > 0) out.set(s.labels.get('s'), samples);
  }
  q.close();
  return out;
}

/** Where each record of an intact segment ends (a frame: 4-byte length, 4-byte CRC, body). */
export function frameEnds(seg: Buffer): number[] {
  const ends: number[] = [];
  for (let off = 0; off + 8 <= seg.length; ) {
    off += 8 + seg.readUInt32LE(off);
    ends.push(off);
  }
  return ends;
}

export const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

export const wal = registerTarget({
  name: 'wal',
  surface:
    'the ingester WAL replay on corrupted segments (truncation, bit flips, inserted and zeroed bytes, huge lengths)',
  arbitrary: input,
  // the costliest per input (a real ingester twice, or the read-back): fewer in `npm test`
  boundedRuns: 100,
  async run(_ctx, inp: WalInput) {
    const dir = await mkdtemp(join(tmpdir(), 'fuzz-wal-'));
    try {
      const a = boot(dir, { warn() {} });
      await a.start();
      const segs = async () => (await readdir(dir)).filter((n) => /^\d{8}$/.test(n)).sort();
      const seg = join(dir, (await segs()).at(-1)!);
      const ends: number[] = [];
      for (let r = 0; r < inp.rounds.length; r++) {
        const ts = samplesOf(inp.rounds, r).map(([key, t, v]) => ({
          labels: labelsOf(key),
          samples: [{ t, v }],
          histograms: [],
          exemplars: [],
        }));
        if (ts.length > 0) await a.push(TENANT, { timeseries: ts, metadata: [] });
        ends.push((await stat(seg)).size);
      }
      // a crash: `a` is dropped without stop() (its timers are released below)
      const orig = await readFile(seg);
      const bad = corrupt(orig, inp.corruptions, ends);
      await writeFile(seg, bad);
      let firstChange = 0;
      while (firstChange < orig.length && firstChange < bad.length && orig[firstChange] === bad[firstChange])
        firstChange++;
      const changed = !(firstChange === orig.length && bad.length === orig.length);

      const warnings: string[] = [];
      const b = boot(dir, { warn: (m) => warnings.push(m) });
      await b.start();
      try {
        const got = await readBack(b);
        const what = `rounds ${JSON.stringify(inp.rounds)}, corruptions ${JSON.stringify(inp.corruptions)} (segment ${orig.length} → ${bad.length} bytes, first change at ${changed ? firstChange : 'none'}, round ends ${ends})`;
        const expected = new Map<string, [number, number][]>();
        let lastKeptEnd = 0;
        for (let r = 0; r < inp.rounds.length; r++) {
          if (changed && ends[r]! > firstChange) break;
          lastKeptEnd = ends[r]!;
          for (const [key, t, v] of samplesOf(inp.rounds, r)) {
            const xs = expected.get(key) ?? [];
            xs.push([t, v]);
            expected.set(key, xs);
          }
        }
        const show = (m: Map<string, [number, number][]>) => JSON.stringify([...m].sort());
        const equal =
          got.size === expected.size &&
          [...expected].every(([k, xs]) => {
            const ys = got.get(k);
            return ys?.length === xs.length && xs.every(([t, v], i) => ys[i]![0] === t && same(ys[i]![1], v));
          });
        if (!equal) throw new Error(`${what}: replayed ${show(got)}, expected the intact prefix ${show(expected)}`);
        const cut = warnings.map((w) => /at offset (\d+); truncating/.exec(w)).find((m) => m !== null);
        // a truncation exactly at a record boundary leaves a shorter, valid segment: nothing to report
        const cleanCut = bad.length === firstChange && frameEnds(orig).includes(bad.length);
        if (changed && bad.length > lastKeptEnd && !cleanCut) {
          if (!cut) throw new Error(`${what}: no warning says where the segment was cut: ${JSON.stringify(warnings)}`);
          const at = Number(cut[1]);
          if (at < lastKeptEnd || at > firstChange)
            throw new Error(`${what}: cut at ${at}, outside [${lastKeptEnd}, ${firstChange}]`);
          const size = (await stat(seg)).size;
          if (size !== at) throw new Error(`${what}: segment is ${size} bytes after replay, cut at ${at}`);
        } else if (cut) throw new Error(`${what}: a cut was reported for an intact segment: ${cut[0]}`);
        // the summary counts inputs by outcome: 0 segment intact, 1 cut at the corruption
        return changed ? 1 : 0;
      } finally {
        await b.stop().catch(() => {});
        await a.stop().catch(() => {});
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});
