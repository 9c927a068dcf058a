import type { FloatHistogram } from '../model/index.js';
import { type SeriesIterator, ValueType } from '../storage/index.js';
import { bitsOut, bitsToFloat, ctz32, floatBits, intToWords, wordsToInt } from './bits64.js';
import { BitReader, BitWriter } from './bstream.js';
import { packBytes } from './byte-slab.js';
import { readUvarintInt64, readVarint, writeUvarintInt64, writeVarint } from './varint.js';

/**
 * Prometheus XOR chunk (encoding 1), byte-compatible with Prometheus's encoder. The format is
 * described in /work/shared/protocols/XOR_CHUNKS.md; section numbers below refer to it.
 */

/** Chunk encodings as stored next to chunk bytes (Prometheus chunkenc.Encoding). */
export const Encoding = {
  None: 0,
  XOR: 1,
  Histogram: 2,
  FloatHistogram: 3,
  /** Floats with start timestamps (xor2.ts). */
  XOR2: 4,
  /** Integer histograms with start timestamps. */
  HistogramST: 5,
  /** Float histograms with start timestamps. */
  FloatHistogramST: 6,
} as const;
export type Encoding = (typeof Encoding)[keyof typeof Encoding];

/** A chunk holds at most this many samples: the count is a uint16. */
export const MAX_SAMPLES_PER_CHUNK = 0xffff;
const HEADER_BITS = 16;
/** Encoder sentinel for "no value window opened yet" (§4). */
const UNSET = 0xff;

/**
 * What the XOR encoder carries from one sample to the next (§3, §4). A chunk does not hold it: a
 * sealed chunk never needs it, and a holder of many open chunks (the ingester's series) keeps it in
 * its own fields rather than in one more object per chunk. Every field stays a small integer in V8
 * (the words are signed 32-bit) except `lastT`.
 */
export interface XOREncoderState {
  /** Timestamp of the chunk's last sample (not read before the first). */
  lastT: number;
  /** Delta between the last two timestamps. */
  prevDelta: number;
  /** High and low words of the last value's IEEE-754 bits, as signed 32-bit integers. */
  vhi: number;
  vlo: number;
  /** `leading << 8 | trailing` of the current value window; `XOR_NO_WINDOW` before one opened. */
  window: number;
}

/** `XOREncoderState.window` of a chunk with no value window opened yet (a fresh encoder). */
export const XOR_NO_WINDOW = UNSET << 8;

export interface ChunkAppender {
  /**
   * Appends a sample. `t` must be a safe integer (ms). The appender does not check ordering; callers
   * (the head) reject out-of-order samples before appending. Throws RangeError on non-integer or
   * unsafe timestamps and on a full chunk.
   */
  append(t: number, v: number): void;
}

/**
 * The chunk is its own bit writer (it extends BitWriter rather than holding one): one object less
 * per chunk in memory, and the ingester holds hundreds of thousands of them.
 */
/**
 * Appenders made by `XORChunk.appender()`, kept apart from the chunks: most chunks (the ingester's)
 * never get one, and a field would cost 8 bytes on each.
 */
const appenders = new WeakMap<XORChunk, XORAppender>();

export class XORChunk extends BitWriter {
  /** An empty chunk (`00 00`). */
  constructor() {
    super(undefined, HEADER_BITS, 32);
  }

  /**
   * A chunk over existing bytes (as stored or received over remote read). The bytes are not copied
   * unless someone appends; trailing bytes past the last sample are tolerated (§2).
   */
  static fromBytes(b: Uint8Array): XORChunk {
    if (b.length < 2) throw new RangeError(`XOR chunk of ${b.length} bytes is shorter than its 2-byte header`);
    const c = new XORChunk();
    c.buf = b;
    c.bitPos = b.length * 8;
    return c;
  }

  encoding(): Encoding {
    return Encoding.XOR;
  }

  /** From the header: the count lives there and nowhere else (one field less per chunk). */
  numSamples(): number {
    const b = this.buf;
    return (b[0]! << 8) | b[1]!;
  }

