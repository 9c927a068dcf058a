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
 * Prometheus's float histogram chunk (encoding 3, tsdb/chunkenc/float_histogram.go), bit-compatible
 * with it: a Prometheus reader decodes these chunks and we decode Prometheus's.
 *
 *   header   u16be sample count | u8 flags (top two bits: counter-reset header)
 *   layout   zero threshold (1 byte, or 0xff + float64) | varbit schema | positive spans |
 *            negative spans (varbit-uint count, then varbit-uint length, varbit offset each) |
 *            custom bounds when schema = -53 (varbit-uint count, then each bound)
 *   sample 1 varbit t | raw float64 count, zero count, sum, every bucket
 *   sample n varbit delta-of-delta t | Gorilla XOR of count, zero count, sum, then (unless the sum is
 *            a staleness marker) every bucket
 *
 * One chunk has one layout (schema, zero threshold, spans, custom bounds), so a histogram with
 * another layout starts a new chunk. Prometheus re-codes a chunk when buckets are added; we cut
 * instead, which keeps every histogram exactly as it was appended (no zero buckets inserted).
 *
 * Counter-reset hints live in the header, for the first sample: later samples of a counter chunk
 * read back as `not_reset`, of a gauge chunk as `gauge`. So a sample joins a chunk only when that is
 * what it says, or means: `not_reset`; `unknown` when no count or bucket went down (the reset
 * detection PromQL would do gives the same answer); `gauge` in a gauge chunk. `reset`, a decrease,
 * a counter/gauge switch, or a real sample after a staleness marker cuts a new chunk.
 */

interface AppendState {
  schema: number;
  zeroThreshold: number;
  positiveSpans: BucketSpan[];
  negativeSpans: BucketSpan[];
  customValues: number[] | undefined;
  t: number;
  tDelta: number;
  count: XorField;
  zeroCount: XorField;
  sum: XorField;
  pos: XorField[];
  neg: XorField[];
  lastStale: boolean;
}

export class FloatHistogramChunk extends HistogramChunkFrame {
  private st: AppendState | undefined;

  /** A chunk over stored bytes (read-only). */
  static fromBytes(b: Uint8Array, withST = false): FloatHistogramChunk {
    return HistogramChunkFrame.load(new FloatHistogramChunk(CounterResetHeader.Unknown, withST), b);
  }

  encoding(): Encoding {
    return this.stEnc ? Encoding.FloatHistogramST : Encoding.FloatHistogram;
  }

  iterator(): FloatHistogramIterator {
    return new FloatHistogramIterator(this.bytes(), this.stEnc !== undefined);
  }

  /**
   * Appends `h` at `t` if it belongs in this chunk (see the class comment), else returns why the
   * caller must start a new chunk. Timestamps must increase. Throws RangeError on a malformed
   * histogram (bucket counts that do not match the spans) or a chunk read from bytes.
   */
  tryAppend(t: number, h: FloatHistogram, startT = 0): CutReason | undefined {
    if (this.loaded) throw new RangeError('cannot append to a histogram chunk read from bytes');
    if (!Number.isSafeInteger(t)) throw new RangeError(`timestamp ${t} is not a safe integer of milliseconds`);
    const stale = isStale(h.sum);
    if (
      !stale &&
      (h.positiveBuckets.length !== countSpans(h.positiveSpans) ||
        h.negativeBuckets.length !== countSpans(h.negativeSpans))
    ) {
      throw new RangeError('histogram bucket counts do not match its spans');
    }
    const n = this.numSamples();
    if (n === 0) {
      this.first(t, h, stale);
      this.stEnc?.encode(this.w, FLAGS, 1, t, 0, startT);
      return undefined;
    }
    const why = this.fit(h);
    if (why) return why;
    if (n >= (this.stEnc ? MAX_ST_SAMPLES : MAX_SAMPLES_PER_CHUNK)) return 'full';
    const st = this.st!;
    const prevT = st.t;
    if (t <= st.t) throw new RangeError(`histogram timestamp ${t} is not after ${st.t}`);
    const w = this.w;
    const tDelta = t - st.t;
    putVarbitInt(w, tDelta - st.tDelta);
    if (stale) {
      st.count.write(w, 0);
      st.zeroCount.write(w, 0);
      st.sum.write(w, h.sum);
    } else {
      st.count.write(w, h.count);
      st.zeroCount.write(w, h.zeroCount);
      st.sum.write(w, h.sum);
      for (let i = 0; i < st.pos.length; i++) st.pos[i]!.write(w, h.positiveBuckets[i]!);
      for (let i = 0; i < st.neg.length; i++) st.neg[i]!.write(w, h.negativeBuckets[i]!);
    }
    st.t = t;
    st.tDelta = tDelta;
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
    // 'unknown': only if nothing went down, i.e. PromQL's own reset detection would see no reset.
    if (h.count < st.count.v || h.zeroCount < st.zeroCount.v) return 'reset';
    for (let i = 0; i < st.pos.length; i++) if (h.positiveBuckets[i]! < st.pos[i]!.v) return 'reset';
    for (let i = 0; i < st.neg.length; i++) if (h.negativeBuckets[i]! < st.neg[i]!.v) return 'reset';
    return undefined;
  }

