import { type FloatHistogram, isStaleNaN } from '../model/index.js';
import { type FloatSink, type Series, ValueType } from '../storage/index.js';

/**
 * Samples of one series in a time range, in reusable typed arrays (floats and histograms share
 * one timeline; `h[i]` set means point i is a histogram). Reused across series to avoid garbage.
 */
export class SampleBuf implements FloatSink {
  t = new Float64Array(256);
  v = new Float64Array(256);
  h: (FloatHistogram | undefined)[] | undefined;
  /** Start timestamps (0 = unknown), when asked for and the series has any. */
  st: Float64Array | undefined;
  n = 0;

  reset(): void {
    this.n = 0;
    this.h = undefined;
    this.st = undefined;
  }

  reserve(extra: number): void {
    const need = this.n + extra;
    if (need <= this.t.length) return;
    let size = this.t.length * 2;
    while (size < need) size *= 2;
    const nt = new Float64Array(size);
    nt.set(this.t.subarray(0, this.n));
    this.t = nt;
    const nv = new Float64Array(size);
    nv.set(this.v.subarray(0, this.n));
    this.v = nv;
    if (this.st) {
      const ns = new Float64Array(size);
      ns.set(this.st.subarray(0, this.n));
      this.st = ns;
    }
  }

  push(t: number, v: number, h: FloatHistogram | undefined): void {
    if (this.n === this.t.length) this.reserve(1);
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
 * are skipped (range selectors); otherwise they are kept so instant lookups can see them. With
 * `withST`, start timestamps too (`buf.st`, left undefined when the series has none).
 */
export function loadSeries(
  s: Series,
  mint: number,
  maxt: number,
  dropStale: boolean,
  buf: SampleBuf,
  withST = false,
): number {
  buf.reset();
  // readFloats serves series of plain floats with no start timestamps, so buf.st rightly stays unset
  if (s.readFloats) {
    if (s.readFloats(mint, maxt, dropStale, buf) >= 0) return buf.n;
    buf.reset();
  }
  const it = s.iterator();
  const atST = withST && it.atST ? () => it.atST!() : undefined;
  let vt = it.seek(mint);
  while (vt !== ValueType.None) {
    const t = it.atT();
    if (t > maxt) break;
    const n = buf.n;
    if (vt === ValueType.Float) {
      const v = it.atV();
      if (!(dropStale && isStaleNaN(v))) buf.push(t, v, undefined);
    } else {
      const h = it.atHistogram();
      if (!(dropStale && isStaleHistogram(h))) buf.push(t, 0, h);
    }
    if (atST && buf.n > n) {
      const st = atST();
      if (st !== 0 && !buf.st) buf.st = new Float64Array(buf.t.length);
      if (buf.st) buf.st[n] = st;
    }
    vt = it.next();
  }
  return buf.n;
}
