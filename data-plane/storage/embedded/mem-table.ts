import { type Bounds, latin1String } from '../kv/index.js';

/**
 * The embedded store's in-memory sorted index: a Map for point lookups plus a sorted key array for
 * range scans, with each key's value beside it (a scan reads thousands of rows per query, and a Map
 * lookup per row was most of its cost). New keys go to an unsorted side list that is sorted and
 * merged in on the next scan, so a write batch costs O(batch) and a scan after writes O(n) once, not
 * O(n) per inserted key.
 *
 * Keys are held as latin1 strings (one char per byte): JS string order is then exactly unsigned
 * byte order, and strings are cheap Map keys.
 */
export class MemTable {
  private readonly map = new Map<string, Uint8Array>();
  private sorted: string[] = [];
  /** `vals[i]` is the value of `sorted[i]`; undefined once deleted (a stale slot scans skip). */
  private vals: (Uint8Array | undefined)[] = [];
  private added: string[] = [];
  /** Keys deleted one by one but still in `sorted`; `settle` or a rebuild drops them. */
  private stale = 0;
  /** Sum of key and value bytes of live entries; drives compaction. */
  liveBytes = 0;

  get size(): number {
    return this.map.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(latin1String(key));
  }

  put(key: Uint8Array, value: Uint8Array): void {
    const k = latin1String(key);
    const old = this.map.get(k);
    if (old === undefined) {
      this.added.push(k);
      this.liveBytes += k.length;
    } else {
      this.liveBytes -= old.length;
      // Overwritten in place when already merged; a key still in `added` takes the map's value.
      const i = this.indexOf(k);
      if (i >= 0) this.vals[i] = value;
    }
    this.map.set(k, value);
    this.liveBytes += value.length;
  }

  /**
   * Deletes one key in O(log n): the sorted arrays keep a stale slot until enough pile up to be
   * worth a rebuild.
   */
  delete(key: Uint8Array): void {
    const k = latin1String(key);
    const v = this.map.get(k);
    if (v === undefined) return;
    this.map.delete(k);
    this.liveBytes -= k.length + v.length;
    const i = this.indexOf(k);
    if (i < 0) return; // still in `added`: settle drops it
    this.vals[i] = undefined;
    if (++this.stale > 1024 && this.stale > this.sorted.length >> 2) this.compactSlots();
  }

  /** Entries within bounds in key order; stops after `limit` when > 0. */
  scan(b: Bounds, limit: number, fn: (key: Uint8Array, value: Uint8Array) => void): void {
    if (b.empty) return;
    this.settle();
    const from = b.start === undefined ? 0 : lowerBound(this.sorted, latin1String(b.start), 0);
    this.scanFrom(from, b.end === undefined ? undefined : latin1String(b.end), limit, fn);
  }

  /**
   * Entries within each of `bounds`, which are in start order and disjoint: each range's first key
   * is searched for forward from where the previous range ended (a query's thousands of ranges,
   * one per series, sit close together in key order). `limit` counts over all ranges.
   */
  scanOrdered(bounds: readonly Bounds[], limit: number, fn: (key: Uint8Array, value: Uint8Array) => void): void {
    this.settle();
    let pos = 0;
    let n = 0;
    for (const b of bounds) {
      if (b.empty) continue;
      const from = b.start === undefined ? pos : gallop(this.sorted, latin1String(b.start), pos);
      const left = limit > 0 ? limit - n : 0;
      const r = this.scanFrom(from, b.end === undefined ? undefined : latin1String(b.end), left, fn);
      n += r.rows;
      pos = r.next;
      if (limit > 0 && n >= limit) return;
    }
  }

  /** Visits live entries from index `i` up to `end` (exclusive); returns the rows seen and where it stopped. */
  private scanFrom(
    i: number,
    end: string | undefined,
    limit: number,
    fn: (key: Uint8Array, value: Uint8Array) => void,
  ): { rows: number; next: number } {
    const s = this.sorted;
    const vals = this.vals;
    let n = 0;
    for (; i < s.length; i++) {
      const k = s[i]!;
      if (end !== undefined && k >= end) break;
      const v = vals[i];
      if (v === undefined) continue;
      fn(fromStr(k), v);
      if (limit > 0 && ++n >= limit) return { rows: n, next: i + 1 };
    }
    return { rows: n, next: i };
  }

