import type { BucketSpan, CounterResetHint } from '../model/index.js';
import { bitsOut, bitsToFloat, ctz32, floatBits } from './bits64.js';
import type { BitReader, BitWriter } from './bstream.js';
import { putVarbitInt, putVarbitUint, readVarbitInt, readVarbitUint } from './varbit.js';
import { writeShifted } from './xor.js';

/**
 * What Prometheus's integer (encoding 2) and float (encoding 3) histogram chunks share: the 3-byte
 * header (u16be sample count, flags whose top two bits are the counter-reset header), the layout
 * written with the first sample (zero threshold, schema, spans, custom bounds) and the Gorilla XOR
 * fields (the sum in both, every count in float chunks).
 */
export const HEADER_BYTES = 3;
export const FLAGS = 2;
export const HINT_MASK = 0xc0;
/** An ST chunk's sample count has 14 bits (the counter-reset header has the top two). */
export const MAX_ST_SAMPLES = 0x3fff;

/** The sample count of a (ST or plain) histogram chunk's header. */
export function sampleCount(b: Uint8Array, withST: boolean): number {
  return withST ? ((b[0]! & 0x3f) << 8) | b[1]! : (b[0]! << 8) | b[1]!;
}

/** The counter-reset header bits of a (ST or plain) histogram chunk. */
export function counterResetHeaderOf(b: Uint8Array, withST: boolean): number {
  return (withST ? b[0]! : b[FLAGS]!) & HINT_MASK;
}

/** Why a histogram did not fit a chunk: `reset` starts the next chunk with the CounterReset header. */
export type CutReason = 'full' | 'layout' | 'reset' | 'kind';

/** The counter-reset header values (Prometheus CounterResetHeader). */
export const CounterResetHeader = { Unknown: 0x00, NotCounterReset: 0x40, CounterReset: 0x80, Gauge: 0xc0 } as const;
/** Schema of native histograms with custom bucket bounds (NHCB). */
export const CUSTOM_BUCKETS_SCHEMA = -53;
export const STALE_HI = 0x7ff00000;
export const STALE_LO = 0x00000002;

/** Whether a histogram's sum is Prometheus's staleness marker (the whole sample is then a marker). */
export function isStale(sum: number): boolean {
  floatBits(sum);
  return bitsOut.hi === STALE_HI && bitsOut.lo === STALE_LO;
}

/**
 * The counter-reset hint a sample of a chunk reads back with (Prometheus counterResetHint,
 * tsdb/chunkenc/histogram_meta.go): gauge in a gauge chunk; later samples of a counter chunk follow
 * their predecessor without a reset; the first is unknown whatever the header says (the chunk before
 * it may be gone or written later, so PromQL checks for itself; prometheus/prometheus#15346).
 */
export function hintOf(header: number, first: boolean): CounterResetHint {
  if (header === CounterResetHeader.Gauge) return 'gauge';
  return first ? 'unknown' : 'not_reset';
}

/** One Gorilla-XOR field: the previous value's bits and the open leading/trailing-zero window. */
export class XorField {
  hi = 0;
  lo = 0;
  /** The value as appended (for reset detection on the encoder side). */
  v = 0;
  constructor(
    public leading: number,
    public trailing = 0,
  ) {}

  setRaw(v: number): void {
    floatBits(v);
    this.hi = bitsOut.hi;
    this.lo = bitsOut.lo;
    this.v = v;
  }