  /** The chunk bytes (a view, not a copy: valid until the next append). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.byteLength());
  }

  /**
   * The backing buffer, from the chunk's first byte; only `byteLength()` bytes of it are the chunk.
   * For readers that decode in place (decodeXORInto) without a view object per read.
   */
  buffer(): Uint8Array {
    return this.buf;
  }

  /** Length of `bytes()` without creating a view (hot path: chunk cutting checks it per append). */
  override byteLength(): number {
    return (this.bitPos + 7) >>> 3;
  }

  /** Bytes held in memory, including spare capacity (for memory accounting). */
  allocatedBytes(): number {
    return this.buf.length;
  }

  /**
   * Drops spare capacity and the encoder; call when the chunk is sealed. The bytes move into a slab
   * shared with other sealed chunks (`packBytes`): `bytes()` and `buffer()` are then views of it.
   * Appending stays possible: the encoder state is rebuilt from the bytes, as for `fromBytes`.
   */
  compact(): void {
    const len = this.byteLength();
    this.buf = packBytes(this.buf, len);
    appenders.delete(this);
  }

  /**
   * Takes `src`'s bytes (shared, not copied) in place of its own samples, as if it had been read
   * from them; an appender it made is dropped (the next `appender()` resumes from the new bytes).
   */
  adopt(src: XORChunk): void {
    this.buf = src.buf;
    this.bitPos = src.bitPos;
    appenders.delete(this);
  }

  /**
   * An appender that carries its own encoder state. A chunk with samples but no appender (read from
   * bytes, compacted, or written through `appendXOR` by a holder of the state) is decoded first to
   * rebuild the state.
   */
  appender(): ChunkAppender {
    let app = appenders.get(this);
    if (app === undefined) {
      app = new XORAppender(this);
      this.resume(app);
      appenders.set(this, app);
    }
    return app;
  }

  /**
   * Sets `st` to carry on appending to this chunk: a fresh state when it is empty, else the state
   * after its last sample, decoded from the bytes, with the buffer copied into a writable one sized
   * for a few more samples. This leaves leading/trailing at the decoder's 0/0 when no window was
   * opened (§4.1 quirk), so the bytes stay identical to what Prometheus writes after a restart.
   */
  resume(st: XOREncoderState): void {
    st.prevDelta = 0;
    st.window = XOR_NO_WINDOW;
    // As in Prometheus, an empty chunk keeps the fresh-encoder state (no window: UNSET).
    if (this.numSamples() === 0) return;
    const it = this.iterator();
    while (it.next() !== ValueType.None) {}
    const endBit = it.bitPosition();
    this.reset(this.buf.subarray(0, (endBit + 7) >>> 3), endBit);
    it.stateInto(st);
  }

  /** Iterates the samples present now; later appends are not seen by this iterator. */
  iterator(reuse?: SeriesIterator): XORIterator {
    if (reuse instanceof XORIterator) {
      reuse.reset(this.buf, this.numSamples());
      return reuse;
    }
    return new XORIterator(this.buf, this.numSamples());
  }

  /** @internal used by the appender */
  setCount(n: number): void {
    const buf = this.buf;
    buf[0] = n >>> 8;
    buf[1] = n & 0xff;
  }
}

class XORAppender implements ChunkAppender, XOREncoderState {
  lastT = 0;
  prevDelta = 0;
  vhi = 0;
  vlo = 0;
  window = XOR_NO_WINDOW;

  constructor(private readonly chunk: XORChunk) {}

  append(t: number, v: number): void {
    appendXOR(this.chunk, this, t, v);
  }
}

/**
 * Appends a sample to `chunk` with the encoder state `st`, which must be the chunk's (see
 * `XORChunk.resume`) and is updated. `t` must be a safe integer (ms); ordering is not checked
 * (callers reject out-of-order samples first). Throws RangeError on non-integer or unsafe
 * timestamps and on a full chunk.
 */
