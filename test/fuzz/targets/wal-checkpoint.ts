/**
 * WAL replay on a corrupted checkpoint. An ingester writes rounds of pushes, checkpoints (which
 * removes the segments it covers), writes more rounds to a new segment and "crashes"; the checkpoint
 * file is corrupted as the `wal` target corrupts segments, and a second ingester replays the
 * directory. Properties: replay never throws; an intact checkpoint gives back every round; a
 * corrupted one gives back exactly what a replay of its intact prefix (the records wholly before the
 * first changed byte) plus the later segment gives, never a value that was not written; a warning
 * names the checkpoint and the offset where it was cut, at or before the first changed byte and not
 * before the intact prefix, and the file is truncated there. No HTTP.
 */
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { registerTarget } from '../harness.js';
import {
  boot,
  type Corruption,
  corrupt,
  fileCorruptions,
  frameEnds,
  labelsOf,
  type Round,
  readBack,
  round,
  same,
  samplesOf,
  TENANT,
} from './wal.js';

interface CheckpointInput {
  /** Rounds pushed before the checkpoint, then after it (to the next segment). */
  before: Round[];
  after: Round[];
  corruptions: Corruption[];
}

const input: fc.Arbitrary<CheckpointInput> = fc.record({
  before: fc.array(round, { minLength: 1, maxLength: 8 }),
  after: fc.array(round, { maxLength: 3 }),
  corruptions: fileCorruptions(),
});

type Data = Map<string, [number, number][]>;

const show = (m: Data) => JSON.stringify([...m].sort());

function equal(a: Data, b: Data): boolean {
  return (
    a.size === b.size &&
    [...b].every(([k, xs]) => {
      const ys = a.get(k);
      return ys?.length === xs.length && xs.every(([t, v], i) => ys[i]![0] === t && same(ys[i]![1], v));
    })
  );
}

/**
 * Boots an ingester on `dir`, reads everything back, stops it; returns the data, the warnings and
 * the checkpoint's size after replay (before stop() writes a new one).
 */
async function replay(dir: string, cpName: string): Promise<{ data: Data; warnings: string[]; size: number }> {
  const warnings: string[] = [];
  const ing = boot(dir, { warn: (m) => warnings.push(m) });
  await ing.start();
  try {
    const size = (await stat(join(dir, cpName))).size;
    return { data: await readBack(ing), warnings, size };
  } finally {
    await ing.stop().catch(() => {});
  }
}

export const walCheckpoint = registerTarget({
  name: 'wal-checkpoint',
  surface:
    'the ingester WAL replay on a corrupted checkpoint (truncation, bit flips, inserted and zeroed bytes, huge lengths), later segments kept',
  arbitrary: input,
  // a real ingester three times per input: the costliest target, fewer in `npm test`
  boundedRuns: 60,
  async run(_ctx, inp: CheckpointInput) {
    const dir = await mkdtemp(join(tmpdir(), 'fuzz-cp-'));
    const refDir = `${dir}-ref`;
    try {
      const rounds = [...inp.before, ...inp.after];
      const a = boot(dir, { warn() {} });
      await a.start();
      const push = async (r: number) => {
        const ts = samplesOf(rounds, r).map(([key, t, v]) => ({
          labels: labelsOf(key),
          samples: [{ t, v }],
          histograms: [],
          exemplars: [],
        }));
        if (ts.length > 0) await a.push(TENANT, { timeseries: ts, metadata: [] });
      };
      for (let r = 0; r < inp.before.length; r++) await push(r);
      await a.checkpoint();
      for (let r = inp.before.length; r < rounds.length; r++) await push(r);
      // a crash: `a` is dropped without stop() (its timers are released at the end)
      const names = await readdir(dir);
      const cpName = names.find((n) => /^checkpoint\.\d{8}$/.test(n));
      if (!cpName) throw new Error(`no checkpoint written: ${names}`);
      const cpPath = join(dir, cpName);
      const orig = await readFile(cpPath);
      const frames = frameEnds(orig);
      const bad = corrupt(orig, inp.corruptions, frames);
      let firstChange = 0;
      while (firstChange < orig.length && firstChange < bad.length && orig[firstChange] === bad[firstChange])
        firstChange++;
      const changed = !(firstChange === orig.length && bad.length === orig.length);
      // the intact prefix: the records that end at or before the first changed byte
      const prefixEnd = Math.max(0, ...frames.filter((e) => e <= firstChange));
      const what = `rounds ${JSON.stringify(inp.before)} | checkpoint | ${JSON.stringify(inp.after)}, corruptions ${JSON.stringify(inp.corruptions)} (checkpoint ${orig.length} → ${bad.length} bytes, first change at ${changed ? firstChange : 'none'}, records end at ${frames})`;

      // the oracle: the same directory with the checkpoint cut cleanly at the intact prefix
      await cp(dir, refDir, { recursive: true });
      await writeFile(join(refDir, cpName), orig.subarray(0, prefixEnd));
      await writeFile(cpPath, bad);
      const ref = await replay(refDir, cpName);
      const got = await replay(dir, cpName);
      await a.stop().catch(() => {});

      if (!equal(got.data, ref.data))
        throw new Error(`${what}: replayed ${show(got.data)}, the intact prefix replays ${show(ref.data)}`);
      // nothing replayed was not written
      const written: Data = new Map();
      for (let r = 0; r < rounds.length; r++)
        for (const [key, t, v] of samplesOf(rounds, r)) written.set(key, [...(written.get(key) ?? []), [t, v]]);
      for (const [k, xs] of got.data) {
        const ws = written.get(k) ?? [];
        for (const [t, v] of xs)
          if (!ws.some(([wt, wv]) => wt === t && same(wv, v)))
            throw new Error(`${what}: replayed ${k} ${t} ${v}, which was never written`);
      }
      const cut = got.warnings
        .map((w) => /^WAL file (\S+): .* at offset (\d+); truncating/.exec(w))
        .find((m) => m !== null && m[1] === cpPath);
      // a truncation exactly at a record boundary leaves a shorter, valid checkpoint: nothing to report
      const cleanCut = bad.length === firstChange && frames.includes(bad.length);
      if (!changed) {
        if (!equal(got.data, written))
          throw new Error(`${what}: intact, replayed ${show(got.data)} of ${show(written)}`);
        if (cut) throw new Error(`${what}: a cut was reported for an intact checkpoint: ${cut[0]}`);
      } else if (bad.length > prefixEnd && !cleanCut) {
        if (!cut)
          throw new Error(`${what}: no warning says where the checkpoint was cut: ${JSON.stringify(got.warnings)}`);
        const at = Number(cut[2]);
        if (at < prefixEnd || at > firstChange)
          throw new Error(`${what}: cut at ${at}, outside [${prefixEnd}, ${firstChange}]`);
        const size = got.size;
        if (size !== at) throw new Error(`${what}: checkpoint is ${size} bytes after replay, cut at ${at}`);
      }
      // the summary counts inputs by outcome: 0 checkpoint intact, 1 cut at the corruption
      return changed ? 1 : 0;
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(refDir, { recursive: true, force: true });
    }
  },
});
