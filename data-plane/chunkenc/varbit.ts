import { bitsOut, intToWords, wordsToInt } from './bits64.js';
import type { BitReader, BitWriter } from './bstream.js';

/**
 * Prometheus's "varbit" integers (tsdb/chunkenc/varbit.go), used by the histogram chunk encodings:
 * a unary prefix of 1s picks a payload width (0 → the value 0 in one bit; then 3, 6, 9, 12, 18, 25,
 * 56 bits; eight 1s → 64 bits), and signed payloads are two's complement of that width.
 */
const WIDTHS = [3, 6, 9, 12, 18, 25, 56] as const;

function writeWidth(w: BitWriter, i: number, n: number): void {
  // i+1 ones then a zero, as one field.
  w.writeBits(((1 << (i + 1)) - 1) << 1, i + 2);
  intToWords(n);
  const width = WIDTHS[i]!;
  if (width < 32) w.writeBits(bitsOut.lo & ((1 << width) - 1), width);
  else {
    w.writeBits(bitsOut.hi & 0xffffff, 24);
    w.writeBits(bitsOut.lo, 32);
  }
}

function writeFull(w: BitWriter, n: number): void {
  w.writeBits(0xff, 8);
  intToWords(n);
  w.writeBits(bitsOut.hi, 32);
  w.writeBits(bitsOut.lo, 32);
}

/** Writes a signed safe integer (Go putVarbitInt). */
export function putVarbitInt(w: BitWriter, n: number): void {
  if (n === 0) {
    w.writeBit(0);
    return;
  }
  for (let i = 0; i < WIDTHS.length; i++) {
    const half = 2 ** (WIDTHS[i]! - 1);
    if (n >= -(half - 1) && n <= half) {
      writeWidth(w, i, n);
      return;
    }
  }
  writeFull(w, n);
}

/** Writes a non-negative safe integer (Go putVarbitUint). */
export function putVarbitUint(w: BitWriter, n: number): void {
  if (n === 0) {
    w.writeBit(0);
    return;
  }
  for (let i = 0; i < WIDTHS.length; i++) {
    if (n < 2 ** WIDTHS[i]!) {
      writeWidth(w, i, n);
      return;
    }
  }
  writeFull(w, n);
}

/** Reads the prefix: the payload width, 0 for the value 0, 64 for a full word. */
function readWidth(r: BitReader): number {
  let ones = 0;
  while (ones < 8 && r.readBit() === 1) ones++;
  if (ones === 0) return 0;
  if (ones === 8) return 64;
  return WIDTHS[ones - 1]!;
}

function readPayload(r: BitReader, width: number, signed: boolean): number {
  if (width === 0) return 0;
  if (width === 64) {
    const hi = r.readBits(32);
    const lo = r.readBits(32);
    if (!signed && hi >= 0x200000) throw new RangeError('varbit value is outside the safe integer range');
    return wordsToInt(hi, lo);
  }
  if (width === 56) {
    const hi = r.readBits(24);
    const lo = r.readBits(32);
    const negative = signed && (hi > 0x800000 || (hi === 0x800000 && lo > 0));
    return wordsToInt(negative ? (hi | 0xff000000) >>> 0 : hi, lo);
  }
  const v = r.readBits(width);
  return signed && v > 2 ** (width - 1) ? v - 2 ** width : v;
}

export function readVarbitInt(r: BitReader): number {
  return readPayload(r, readWidth(r), true);
}

export function readVarbitUint(r: BitReader): number {
  return readPayload(r, readWidth(r), false);
}
