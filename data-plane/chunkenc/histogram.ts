import type { BucketSpan, FloatHistogram } from '../model/index.js';
import { type SeriesIterator, ValueType } from '../storage/index.js';
import { BitReader } from './bstream.js';
import { HistogramChunkFrame } from './histogram-frame.js';
import {
  CounterResetHeader,
  CUSTOM_BUCKETS_SCHEMA,
  type CutReason,
  counterResetHeaderOf,
  countSpans,
  FLAGS,
  HEADER_BYTES,
  hintOf,
  isStale,
  MAX_ST_SAMPLES,
  putCustomBound,
  putSpans,
  putZeroThreshold,
  readCustomBound,
  readSpans,
  readZeroThreshold,
  sameSpans,
  sameValues,
  sampleCount,
  writeRaw,
  XorField,
} from './histogram-layout.js';
import { StDecoder } from './st.js';
import { putVarbitInt, putVarbitUint, readVarbitInt, readVarbitUint } from './varbit.js';
import { Encoding, MAX_SAMPLES_PER_CHUNK } from './xor.js';

/**
 * Prometheus's integer histogram chunk (encoding 2, tsdb/chunkenc/histogram.go), bit-compatible with
 * it: a Prometheus reader decodes these chunks and we decode Prometheus's (test fixtures from a real
 * Prometheus 2.42 in chunkenc/histogram.fixtures.json).
 *
 *   header   u16be sample count | u8 flags (top two bits: counter-reset header)
 *   layout   as in the float chunk (zero threshold, varbit schema, positive and negative spans,
 *            custom bounds when schema = -53)
 *   sample 1 varbit t | varbit-uint count | varbit-uint zero count | raw float64 sum |
 *            varbit bucket deltas (each bucket minus the one before it, positive then negative)
 *   sample n varbit delta-of-delta of t, count and zero count | Gorilla XOR sum | (unless the sum
 *            is a staleness marker) the delta-of-delta of every bucket delta
 *
 * The histograms given and returned carry absolute bucket counts (whole numbers). As with the float
 * chunk, a histogram with another layout starts a new chunk (Prometheus would re-code the chunk
 * with the new buckets inserted); cutting keeps every histogram exactly as appended.
 */

interface AppendState {
  schema: number;
  zeroThreshold: number;
  positiveSpans: BucketSpan[];
  negativeSpans: BucketSpan[];
  customValues: number[] | undefined;
  t: number;
  tDelta: number;
  count: number;
  countDelta: number;
  zeroCount: number;
  zeroCountDelta: number;
  sum: XorField;
  /** Bucket deltas (bucket i minus bucket i-1) of the last sample, and their deltas to the sample before. */
  pos: number[];
  posDelta: number[];
  neg: number[];
  negDelta: number[];
  /** Absolute counts of the last sample, for reset detection. */
  posAbs: number[];
  negAbs: number[];
  lastStale: boolean;
}

/** Absolute counts → Prometheus's bucket deltas (each relative to the previous bucket, across spans). */
function toDeltas(abs: readonly number[]): number[] {
  const out = new Array<number>(abs.length);
  let prev = 0;
  for (let i = 0; i < abs.length; i++) {
    out[i] = abs[i]! - prev;
    prev = abs[i]!;
  }
  return out;
}

/** Whether every count of `h` is a whole number a chunk of this encoding can hold. */
export function isIntegerHistogram(h: FloatHistogram): boolean {
  const whole = (v: number) => Number.isSafeInteger(v) && v >= 0;
  return whole(h.count) && whole(h.zeroCount) && h.positiveBuckets.every(whole) && h.negativeBuckets.every(whole);
}

export class HistogramChunk extends HistogramChunkFrame {
  private st: AppendState | undefined;

  /** A chunk over stored bytes (read-only). */
  static fromBytes(b: Uint8Array, withST = false): HistogramChunk {
    return HistogramChunkFrame.load(new HistogramChunk(CounterResetHeader.Unknown, withST), b);
  }

  encoding(): Encoding {
    return this.stEnc ? Encoding.HistogramST : Encoding.Histogram;
  }

