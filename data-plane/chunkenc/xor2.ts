import type { FloatHistogram } from '../model/index.js';
import { type SeriesIterator, ValueType } from '../storage/index.js';
import { bitsOut, bitsToFloat, ctz32, floatBits, intToWords, wordsToInt } from './bits64.js';
import { BitReader, BitWriter } from './bstream.js';
import { StDecoder, StEncoder } from './st.js';
import { readUvarintInt64, readVarint, writeUvarintInt64, writeVarint } from './varint.js';
import { Encoding, writeShifted } from './xor.js';

/**
 * Prometheus's XOR2 chunk (encoding 4, tsdb/chunkenc/xor2.go): float samples with optional start
 * timestamps. Header: u16be sample count, then the ST header byte (see st.ts). Sample 0: varint t,
 * the 64 value bits; sample 1: uvarint t delta, then a value as below; from sample 2 on a joint
 * control prefix:
 *
 *   0      dod 0, value unchanged
 *   10     dod 0, value changed: 0 = reuse the previous leading/trailing window, 1 = a new one
 *   110    13-bit dod, then a value       1110  20-bit dod, then a value
 *   11110  64-bit dod, then a value       11111 dod 0, the staleness marker
 *
 * where "a value" is 0 (unchanged), 10 (reuse the window), 110 (new window: 5 bits of leading zeros,
 * 6 of significant bits, the bits) or 111 (the staleness marker). Values are XORed with the last
 * value that was not a staleness marker. Start timestamps follow each sample's data.
 */
const HEADER = 3;
const ST_HEADER = 2;
const UNSET = 0xff;
const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

export class XOR2Chunk {
  private w: BitWriter;
  private app: XOR2Appender | undefined;
  private loaded = false;

  constructor() {
    this.w = new BitWriter(undefined, HEADER * 8, 32);
  }

  /** A chunk over stored bytes (read-only). */
  static fromBytes(b: Uint8Array): XOR2Chunk {
    if (b.length < HEADER) throw new RangeError(`XOR2 chunk of ${b.length} bytes is shorter than its 3-byte header`);
    const c = new XOR2Chunk();
    c.w = BitWriter.wrap(b);
    c.loaded = true;
    return c;
  }

  encoding(): Encoding {
    return Encoding.XOR2;
  }

  numSamples(): number {
    return (this.w.buf[0]! << 8) | this.w.buf[1]!;
  }

  bytes(): Uint8Array {
    return this.w.buf.subarray(0, this.w.byteLength());
  }

  appender(): XOR2Appender {
    if (this.loaded) throw new RangeError('cannot append to an XOR2 chunk read from bytes');
    this.app ??= new XOR2Appender(this.w);
    return this.app;
  }

  iterator(): XOR2Iterator {
    return new XOR2Iterator(this.bytes());
  }
}

export class XOR2Appender {
  private n = 0;
  private t = 0;
  private tDelta = 0;
  /** The last value that was not a staleness marker (the XOR baseline). */
  private vhi = 0;
  private vlo = 0;
  private leading = UNSET;
  private trailing = 0;
  private readonly st = new StEncoder();

  constructor(private readonly w: BitWriter) {}

