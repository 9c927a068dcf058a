import type { Sample } from './samples.js';

/**
 * The float samples of one series as a window of columns shared by a whole request (what the
 * columnar remote-write decoder hands back from its worker): timestamps `t[start..end)` in ms and
 * values `v[start..end)`, in the order the client sent them. The write path reads them in place, so
 * a push costs no object per sample; values stay in a Float64Array, so NaN payloads (the staleness
 * marker) keep their bits. The arrays are never written after decoding.
 */
export class SampleColumns implements Iterable<Sample> {
  constructor(
    readonly t: Float64Array,
    readonly v: Float64Array,
    readonly start: number,
    readonly end: number,
  ) {}

  get length(): number {
    return this.end - this.start;
  }

  /** One object per sample: for the paths that are not hot (tests, forwarding over HTTP). */
  *[Symbol.iterator](): Iterator<Sample> {
    for (let i = this.start; i < this.end; i++) yield { t: this.t[i]!, v: this.v[i]! };
  }

  toArray(): Sample[] {
    return [...this];
  }
}

/**
 * A series' float samples: objects (most decoders and producers) or columns (the remote-write 1.0
 * fast path). Readers that only count or iterate treat both alike; hot readers index each form.
 */
export type FloatSamples = Sample[] | SampleColumns;

/** The samples as objects (a copy for columns, the same array otherwise). */
export function sampleArray(s: FloatSamples): Sample[] {
  return Array.isArray(s) ? s : s.toArray();
}