  deleteRange(b: Bounds): void {
    if (b.empty) return;
    this.settle();
    const s = this.sorted;
    const from = b.start === undefined ? 0 : lowerBound(s, latin1String(b.start), 0);
    const to = b.end === undefined ? s.length : lowerBound(s, latin1String(b.end), from);
    for (let i = from; i < to; i++) {
      const k = s[i]!;
      const v = this.vals[i];
      if (v !== undefined) {
        this.liveBytes -= k.length + v.length;
        this.map.delete(k);
      } else this.stale--;
    }
    s.splice(from, to - from);
    this.vals.splice(from, to - from);
  }

  /** All live entries in key order (compaction). */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    this.settle();
    for (let i = 0; i < this.sorted.length; i++) {
      const v = this.vals[i];
      if (v !== undefined) yield [fromStr(this.sorted[i]!), v];
    }
  }

  /** Index of `k` in `sorted`, or -1. */
  private indexOf(k: string): number {
    const i = lowerBound(this.sorted, k, 0);
    return i < this.sorted.length && this.sorted[i] === k ? i : -1;
  }

  /** Drops the stale slots. */
  private compactSlots(): void {
    const keys: string[] = [];
    const vals: Uint8Array[] = [];
    for (let i = 0; i < this.sorted.length; i++) {
      const v = this.vals[i];
      if (v === undefined) continue;
      keys.push(this.sorted[i]!);
      vals.push(v);
    }
    this.sorted = keys;
    this.vals = vals;
    this.stale = 0;
  }

  /** Merges the side list into the sorted arrays and drops stale slots. */
  private settle(): void {
    if (this.added.length === 0) return;
    const add = this.added.filter((k) => this.map.has(k)).sort();
    this.added = [];
    const old = this.sorted;
    const oldVals = this.vals;
    const total = old.length + add.length;
    const out: string[] = new Array(total);
    const outVals: Uint8Array[] = new Array(total);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < old.length || j < add.length) {
      const a = old[i];
      const b = add[j];
      let k: string;
      let v: Uint8Array | undefined;
      if (b === undefined || (a !== undefined && a < b)) {
        k = a!;
        v = oldVals[i];
        i++;
      } else {
        // a key deleted and put again while pending: the map holds its value
        k = b;
        v = this.map.get(b);
        j++;
        if (a === b) i++;
      }
      if (v === undefined || (n > 0 && out[n - 1] === k)) continue;
      out[n] = k;
      outVals[n++] = v;
    }
    out.length = n;
    outVals.length = n;
    this.sorted = out;
    this.vals = outVals;
    this.stale = 0;
  }
}

function lowerBound(a: readonly string[], k: string, from: number): number {
  let lo = from;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `lowerBound` from `from` on, probing 1, 2, 4… places ahead first: for a key near `from` this
 * touches a few neighbouring entries, where a search of the whole array would touch ~log n far ones.
 */
function gallop(a: readonly string[], k: string, from: number): number {
  let lo = from;
  let step = 1;
  let hi = from;
  while (hi < a.length && a[hi]! < k) {
    lo = hi + 1;
    hi = lo + step;
    step *= 2;
  }
  if (hi > a.length) hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Slab the keys handed out by scans are cut from (see fromStr). */
let slab = new Uint8Array(0);
let slabAt = 0;

/**
 * A key string back to bytes: a view of a shared 64 KiB slab, not an array with its own buffer
 * (a query's scan hands out thousands of keys, and an ArrayBuffer each was a large part of its
 * garbage). Callers may keep a key; none may transfer its buffer to another thread.
 */
function fromStr(s: string): Uint8Array {
  const n = s.length;
  if (slabAt + n > slab.length) {
    slab = new Uint8Array(Math.max(65536, n));
    slabAt = 0;
  }
  const out = slab.subarray(slabAt, slabAt + n);
  slabAt += n;
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}
