/**
 * The XOR chunk decoder on corrupted bytes (the float chunks the ingester flushes and the stores
 * keep). A chunk is encoded from generated samples (regular and jittered intervals, repeated and odd
 * values), its bytes are corrupted (bit flips, truncation, inserted or zeroed bytes, a header count
 * raised to 65,535), and it is decoded again. Properties: decoding ends (never more samples than the
 * header counts) and fails, if at all, with a RangeError (the decoder's one error kind for corrupt
 * input, never a TypeError or a hang); every sample whose bits end before the first changed byte comes
 * back exactly as written; no timestamp outside the safe integer range is ever returned. No HTTP.
 */
import fc from 'fast-check';
import { XORChunk } from '../../../data-plane/chunkenc/index.js';
import { ValueType } from '../../../data-plane/storage/index.js';
import { registerTarget } from '../harness.js';
import { sampleValue } from '../wire.js';

export type Corruption =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'zero'; at: number; len: number }
  | { kind: 'count'; n: number };

interface ChunkInput {
  start: number;
  deltas: number[];
  values: number[];
  corruptions: Corruption[];
}

const input: fc.Arbitrary<ChunkInput> = fc.record({
  start: fc.oneof(fc.constant(1_700_000_000_000), fc.integer({ min: -1e12, max: 4e12 })),
  deltas: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(15_000) },
      { weight: 2, arbitrary: fc.integer({ min: 14_000, max: 16_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 31 }) },
    ),
    { minLength: 0, maxLength: 150 },
  ),
  values: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 3, arbitrary: sampleValue }), {
    minLength: 151,
    maxLength: 151,
  }),
  corruptions: corruptions(),
});

/** 1–2 corruptions of chunk bytes: bit flips, truncation, inserted or zeroed bytes, header counts. */
export function corruptions(): fc.Arbitrary<Corruption[]> {
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
      }),
      fc.record({ kind: fc.constant('zero' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
      fc.record({ kind: fc.constant('count' as const), n: fc.constantFrom(0, 1, 65_535) }),
    ),
    { minLength: 1, maxLength: 2 },
  );
}

/** The chunk bytes with the corruptions applied (a copy). */
export function corrupt(orig: Uint8Array, cs: Corruption[]): Buffer {
  let b = Buffer.from(orig);
  for (const c of cs) {
    const at = c.kind === 'count' ? 0 : b.length === 0 ? 0 : c.at % (b.length + 1);
    switch (c.kind) {
      case 'flip':
        if (b.length > 0) b[at % b.length]! ^= 1 << c.bit;
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), c.bytes, b.subarray(at)]);
        break;
      case 'zero':
        b.fill(0, at, Math.min(b.length, at + c.len));
        break;
      case 'count':
        if (b.length >= 2) b.writeUInt16BE(c.n, 0);
        break;
    }
  }
  return b;
}

export const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

export const chunks = registerTarget({
  name: 'chunks',
  surface:
    'the XOR chunk decoder on corrupted chunk bytes (bit flips, truncation, inserted and zeroed bytes, header counts)',
  arbitrary: input,
  async run(_ctx, inp: ChunkInput) {
    const c = new XORChunk();
    const app = c.appender();
    const written: [number, number][] = [];
    let t = inp.start;
    for (let i = 0; i <= inp.deltas.length; i++) {
      if (i > 0) t += inp.deltas[i - 1]!;
      app.append(t, inp.values[i]!);
      written.push([t, inp.values[i]!]);
    }
    const orig = Uint8Array.from(c.bytes());
    // where each sample's bits end, from the intact chunk
    const ends: number[] = [];
    const it0 = XORChunk.fromBytes(orig).iterator();
    while (it0.next() !== ValueType.None) ends.push(it0.bitPosition());
    const bad = corrupt(orig, inp.corruptions);
    let first = 0;
    while (first < orig.length && first < bad.length && orig[first] === bad[first]) first++;
    const what = `${written.length} samples from ${inp.start}, corruptions ${JSON.stringify(inp.corruptions)} (first change at byte ${first} of ${orig.length})`;

    let got: [number, number][] = [];
    let failed: unknown;
    try {
      const chunk = XORChunk.fromBytes(bad);
      const it = chunk.iterator();
      const limit = chunk.numSamples();
      while (it.next() !== ValueType.None) {
        const at = it.atT();
        if (!Number.isSafeInteger(at)) throw new Error(`${what}: timestamp ${at} is not a safe integer`);
        got.push([at, it.atV()]);
        if (got.length > limit) throw new Error(`${what}: more than the ${limit} samples the header counts`);
      }
    } catch (err) {
      if (!(err instanceof RangeError))
        throw err instanceof Error && err.message.startsWith(what) ? err : new Error(`${what}: ${String(err)}`);
      failed = err;
    }
    // the samples wholly before the first changed byte (the 2-byte header included) are intact
    const intact = first < 2 ? 0 : ends.filter((e) => e <= first * 8).length;
    if (got.length < intact)
      throw new Error(`${what}: ${got.length} samples decoded (${String(failed)}), ${intact} were intact`);
    got = got.slice(0, intact);
    for (let i = 0; i < got.length; i++) {
      if (got[i]![0] !== written[i]![0] || !same(got[i]![1], written[i]![1]))
        throw new Error(`${what}: intact sample ${i} decoded as ${got[i]} instead of ${written[i]}`);
    }
    // the summary counts inputs by outcome: 0 decoded to the end, 1 a RangeError
    return failed === undefined ? 0 : 1;
  },
});
