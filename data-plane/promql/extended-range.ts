import type { RangeWindow } from './range-functions.js';

/**
 * `anchored` and `smoothed` range selectors (Prometheus 3.7+, experimental). `anchored` adds the
 * last sample at or before the range start (within the lookback delta) as the first point and
 * never extrapolates; `smoothed` interpolates the counter/gauge value linearly at both range
 * boundaries (from zero across a counter reset). `w.t/w.v` must hold samples beyond the window on
 * both sides; `lookback` bounds how far the anchor may lie before the range start.
 */
export function extendedRangeValue(fn: string, w: RangeWindow, lookback: number, all: number): number | undefined {
  const isCounter = fn === 'rate' || fn === 'increase' || fn === 'resets' || fn === 'changes';
  if (w.h) {
    for (let i = w.lo; i < w.hi; i++) if (w.h[i]) return undefined;
  }
  const t = w.t;
  const v = w.v;
  if (w.anchored) {
    if (w.hi === w.lo) return undefined;
    let first = w.lo;
    if (w.lo > 0 && t[w.lo - 1]! > w.rangeStart - lookback && !w.h?.[w.lo - 1]) first = w.lo - 1;
    switch (fn) {
      case 'changes': {
        let c = 0;
        for (let i = first + 1; i < w.hi; i++)
          if (v[i] !== v[i - 1] && !(Number.isNaN(v[i]!) && Number.isNaN(v[i - 1]!))) c++;
        return c;
      }
      case 'resets': {
        let c = 0;
        for (let i = first + 1; i < w.hi; i++) if (v[i]! < v[i - 1]!) c++;
        return c;
      }
    }
    let r = v[w.hi - 1]! - v[first]!;
    if (isCounter) for (let i = first + 1; i < w.hi; i++) if (v[i]! < v[i - 1]!) r += v[i - 1]!;
    return fn === 'rate' ? r / (w.range / 1000) : r;
  }
  // smoothed
  const before = w.lo - 1; // last sample <= rangeStart, if any
  const after = w.hi; // first sample > rangeEnd, if any
  const hasBefore = before >= 0 && t[before]! > w.rangeStart - lookback;
  const hasAfter = after < all && t[after]! <= w.rangeEnd + lookback;
  if (w.hi === w.lo && !(hasBefore && hasAfter)) return undefined;
  const interp = (a: number, b: number, at: number): number => {
    const va = v[a]!;
    const vb = v[b]!;
    const f = (at - t[a]!) / (t[b]! - t[a]!);
    if (isCounter && vb < va) return vb * f;
    return va + (vb - va) * f;
  };
  const firstIn = w.hi > w.lo ? w.lo : after;
  const lastIn = w.hi > w.lo ? w.hi - 1 : before;
  const startV = hasBefore ? interp(before, firstIn, w.rangeStart) : v[firstIn]!;
  const endV = hasAfter ? interp(lastIn, after, w.rangeEnd) : v[lastIn]!;
  let r: number;
  if (w.hi === w.lo) {
    r = endV - startV;
  } else {
    r = v[w.hi - 1]! - v[w.lo]!;
    if (isCounter) for (let i = w.lo + 1; i < w.hi; i++) if (v[i]! < v[i - 1]!) r += v[i - 1]!;
    // boundary segments
    const s = v[w.lo]!;
    r += isCounter && hasBefore && s < v[before]! ? s - startV : s - startV;
    const e = v[w.hi - 1]!;
    r += endV - e;
    if (isCounter && hasAfter && v[after]! < e) r = r - (endV - e) + endV;
  }
  return fn === 'rate' ? r / (w.range / 1000) : r;
}
