import { emptyHistogram, type FloatHistogram } from '../model/index.js';

/**
 * Prometheus's created-timestamp zero ingestion (`--enable-feature=created-timestamp-zero-ingestion`,
 * AppendCTZeroSample) over one series of one push: a counter that starts at its created timestamp
 * gets a 0 there, so `rate()` and `increase()` see the increase from the start instead of losing the
 * first scrape's worth. A zero goes in only before a point newer than it and only if it is newer than
 * everything the series already holds (Prometheus's ErrOutOfOrderCT, never an error for the client):
 * a created timestamp sent again with every later point of the same counter is thereby skipped.
 */
export class CreatedZeros {
  private next = 0;

  /** `cts` ascending; `newest` is the series' newest timestamp in memory (-Infinity when none). */
  constructor(
    private readonly cts: readonly number[],
    private newest: number,
  ) {}

  /**
   * The created timestamp to append a zero at before a point at `t`, if one fits: the newest
   * created timestamp below `t` that is above what the series holds. Those passed over are used up.
   */
  before(t: number): number | undefined {
    let found: number | undefined;
    while (this.next < this.cts.length && this.cts[this.next]! < t) {
      const ct = this.cts[this.next++]!;
      if (ct > this.newest && Number.isSafeInteger(ct)) found = ct;
    }
    if (found !== undefined) this.newest = found;
    return found;
  }

  /** A point at `t` was appended: no zero may go at or before it. */
  appended(t: number): void {
    if (t > this.newest) this.newest = t;
  }
}

/**
 * The zero Prometheus writes before a native histogram (a counter reset by definition): empty, with
 * the schema and, for custom buckets, the bounds of the histogram that follows, so the two chunk
 * layouts agree.
 */
export function zeroHistogramLike(h: FloatHistogram): FloatHistogram {
  const z = emptyHistogram('reset', h.schema, h.zeroThreshold);
  if (h.customValues !== undefined) z.customValues = h.customValues;
  return z;
}
