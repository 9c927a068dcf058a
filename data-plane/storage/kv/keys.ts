import { BadDataError } from '../../model/index.js';
import type { KeyRange } from './sorted-kv.js';

/** Unsigned byte-order comparison (memcmp then length), the order every SortedKV keeps. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && compareBytes(a, b) === 0;
}

export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

/**
 * The smallest key greater than every key starting with `prefix`: drop trailing 0xff bytes and add
 * one to the last. Undefined when there is none (empty or all-0xff prefix = unbounded).
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  let n = prefix.length;
  while (n > 0 && prefix[n - 1] === 0xff) n--;
  if (n === 0) return undefined;
  // A copy, never a view: Buffer#slice shares memory, and the caller's key must stay as it was.
  const out = new Uint8Array(n);
  out.set(prefix.subarray(0, n));
  out[n - 1]!++;
  return out;
}

/** A range reduced to plain `[start, end)` bounds (prefix folded in); `empty` when nothing can match. */
export interface Bounds {
  start: Uint8Array | undefined;
  end: Uint8Array | undefined;
  empty: boolean;
}

export function toBounds(range: KeyRange): Bounds {
  let start = range.start;
  let end = range.end;
  if (range.prefix !== undefined && range.prefix.length > 0) {
    const p = range.prefix;
    if (start === undefined || compareBytes(start, p) < 0) start = p;
    const pe = prefixEnd(p);
    if (pe !== undefined && (end === undefined || compareBytes(pe, end) < 0)) end = pe;
  }
  const empty = start !== undefined && end !== undefined && compareBytes(start, end) >= 0;
  return { start, end, empty };
}

/** Whether `key` lies in the bounds. */
export function inBounds(key: Uint8Array, b: Bounds): boolean {
  if (b.empty) return false;
  if (b.start !== undefined && compareBytes(key, b.start) < 0) return false;
  if (b.end !== undefined && compareBytes(key, b.end) >= 0) return false;
  return true;
}

/** Rejects empty keys, which neither store can hold (Bigtable has no empty row key). */
export function assertKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length === 0)
    throw new BadDataError('sorted kv keys must be non-empty bytes');
}

/**
 * Node's own latin1 decoder, called on the Uint8Array itself: a query turns thousands of keys into
 * strings, and wrapping each in a Buffer first cost 2.5× as much (a Buffer object per key).
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string })
  .latin1Slice;

/**
 * Bytes `[start, end)` of `b` as a latin1 string (one char per byte): JS string order is then
 * unsigned byte order, and the string is a cheap Map key.
 */
export function latin1String(b: Uint8Array, start = 0, end = b.length): string {
  if (latin1Slice !== undefined) return latin1Slice.call(b, start, end);
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}
