import type { FloatHistogram } from '../../model/index.js';
import { type SeriesIterator, ValueType } from '../interface.js';

/** A chunk of one series as the querier found it; `open` decodes it only when the merge needs it. */
export interface ChunkRef {
  mint: number;
  maxt: number;
  open(): SeriesIterator;
}

/** Deleted `[mint, maxt]` intervals (inclusive ms) that the iterator must skip. */
export type Intervals = readonly (readonly [number, number])[];

interface Cursor {
  it: SeriesIterator;
  t: number;
  type: ValueType;
}

/**
 * Merges the chunks of one series into one ascending iterator over `[mint, maxt]`. Chunks may
 * overlap (two replicas cut chunks at different samples): a timestamp present in several chunks is
 * returned once, from the chunk that sorts first. Chunks are opened lazily in `mint` order, so a
 * day of back-to-back chunks costs one open cursor at a time, and samples inside `deleted`
 * intervals (tombstones) are skipped.
 */
export class MergeIterator implements SeriesIterator {
  private readonly chunks: ChunkRef[];
  private next_ = 0;
  private readonly active: Cursor[] = [];
  private cur: Cursor | undefined;
  /** Every sample at or before this timestamp has been consumed. */
  private consumed: number;
  private done = false;

  constructor(
    chunks: readonly ChunkRef[],
    private readonly mint: number,
    private readonly maxt: number,
    private readonly deleted: Intervals = [],
  ) {
    this.chunks = [...chunks].sort((a, b) => a.mint - b.mint || a.maxt - b.maxt);
    this.consumed = mint - 1;
  }

  next(): ValueType {
    if (this.done) return ValueType.None;
    if (this.cur !== undefined) this.consumed = this.cur.t;
    return this.select();
  }

  seek(t: number): ValueType {
    if (this.done) return ValueType.None;
    if (this.cur !== undefined && this.cur.t >= t) return this.cur.type;
    this.consumed = Math.max(this.consumed, t - 1);
    return this.select();
  }

  atT(): number {
    return this.cur!.t;
  }

  atV(): number {
    return this.cur!.it.atV();
  }

  atHistogram(): FloatHistogram {
    return this.cur!.it.atHistogram();
  }

  atST(): number {
    return this.cur!.it.atST?.() ?? 0;
  }

  private select(): ValueType {
    for (;;) {
      const floor = this.consumed + 1;
      // Move every open cursor past what was consumed; duplicates of the last sample go here.
      for (let i = this.active.length - 1; i >= 0; i--) {
        const c = this.active[i]!;
        if (c.t >= floor) continue;
        c.type = c.it.seek(floor);
        if (c.type === ValueType.None) this.active.splice(i, 1);
        else c.t = c.it.atT();
      }
      let best = this.minCursor();
      // Open further chunks while they could hold a sample before the current best.
      while (this.next_ < this.chunks.length) {
        const ch = this.chunks[this.next_]!;
        if (best !== undefined && ch.mint > best.t) break;
        this.next_++;
        if (ch.maxt < floor) continue;
        const it = ch.open();
        const type = it.seek(floor);
        if (type === ValueType.None) continue;
        const c: Cursor = { it, t: it.atT(), type };
        this.active.push(c);
        if (best === undefined || c.t < best.t) best = c;
      }
      if (best === undefined || best.t > this.maxt) return this.finish();
      if (this.isDeleted(best.t)) {
        this.consumed = best.t;
        this.cur = undefined;
        continue;
      }
      this.cur = best;
      return best.type;
    }
  }

  /** The cursor with the smallest timestamp; the earliest opened wins a tie. */
  private minCursor(): Cursor | undefined {
    let best: Cursor | undefined;
    for (const c of this.active) if (best === undefined || c.t < best.t) best = c;
    return best;
  }

  private isDeleted(t: number): boolean {
    for (const [a, b] of this.deleted) if (t >= a && t <= b) return true;
    return false;
  }

  private finish(): ValueType {
    this.done = true;
    this.cur = undefined;
    this.active.length = 0;
    return ValueType.None;
  }
}
