import { BadDataError } from '../model/index.js';

/**
 * Snappy block format (not the framed/stream format), as Prometheus remote write and read use it.
 * Hand-written so it needs no native module: the napi `snappy` package's default output path churns
 * external memory under load (reference/performance.md B2).
 *
 * Layout: uvarint(decompressed length) followed by elements. Element tag low 2 bits:
 *   0 literal (length-1 in the upper 6 bits; 60..63 mean 1..4 little-endian length bytes follow),
 *   1 copy, 1-byte offset (length 4..11 in bits 2..4, offset bits 8..10 in bits 5..7),
 *   2 copy, 2-byte offset (length 1..64 in the upper 6 bits),
 *   3 copy, 4-byte offset (same length encoding).
 */

/** Reads only the declared decompressed length, so callers can reject a body before decoding it. */
export function snappyDecodedLength(src: Uint8Array): number {
  return readPreamble(src).length;
}

function readPreamble(src: Uint8Array): { length: number; pos: number } {
  let result = 0;
  let shift = 0;
  for (let pos = 0; pos < 5; pos++) {
    if (pos >= src.length) throw corrupt('truncated length preamble');
    const b = src[pos]!;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      if (result > 0xffffffff) throw corrupt('length preamble exceeds 32 bits');
      return { length: result, pos: pos + 1 };
    }
    shift += 7;
  }
  throw corrupt('length preamble longer than 5 bytes');
}

function corrupt(what: string, at?: number): BadDataError {
  const where = at === undefined ? '' : ` at byte ${at}`;
  return new BadDataError(`snappy: corrupt input: ${what}${where} (err-cortex-snappy-corrupt)`, {
    id: 'err-cortex-snappy-corrupt',
  });
}

/**
 * Decompresses a snappy block. The declared length is checked against `maxDecompressedBytes` before
 * the output buffer is allocated, so a 20-byte body cannot make us allocate 4 GiB. With `reuse`
 * large enough, the output is a view of it instead of a new allocation (a hot caller keeps one
 * scratch buffer rather than churning ~0.5 MB of external memory per request, which drives GCs).
 */
export function snappyDecode(src: Uint8Array, maxDecompressedBytes: number, reuse?: Uint8Array): Uint8Array {
  const pre = readPreamble(src);
  const n = pre.length;
  if (n > maxDecompressedBytes) {
    throw new BadDataError(
      `snappy: decompressed size ${n} bytes exceeds the limit of ${maxDecompressedBytes} bytes (err-cortex-request-too-large)`,
      { id: 'err-cortex-request-too-large' },
    );
  }
  const out = reuse !== undefined && reuse.length >= n ? reuse.subarray(0, n) : new Uint8Array(n);
  let s = pre.pos;
  let d = 0;
  const end = src.length;
  while (s < end) {
    const tag = src[s]!;
    const tagAt = s;
    s++;
    const type = tag & 3;
    if (type === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (s + extra > end) throw corrupt('truncated literal length', tagAt);
        len = 0;
        for (let i = 0; i < extra; i++) len += src[s + i]! * 2 ** (8 * i);
        s += extra;
      }
      len += 1;
      if (len > end - s) throw corrupt(`literal of ${len} bytes overruns the input`, tagAt);
      if (len > n - d) throw corrupt('literal overruns the declared length', tagAt);
      if (len < 16) {
        for (let i = 0; i < len; i++) out[d + i] = src[s + i]!;
      } else {
        out.set(src.subarray(s, s + len), d);
      }
      s += len;
      d += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (type === 1) {
      if (s >= end) throw corrupt('truncated copy', tagAt);
      len = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | src[s]!;
      s += 1;
    } else if (type === 2) {
      if (s + 2 > end) throw corrupt('truncated copy', tagAt);
      len = 1 + (tag >>> 2);
      offset = src[s]! | (src[s + 1]! << 8);
      s += 2;
    } else {
      if (s + 4 > end) throw corrupt('truncated copy', tagAt);
      len = 1 + (tag >>> 2);
      offset = (src[s]! | (src[s + 1]! << 8) | (src[s + 2]! << 16)) + src[s + 3]! * 0x1000000;
      s += 4;
    }
    if (offset === 0 || offset > d) throw corrupt(`copy offset ${offset} outside the ${d} bytes written`, tagAt);
    if (len > n - d) throw corrupt('copy overruns the declared length', tagAt);
    let from = d - offset;
    if (offset >= len && len >= 16) {
      out.copyWithin(d, from, from + len);
      d += len;
    } else {
      // Overlapping copies repeat the last `offset` bytes (run-length style), so go byte by byte.
      const stop = d + len;
      while (d < stop) out[d++] = out[from++]!;
    }
  }
  if (d !== n) throw corrupt(`decoded ${d} bytes but the preamble declared ${n}`);
  return out;
}

