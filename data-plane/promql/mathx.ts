/** Kahan-Babuska summation step, as Prometheus's kahanSumInc: returns [sum, compensation]. */
export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (!Number.isFinite(t) && !Number.isNaN(t)) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** Prometheus's quantile over unsorted values (sorts in place). */
export function quantile(q: number, values: number[] | Float64Array): number {
  if (values.length === 0 || Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  values.sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Go's math.Frexp: `x = frac · 2^exp` with |frac| in [0.5, 1); ±0, ±Inf and NaN come back as they are
 * with exp 0.
 */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let exp = 0;
  f64[0] = x;
  if ((u32[HI]! & 0x7ff00000) === 0) {
    // subnormal: scale into the normal range first
    f64[0] = x * 2 ** 52;
    exp = -52;
  }
  const hi = u32[HI]!;
  exp += ((hi >>> 20) & 0x7ff) - 1022;
  u32[HI] = (hi & 0x800fffff) | (1022 << 20);
  return [f64[0]!, exp];
}

/**
 * log2 and log10 as Go computes them (math.Log2, math.Log10), so that PromQL's log2/log10 answer
 * Prometheus's last bit: V8's Math.log2/log10 are other (fdlibm) algorithms that differ in the last
 * bit for ~2% (log2) and ~27% (log10) of inputs, which count_values and `==` make visible.
 */
export function goLog2(x: number): number {
  const [frac, exp] = frexp(x);
  // exact powers of two stay exact
  if (frac === 0.5) return exp - 1;
  return Math.log(frac) * Math.LOG2E + exp;
}

export function goLog10(x: number): number {
  return Math.log(x) * Math.LOG10E;
}