  /** Appends a sample; `st` is its start timestamp (0 = unknown). Timestamps must be safe integers. */
  append(t: number, v: number, st = 0): void {
    if (!Number.isSafeInteger(t)) throw new RangeError(`timestamp ${t} is not a safe integer of milliseconds`);
    if (this.n >= 0xffff) throw new RangeError('XOR2 chunk is full (65535 samples)');
    const w = this.w;
    floatBits(v);
    const hi = bitsOut.hi;
    const lo = bitsOut.lo;
    const stale = hi === STALE_HI && lo === STALE_LO;
    const prevT = this.t;
    if (this.n === 0) {
      writeVarint(w, t);
      w.writeBits(hi, 32);
      w.writeBits(lo, 32);
    } else if (this.n === 1) {
      const tDelta = t - this.t;
      writeUvarintInt64(w, tDelta);
      this.writeValue(hi, lo, stale);
      this.tDelta = tDelta;
    } else {
      const tDelta = t - this.t;
      const dod = tDelta - this.tDelta;
      if (dod === 0) {
        if (stale) w.writeBits(0b11111, 5);
        else {
          const xhi = (hi ^ this.vhi) >>> 0;
          const xlo = (lo ^ this.vlo) >>> 0;
          if (xhi === 0 && xlo === 0) w.writeBit(0);
          else {
            w.writeBits(0b10, 2);
            this.writeWindow(xhi, xlo, 0b0, 0b1, 1);
          }
        }
      } else {
        if (dod >= -(1 << 12) && dod <= (1 << 12) - 1) w.writeBits((0b110 << 13) | (dod & 0x1fff), 16);
        else if (dod >= -(1 << 19) && dod <= (1 << 19) - 1) w.writeBits((0b1110 << 20) | (dod & 0xfffff), 24);
        else {
          w.writeBits(0b11110, 5);
          intToWords(dod);
          w.writeBits(bitsOut.hi, 32);
          w.writeBits(bitsOut.lo, 32);
        }
        this.writeValue(hi, lo, stale);
      }
      this.tDelta = tDelta;
    }
    if (!stale) {
      this.vhi = hi;
      this.vlo = lo;
    }
    this.t = t;
    this.n++;
    w.buf[0] = this.n >>> 8;
    w.buf[1] = this.n & 0xff;
    this.st.encode(w, ST_HEADER, this.n, t, prevT, st);
  }

  /** A value after a non-zero dod (or the second sample): 0, 10 + window, 110 + new window, 111 stale. */
  private writeValue(hi: number, lo: number, stale: boolean): void {
    const w = this.w;
    if (stale) {
      w.writeBits(0b111, 3);
      return;
    }
    const xhi = (hi ^ this.vhi) >>> 0;
    const xlo = (lo ^ this.vlo) >>> 0;
    if (xhi === 0 && xlo === 0) {
      w.writeBit(0);
      return;
    }
    this.writeWindow(xhi, xlo, 0b10, 0b110, 2);
  }