  iterator(): HistogramIterator {
    return new HistogramIterator(this.bytes(), this.stEnc !== undefined);
  }

  /**
   * Appends `h` (whole-number counts) at `t` if it belongs in this chunk, else returns why the
   * caller must start a new one. Timestamps must increase. `startT`: the sample's start timestamp
   * (0 = unknown), kept by the ST variant only.
   */
  tryAppend(t: number, h: FloatHistogram, startT = 0): CutReason | undefined {
    if (this.loaded) throw new RangeError('cannot append to a histogram chunk read from bytes');
    if (!Number.isSafeInteger(t)) throw new RangeError(`timestamp ${t} is not a safe integer of milliseconds`);
    const stale = isStale(h.sum);
    if (!stale) {
      if (
        h.positiveBuckets.length !== countSpans(h.positiveSpans) ||
        h.negativeBuckets.length !== countSpans(h.negativeSpans)
      ) {
        throw new RangeError('histogram bucket counts do not match its spans');
      }
      if (!isIntegerHistogram(h)) throw new RangeError('an integer histogram chunk holds whole-number counts only');
    }
    const n = this.numSamples();
    if (n === 0) {
      this.first(t, h, stale);
      this.stEnc?.encode(this.w, FLAGS, 1, t, 0, startT);
      return undefined;
    }
    const st = this.st!;
    const why = this.fit(h);
    if (why) return why;
    if (n >= (this.stEnc ? MAX_ST_SAMPLES : MAX_SAMPLES_PER_CHUNK)) return 'full';
    const prevT = st.t;
    if (t <= st.t) throw new RangeError(`histogram timestamp ${t} is not after ${st.t}`);
    const w = this.w;
    const tDelta = t - st.t;
    const count = stale ? 0 : h.count;
    const zeroCount = stale ? 0 : h.zeroCount;
    const countDelta = count - st.count;
    const zeroCountDelta = zeroCount - st.zeroCount;
    putVarbitInt(w, tDelta - st.tDelta);
    putVarbitInt(w, stale ? 0 : countDelta - st.countDelta);
    putVarbitInt(w, stale ? 0 : zeroCountDelta - st.zeroCountDelta);
    st.sum.write(w, h.sum);
    if (!stale) {
      const side = (abs: readonly number[], last: number[], lastDelta: number[]) => {
        const d = toDeltas(abs);
        for (let i = 0; i < d.length; i++) {
          const delta = d[i]! - last[i]!;
          putVarbitInt(w, delta - lastDelta[i]!);
          lastDelta[i] = delta;
          last[i] = d[i]!;
        }
      };
      side(h.positiveBuckets, st.pos, st.posDelta);
      side(h.negativeBuckets, st.neg, st.negDelta);
      st.posAbs = h.positiveBuckets.slice();
      st.negAbs = h.negativeBuckets.slice();
    }
    st.t = t;
    st.tDelta = tDelta;
    st.count = count;
    st.countDelta = countDelta;
    st.zeroCount = zeroCount;
    st.zeroCountDelta = zeroCountDelta;
    st.lastStale = stale;
    this.setCount(n + 1);
    this.stEnc?.encode(this.w, FLAGS, n + 1, t, prevT, startT);
    return undefined;
  }

  /** Why `h` cannot follow the chunk's last sample (a layout change or a counter reset), if it can't. */
  fit(h: FloatHistogram): CutReason | undefined {
    const st = this.st;
    if (!st) return this.numSamples() === 0 ? undefined : 'layout';
    const stale = isStale(h.sum);
    if (!stale && !isIntegerHistogram(h)) return 'kind';
    const gaugeChunk = this.counterResetHeader() === CounterResetHeader.Gauge;
    if (gaugeChunk !== (h.counterResetHint === 'gauge')) return 'layout';
    if (h.counterResetHint === 'reset') return 'reset';
    if (stale) return undefined;
    if (st.lastStale) return 'layout';
    if (
      h.schema !== st.schema ||
      h.zeroThreshold !== st.zeroThreshold ||
      !sameSpans(h.positiveSpans, st.positiveSpans) ||
      !sameSpans(h.negativeSpans, st.negativeSpans) ||
      (st.schema === CUSTOM_BUCKETS_SCHEMA && !sameValues(h.customValues, st.customValues))
    ) {
      return 'layout';
    }
    if (gaugeChunk || h.counterResetHint === 'not_reset') return undefined;
    // 'unknown': a counter that went down starts a chunk of its own, as Prometheus's appendable() sees it
    if (h.count < st.count || h.zeroCount < st.zeroCount) return 'reset';
    for (let i = 0; i < st.posAbs.length; i++) if (h.positiveBuckets[i]! < st.posAbs[i]!) return 'reset';
    for (let i = 0; i < st.negAbs.length; i++) if (h.negativeBuckets[i]! < st.negAbs[i]!) return 'reset';
    return undefined;
  }

