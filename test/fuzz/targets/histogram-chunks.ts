/**
 * The native-histogram chunk decoders on corrupted bytes: integer (encoding 2) and float (3)
 * histogram chunks and their start-timestamp variants (5, 6), as the ingester flushes them and the
 * stores keep them. A chunk is encoded from generated histograms (exponential schemas -4…8 and
 * custom buckets, zero thresholds from 0 to 2^-100, up to three positive and negative spans, growing
 * counts, stale markers, odd sums, jittered and huge time steps, start timestamps), corrupted as the
 * XOR `chunks` target does, and decoded through `histogramChunkFromBytes`, the stores' entry point.
 * Properties, as for XOR chunks: decoding ends (never more samples than the header counts) and fails,
 * if at all, with a RangeError; every sample whose bits end before the first changed byte (the
 * 3-byte header included) decodes exactly as written, layout and start timestamp included; no
 * timestamp outside the safe integer range comes out. No HTTP.
 */
import fc from 'fast-check';
import {
  CounterResetHeader,
  CUSTOM_BUCKETS_SCHEMA,
  FloatHistogramChunk,
  HistogramChunk,
  histogramChunkFromBytes,
} from '../../../data-plane/chunkenc/index.js';
import { type FloatHistogram, isStaleNaN, STALE_NAN } from '../../../data-plane/model/index.js';
import { ValueType } from '../../../data-plane/storage/index.js';
import { pick, registerTarget } from '../harness.js';
import { sampleValue } from '../wire.js';
import { type Corruption, corrupt, corruptions, same } from './chunks.js';

interface Span {
  offset: number;
  length: number;
}

interface Step {
  dt: number;
  stale: boolean;
  /** Increments of the zero bucket and of each bucket (positive then negative), cycled. */
  inc: number[];
  sum: number;
  /** Start timestamp: 0 (unknown) or this far before the sample. */
  stBefore: number;
}

interface HistInput {
  float: boolean;
  withST: boolean;
  header: number;
  schema: number;
  zeroThreshold: number;
  customValues: number[];
  pos: Span[];
  neg: Span[];
  start: number;
  first: number[];
  steps: Step[];
  corruptions: Corruption[];
}

const spans = (max: number) =>
  fc
    .array(fc.record({ offset: fc.integer({ min: 0, max: 5 }), length: fc.integer({ min: 1, max: 5 }) }), {
      maxLength: max,
    })
    .chain((ss) =>
      ss.length === 0
        ? fc.constant(ss)
        : fc.integer({ min: -30, max: 30 }).map((o) => [{ ...ss[0]!, offset: o }, ...ss.slice(1)]),
    );

const input: fc.Arbitrary<HistInput> = fc.record({
  float: fc.boolean(),
  withST: fc.boolean(),
  header: pick(
    CounterResetHeader.Unknown,
    CounterResetHeader.NotCounterReset,
    CounterResetHeader.CounterReset,
    CounterResetHeader.Gauge,
  ),
  schema: pick(-4, -1, 0, 1, 3, 8, CUSTOM_BUCKETS_SCHEMA),
  zeroThreshold: pick(0, 2 ** -128, 1e-128, 0.001, 2 ** -100, 0.5),
  customValues: fc
    .array(fc.oneof(pick(0.25, 0.5, 1, 2.5), fc.double({ min: 1e-6, max: 1e6, noNaN: true })), { maxLength: 12 })
    .map((xs) => [...new Set(xs.map((x, i) => x + i * 10))].sort((a, b) => a - b)),
  pos: spans(3),
  neg: spans(3),
  start: fc.oneof(fc.constant(1_700_000_000_000), fc.integer({ min: -1e12, max: 4e12 })),
  first: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 31, maxLength: 31 }),
  steps: fc.array(
    fc.record({
      dt: fc.oneof(
        { weight: 4, arbitrary: fc.constant(15_000) },
        { weight: 2, arbitrary: fc.integer({ min: 14_000, max: 16_000 }) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 31 }) },
      ),
      stale: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      inc: fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), pick(0, 2 ** 40)), { minLength: 1, maxLength: 8 }),
      sum: fc.oneof({ weight: 3, arbitrary: fc.double({ min: 0, max: 1e9, noNaN: true }) }, sampleValue),
      stBefore: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3_600_000 })),
    }),
    // 'medium': chunks of tens of samples are common, not only of a few
    { maxLength: 120, size: 'medium' },
  ),
  corruptions: corruptions(),
});

const count = (ss: Span[]) => ss.reduce((n, s) => n + s.length, 0);

