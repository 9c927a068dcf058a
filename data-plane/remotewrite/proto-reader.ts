import { Buffer } from 'node:buffer';
import { BadDataError } from '../model/index.js';

/** Protobuf wire types. Groups (3, 4) are deprecated and rejected. */
export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const WIRE_NAMES = ['varint', 'i64', 'len', 'start-group', 'end-group', 'i32', '6', '7'];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A direct-mapped cache of recently decoded ASCII strings, shared by all requests (label sets repeat
 * from scrape to scrape). Strings longer than INTERN_MAX_LEN are rare in labels and not cached.
 */
const INTERN_BITS = 15;
const INTERN_MASK = (1 << INTERN_BITS) - 1;
const INTERN_MAX_LEN = 96;
const internTable: (string | undefined)[] = new Array(1 << INTERN_BITS).fill(undefined);
/** Each slot's bytes (INTERN_MAX_LEN per slot) and length, so a hit is verified word by word. */
const internBytes = new Uint8Array((1 << INTERN_BITS) * INTERN_MAX_LEN);
const internView = new DataView(internBytes.buffer);
const internLens = new Int32Array(1 << INTERN_BITS).fill(-1);

function decodeUtf8(buf: Uint8Array, start: number, stop: number, what: string, detail?: string): string {
  try {
    return utf8.decode(buf.subarray(start, stop));
  } catch (cause) {
    const field = detail === undefined ? what : `${what} ${JSON.stringify(detail)}`;
    throw new BadDataError(`invalid UTF-8 in ${field} at byte ${start} (err-cortex-invalid-utf8)`, {
      id: 'err-cortex-invalid-utf8',
      cause,
    });
  }
}

export function protoError(message: string): BadDataError {
  return new BadDataError(`invalid protobuf: ${message} (err-cortex-invalid-protobuf)`, {
    id: 'err-cortex-invalid-protobuf',
  });
}

/**
 * A cursor over a protobuf message held in a `Uint8Array`. Every read is bounds-checked against
 * `end` (the end of the enclosing message), so a field that claims more bytes than its parent has
 * fails with a precise error instead of reading a neighbour's bytes.
 */
