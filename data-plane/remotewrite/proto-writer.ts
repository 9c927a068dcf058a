const utf8 = new TextEncoder();

/**
 * A growable protobuf writer. Length-delimited fields are written with `begin()`/`finish()`: one byte
 * is reserved for the length, and on the rare message of 128+ bytes the body is shifted right to make
 * room, which is cheaper than a separate sizing pass over every label.
 */
export class ProtoWriter {
  buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialSize = 1 << 16) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** A tag: field number and wire type. */
  tag(field: number, wireType: number): void {
    this.uint32((field << 3) | wireType);
  }

  uint32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  /** Writes an integer in [-2^63, 2^64) as a 64-bit varint (negatives as 10-byte two's complement). */
  int64(v: number): void {
    if (v >= 0 && v < 0x80000000) {
      this.uint32(v);
      return;
    }
    this.ensure(10);
    let lo: number;
    let hi: number;
    if (v >= 0) {
      lo = (v % 4294967296) >>> 0;
      hi = Math.floor(v / 4294967296) >>> 0;
    } else {
      const a = -v;
      lo = (a % 4294967296) >>> 0;
      hi = Math.floor(a / 4294967296) >>> 0;
      // two's complement of (hi, lo)
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
    }
    const b = this.buf;
    while (hi !== 0 || lo >= 0x80) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[this.pos++] = lo;
  }

  sint64(v: number): void {
    // zigzag without 64-bit ints: 2v for v >= 0, -2v-1 for v < 0.
    this.int64(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  string(s: string): void {
    const n = s.length;
    this.ensure(n * 3 + 5);
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      this.uint32(n);
      const b = this.buf;
      const p = this.pos;
      for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
      this.pos += n;
      return;
    }
    const start = this.begin();
    const { written } = utf8.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += written;
    this.finish(start);
  }

  bytes(b: Uint8Array): void {
    this.uint32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Starts a length-delimited body; returns a mark for `finish`. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  finish(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) {
      this.buf[mark] = len;
      return;
    }
    let size = 1;
    for (let x = len >>> 7; x > 0; x >>>= 7) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    this.pos += size - 1;
    let v = len;
    let p = mark;
    while (v >= 0x80) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  /** The bytes written so far (a copy, so the writer may be reused). */
  finishAll(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
