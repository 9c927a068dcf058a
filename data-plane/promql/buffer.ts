import { type FloatHistogram, isStaleNaN } from '../model/index.js';
import { type Series, ValueType } from '../storage/index.js';

/**
 * Samples of one series in a time range, in reusable typed arrays (floats and histograms share
 * one timeline; `h[i]` set means point i is a histogram). Reused across series to avoid garbage.
 */
export class SampleBuf {
  t = new Float64Array(256);
  v = new Float64Array(256);
  h: (FloatHistogram | undefined)[] | undefined;
  n = 0;

  reset(): void {
    this.n = 0;
    this.h = undefined;
  }

  push(t: number, v: number, h: FloatHistogram | undefined): void {
    if (this.n === this.t.length) {
      const nt = new Float64Array(this.n * 2);
      nt.set(this.t);
      this.t = nt;
      const nv = new Float64Array(this.n * 2);
      nv.set(this.v);
      this.v = nv;
    }
    if (h !== undefined) {
      if (!this.h) this.h = new Array(this.n);
      this.h[this.n] = h;
    } else if (this.h) this.h[this.n] = undefined;
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
  }
}

export function isStaleHistogram(h: FloatHistogram): boolean {
  return isStaleNaN(h.sum);
}

/**
 * Reads a series' samples with `mint <= t <= maxt` into `buf`. With `dropStale`, staleness markers
 * are skipped (range selectors); otherwise they are kept so instant lookups can see them.
 */
export function loadSeries(s: Series, mint: number, maxt: number, dropStale: boolean, buf: SampleBuf): number {
  buf.reset();
  const it = s.iterator();
  let vt = it.seek(mint);
  while (vt !== ValueType.None) {
    const t = it.atT();
    if (t > maxt) break;
    if (vt === ValueType.Float) {
      const v = it.atV();
      if (!(dropStale && isStaleNaN(v))) buf.push(t, v, undefined);
    } else {
      const h = it.atHistogram();
      if (!(dropStale && isStaleHistogram(h))) buf.push(t, 0, h);
    }
    vt = it.next();
  }
  return buf.n;
}
