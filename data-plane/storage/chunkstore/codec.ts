/**
 * Byte helpers for the chunk schema: a growable key builder, order-preserving string escaping,
 * varints and a compact label-set encoding. Everything here is pure and allocation-light; the key
 * layouts that use it are in schema.ts.
 */
import { Labels, writeShortAscii } from '../../model/index.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** Appends bytes to a growing buffer; `finish()` returns an exact-length copy. */
export class ByteBuilder {
  private buf: Uint8Array;
  private n = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    if (this.n + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + extra));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
    return this;
  }

  byte(x: number): this {
    this.ensure(1);
    this.buf[this.n++] = x;
    return this;
  }

  u32(x: number): this {
    this.ensure(4);
    this.buf[this.n++] = (x >>> 24) & 0xff;
    this.buf[this.n++] = (x >>> 16) & 0xff;
    this.buf[this.n++] = (x >>> 8) & 0xff;
    this.buf[this.n++] = x & 0xff;
    return this;
  }

  uvarint(x: number): this {
    this.ensure(8);
    while (x >= 0x80) {
      this.buf[this.n++] = (x % 128) | 0x80;
      x = Math.floor(x / 128);
    }
    this.buf[this.n++] = x;
    return this;
  }

  /** A string as UTF-8 with 0x00 → 01 01 and 0x01 → 01 02, then a 0x00 terminator. */
  escaped(s: string): this {
    const raw = utf8.encode(s);
    this.ensure(raw.length * 2 + 1);
    for (const c of raw) {
      if (c <= 1) {
        this.buf[this.n++] = 1;
        this.buf[this.n++] = c + 1;
      } else {
        this.buf[this.n++] = c;
      }
    }
    this.buf[this.n++] = 0;
    return this;
  }

  /** A string as uvarint(length) + UTF-8 (values, where order does not matter). */
  str(s: string): this {
    if (s.length < 0x80) {
      this.ensure(s.length + 1);
      const end = writeShortAscii(this.buf, this.n, s);
      if (end >= 0) {
        this.n = end;
        return this;
      }
    }
    const raw = utf8.encode(s);
    return this.uvarint(raw.length).bytes(raw);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

/** Reads what ByteBuilder wrote; throws RangeError on truncated input. */
export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('truncated');
    return this.buf[this.pos++]!;
  }

  u32(): number {
    if (this.pos + 4 > this.buf.length) throw new RangeError('truncated u32');
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  uvarint(): number {
    let x = 0;
    let mul = 1;
    for (;;) {
      const c = this.byte();
      x += (c & 0x7f) * mul;
      if (c < 0x80) return x;
      mul *= 128;
    }
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new RangeError('truncated bytes');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  escaped(): string {
    const out: number[] = [];
    for (;;) {
      const c = this.byte();
      if (c === 0) break;
      out.push(c === 1 ? this.byte() - 1 : c);
    }
    return utf8d.decode(new Uint8Array(out));
  }

  str(): string {
    return utf8d.decode(this.bytes(this.uvarint()));
  }
}

/** Label set as uvarint(pairs) then name/value strings, in the set's sorted order. */
export function encodeLabels(ls: Labels): Uint8Array {
  const b = new ByteBuilder(16 + ls.flat.length * 12);
  b.uvarint(ls.length);
  for (const s of ls.flat) b.str(s);
  return b.finish();
}

export function decodeLabels(buf: Uint8Array): Labels {
  // One Buffer view per row, not a subarray and a TextDecoder call per string: a query decodes
  // every matching series' row.
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const r = new ByteReader(buf);
  const n = r.uvarint();
  const flat: string[] = [];
  for (let i = 0; i < n * 2; i++) {
    const len = r.uvarint();
    const start = r.pos;
    if (start + len > buf.length) throw new RangeError('truncated bytes');
    r.pos += len;
    flat.push(view.toString('utf8', start, start + len));
  }
  return Labels.fromSortedFlat(flat);
}

export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
