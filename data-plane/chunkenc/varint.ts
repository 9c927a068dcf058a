import type { BitReader, BitWriter } from './bstream.js';

/**
 * LEB128 varints written byte by byte at the current bit position (XOR_CHUNKS.md §3.1–3.2), as Go's
 * encoding/binary does. Numbers up to 2^53 take the fast path; wider int64 values (negative deltas
 * reinterpreted as uint64, ZigZag of timestamps near ±2^53) go through BigInt.
 */

/** Writes an unsigned varint of a non-negative safe integer. */
export function writeUvarint(w: BitWriter, n: number): void {
  while (n >= 0x80) {
    w.writeByte((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  w.writeByte(n);
}

function writeUvarintBig(w: BitWriter, n: bigint): void {
  while (n >= 0x80n) {
    w.writeByte(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  w.writeByte(Number(n));
}

/** Writes an int64 (given as a safe integer) the way Go writes `uint64(int64)` as a uvarint. */
export function writeUvarintInt64(w: BitWriter, n: number): void {
  if (n >= 0) writeUvarint(w, n);
  else writeUvarintBig(w, BigInt.asUintN(64, BigInt(n)));
}

/** Writes a ZigZag signed varint (Go binary.PutVarint). */
export function writeVarint(w: BitWriter, n: number): void {
  // 2|n| stays exact only below 2^53; beyond that ZigZag needs exact 64-bit arithmetic.
  if (Math.abs(n) < 2 ** 52) writeUvarint(w, n >= 0 ? n * 2 : -n * 2 - 1);
  else {
    const b = BigInt(n);
    writeUvarintBig(w, BigInt.asUintN(64, (b << 1n) ^ (b >> 63n)));
  }
}

function readUvarintBig(r: BitReader): bigint {
  let out = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    const b = r.readByte();
    out |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return BigInt.asUintN(64, out);
    shift += 7n;
  }
  throw new RangeError('varint in chunk is longer than 10 bytes');
}

/** Reads a uvarint and returns it as a uint64 BigInt when it does not fit 49 bits, else a number. */
function readUvarintAny(r: BitReader): number | bigint {
  const start = r.bitPos;
  let out = 0;
  let mul = 1;
  // Seven bytes carry 49 bits, exact in a double; longer varints restart on the BigInt path.
  for (let i = 0; i < 7; i++) {
    const b = r.readByte();
    out += (b & 0x7f) * mul;
    if (b < 0x80) return out;
    mul *= 0x80;
  }
  r.bitPos = start;
  return readUvarintBig(r);
}

function safe(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`chunk value ${n} is outside the safe integer range of millisecond timestamps`);
  }
  return Number(n);
}

/** Reads a uvarint holding an int64 reinterpreted as uint64 (Go `uint64(t1 - t0)`). */
export function readUvarintInt64(r: BitReader): number {
  const v = readUvarintAny(r);
  return typeof v === 'number' ? v : safe(BigInt.asIntN(64, v));
}

/** Reads a ZigZag signed varint. */
export function readVarint(r: BitReader): number {
  const v = readUvarintAny(r);
  if (typeof v === 'number') return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  return safe((v >> 1n) ^ -(v & 1n));
}
