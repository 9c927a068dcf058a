/**
 * MSB-first bit streams over byte arrays, as used by Prometheus's chunk encodings
 * (XOR_CHUNKS.md §2). Bits are written into zero-filled bytes with OR, so the writer never has to
 * clear bits and the unused low bits of the last byte stay 0 (the padding the format requires).
 * Values are passed as unsigned 32-bit numbers; 64-bit fields are split into hi/lo words by callers
 * so the hot path never touches BigInt.
 */

const MIN_CAPACITY = 16;
const EMPTY = new Uint8Array(0);

export class BitWriter {
  /** Backing store; bytes past `byteLength()` are always zero. */
  buf: Uint8Array;
  /** Total number of bits written. */
  bitPos: number;

  constructor(initial?: Uint8Array, bitPos = 0, capacity = MIN_CAPACITY) {
    this.buf = EMPTY;
    this.bitPos = 0;
    this.reset(initial, bitPos, capacity);
  }

  /** Starts over as the constructor would (a copy of `initial`, or `capacity` zero bytes). */
  protected reset(initial: Uint8Array | undefined, bitPos: number, capacity = MIN_CAPACITY): void {
    if (initial) {
      const cap = Math.max(MIN_CAPACITY, initial.length + 8);
      this.buf = new Uint8Array(cap);
      this.buf.set(initial);
      // Anything past the last written bit must be zero, even if the source had trailing bytes.
      const used = (bitPos + 7) >>> 3;
      this.buf.fill(0, used);
      const rem = bitPos & 7;
      if (rem !== 0) this.buf[used - 1]! &= (0xff << (8 - rem)) & 0xff;
    } else {
      this.buf = new Uint8Array(capacity);
    }
    this.bitPos = bitPos;
  }

  /** A writer over existing bytes, positioned at their end; never written to (see XORChunk.fromBytes). */
  static wrap(bytes: Uint8Array): BitWriter {
    const w = new BitWriter(undefined, 0, 0);
    w.buf = bytes;
    w.bitPos = bytes.length * 8;
    return w;
  }

  byteLength(): number {
    return (this.bitPos + 7) >>> 3;
  }

  private ensure(bits: number): void {
    const need = (this.bitPos + bits + 7) >>> 3;
    if (need <= this.buf.length) return;
    // Grow by 1.5x: chunks stay small (~100–200 bytes) so doubling would waste most of the tail.
    let cap = this.buf.length + (this.buf.length >>> 1);
    if (cap < need) cap = need;
    const next = new Uint8Array(cap);
    next.set(this.buf);
    this.buf = next;
  }

  writeBit(bit: number): void {
    this.ensure(1);
    if (bit) this.buf[this.bitPos >>> 3]! |= 0x80 >>> (this.bitPos & 7);
    this.bitPos++;
  }

  /** Writes the low `n` bits (0 ≤ n ≤ 32) of `v`, most significant first. */
  writeBits(v: number, n: number): void {
    if (n === 0) return;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.bitPos;
    while (n > 0) {
      const free = 8 - (pos & 7);
      const take = Math.min(free, n);
      const bits = (v >>> (n - take)) & ((1 << take) - 1);
      buf[pos >>> 3]! |= bits << (free - take);
      pos += take;
      n -= take;
    }
    this.bitPos = pos;
  }

  /** Writes the low `n` bits (0 ≤ n ≤ 64) of the 64-bit word `hi:lo`. */
  writeBits64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.writeBits(hi, n - 32);
      this.writeBits(lo, 32);
    } else {
      this.writeBits(lo, n);
    }
  }

  /** Writes a byte at the current (possibly unaligned) bit position. */
  writeByte(b: number): void {
    this.writeBits(b & 0xff, 8);
  }

  /** A right-sized copy of the written bytes. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.byteLength());
  }
}

export class BitReader {
  buf: Uint8Array;
  bitPos: number;
  private readonly endBit: number;

  constructor(buf: Uint8Array, startBit = 0) {
    this.buf = buf;
    this.bitPos = startBit;
    this.endBit = buf.length * 8;
  }

  private check(n: number): void {
    if (this.bitPos + n > this.endBit) throw new RangeError('chunk data ends in the middle of a sample');
  }

  readBit(): number {
    this.check(1);
    const pos = this.bitPos++;
    return (this.buf[pos >>> 3]! >>> (7 - (pos & 7))) & 1;
  }

  /** Reads `n` bits (0 ≤ n ≤ 32) as an unsigned number. */
  readBits(n: number): number {
    this.check(n);
    const buf = this.buf;
    let pos = this.bitPos;
    let out = 0;
    while (n > 0) {
      const avail = 8 - (pos & 7);
      const take = Math.min(avail, n);
      const bits = (buf[pos >>> 3]! >>> (avail - take)) & ((1 << take) - 1);
      // Multiply instead of shifting so 32-bit results stay unsigned.
      out = out * (1 << take) + bits;
      pos += take;
      n -= take;
    }
    this.bitPos = pos;
    return out;
  }

  readByte(): number {
    return this.readBits(8);
  }
}