  private first(t: number, h: FloatHistogram, stale: boolean): void {
    const w = this.w;
    if (h.counterResetHint === 'gauge') this.setHeader(CounterResetHeader.Gauge);
    else if (h.counterResetHint === 'reset') this.setHeader(CounterResetHeader.CounterReset);
    // A staleness marker carries no layout (Prometheus writes an empty one).
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
    const field = (v: number) => {
      const f = new XorField(0xff);
      f.setRaw(v);
      writeRaw(w, v);
      return f;
    };
    const count = field(stale ? 0 : h.count);
    const zeroCount = field(stale ? 0 : h.zeroCount);
    const sum = field(h.sum);
    const pos = stale ? [] : h.positiveBuckets.map(field);
    const neg = stale ? [] : h.negativeBuckets.map(field);
    this.st = {
      schema,
      zeroThreshold,
      positiveSpans,
      negativeSpans,
      customValues,
      t,
      tDelta: 0,
      count,
      zeroCount,
      sum,
      pos,
      neg,
      lastStale: stale,
    };
    this.setCount(1);
  }
}

export class FloatHistogramIterator implements SeriesIterator {
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
  private readonly count = new XorField(0);
  private readonly zeroCount = new XorField(0);
  private readonly sum = new XorField(0);
  private pos: XorField[] = [];
  private neg: XorField[] = [];
  private cur: FloatHistogram | undefined;
  private readonly stDec: StDecoder | undefined;

  /** `withST`: the FloatHistogramST layout (encoding 6). */
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
      this.count.readRaw(r);
      this.zeroCount.readRaw(r);
      this.sum.readRaw(r);
      const raw = () => {
        const f = new XorField(0);
        f.readRaw(r);
        return f;
      };
      this.pos = Array.from({ length: countSpans(this.positiveSpans) }, raw);
      this.neg = Array.from({ length: countSpans(this.negativeSpans) }, raw);
    } else {
      this.tDelta += readVarbitInt(r);
      const t = this.t + this.tDelta;
      if (!Number.isSafeInteger(t)) throw new RangeError(`chunk timestamp ${t} is outside the safe integer range`);
      this.t = t;
      this.count.read(r);
      this.zeroCount.read(r);
      this.sum.read(r);
      if (!this.sum.isStale()) {
        for (const f of this.pos) f.read(r);
        for (const f of this.neg) f.read(r);
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
    const hint = hintOf(this.header, this.numRead === 1);
    const stale = this.sum.isStale();
    const h: FloatHistogram = {
      counterResetHint: hint,
      schema: this.schema,
      zeroThreshold: this.zeroThreshold,
      zeroCount: stale ? 0 : this.zeroCount.value(),
      count: stale ? 0 : this.count.value(),
      sum: this.sum.value(),
      positiveSpans: stale ? [] : this.positiveSpans,
      negativeSpans: stale ? [] : this.negativeSpans,
      positiveBuckets: stale ? [] : this.pos.map((f) => f.value()),
      negativeBuckets: stale ? [] : this.neg.map((f) => f.value()),
    };
    if (this.customValues && !stale) h.customValues = this.customValues;
    this.cur = h;
    return h;
  }
}

/** Default cut for histogram chunks: at most this many samples… */
export const HISTOGRAM_SAMPLES_PER_CHUNK = 120;
/** …and no sample is added once the chunk is this big (Prometheus targets ~1 KiB chunks). */
export const HISTOGRAM_CHUNK_TARGET_BYTES = 1024;