  private first(t: number, h: FloatHistogram, stale: boolean): void {
    const w = this.w;
    if (h.counterResetHint === 'gauge') this.setHeader(CounterResetHeader.Gauge);
    else if (h.counterResetHint === 'reset') this.setHeader(CounterResetHeader.CounterReset);
    const schema = stale ? 0 : h.schema;
    const zeroThreshold = stale ? 0 : h.zeroThreshold;
    const positiveSpans = stale ? [] : h.positiveSpans.map((s) => ({ offset: s.offset, length: s.length }));
    const negativeSpans = stale ? [] : h.negativeSpans.map((s) => ({ offset: s.offset, length: s.length }));
    const customValues = schema === CUSTOM_BUCKETS_SCHEMA ? [...(h.customValues ?? [])] : undefined;
    putZeroThreshold(w, zeroThreshold);
    putVarbitInt(w, schema);
    putSpans(w, positiveSpans);
    putSpans(w, negativeSpans);
    if (customValues) {
      putVarbitUint(w, customValues.length);
      for (const b of customValues) putCustomBound(w, b);
    }
    putVarbitInt(w, t);
    const count = stale ? 0 : h.count;
    const zeroCount = stale ? 0 : h.zeroCount;
    putVarbitUint(w, count);
    putVarbitUint(w, zeroCount);
    const sum = new XorField(0xff);
    sum.setRaw(h.sum);
    writeRaw(w, h.sum);
    const pos = stale ? [] : toDeltas(h.positiveBuckets);
    const neg = stale ? [] : toDeltas(h.negativeBuckets);
    for (const d of pos) putVarbitInt(w, d);
    for (const d of neg) putVarbitInt(w, d);
    this.st = {
      schema,
      zeroThreshold,
      positiveSpans,
      negativeSpans,
      customValues,
      t,
      tDelta: 0,
      count,
      countDelta: 0,
      zeroCount,
      zeroCountDelta: 0,
      sum,
      pos,
      posDelta: new Array<number>(pos.length).fill(0),
      neg,
      negDelta: new Array<number>(neg.length).fill(0),
      posAbs: stale ? [] : h.positiveBuckets.slice(),
      negAbs: stale ? [] : h.negativeBuckets.slice(),
      lastStale: stale,
    };
    this.setCount(1);
  }
}

export class HistogramIterator implements SeriesIterator {
  private readonly r: BitReader;
  private readonly total: number;
  private readonly header: number;
  private numRead = 0;
  private schema = 0;
  private zeroThreshold = 0;
  private positiveSpans: BucketSpan[] = [];
  private negativeSpans: BucketSpan[] = [];
  private customValues: number[] | undefined;
  private t = 0;
  private tDelta = 0;
  private count = 0;
  private countDelta = 0;
  private zeroCount = 0;
  private zeroCountDelta = 0;
  private readonly sum = new XorField(0);
  private pos: number[] = [];
  private posDelta: number[] = [];
  private neg: number[] = [];
  private negDelta: number[] = [];
  private cur: FloatHistogram | undefined;
  private readonly stDec: StDecoder | undefined;

  /** `withST`: the HistogramST layout (encoding 5). */
  constructor(b: Uint8Array, withST = false) {
    if (b.length < HEADER_BYTES)
      throw new RangeError(`histogram chunk of ${b.length} bytes is shorter than its header`);
    this.total = sampleCount(b, withST);
    this.header = counterResetHeaderOf(b, withST);
    this.stDec = withST ? new StDecoder(b[FLAGS]!) : undefined;
    this.r = new BitReader(b, HEADER_BYTES * 8);
  }