  /** Go xorWrite. */
  write(w: BitWriter, v: number): void {
    floatBits(v);
    const hi = bitsOut.hi;
    const lo = bitsOut.lo;
    const xhi = (hi ^ this.hi) >>> 0;
    const xlo = (lo ^ this.lo) >>> 0;
    this.hi = hi;
    this.lo = lo;
    this.v = v;
    if (xhi === 0 && xlo === 0) {
      w.writeBit(0);
      return;
    }
    let lead = xhi !== 0 ? Math.clz32(xhi) : 32 + Math.clz32(xlo);
    if (lead >= 32) lead = 31;
    const trail = xlo !== 0 ? ctz32(xlo) : 32 + ctz32(xhi);
    if (this.leading !== 0xff && lead >= this.leading && trail >= this.trailing) {
      w.writeBits(0b10, 2);
      writeShifted(w, xhi, xlo, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    this.leading = lead;
    this.trailing = trail;
    const sig = 64 - lead - trail;
    w.writeBits((0b11 << 11) | (lead << 6) | (sig & 63), 13);
    writeShifted(w, xhi, xlo, trail, sig);
  }

  /** Go xorRead. */
  read(r: BitReader): void {
    if (r.readBit() === 0) return;
    let m: number;
    if (r.readBit() === 0) {
      m = 64 - this.leading - this.trailing;
    } else {
      this.leading = r.readBits(5);
      m = r.readBits(6);
      if (m === 0) m = 64;
      this.trailing = 64 - this.leading - m;
      if (this.trailing < 0) throw new RangeError('corrupt histogram chunk: XOR window wider than 64 bits');
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
      this.hi = (this.hi ^ hi) >>> 0;
      this.lo = (this.lo ^ lo) >>> 0;
    } else if (s < 32) {
      this.hi = (this.hi ^ ((hi << s) | (lo >>> (32 - s)))) >>> 0;
      this.lo = (this.lo ^ (lo << s)) >>> 0;
    } else {
      this.hi = (this.hi ^ (lo << (s - 32))) >>> 0;
    }
  }

  readRaw(r: BitReader): void {
    this.hi = r.readBits(32);
    this.lo = r.readBits(32);
  }

  value(): number {
    return bitsToFloat(this.hi, this.lo);
  }

  isStale(): boolean {
    return this.hi === STALE_HI && this.lo === STALE_LO;
  }
}

export function writeRaw(w: BitWriter, v: number): void {
  floatBits(v);
  w.writeBits(bitsOut.hi, 32);
  w.writeBits(bitsOut.lo, 32);
}

export function countSpans(spans: readonly BucketSpan[]): number {
  let n = 0;
  for (const s of spans) n += s.length;
  return n;
}

export function sameSpans(a: readonly BucketSpan[], b: readonly BucketSpan[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.offset !== b[i]!.offset || a[i]!.length !== b[i]!.length) return false;
  }
  return true;
}

export function sameValues(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export function putZeroThreshold(w: BitWriter, zt: number): void {
  if (zt === 0) {
    w.writeBits(0, 8);
    return;
  }
  floatBits(zt);
  const e = (bitsOut.hi >>> 20) & 0x7ff;
  // A positive power of two 0.5·2^exp with exp in [-242, 11] (Go: math.Frexp) fits one byte.
  const exp = e - 1022;
  if (zt > 0 && (bitsOut.hi & 0xfffff) === 0 && bitsOut.lo === 0 && e !== 0 && exp >= -242 && exp <= 11) {
    w.writeBits(exp + 243, 8);
    return;
  }
  w.writeBits(0xff, 8);
  writeRaw(w, zt);
}

export function readZeroThreshold(r: BitReader): number {
  const b = r.readBits(8);
  if (b === 0) return 0;
  if (b === 0xff) return bitsToFloat(r.readBits(32), r.readBits(32));
  return bitsToFloat(((b - 243 + 1022) << 20) >>> 0, 0);
}

export function putSpans(w: BitWriter, spans: readonly BucketSpan[]): void {
  putVarbitUint(w, spans.length);
  for (const s of spans) {
    putVarbitUint(w, s.length);
    putVarbitInt(w, s.offset);
  }
}

export function readSpans(r: BitReader): BucketSpan[] {
  const n = readVarbitUint(r);
  const out: BucketSpan[] = [];
  for (let i = 0; i < n; i++) {
    const length = readVarbitUint(r);
    out.push({ offset: readVarbitInt(r), length });
  }
  return out;
}

/** Go isWholeWhenMultiplied: f·1000 is an integer without losing precision. */
export function wholeMillis(f: number): boolean {
  return Math.round(f * 1000) / 1000 === f;
}

export function putCustomBound(w: BitWriter, f: number): void {
  const tf = f * 1000;
  if (tf < 0 || tf > 33554430 || !wholeMillis(f) || Number.isNaN(f)) {
    w.writeBit(0);
    writeRaw(w, f);
    return;
  }
  putVarbitUint(w, Math.round(tf) + 1);
}

export function readCustomBound(r: BitReader): number {
  const b = readVarbitUint(r);
  if (b === 0) return bitsToFloat(r.readBits(32), r.readBits(32));
  return (b - 1) / 1000;
}
