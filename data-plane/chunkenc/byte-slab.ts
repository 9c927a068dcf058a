/**
 * Sealed chunks' bytes packed side by side into shared buffers. A chunk of its own costs a
 * Uint8Array, an ArrayBuffer and a malloc'd backing store, ~200 bytes of overhead for 100–250 bytes
 * of data, and the backing stores are scattered over the heap. A slab is reclaimed by the GC once no
 * chunk in it is referenced; chunks sealed together are flushed and dropped together, so slabs empty
 * in the order they filled.
 */
const SLAB_BYTES = 32 << 10;
/** Bigger chunks keep a buffer of their own, so one cannot pin a slab for long alone. */
const MAX_PACKED_BYTES = 4 << 10;

let slab = new Uint8Array(0);
let used = 0;

/**
 * The first `len` bytes of `src` copied into a slab: a view of exactly `len` bytes that shares its
 * ArrayBuffer with other chunks (never transfer or detach it; writing past its end is impossible).
 */
export function packBytes(src: Uint8Array, len: number): Uint8Array {
  if (len > MAX_PACKED_BYTES) return src.slice(0, len);
  if (used + len > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
  for (let i = 0; i < len; i++) slab[used + i] = src[i]!;
  const out = slab.subarray(used, used + len);
  used += len;
  return out;
}
