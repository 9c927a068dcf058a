import type { FloatSink } from './interface.js';

/** A FloatSink over plain arrays that grows as `readFloats` asks (tests and tools; the engine has SampleBuf). */
export function growingFloatSink(): FloatSink & { samples(from?: number): [number, number][] } {
  return {
    t: new Float64Array(0),
    v: new Float64Array(0),
    n: 0,
    reserve(extra: number) {
      if (this.n + extra <= this.t.length) return;
      const t = new Float64Array(2 * (this.n + extra));
      const v = new Float64Array(2 * (this.n + extra));
      t.set(this.t.subarray(0, this.n));
      v.set(this.v.subarray(0, this.n));
      this.t = t;
      this.v = v;
    },
    /** What it holds from index `from`, as [t, v] pairs. */
    samples(from = 0) {
      return Array.from({ length: this.n - from }, (_, k): [number, number] => [this.t[from + k]!, this.v[from + k]!]);
    },
  };
}
