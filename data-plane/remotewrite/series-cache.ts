import type { Labels } from '../model/index.js';

/**
 * Shared by every decoded series whose label bytes were byte-identical: later stages memoise what they
 * derive from the labels here, so a series seen before costs no string decoding, validation or
 * hashing. Only valid for exactly these label bytes (never mutate `flat`).
 */
export interface SeriesMemo {
  /** The labels as decoded (wire order, unvalidated). Never mutate: copy first. */
  readonly flat: readonly string[];
  /**
   * Set by the distributor once the labels passed validation: its token for the tenant and label
   * limits they were checked under (compared by identity, so the check costs one comparison and
   * the memo one field), and the normalised labels. Reused only when the token matches.
   */
  validatedFor: object | undefined;
  validatedLabels: Labels | undefined;
}

interface Entry extends SeriesMemo {
  /** The entry that followed this one in the last request that had both. */
  next: Entry | undefined;
  /** The slab holding the label bytes (a view of all of it: the bytes are read through it). */
  view: DataView;
  off: number;
  len: number;
}

const SLAB_BYTES = 4 << 20;
/** Bounds: when either is reached the whole cache is dropped and refilled from the next requests. */
const MAX_ENTRIES = 2_000_000;
const MAX_SLABS = 128; // 512 MiB of label bytes

/**
 * Label-bytes → decoded labels, keyed by a 30-bit hash of the series' label fields (a hash collision
 * just replaces the entry; a hit is confirmed by a byte compare). Global: label sets repeat from one
 * scrape to the next, whichever tenant sends them; the memo records the tenant it is valid for.
 */
export class SeriesCache {
  private readonly map = new Map<number, Entry>();
  private slabs: Uint8Array[] = [];
  private slab = new Uint8Array(0);
  private view = new DataView(this.slab.buffer);
  private used = 0;

  /** The entry for `buf[start, stop)`, if those exact bytes were added before. */
  get(buf: Uint8Array, view: DataView, start: number, stop: number, hash: number): SeriesMemo | undefined {
    const e = this.map.get(hash);
    return e !== undefined && matches(e, buf, view, start, stop) ? e : undefined;
  }

  /**
   * The entry that followed `prev` last time, if it matches `buf[start, stop)`: senders send their
   * series in the same order request after request, so this usually saves the hash and the lookup.
   */
  next(prev: SeriesMemo, buf: Uint8Array, view: DataView, start: number, stop: number): SeriesMemo | undefined {
    const e = (prev as Entry).next;
    return e !== undefined && matches(e, buf, view, start, stop) ? e : undefined;
  }

  /** Records that `cur` followed `prev` in a request. */
  link(prev: SeriesMemo, cur: SeriesMemo): void {
    (prev as Entry).next = cur as Entry;
  }

  add(buf: Uint8Array, start: number, stop: number, hash: number, flat: readonly string[]): SeriesMemo {
    const len = stop - start;
    if (this.used + len > this.slab.length) {
      if (this.map.size >= MAX_ENTRIES || this.slabs.length >= MAX_SLABS) this.clear();
      this.slab = new Uint8Array(Math.max(SLAB_BYTES, len));
      this.view = new DataView(this.slab.buffer);
      this.slabs.push(this.slab);
      this.used = 0;
    } else if (this.map.size >= MAX_ENTRIES) this.clear();
    const off = this.used;
    this.slab.set(buf.subarray(start, stop), off);
    this.used += len;
    const e: Entry = {
      flat,
      validatedFor: undefined,
      validatedLabels: undefined,
      next: undefined,
      view: this.view,
      off,
      len,
    };
    this.map.set(hash, e);
    return e;
  }

  clear(): void {
    // Entries still referenced elsewhere must not keep the dropped ones alive through `next`.
    for (const e of this.map.values()) e.next = undefined;
    this.map.clear();
    this.slabs = [];
    this.slab = new Uint8Array(0);
    this.view = new DataView(this.slab.buffer);
    this.used = 0;
  }

  get size(): number {
    return this.map.size;
  }
}

function matches(e: Entry, buf: Uint8Array, view: DataView, start: number, stop: number): boolean {
  if (e.len !== stop - start) return false;
  const sv = e.view;
  const off = e.off - start;
  let i = start;
  for (; i + 4 <= stop; i += 4) if (sv.getInt32(off + i, true) !== view.getInt32(i, true)) return false;
  for (; i < stop; i++) if (sv.getUint8(off + i) !== buf[i]) return false;
  return true;
}

/**
 * 30-bit hash of `buf[start, stop)` (a small integer, so Map keys stay unboxed): FNV-style over
 * 32-bit words, then a final mix. Collisions only cost a miss (a hit is confirmed byte for byte).
 */
export function hashBytes(buf: Uint8Array, view: DataView, start: number, stop: number): number {
  let h = 0x811c9dc5 ^ (stop - start);
  let i = start;
  for (; i + 4 <= stop; i += 4) h = Math.imul(h ^ view.getInt32(i, true), 0x01000193);
  for (; i < stop; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & 0x3fffffff;
}

/** The process-wide cache of the remote-write push path. */
export const seriesCache = new SeriesCache();
