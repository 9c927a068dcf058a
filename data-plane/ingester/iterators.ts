import type { XORIterator } from '../chunkenc/index.js';
import type { FloatHistogram } from '../model/index.js';
import { type SeriesIterator, ValueType } from '../storage/index.js';
import type { MemChunk, MemSeries } from './series.js';

const NO_HISTOGRAM = (): FloatHistogram => {
  throw new RangeError('float sample: no histogram here');
};

/** Iterates a list of time-ordered, non-overlapping chunks, skipping whole chunks on seek. */
class ChunkListIterator implements SeriesIterator {
  private i = -1;
  private cur: XORIterator | undefined;

  constructor(private readonly chunks: readonly MemChunk[]) {}

  private open(i: number): boolean {
    this.i = i;
    const c = this.chunks[i];
    if (!c) {
      this.cur = undefined;
      return false;
    }
    this.cur = c.chunk.iterator(this.cur);
    return true;
  }

  next(): ValueType {
    if (this.i === -1 && !this.open(0)) return ValueType.None;
    while (this.cur) {
      if (this.cur.next() !== ValueType.None) return ValueType.Float;
      if (!this.open(this.i + 1)) break;
    }
    return ValueType.None;
  }

  seek(t: number): ValueType {
    if (this.i === -1) {
      let i = 0;
      while (i < this.chunks.length && this.chunks[i]!.maxt < t) i++;
      if (!this.open(i)) return ValueType.None;
    }
    while (this.cur) {
      if (this.chunks[this.i]!.maxt >= t && this.cur.seek(t) !== ValueType.None) return ValueType.Float;
      if (!this.open(this.i + 1)) break;
    }
    return ValueType.None;
  }

  atT(): number {
    return this.cur!.atT();
  }
  atV(): number {
    return this.cur!.atV();
  }
  atHistogram = NO_HISTOGRAM;
}

/** Iterates parallel sorted arrays of floats or a sorted list of histograms. */
class ArrayIterator implements SeriesIterator {
  private i = -1;
  constructor(
    private readonly ts: readonly number[],
    private readonly vs: Float64Array | undefined,
    private readonly hs: readonly { t: number; h: FloatHistogram }[] | undefined,
  ) {}

  private type(): ValueType {
    if (this.i >= this.ts.length) return ValueType.None;
    return this.hs ? ValueType.Histogram : ValueType.Float;
  }
  next(): ValueType {
    if (this.i < this.ts.length) this.i++;
    return this.type();
  }
  seek(t: number): ValueType {
    if (this.i < 0) this.i = 0;
    while (this.i < this.ts.length && this.ts[this.i]! < t) this.i++;
    return this.type();
  }
  atT(): number {
    return this.ts[this.i]!;
  }
  atV(): number {
    return this.vs![this.i]!;
  }
  atHistogram(): FloatHistogram {
    return this.hs![this.i]!.h;
  }
}

/**
 * Merges sorted iterators by timestamp. On equal timestamps the earlier source wins and the others
 * skip that sample, which is how in-order data shadows a late duplicate from the out-of-order buffer.
 */
class MergeIterator implements SeriesIterator {
  private readonly types: ValueType[];
  private cur = -1;
  private started = false;

  constructor(private readonly its: SeriesIterator[]) {
    this.types = its.map(() => ValueType.None);
  }

  private pick(): ValueType {
    let best = -1;
    for (let i = 0; i < this.its.length; i++) {
      if (this.types[i] === ValueType.None) continue;
      if (best === -1 || this.its[i]!.atT() < this.its[best]!.atT()) best = i;
    }
    this.cur = best;
    return best === -1 ? ValueType.None : this.types[best]!;
  }

  next(): ValueType {
    if (!this.started) {
      this.started = true;
      for (let i = 0; i < this.its.length; i++) this.types[i] = this.its[i]!.next();
      return this.pick();
    }
    if (this.cur === -1) return ValueType.None;
    const t = this.its[this.cur]!.atT();
    for (let i = 0; i < this.its.length; i++) {
      if (this.types[i] !== ValueType.None && this.its[i]!.atT() === t) this.types[i] = this.its[i]!.next();
    }
    return this.pick();
  }

  seek(t: number): ValueType {
    if (this.started && this.cur === -1) return ValueType.None;
    const first = !this.started;
    this.started = true;
    for (let i = 0; i < this.its.length; i++) {
      if (first || this.types[i] !== ValueType.None) this.types[i] = this.its[i]!.seek(t);
    }
    return this.pick();
  }

  atT(): number {
    return this.its[this.cur]!.atT();
  }
  atV(): number {
    return this.its[this.cur]!.atV();
  }
  atHistogram(): FloatHistogram {
    return this.its[this.cur]!.atHistogram();
  }
}

/** Limits an iterator to `[mint, maxt]`. */
class BoundedIterator implements SeriesIterator {
  private started = false;
  private done = false;
  constructor(
    private readonly it: SeriesIterator,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  private check(vt: ValueType): ValueType {
    if (vt === ValueType.None || this.it.atT() > this.maxt) {
      this.done = true;
      return ValueType.None;
    }
    return vt;
  }
  next(): ValueType {
    if (this.done) return ValueType.None;
    if (!this.started) {
      this.started = true;
      return this.check(this.it.seek(this.mint));
    }
    return this.check(this.it.next());
  }
  seek(t: number): ValueType {
    if (this.done) return ValueType.None;
    this.started = true;
    return this.check(this.it.seek(Math.max(t, this.mint)));
  }
  atT(): number {
    return this.it.atT();
  }
  atV(): number {
    return this.it.atV();
  }
  atHistogram(): FloatHistogram {
    return this.it.atHistogram();
  }
}

/**
 * A fresh iterator over everything the series holds in memory within `[mint, maxt]`, leaving out
 * flushed chunks whose newest sample is before `flushedBefore` (the caller reads those from the store).
 */
export function seriesIterator(
  s: MemSeries,
  mint: number,
  maxt: number,
  flushedBefore = Number.NEGATIVE_INFINITY,
): SeriesIterator {
  const sources: SeriesIterator[] = [];
  const inRange = (c: { mint: number; maxt: number; flushed: boolean }) =>
    c.maxt >= mint && c.mint <= maxt && !(c.flushed && c.maxt < flushedBefore);
  const chunks = s.chunks.filter(inRange);
  if (chunks.length > 0) sources.push(new ChunkListIterator(chunks));
  if (s.oooChunks) for (const c of s.oooChunks) if (inRange(c)) sources.push(new ChunkListIterator([c]));
  if (s.oooT && s.oooT.length > 0)
    sources.push(new ArrayIterator(s.oooT.slice(), s.oooV!.slice(0, s.oooT.length), undefined));
  if (s.histChunks) for (const c of s.histChunks) if (inRange(c)) sources.push(c.chunk.iterator());
  if (s.histograms && s.histograms.length > 0) {
    const hs = s.histograms.slice();
    sources.push(
      new ArrayIterator(
        hs.map((x) => x.t),
        undefined,
        hs,
      ),
    );
  }
  const it = sources.length === 1 ? sources[0]! : new MergeIterator(sources);
  return new BoundedIterator(it, mint, maxt);
}
