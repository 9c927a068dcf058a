import { crc32 } from 'node:zlib';
import { writeShortAscii } from '../../model/index.js';

/**
 * WAL and checkpoint record framing (our own format):
 *
 *   record = u32le body_length | u32le crc32(body) | body
 *   body   = u8 type | payload
 *
 * A record is written with one write, so a crash leaves at most one torn record at the tail; the
 * CRC catches torn and corrupt records. Payload fields are uvarints, length-prefixed UTF-8 strings
 * and little-endian float64s (timestamps are safe integers, so float64 holds them exactly, and
 * values keep their NaN payloads bit for bit).
 */
export const RecordType = {
  /** tenant, n, n × (ref, nLabels, strings…) */
  Series: 1,
  /** tenant, nSeries, nSeries × (ref, n, n × (t f64, v f64)) */
  Samples: 2,
  /** tenant, nSeries, nSeries × (ref, n, n × (t f64, json string)): read on replay, no longer written */
  Histograms: 3,
  /**
   * checkpoint only: tenant, ref, flags, len, chunk bytes. Flags: 0 sealed XOR chunk, 1 the open head
   * chunk, 2 an out-of-order XOR chunk, 3 a float histogram chunk, 4 an integer histogram chunk.
   */
  Chunk: 4,
  /** tenant, repeated (ref, t f64, v f64, nLabels, strings…) */
  Exemplars: 5,
  /** checkpoint only: tenant, repeated (ref, newest t f64, its value f64) — ordering state of series whose chunks are all flushed */
  SeriesState: 6,
  /** tenant, JSON {m: [[type, name, value]…], mint, maxt}: an operator's delete-series (delete.ts) */
  Deletion: 7,
  /** checkpoint only: tenant, repeated (ref, newest histogram t f64 cut into a chunk) — histogram ordering state */
  HistogramState: 8,
  /**
   * tenant, repeated (ref, n, n × (t f64, histogram)), a histogram in binary: flags (bit 0 integer,
   * bits 1-2 counter-reset hint), zigzag schema, zero threshold, zero count, count, sum as f64, then
   * positive spans (n, n × (zigzag offset, length)), positive buckets (n, n × f64), the same for the
   * negative side, custom bounds (n, n × f64). Every float keeps its bits (stale markers included).
   */
  Histograms2: 9,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

export const FRAME_HEADER = 8;

/** Growable little-endian byte builder used to encode record bodies without per-field allocation. */
export class ByteBuilder {
  buf: Buffer;
  len = 0;

  constructor(capacity = 4096) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Reserves a frame header to be filled by `endRecord`; returns the record's start offset. */
  beginRecord(type: RecordType): number {
    this.ensure(FRAME_HEADER + 1);
    const start = this.len;
    this.len += FRAME_HEADER;
    this.buf[this.len++] = type;
    return start;
  }

  endRecord(start: number): void {
    const body = this.buf.subarray(start + FRAME_HEADER, this.len);
    this.buf.writeUInt32LE(body.length, start);
    this.buf.writeUInt32LE(crc32(body), start + 4);
  }

  uvarint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.len++] = n;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
  }

  str(s: string): void {
    if (s.length < 0x80) {
      this.ensure(s.length + 1);
      const end = writeShortAscii(this.buf, this.len, s);
      if (end >= 0) {
        this.len = end;
        return;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n);
    this.ensure(n);
    this.buf.write(s, this.len, 'utf8');
    this.len += n;
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** A copy of what was built, and a reset for reuse. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    return out;
  }
}

/** Sequential reader over one record body. */
export class ByteReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  u8(): number {
    if (this.pos >= this.buf.length) throw new RangeError('record ends early');
    return this.buf[this.pos++]!;
  }

  uvarint(): number {
    let out = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      out += (b & 0x7f) * mul;
      if (b < 0x80) return out;
      mul *= 0x80;
    }
    throw new RangeError('varint too long');
  }

  f64(): number {
    if (this.pos + 8 > this.buf.length) throw new RangeError('record ends early');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.uvarint();
    if (this.pos + n > this.buf.length) throw new RangeError('record ends early');
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  bytes(): Uint8Array {
    const n = this.uvarint();
    if (this.pos + n > this.buf.length) throw new RangeError('record ends early');
    const b = new Uint8Array(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }
}

export type FrameResult =
  | { kind: 'record'; body: Buffer; next: number }
  | { kind: 'end' }
  | { kind: 'bad'; reason: string };

/** Reads the record framed at `off`; classifies torn and corrupt records instead of throwing. */
export function readFrame(file: Buffer, off: number): FrameResult {
  if (off === file.length) return { kind: 'end' };
  if (off + FRAME_HEADER > file.length) return { kind: 'bad', reason: 'torn record header' };
  const len = file.readUInt32LE(off);
  const crc = file.readUInt32LE(off + 4);
  if (len === 0) return { kind: 'bad', reason: 'zero-length record' };
  if (off + FRAME_HEADER + len > file.length) return { kind: 'bad', reason: 'torn record (shorter than its length)' };
  const body = file.subarray(off + FRAME_HEADER, off + FRAME_HEADER + len);
  if (crc32(body) !== crc) return { kind: 'bad', reason: 'checksum mismatch' };
  return { kind: 'record', body, next: off + FRAME_HEADER + len };
}