  next(): ValueType {
    if (this.numRead >= this.total) return ValueType.None;
    const r = this.r;
    const prevT = this.t;
    this.cur = undefined;
    if (this.numRead === 0) {
      this.zeroThreshold = readZeroThreshold(r);
      this.schema = readVarbitInt(r);
      this.positiveSpans = readSpans(r);
      this.negativeSpans = readSpans(r);
      if (this.schema === CUSTOM_BUCKETS_SCHEMA) {
        const n = readVarbitUint(r);
        this.customValues = [];
        for (let i = 0; i < n; i++) this.customValues.push(readCustomBound(r));
      }
      this.t = readVarbitInt(r);
      this.count = readVarbitUint(r);
      this.zeroCount = readVarbitUint(r);
      this.sum.readRaw(r);
      const np = countSpans(this.positiveSpans);
      const nn = countSpans(this.negativeSpans);
      this.pos = Array.from({ length: np }, () => readVarbitInt(r));
      this.neg = Array.from({ length: nn }, () => readVarbitInt(r));
      this.posDelta = new Array<number>(np).fill(0);
      this.negDelta = new Array<number>(nn).fill(0);
    } else {
      this.tDelta += readVarbitInt(r);
      const t = this.t + this.tDelta;
      if (!Number.isSafeInteger(t)) throw new RangeError(`chunk timestamp ${t} is outside the safe integer range`);
      this.t = t;
      this.countDelta += readVarbitInt(r);
      this.count += this.countDelta;
      this.zeroCountDelta += readVarbitInt(r);
      this.zeroCount += this.zeroCountDelta;
      this.sum.read(r);
      if (!this.sum.isStale()) {
        for (let i = 0; i < this.pos.length; i++) {
          this.posDelta[i]! += readVarbitInt(r);
          this.pos[i]! += this.posDelta[i]!;
        }
        for (let i = 0; i < this.neg.length; i++) {
          this.negDelta[i]! += readVarbitInt(r);
          this.neg[i]! += this.negDelta[i]!;
        }
      }
    }
    this.numRead++;
    this.stDec?.decode(r, this.numRead, this.t, prevT);
    return ValueType.Histogram;
  }

  /** The current sample's start timestamp (0 = unknown or not an ST chunk). */
  atST(): number {
    return this.stDec?.st ?? 0;
  }

  seek(t: number): ValueType {
    if (this.numRead > 0 && this.t >= t) return ValueType.Histogram;
    while (this.next() !== ValueType.None) if (this.t >= t) return ValueType.Histogram;
    return ValueType.None;
  }

  atT(): number {
    return this.t;
  }

  atV(): number {
    throw new RangeError('histogram chunks hold histogram samples only');
  }

  atHistogram(): FloatHistogram {
    if (this.cur) return this.cur;
    const stale = this.sum.isStale();
    if (stale) {
      this.cur = {
        counterResetHint: 'unknown',
        schema: 0,
        zeroThreshold: 0,
        zeroCount: 0,
        count: 0,
        sum: this.sum.value(),
        positiveSpans: [],
        negativeSpans: [],
        positiveBuckets: [],
        negativeBuckets: [],
      };
      return this.cur;
    }
    const abs = (deltas: readonly number[]) => {
      const out = new Array<number>(deltas.length);
      let c = 0;
      for (let i = 0; i < deltas.length; i++) out[i] = c += deltas[i]!;
      return out;
    };
    const h: FloatHistogram = {
      counterResetHint: hintOf(this.header, this.numRead === 1),
      schema: this.schema,
      zeroThreshold: this.zeroThreshold,
      zeroCount: this.zeroCount,
      count: this.count,
      sum: this.sum.value(),
      positiveSpans: this.positiveSpans,
      negativeSpans: this.negativeSpans,
      positiveBuckets: abs(this.pos),
      negativeBuckets: abs(this.neg),
    };
    if (this.customValues) h.customValues = this.customValues;
    this.cur = h;
    return h;
  }
}
