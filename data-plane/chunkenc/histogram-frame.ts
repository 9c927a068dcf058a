import { BitWriter } from './bstream.js';
import {
  CounterResetHeader,
  counterResetHeaderOf,
  FLAGS,
  HEADER_BYTES,
  HINT_MASK,
  sampleCount,
} from './histogram-layout.js';
import { StEncoder } from './st.js';

/**
 * What the integer and float histogram chunks share: the bit writer, the header (sample count and
 * counter-reset header, laid out differently by the ST variants), the ST encoder and the read-only
 * state of a chunk read from bytes. The sample encodings live in the subclasses.
 */
export abstract class HistogramChunkFrame {
  protected w: BitWriter;
  /** Read from bytes: appending needs the encoder state of a fresh chunk. */
  protected loaded = false;
  /** The ST variant's start-timestamp encoder (encodings 5 and 6), undefined otherwise. */
  protected readonly stEnc: StEncoder | undefined;

  /**
   * `withST`: Prometheus's HistogramST / FloatHistogramST chunk: the same samples, each followed by
   * its start timestamp (st.ts); the counter-reset header moves to the top bits of byte 0 (the
   * sample count keeps 14 bits) and byte 2 holds the ST header.
   */
  constructor(header: number = CounterResetHeader.Unknown, withST = false) {
    this.w = new BitWriter(undefined, HEADER_BYTES * 8, 64);
    this.stEnc = withST ? new StEncoder() : undefined;
    this.setHeader(header);
  }

  protected setHeader(header: number): void {
    const b = this.w.buf;
    if (this.stEnc) b[0] = (b[0]! & ~HINT_MASK) | header;
    else b[FLAGS] = header;
  }

  /** Makes `c` (fresh) a read-only chunk over stored bytes `b`. */
  protected static load<C extends HistogramChunkFrame>(c: C, b: Uint8Array): C {
    if (b.length < HEADER_BYTES)
      throw new RangeError(`histogram chunk of ${b.length} bytes is shorter than its header`);
    c.w = BitWriter.wrap(b);
    c.loaded = true;
    return c;
  }

  numSamples(): number {
    return sampleCount(this.w.buf, this.stEnc !== undefined);
  }

  counterResetHeader(): number {
    return counterResetHeaderOf(this.w.buf, this.stEnc !== undefined);
  }

  /** The chunk bytes (a view, valid until the next append). */
  bytes(): Uint8Array {
    return this.w.buf.subarray(0, this.w.byteLength());
  }

  byteLength(): number {
    return this.w.byteLength();
  }

  allocatedBytes(): number {
    return this.w.buf.length;
  }

  compact(): void {
    if (this.w.buf.length !== this.w.byteLength()) this.w.buf = this.w.toBytes();
  }

  protected setCount(n: number): void {
    const buf = this.w.buf;
    buf[0] = this.stEnc ? (buf[0]! & HINT_MASK) | (n >>> 8) : n >>> 8;
    buf[1] = n & 0xff;
  }
}
