import type { FloatHistogram, Labels } from '../model/index.js';
import { type Series, type SeriesIterator, ValueType } from './interface.js';

/** A float series backed by parallel arrays sorted by timestamp (tests, small in-memory results). */
export function arraySeries(labels: Labels, ts: readonly number[], vs: readonly number[]): Series {
  return { labels, iterator: () => new ArrayIterator(ts, vs) };
}

class ArrayIterator implements SeriesIterator {
  private i = -1;
  constructor(
    private readonly ts: readonly number[],
    private readonly vs: readonly number[],
  ) {}
  next(): ValueType {
    this.i++;
    return this.i < this.ts.length ? ValueType.Float : ValueType.None;
  }
  seek(t: number): ValueType {
    if (this.i < 0) this.i = 0;
    while (this.i < this.ts.length && this.ts[this.i]! < t) this.i++;
    return this.i < this.ts.length ? ValueType.Float : ValueType.None;
  }
  atT(): number {
    return this.ts[this.i]!;
  }
  atV(): number {
    return this.vs[this.i]!;
  }
  atHistogram(): FloatHistogram {
    throw new Error('float series has no histograms');
  }
}