  /** The XOR `xhi:xlo` in the previous window (`reuse` prefix) or a new one (`fresh` prefix). */
  private writeWindow(xhi: number, xlo: number, reuse: number, fresh: number, prefixBits: number): void {
    const w = this.w;
    let lead = xhi !== 0 ? Math.clz32(xhi) : 32 + Math.clz32(xlo);
    if (lead >= 32) lead = 31;
    const trail = xlo !== 0 ? ctz32(xlo) : 32 + ctz32(xhi);
    if (this.leading !== UNSET && lead >= this.leading && trail >= this.trailing) {
      w.writeBits(reuse, prefixBits);
      writeShifted(w, xhi, xlo, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    this.leading = lead;
    this.trailing = trail;
    const sig = 64 - lead - trail;
    w.writeBits(fresh, prefixBits === 1 ? 1 : 3);
    w.writeBits((lead << 6) | (sig & 63), 11);
    writeShifted(w, xhi, xlo, trail, sig);
  }
}

export class XOR2Iterator implements SeriesIterator {
  private readonly r: BitReader;
  private readonly total: number;
  private i = 0;
  private t = 0;
  private tDelta = 0;
  private vhi = 0;
  private vlo = 0;
  /** The XOR baseline: the last value that was not a staleness marker. */
  private bhi = 0;
  private blo = 0;
  private leading = 0;
  private trailing = 0;
  private readonly st: StDecoder;
  private done = false;

  constructor(b: Uint8Array) {
    if (b.length < HEADER) throw new RangeError(`XOR2 chunk of ${b.length} bytes is shorter than its 3-byte header`);
    this.total = (b[0]! << 8) | b[1]!;
    this.st = new StDecoder(b[ST_HEADER]!);
    this.r = new BitReader(b, HEADER * 8);
  }

  next(): ValueType {
    if (this.done || this.i >= this.total) {
      this.done = true;
      return ValueType.None;
    }
    const r = this.r;
    const prevT = this.t;
    if (this.i === 0) {
      this.t = readVarint(r);
      this.vhi = r.readBits(32);
      this.vlo = r.readBits(32);
      this.baseline();
    } else if (this.i === 1) {
      this.tDelta = readUvarintInt64(r);
      this.t += this.tDelta;
      this.readValue();
    } else {
      let ones = 0;
      while (ones < 5 && r.readBit() === 1) ones++;
      switch (ones) {
        case 0:
          this.t += this.tDelta;
          this.vhi = this.bhi;
          this.vlo = this.blo;
          break;
        case 1:
          this.t += this.tDelta;
          this.readWindow(r.readBit() === 1);
          break;
        case 2:
        case 3:
        case 4: {
          const width = ones === 2 ? 13 : ones === 3 ? 20 : 64;
          let dod: number;
          if (width === 64) dod = wordsToInt(r.readBits(32), r.readBits(32));
          else {
            const b = r.readBits(width);
            dod = b >= 2 ** (width - 1) ? b - 2 ** width : b;
          }
          this.tDelta += dod;
          this.t += this.tDelta;
          this.readValue();
          break;
        }
        default:
          this.t += this.tDelta;
          this.vhi = STALE_HI;
          this.vlo = STALE_LO;
      }
    }
    if (!Number.isSafeInteger(this.t)) throw new RangeError(`chunk timestamp ${this.t} is outside the safe range`);
    this.i++;
    this.st.decode(r, this.i, this.t, prevT);
    return ValueType.Float;
  }

  private baseline(): void {
    if (!(this.vhi === STALE_HI && this.vlo === STALE_LO)) {
      this.bhi = this.vhi;
      this.blo = this.vlo;
    }
  }

  /** 0 unchanged, 10 window, 110 new window, 111 stale. */
  private readValue(): void {
    const r = this.r;
    if (r.readBit() === 0) {
      this.vhi = this.bhi;
      this.vlo = this.blo;
      return;
    }
    if (r.readBit() === 0) {
      this.readWindow(false);
      return;
    }
    if (r.readBit() === 0) {
      this.readWindow(true);
      return;
    }
    this.vhi = STALE_HI;
    this.vlo = STALE_LO;
  }

  private readWindow(fresh: boolean): void {
    const r = this.r;
    let m: number;
    if (fresh) {
      this.leading = r.readBits(5);
      m = r.readBits(6);
      if (m === 0) m = 64;
      this.trailing = 64 - this.leading - m;
      if (this.trailing < 0) throw new RangeError('corrupt XOR2 chunk: value window wider than 64 bits');
    } else {
      m = 64 - this.leading - this.trailing;
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
    let xhi: number;
    let xlo: number;
    if (s === 0) {
      xhi = hi;
      xlo = lo;
    } else if (s < 32) {
      xhi = ((hi << s) | (lo >>> (32 - s))) >>> 0;
      xlo = (lo << s) >>> 0;
    } else {
      xhi = (lo << (s - 32)) >>> 0;
      xlo = 0;
    }
    this.vhi = (this.bhi ^ xhi) >>> 0;
    this.vlo = (this.blo ^ xlo) >>> 0;
    this.baseline();
  }

  seek(t: number): ValueType {
    if (this.done) return ValueType.None;
    if (this.i === 0 && this.next() === ValueType.None) return ValueType.None;
    while (this.t < t) if (this.next() === ValueType.None) return ValueType.None;
    return ValueType.Float;
  }

  atT(): number {
    return this.t;
  }

  atV(): number {
    return bitsToFloat(this.vhi, this.vlo);
  }

  atST(): number {
    return this.st.st;
  }

  atHistogram(): FloatHistogram {
    throw new RangeError('XOR2 chunks hold float samples only');
  }
}