/** The histograms the input describes (absolute, growing counts), with their times. */
function histograms(inp: HistInput): { t: number; st: number; h: FloatHistogram }[] {
  const custom = inp.schema === CUSTOM_BUCKETS_SCHEMA;
  const neg = custom ? [] : inp.neg;
  // fractions in float chunks, so that the float encoding is really used
  const frac = inp.float ? 0.25 : 0;
  let zero = custom ? 0 : inp.first[30]!;
  const pos = Array.from({ length: count(inp.pos) }, (_, i) => inp.first[i % 15]! + frac);
  const negs = Array.from({ length: count(neg) }, (_, i) => inp.first[15 + (i % 15)]!);
  const out: { t: number; st: number; h: FloatHistogram }[] = [];
  let t = inp.start;
  const steps: Step[] = [{ dt: 0, stale: false, inc: [0], sum: 0, stBefore: 0 }, ...inp.steps];
  for (const s of steps) {
    t += s.dt;
    let k = 0;
    const next = () => s.inc[k++ % s.inc.length]! + (inp.float ? frac : 0);
    if (!custom) zero += next();
    for (let i = 0; i < pos.length; i++) pos[i]! += next();
    for (let i = 0; i < negs.length; i++) negs[i]! += next();
    const h: FloatHistogram = {
      counterResetHint: 'unknown',
      schema: inp.schema,
      zeroThreshold: custom ? 0 : inp.zeroThreshold,
      zeroCount: zero,
      count: zero + pos.reduce((a, b) => a + b, 0) + negs.reduce((a, b) => a + b, 0),
      sum: s.stale ? STALE_NAN : s.sum,
      positiveSpans: inp.pos.map((x) => ({ ...x })),
      negativeSpans: neg.map((x) => ({ ...x })),
      positiveBuckets: pos.slice(),
      negativeBuckets: negs.slice(),
    };
    if (custom) h.customValues = inp.customValues.slice();
    out.push({ t, st: s.stBefore === 0 ? 0 : t - s.stBefore, h });
  }
  return out;
}

function sameHistogram(a: FloatHistogram, b: FloatHistogram): boolean {
  if (isStaleNaN(b.sum)) return isStaleNaN(a.sum);
  const arr = (x: readonly number[] | undefined, y: readonly number[] | undefined) =>
    (x ?? []).length === (y ?? []).length && (x ?? []).every((v, i) => same(v, y![i]!));
  const sp = (x: Span[], y: Span[]) =>
    x.length === y.length && x.every((s, i) => s.offset === y[i]!.offset && s.length === y[i]!.length);
  return (
    a.schema === b.schema &&
    same(a.zeroThreshold, b.zeroThreshold) &&
    same(a.zeroCount, b.zeroCount) &&
    same(a.count, b.count) &&
    same(a.sum, b.sum) &&
    sp(a.positiveSpans, b.positiveSpans) &&
    sp(a.negativeSpans, b.negativeSpans) &&
    arr(a.positiveBuckets, b.positiveBuckets) &&
    arr(a.negativeBuckets, b.negativeBuckets) &&
    arr(a.customValues, b.customValues)
  );
}

export const histogramChunks = registerTarget({
  name: 'histogram-chunks',
  surface:
    'the native-histogram chunk decoders (integer and float, with and without start timestamps) on corrupted bytes',
  arbitrary: input,
  async run(_ctx, inp: HistInput) {
    const c = inp.float ? new FloatHistogramChunk(inp.header, inp.withST) : new HistogramChunk(inp.header, inp.withST);
    const written: { t: number; st: number; h: FloatHistogram }[] = [];
    // where each sample's bits end, in whole bytes (the chunk's length after it)
    const ends: number[] = [];
    for (const x of histograms(inp)) {
      let why: string | undefined;
      try {
        why = c.tryAppend(x.t, x.h, x.st);
      } catch (err) {
        // the encoder refuses what a chunk cannot hold (a timestamp beyond 2^53): the chunk ends there
        if (err instanceof RangeError) break;
        throw err;
      }
      // a layout change or a reset would start a new chunk: this one ends here
      if (why !== undefined) break;
      written.push(x);
      ends.push(c.byteLength());
    }
    const encoding = c.encoding();
    const orig = Uint8Array.from(c.bytes());
    const bad = corrupt(orig, inp.corruptions);
    let first = 0;
    while (first < orig.length && first < bad.length && orig[first] === bad[first]) first++;
    const what = `encoding ${encoding} chunk of ${written.length} samples, schema ${inp.schema}, spans ${JSON.stringify([inp.pos, inp.neg])}, corruptions ${JSON.stringify(inp.corruptions)} (first change at byte ${first} of ${orig.length})`;

    const got: { t: number; st: number; h: FloatHistogram }[] = [];
    let failed: unknown;
    try {
      const chunk = histogramChunkFromBytes(encoding, bad);
      const it = chunk.iterator();
      const limit = chunk.numSamples();
      while (it.next() !== ValueType.None) {
        const t = it.atT();
        if (!Number.isSafeInteger(t)) throw new Error(`${what}: timestamp ${t} is not a safe integer`);
        got.push({ t, st: it.atST(), h: it.atHistogram() });
        if (got.length > limit) throw new Error(`${what}: more than the ${limit} samples the header counts`);
      }
    } catch (err) {
      if (!(err instanceof RangeError))
        throw err instanceof Error && err.message.startsWith(what) ? err : new Error(`${what}: ${String(err)}`);
      failed = err;
    }
    // the samples wholly before the first changed byte (the 3-byte header included) are intact
    const intact = first < 3 ? 0 : ends.filter((e) => e <= first).length;
    if (got.length < intact)
      throw new Error(`${what}: ${got.length} samples decoded (${String(failed)}), ${intact} were intact`);
    for (let i = 0; i < intact; i++) {
      const [g, w] = [got[i]!, written[i]!];
      if (g.t !== w.t || (inp.withST && g.st !== w.st) || !sameHistogram(g.h, w.h))
        throw new Error(`${what}: intact sample ${i} decoded as ${JSON.stringify(g)} instead of ${JSON.stringify(w)}`);
    }
    // the summary counts inputs by outcome: 0 decoded to the end, 1 a RangeError
    return failed === undefined ? 0 : 1;
  },
});
