import { ExecutionError, type FloatHistogram, Labels } from '../../model/index.js';
import { type Series, type SeriesIterator, ValueType } from '../../storage/index.js';

/**
 * The series one selector of a query selected, flattened into a few arrays so they cross to a
 * worker thread as transferred buffers instead of one cloned object per sample: label pairs of all
 * series in one string array, samples of all series in two Float64Arrays, and native histograms
 * (rare) in a sparse list beside them.
 */
export interface SeriesBatch {
  flat: string[];
  /** End (exclusive) of series k's label pairs in `flat`. */
  labelEnds: Int32Array;
  /** End (exclusive) of series k's samples in `t`/`v`. */
  sampleEnds: Int32Array;
  t: Float64Array;
  v: Float64Array;
  /** Sample index → histogram, for histogram samples only. */
  h: Map<number, FloatHistogram> | undefined;
}

/** Bytes a decoded sample costs while it is held for a query (timestamp + value). */
export const BYTES_PER_SAMPLE = 16;

/** What one query may hold before evaluation starts; 0 = unlimited. */
export interface FetchBudget {
  maxSamples: number;
  maxBytes: number;
}

/**
 * Collects selected series into batches, counting samples and bytes against the query's budget as
 * they are loaded, so an oversized query is refused while it loads, not after.
 */
export class BatchCollector {
  private samples = 0;

  constructor(private readonly budget: FetchBudget) {}

  get loaded(): number {
    return this.samples;
  }

  /**
   * Decodes `series` within `[mint, maxt]` into a batch. `pause` is awaited between series when it
   * says so, which keeps a long load from holding the event loop.
   */
  async collect(
    series: readonly Series[],
    mint: number,
    maxt: number,
    pause: () => Promise<void> | undefined,
  ): Promise<SeriesBatch> {
    const b = new BatchWriter(series.length);
    for (const s of series) {
      const before = b.n;
      const it = s.iterator();
      for (let vt = it.seek(mint); vt !== ValueType.None; vt = it.next()) {
        const t = it.atT();
        if (t > maxt) break;
        if (vt === ValueType.Float) b.push(t, it.atV(), undefined);
        else b.push(t, 0, it.atHistogram());
      }
      this.account(b.n - before);
      b.endSeries(s.labels);
      const p = pause();
      if (p) await p;
    }
    return b.finish();
  }

  private account(n: number): void {
    this.samples += n;
    const { maxSamples, maxBytes } = this.budget;
    if (maxSamples > 0 && this.samples > maxSamples) {
      throw new ExecutionError(
        `query processing would load too many samples into memory in query execution (limit: ${maxSamples}) (err-cortex-max-samples-per-query). To adjust the related per-tenant limit, configure max_samples_per_query, or contact your service administrator.`,
        { id: 'err-cortex-max-samples-per-query' },
      );
    }
    if (maxBytes > 0 && this.samples * BYTES_PER_SAMPLE > maxBytes) {
      throw new ExecutionError(
        `the query exceeded the aggregated chunks size limit (limit: ${maxBytes} bytes) (err-cortex-max-chunks-bytes-per-query). To adjust the related per-tenant limit, configure max_fetched_chunk_bytes_per_query, or contact your service administrator.`,
        { id: 'err-cortex-max-chunks-bytes-per-query' },
      );
    }
  }
}

class BatchWriter {
  n = 0;
  private k = 0;
  private t = new Float64Array(1024);
  private v = new Float64Array(1024);
  private h: Map<number, FloatHistogram> | undefined;
  private readonly flat: string[] = [];
  private readonly labelEnds: Int32Array;
  private readonly sampleEnds: Int32Array;

  constructor(series: number) {
    this.labelEnds = new Int32Array(series);
    this.sampleEnds = new Int32Array(series);
  }

  push(t: number, v: number, h: FloatHistogram | undefined): void {
    if (this.n === this.t.length) this.grow();
    this.t[this.n] = t;
    this.v[this.n] = v;
    if (h !== undefined) (this.h ??= new Map()).set(this.n, h);
    this.n++;
  }

  endSeries(labels: Labels): void {
    for (const x of labels.flat) this.flat.push(x);
    this.labelEnds[this.k] = this.flat.length;
    this.sampleEnds[this.k] = this.n;
    this.k++;
  }

  finish(): SeriesBatch {
    return {
      flat: this.flat,
      labelEnds: this.labelEnds,
      sampleEnds: this.sampleEnds,
      t: this.t.subarray(0, this.n),
      v: this.v.subarray(0, this.n),
      h: this.h,
    };
  }

  private grow(): void {
    const t = new Float64Array(this.t.length * 2);
    t.set(this.t);
    this.t = t;
    const v = new Float64Array(this.v.length * 2);
    v.set(this.v);
    this.v = v;
  }
}

/** The buffers of batches, for a postMessage transfer list. */
export function batchBuffers(batches: readonly SeriesBatch[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const b of batches) {
    for (const a of [b.labelEnds, b.sampleEnds, b.t, b.v]) out.add(a.buffer as ArrayBuffer);
  }
  return [...out];
}

/** The series of a batch, readable like any storage series. */
export function batchSeries(b: SeriesBatch): Series[] {
  const out: Series[] = [];
  let labelStart = 0;
  let sampleStart = 0;
  for (let k = 0; k < b.labelEnds.length; k++) {
    const labels = Labels.fromSortedFlat(b.flat.slice(labelStart, b.labelEnds[k]!));
    const from = sampleStart;
    const to = b.sampleEnds[k]!;
    out.push({ labels, iterator: () => new SliceIterator(b, from, to) });
    labelStart = b.labelEnds[k]!;
    sampleStart = to;
  }
  return out;
}

/** Iterates samples `[from, to)` of a batch. */
class SliceIterator implements SeriesIterator {
  private i: number;

  constructor(
    private readonly b: SeriesBatch,
    private readonly from: number,
    private readonly to: number,
  ) {
    this.i = from - 1;
  }

  private type(): ValueType {
    if (this.i >= this.to) return ValueType.None;
    return this.b.h?.has(this.i) ? ValueType.Histogram : ValueType.Float;
  }

  next(): ValueType {
    if (this.i < this.to) this.i++;
    return this.type();
  }

  seek(t: number): ValueType {
    if (this.i < this.from) this.i = this.from;
    if (this.i >= this.to || this.b.t[this.i]! >= t) return this.type();
    // binary search: the first sample at or after t
    let lo = this.i;
    let hi = this.to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.b.t[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo;
    return this.type();
  }

  atT(): number {
    return this.b.t[this.i]!;
  }

  atV(): number {
    return this.b.v[this.i]!;
  }

  atHistogram(): FloatHistogram {
    return this.b.h!.get(this.i)!;
  }
}
