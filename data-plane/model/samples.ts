/**
 * Prometheus's staleness marker: a NaN with a specific bit pattern (0x7ff0000000000002), written when
 * a series disappears. Compare bits with `isStaleNaN`, never with `===`.
 */
export const STALE_NAN_BITS_HI = 0x7ff00000;
export const STALE_NAN_BITS_LO = 0x00000002;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

export const STALE_NAN: number = (() => {
  u32[HI] = STALE_NAN_BITS_HI;
  u32[LO] = STALE_NAN_BITS_LO;
  return f64[0]!;
})();

/**
 * Whether `v` is the staleness marker. V8 keeps NaN payloads when values only pass through typed
 * arrays and plain variables, which is how chunks and the WAL carry them.
 */
export function isStaleNaN(v: number): boolean {
  if (!Number.isNaN(v)) return false;
  f64[0] = v;
  return u32[HI] === STALE_NAN_BITS_HI && u32[LO] === STALE_NAN_BITS_LO;
}

/** A float sample: `t` in integer milliseconds since the epoch. */
export interface Sample {
  t: number;
  v: number;
}

/**
 * A native histogram sample in Prometheus's sparse representation (integer or float counts).
 * Spans are `[offset, length]`; buckets are absolute counts (decoded from deltas at the wire edge).
 */
export interface HistogramSample {
  t: number;
  h: FloatHistogram;
  /**
   * The client sent an integer histogram (whole-number counts): it is stored in Prometheus's integer
   * histogram chunks (encoding 2) and forwarded as one. Absent: a float histogram.
   */
  integer?: boolean;
}

export interface BucketSpan {
  offset: number;
  length: number;
}

/** Counter-reset hint as in Prometheus's histogram.CounterResetHint. */
export type CounterResetHint = 'unknown' | 'reset' | 'not_reset' | 'gauge';

export interface FloatHistogram {
  counterResetHint: CounterResetHint;
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  positiveSpans: BucketSpan[];
  negativeSpans: BucketSpan[];
  /** Absolute bucket counts, one per bucket covered by the spans. */
  positiveBuckets: number[];
  negativeBuckets: number[];
  /** Custom bucket bounds, for schema -53 (NHCB). */
  customValues?: number[];
}

/** Exemplar attached to a sample (remote write 1.0). */
export interface Exemplar {
  labels: import('./labels.js').Labels;
  t: number;
  v: number;
}

/** Metric metadata as sent in remote write and served by /api/v1/metadata. */
export interface MetricMetadata {
  metricFamilyName: string;
  type: 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';
  help: string;
  unit: string;
}