const BLOCK = 1 << 16;
const HASH_BITS = 14;
const HASH_MUL = 0x1e35a7bd;

/** Worst-case compressed size (the reference implementation's bound). */
export function snappyMaxEncodedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/**
 * Compresses into snappy block format. Greedy 4-byte hash matching per 64 KiB block, like the
 * reference encoder, so every copy offset fits the 2-byte form.
 */
export function snappyEncode(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(snappyMaxEncodedLength(src.length));
  let d = 0;
  let n = src.length;
  while (n >= 0x80) {
    out[d++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[d++] = n;
  const table = new Int32Array(1 << HASH_BITS);
  for (let start = 0; start < src.length; start += BLOCK) {
    const stop = Math.min(start + BLOCK, src.length);
    d = encodeBlock(src, start, stop, out, d, table);
  }
  return out.slice(0, d);
}

function load32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function hash(u: number): number {
  return Math.imul(u, HASH_MUL) >>> (32 - HASH_BITS);
}

function encodeBlock(src: Uint8Array, start: number, stop: number, out: Uint8Array, d: number, table: Int32Array) {
  table.fill(-1);
  let nextEmit = start;
  // Leave room to read 4 bytes at any candidate position.
  const limit = stop - 4;
  let i = start;
  let misses = 32;
  while (i <= limit) {
    const cur = load32(src, i);
    const h = hash(cur);
    const cand = table[h]!;
    table[h] = i;
    if (cand < start || load32(src, cand) !== cur) {
      // Skip faster through incompressible data, as the reference encoder does.
      i += misses++ >>> 5;
      continue;
    }
    misses = 32;
    if (i > nextEmit) d = emitLiteral(src, nextEmit, i, out, d);
    let m = i + 4;
    let c = cand + 4;
    while (m < stop && src[m] === src[c]) {
      m++;
      c++;
    }
    d = emitCopy(i - cand, m - i, out, d);
    i = m;
    nextEmit = m;
    if (i - 1 >= start && i - 1 <= limit) table[hash(load32(src, i - 1))] = i - 1;
  }
  if (nextEmit < stop) d = emitLiteral(src, nextEmit, stop, out, d);
  return d;
}

function emitLiteral(src: Uint8Array, from: number, to: number, out: Uint8Array, d: number): number {
  const n = to - from - 1;
  if (n < 60) {
    out[d++] = n << 2;
  } else if (n < 0x100) {
    out[d++] = 60 << 2;
    out[d++] = n;
  } else if (n < 0x10000) {
    out[d++] = 61 << 2;
    out[d++] = n & 0xff;
    out[d++] = n >>> 8;
  } else {
    out[d++] = 62 << 2;
    out[d++] = n & 0xff;
    out[d++] = (n >>> 8) & 0xff;
    out[d++] = n >>> 16;
  }
  out.set(src.subarray(from, to), d);
  return d + (to - from);
}

function emitCopy(offset: number, len: number, out: Uint8Array, d: number): number {
  // Long matches become 64-byte copies; keep the tail ≥ 4 so it can still use the short form.
  while (len >= 68) {
    d = emitCopy2(offset, 64, out, d);
    len -= 64;
  }
  if (len > 64) {
    d = emitCopy2(offset, 60, out, d);
    len -= 60;
  }
  if (len >= 4 && len < 12 && offset < 2048) {
    out[d++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[d++] = offset & 0xff;
    return d;
  }
  return emitCopy2(offset, len, out, d);
}

function emitCopy2(offset: number, len: number, out: Uint8Array, d: number): number {
  out[d++] = 2 | ((len - 1) << 2);
  out[d++] = offset & 0xff;
  out[d++] = offset >>> 8;
  return d;
}
