/** A step-aligned sub-range of a range query: evaluation timestamps start, start+step, …, end. */
export interface SubRange {
  start: number;
  end: number;
  /** Index of the split interval (day) this sub-range lies in. */
  bucket: number;
}

/**
 * Splits `[start, end]` at multiples of `intervalMs` (days by default) so that every sub-range holds
 * only timestamps of the original grid (`start + k·step`). Each grid point lands in exactly one
 * sub-range, so concatenating the sub-results gives the unsplit result.
 */
export function splitByInterval(start: number, end: number, step: number, intervalMs: number): SubRange[] {
  const out: SubRange[] = [];
  let s = start;
  while (s <= end) {
    const bucket = Math.floor(s / intervalMs);
    const bucketEnd = (bucket + 1) * intervalMs - 1;
    // Last grid point inside this bucket.
    const last = Math.min(end, s + Math.floor((bucketEnd - s) / step) * step);
    out.push({ start: s, end: last, bucket });
    s = last + step;
  }
  return out;
}

/** The first grid point (`offset + k·step`) at or after `t`. */
export function gridCeil(t: number, step: number, offset: number): number {
  return Math.ceil((t - offset) / step) * step + offset;
}

/** The last grid point (`offset + k·step`) at or before `t`. */
export function gridFloor(t: number, step: number, offset: number): number {
  return Math.floor((t - offset) / step) * step + offset;
}