export function appendXOR(chunk: XORChunk, st: XOREncoderState, t: number, v: number): void {
  if (!Number.isSafeInteger(t)) throw new RangeError(`timestamp ${t} is not a safe integer of milliseconds`);
  const n = chunk.numSamples();
  if (n >= MAX_SAMPLES_PER_CHUNK) throw new RangeError('XOR chunk is full (65535 samples)');
  floatBits(v);
  const hi = bitsOut.hi | 0;
  const lo = bitsOut.lo | 0;
  if (n === 0) {
    writeVarint(chunk, t);
    chunk.writeBits(hi, 32);
    chunk.writeBits(lo, 32);
  } else {
    const delta = t - st.lastT;
    if (!Number.isSafeInteger(delta)) throw new RangeError(`timestamp delta ${t} - ${st.lastT} is out of range`);
    if (n === 1) {
      writeUvarintInt64(chunk, delta);
    } else {
      const dod = delta - st.prevDelta;
      if (!Number.isSafeInteger(dod)) throw new RangeError(`timestamp delta-of-delta at ${t} is out of range`);
      writeDod(chunk, dod);
    }
    st.prevDelta = delta;
    writeValue(chunk, st, hi, lo);
  }
  st.lastT = t;
  st.vhi = hi;
  st.vlo = lo;
  chunk.setCount(n + 1);
}

/** §4: XOR against the previous value, reusing the previous leading/trailing window if it fits. */
function writeValue(w: BitWriter, st: XOREncoderState, hi: number, lo: number): void {
  const xhi = (hi ^ st.vhi) >>> 0;
  const xlo = (lo ^ st.vlo) >>> 0;
  if (xhi === 0 && xlo === 0) {
    w.writeBit(0);
    return;
  }
  let lead = xhi !== 0 ? Math.clz32(xhi) : 32 + Math.clz32(xlo);
  if (lead >= 32) lead = 31;
  const trail = xlo !== 0 ? ctz32(xlo) : 32 + ctz32(xhi);
  const leading = st.window >>> 8;
  const trailing = st.window & 0xff;
  if (leading !== UNSET && lead >= leading && trail >= trailing) {
    w.writeBits(0b10, 2);
    writeShifted(w, xhi, xlo, trailing, 64 - leading - trailing);
    return;
  }
  st.window = (lead << 8) | trail;
  const sig = 64 - lead - trail;
  // '11', 5 bits of leading zeros, 6 bits of significant-bit count (64 written as 0).
  w.writeBits((0b11 << 11) | (lead << 6) | (sig & 63), 13);
  writeShifted(w, xhi, xlo, trail, sig);
}

/** Writes `(xhi:xlo) >>> shift` using `n` bits. */
export function writeShifted(w: BitWriter, xhi: number, xlo: number, shift: number, n: number): void {
  if (shift === 0) w.writeBits64(xhi, xlo, n);
  else if (shift < 32) w.writeBits64(xhi >>> shift, ((xlo >>> shift) | (xhi << (32 - shift))) >>> 0, n);
  else w.writeBits(xhi >>> (shift - 32), n);
}

/** §3.3: delta-of-delta buckets; the ranges are asymmetric on purpose. */
function writeDod(w: BitWriter, dod: number): void {
  if (dod === 0) w.writeBit(0);
  else if (dod >= -8191 && dod <= 8192) w.writeBits((0b10 << 14) | (dod & 0x3fff), 16);
  else if (dod >= -65535 && dod <= 65536) w.writeBits((0b110 << 17) | (dod & 0x1ffff), 20);
  else if (dod >= -524287 && dod <= 524288) w.writeBits((0b1110 << 20) | (dod & 0xfffff), 24);
  else {
    w.writeBits(0b1111, 4);
    intToWords(dod);
    w.writeBits(bitsOut.hi, 32);
    w.writeBits(bitsOut.lo, 32);
  }
}

export class XORIterator implements SeriesIterator {
  private r: BitReader;
  private total: number;
  private i = 0;
  private t = 0;
  private prevDelta = 0;
  private vhi = 0;
  private vlo = 0;
  private leading = 0;
  private trailing = 0;
  private done = false;

  constructor(buf: Uint8Array, total: number) {
    this.r = new BitReader(buf, HEADER_BITS);
    this.total = total;
  }

