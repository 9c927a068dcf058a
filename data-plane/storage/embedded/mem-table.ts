import type { Bounds } from '../kv/index.js';

/**
 * The embedded store's in-memory sorted index: a Map for point lookups plus a sorted key array for
 * range scans. New keys go to an unsorted side list that is sorted and merged in on the next scan,
 * so a write batch costs O(batch) and a scan after writes O(n) once, not O(n) per inserted key.
 *
 * Keys are held as latin1 strings (one char per byte): JS string order is then exactly unsigned
 * byte order, and strings are cheap Map keys.
 */
export class MemTable {
  private readonly map = new Map<string, Uint8Array>();
  private sorted: string[] = [];
  private added: string[] = [];
  /** Keys deleted one by one but still in `sorted`; scans skip them, `settle` drops them. */
  private stale = 0;
  /** Sum of key and value bytes of live entries; drives compaction. */
  liveBytes = 0;

  get size(): number {
    return this.map.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(toStr(key));
  }

  put(key: Uint8Array, value: Uint8Array): void {
    const k = toStr(key);
    const old = this.map.get(k);
    if (old === undefined) {
      this.added.push(k);
      this.liveBytes += k.length;
    } else {
      this.liveBytes -= old.length;
    }
    this.map.set(k, value);
    this.liveBytes += value.length;
  }

  /**
   * Deletes one key in O(1): the sorted array keeps a stale slot (scans skip keys missing from the
   * map) until enough pile up to be worth a rebuild.
   */
  delete(key: Uint8Array): void {
    const k = toStr(key);
    const v = this.map.get(k);
    if (v === undefined) return;
    this.map.delete(k);
    this.liveBytes -= k.length + v.length;
    if (++this.stale > 1024 && this.stale > this.sorted.length >> 2) {
      this.sorted = this.sorted.filter((x) => this.map.has(x));
      this.stale = 0;
    }
  }

  /** Entries within bounds in key order; stops after `limit` when > 0. */
  scan(b: Bounds, limit: number, fn: (key: Uint8Array, value: Uint8Array) => void): void {
    if (b.empty) return;
    this.settle();
    const s = this.sorted;
    let i = b.start === undefined ? 0 : lowerBound(s, toStr(b.start));
    const end = b.end === undefined ? undefined : toStr(b.end);
    let n = 0;
    for (; i < s.length; i++) {
      const k = s[i]!;
      if (end !== undefined && k >= end) break;
      const v = this.map.get(k);
      if (v === undefined) continue;
      fn(fromStr(k), v);
      if (limit > 0 && ++n >= limit) break;
    }
  }

  deleteRange(b: Bounds): void {
    if (b.empty) return;
    this.settle();
    const s = this.sorted;
    const from = b.start === undefined ? 0 : lowerBound(s, toStr(b.start));
    const to = b.end === undefined ? s.length : lowerBound(s, toStr(b.end));
    for (let i = from; i < to; i++) {
      const k = s[i]!;
      const v = this.map.get(k);
      if (v !== undefined) {
        this.liveBytes -= k.length + v.length;
        this.map.delete(k);
      }
    }
    s.splice(from, to - from);
  }

  /** All live entries in key order (compaction). */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    this.settle();
    for (const k of this.sorted) {
      const v = this.map.get(k);
      if (v !== undefined) yield [fromStr(k), v];
    }
  }

  /** Merges the side list into the sorted array and drops keys deleted since. */
  private settle(): void {
    if (this.added.length === 0) return;
    const add = this.added.filter((k) => this.map.has(k)).sort();
    this.added = [];
    const old = this.sorted;
    const out: string[] = new Array(old.length + add.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < old.length || j < add.length) {
      const a = old[i];
      const b = add[j];
      let k: string;
      if (b === undefined || (a !== undefined && a < b)) {
        k = a!;
        i++;
      } else {
        k = b;
        j++;
        if (a === b) i++;
      }
      if (n > 0 && out[n - 1] === k) continue;
      if (this.map.has(k)) out[n++] = k;
    }
    out.length = n;
    this.sorted = out;
    this.stale = 0;
  }
}

function lowerBound(a: readonly string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Node's own latin1 decoder, called on the Uint8Array itself: a query turns thousands of keys into
 * strings, and wrapping each in a Buffer first cost 2.5× as much (a Buffer object per key).
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string })
  .latin1Slice;

function toStr(b: Uint8Array): string {
  if (latin1Slice !== undefined) return latin1Slice.call(b, 0, b.length);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** A key string back to its own bytes (a fresh array per key: callers may keep or transfer it). */
function fromStr(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
