/**
 * 64-bit helpers on (hi, lo) pairs of unsigned 32-bit numbers. XOR chunks work on raw float64 bit
 * patterns; splitting them into two uint32 words keeps encoding and decoding free of BigInt, which
 * is an order of magnitude slower in V8.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

/** Scratch output of `floatBits`: the high and low words of the last float converted. */
export const bitsOut = { hi: 0, lo: 0 };

/** Splits `v` into its IEEE-754 words (NaN payloads included) into `bitsOut`. */
export function floatBits(v: number): void {
  f64[0] = v;
  bitsOut.hi = u32[HI]!;
  bitsOut.lo = u32[LO]!;
}

/** The float with bit pattern `hi:lo`. V8 keeps NaN payloads through typed arrays and variables. */
export function bitsToFloat(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0]!;
}

/** Count of trailing zero bits of a non-zero uint32. */
export function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

const TWO32 = 4294967296;

/** The int64 two's complement words of a safe integer, into `bitsOut`. */
export function intToWords(n: number): void {
  const hi = Math.floor(n / TWO32);
  bitsOut.hi = hi >>> 0;
  bitsOut.lo = (n - hi * TWO32) >>> 0;
}

/** The int64 `hi:lo` as a number; throws if it is not a safe integer (chunk timestamps must be). */
export function wordsToInt(hi: number, lo: number): number {
  const signedHi = hi | 0;
  const n = signedHi * TWO32 + lo;
  // Outside ±2^53 the sum above may have rounded; decide with exact arithmetic.
  if (Number.isSafeInteger(n) && Math.abs(signedHi) < 0x200000) return n;
  const big = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`chunk value ${big} is outside the safe integer range of millisecond timestamps`);
  }
  return Number(big);
}