export class ProtoReader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  /** Node's Buffer over the same bytes; `latin1Slice` is its undocumented-in-types fast path. */
  private readonly nodeBuf: Buffer & { latin1Slice(start: number, end: number): string };
  pos: number;
  end: number;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.nodeBuf = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength) as Buffer & {
      latin1Slice(start: number, end: number): string;
    };
    this.pos = 0;
    this.end = buf.length;
  }

  /** Low and high 32 bits of the last 64-bit varint read (fields, not a returned object: no allocation). */
  private lo = 0;
  private hi = 0;

  /** Reads a uvarint that must fit in 32 bits (tags, lengths, enums, uint32). */
  uint32(): number {
    const buf = this.buf;
    const start = this.pos;
    const end = this.end;
    if (start < end) {
      const b0 = buf[start]!;
      if (b0 < 0x80) {
        this.pos = start + 1;
        return b0;
      }
    }
    let pos = start;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) throw protoError(`truncated varint at byte ${start}`);
      const b = buf[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (result > 0xffffffff) throw protoError(`varint at byte ${start} exceeds 32 bits`);
        this.pos = pos;
        return result;
      }
    }
    // Longer than 5 bytes: consume it as a 64-bit varint so the error is precise, then reject.
    this.varint64();
    throw protoError(`varint at byte ${start} exceeds 32 bits`);
  }

  /** Reads a 64-bit varint into `lo`/`hi`; rejects varints longer than 10 bytes or above 2^64. */
  private varint64(): void {
    const buf = this.buf;
    const end = this.end;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw protoError(`truncated varint at byte ${start}`);
      const b = buf[pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else if (i < 9) hi |= (b & 0x7f) << (7 * i - 32);
      else {
        if (b > 1) throw protoError(`varint at byte ${start} overflows 64 bits`);
        hi |= b << 31;
      }
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw protoError(`varint at byte ${start} is longer than 10 bytes`);
  }

  /**
   * Reads an int64 varint as a number. Values beyond ±2^53 come back as an inexact double, which is
   * never a safe integer: validation rejects them, so nothing is silently rounded into storage.
   */
  int64(): number {
    const buf = this.buf;
    const pos = this.pos;
    // Fast path: up to 7 bytes (< 2^49) covers ms timestamps and counts without 64-bit arithmetic.
    if (this.end - pos >= 7) {
      let v = 0;
      let mul = 1;
      for (let i = 0; i < 7; i++) {
        const b = buf[pos + i]!;
        v += (b & 0x7f) * mul;
        if (b < 0x80) {
          this.pos = pos + i + 1;
          return v;
        }
        mul *= 128;
      }
    }
    this.varint64();
    return (this.hi | 0) * 4294967296 + this.lo;
  }

  /** Reads a uint64 varint as a number (exact below 2^53). */
  uint64(): number {
    this.varint64();
    return this.hi * 4294967296 + this.lo;
  }

  /** Reads a ZigZag sint64. */
  sint64(): number {
    const b = this.pos < this.end ? this.buf[this.pos]! : 0x80;
    if (b < 0x80) {
      this.pos++;
      return (b & 1) === 0 ? b >>> 1 : -((b >>> 1) + 1);
    }
    this.varint64();
    const lo = this.lo;
    const hi = this.hi;
    // zigzag: (n >>> 1) ^ -(n & 1) over 64 bits.
    const ulo = ((lo >>> 1) | (hi << 31)) >>> 0;
    const u = (hi >>> 1) * 4294967296 + ulo;
    return (lo & 1) === 0 ? u : -u - 1;
  }

  /** Reads a ZigZag sint32. */
  sint32(): number {
    const v = this.sint64();
    if (v < -2147483648 || v > 2147483647) throw protoError(`sint32 value ${v} out of range`);
    return v;
  }

  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.end) throw protoError(`truncated double at byte ${pos}`);
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  /** Reads a length prefix and returns the end offset of the delimited bytes, checked against `end`. */
  lenEnd(): number {
    const at = this.pos;
    const len = this.uint32();
    const stop = this.pos + len;
    if (stop > this.end) {
      throw protoError(`length ${len} at byte ${at} overruns its enclosing message (ends at byte ${this.end})`);
    }
    return stop;
  }

  /**
   * Reads a length-delimited UTF-8 string. `what` (and `detail`, quoted) name the field in the error
   * message; they are only formatted on error, since this runs for every label.
   */
  string(what: string, detail?: string): string {
    const stop = this.lenEnd();
    const start = this.pos;
    this.pos = stop;
    return this.decodeString(start, stop, what, detail);
  }

  decodeString(start: number, stop: number, what: string, detail?: string): string {
    const len = stop - start;
    if (len === 0) return '';
    const buf = this.buf;
    if (len <= INTERN_MAX_LEN) {
      // Hash four bytes at a time while checking for ASCII; label names and most values repeat across
      // series and requests, so a hit returns an existing string without allocating.
      const view = this.view;
      let h = 0x811c9dc5;
      let high = 0;
      let i = start;
      for (; i + 4 <= stop; i += 4) {
        const w = view.getUint32(i, true);
        high |= w;
        h = Math.imul(h ^ w, 0x01000193);
      }
      for (; i < stop; i++) {
        const b = buf[i]!;
        high |= b;
        h = Math.imul(h ^ b, 0x01000193);
      }
      if ((high & 0x80808080) !== 0) return decodeUtf8(buf, start, stop, what, detail);
      const slot = (h ^ (h >>> 15)) & INTERN_MASK;
      const base = slot * INTERN_MAX_LEN;
      if (internLens[slot] === len) {
        let k = 0;
        for (; k + 4 <= len; k += 4)
          if (internView.getUint32(base + k, true) !== view.getUint32(start + k, true)) break;
        if (k + 4 > len) {
          for (; k < len; k++) if (internBytes[base + k] !== buf[start + k]) break;
          if (k === len) return internTable[slot]!;
        }
      }
      const str = this.nodeBuf.latin1Slice(start, stop);
      internTable[slot] = str;
      internLens[slot] = len;
      internBytes.set(buf.subarray(start, stop), base);
      return str;
    }
    for (let i = start; i < stop; i++) {
      if (buf[i]! >= 0x80) return decodeUtf8(buf, start, stop, what, detail);
    }
    // All ASCII: latin1 is a straight byte copy, far cheaper than a UTF-8 decode.
    return this.nodeBuf.latin1Slice(start, stop);
  }

  /** Skips a field of the given wire type (unknown fields are allowed, as protobuf requires). */
  skip(wireType: number, fieldNo: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_I64:
        if (this.pos + 8 > this.end) throw protoError(`truncated field ${fieldNo} at byte ${this.pos}`);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lenEnd();
        return;
      case WIRE_I32:
        if (this.pos + 4 > this.end) throw protoError(`truncated field ${fieldNo} at byte ${this.pos}`);
        this.pos += 4;
        return;
      default:
        throw protoError(`field ${fieldNo} at byte ${this.pos} has unsupported wire type ${WIRE_NAMES[wireType]}`);
    }
  }
}

/** The error for a known field sent with the wrong wire type. */
export function wrongWireType(message: string, field: string, got: number, want: number): BadDataError {
  return protoError(`${message}.${field} has wire type ${WIRE_NAMES[got]}, expected ${WIRE_NAMES[want]}`);
}