  reset(buf: Uint8Array, total: number): void {
    this.r = new BitReader(buf, HEADER_BITS);
    this.total = total;
    this.i = 0;
    this.t = 0;
    this.prevDelta = 0;
    this.vhi = 0;
    this.vlo = 0;
    this.leading = 0;
    this.trailing = 0;
    this.done = false;
  }

  next(): ValueType {
    if (this.done || this.i >= this.total) {
      this.done = true;
      return ValueType.None;
    }
    const r = this.r;
    if (this.i === 0) {
      this.t = readVarint(r);
      this.vhi = r.readBits(32);
      this.vlo = r.readBits(32);
    } else {
      if (this.i === 1) {
        this.prevDelta = readUvarintInt64(r);
      } else {
        this.prevDelta += readDod(r);
      }
      const t = this.t + this.prevDelta;
      if (!Number.isSafeInteger(t)) throw new RangeError(`chunk timestamp ${t} is outside the safe integer range`);
      this.t = t;
      this.readValue(r);
    }
    this.i++;
    return ValueType.Float;
  }

  private readValue(r: BitReader): void {
    if (r.readBit() === 0) return;
    let m: number;
    if (r.readBit() === 0) {
      m = 64 - this.leading - this.trailing;
    } else {
      this.leading = r.readBits(5);
      m = r.readBits(6);
      if (m === 0) m = 64;
      this.trailing = 64 - this.leading - m;
      if (this.trailing < 0) throw new RangeError('corrupt XOR chunk: value window wider than 64 bits');
    }
    let hi = 0;
    let lo: number;
    if (m > 32) {
      hi = r.readBits(m - 32);
      lo = r.readBits(32);
    } else {
      lo = r.readBits(m);
    }
    const s = this.trailing;
    if (s === 0) {
      this.vhi = (this.vhi ^ hi) >>> 0;
      this.vlo = (this.vlo ^ lo) >>> 0;
    } else if (s < 32) {
      this.vhi = (this.vhi ^ ((hi << s) | (lo >>> (32 - s)))) >>> 0;
      this.vlo = (this.vlo ^ (lo << s)) >>> 0;
    } else {
      this.vhi = (this.vhi ^ (lo << (s - 32))) >>> 0;
    }
  }

  seek(t: number): ValueType {
    if (this.done) return ValueType.None;
    if (this.i === 0 && this.next() === ValueType.None) return ValueType.None;
    while (this.t < t) {
      if (this.next() === ValueType.None) return ValueType.None;
    }
    return ValueType.Float;
  }

  atT(): number {
    return this.t;
  }

  atV(): number {
    return bitsToFloat(this.vhi, this.vlo);
  }

  atHistogram(): FloatHistogram {
    throw new RangeError('XOR chunks hold float samples only');
  }

  /** @internal bit position after the last decoded sample (for reopening a chunk). */
  bitPosition(): number {
    return this.r.bitPos;
  }

  /** @internal the decoder's state, which becomes the encoder's when a chunk is reopened. */
  stateInto(st: XOREncoderState): void {
    st.lastT = this.t;
    st.prevDelta = this.prevDelta;
    st.vhi = this.vhi | 0;
    st.vlo = this.vlo | 0;
    st.window = (this.leading << 8) | this.trailing;
  }
}

/** Reads a §3.3 delta-of-delta. */
function readDod(r: BitReader): number {
  let prefix = 0;
  for (let i = 0; i < 4; i++) {
    prefix = (prefix << 1) | r.readBit();
    if ((prefix & 1) === 0) break;
  }
  switch (prefix) {
    case 0b0:
      return 0;
    case 0b10:
      return signed(r.readBits(14), 14);
    case 0b110:
      return signed(r.readBits(17), 17);
    case 0b1110:
      return signed(r.readBits(20), 20);
    default: {
      const hi = r.readBits(32);
      const lo = r.readBits(32);
      return wordsToInt(hi, lo);
    }
  }
}

/** Restores a negative n-bit payload; `2^(n-1)` itself stays positive (§3.3). */
function signed(x: number, n: number): number {
  return x > 2 ** (n - 1) ? x - 2 ** n : x;
}
