import { decodeXORInto, Encoding, XORIterator } from '../../chunkenc/index.js';
import { ExecutionError, type FloatHistogram, isStaleNaN, Labels } from '../../model/index.js';
import {
  type ChunkSink,
  type EncodedChunk,
  type FloatSink,
  type Series,
  type SeriesIterator,
  ValueType,
} from '../../storage/index.js';
import { grown, resized } from './typed-arrays.js';

/**
 * The series one selector of a query selected, flattened into a few arrays so they cross to a
 * worker thread as transferred buffers instead of one cloned object per sample: label pairs of all
 * series as indexes into one table of distinct strings (cloning 300,000 label strings of 25,000
 * series cost more than the table and its lookups); each series either as encoded XOR chunks
 * (copied bytes, decoded on the worker) or, when its source cannot give chunks, as decoded samples
 * in two Float64Arrays with native histograms (rare) in a sparse map beside them.
 */
export interface SeriesBatch {
  /** Each distinct label name and value once: most repeat across series (names, jobs, codes). */
  strings: string[];
  /** Label pairs of all series as indexes into `strings`, name then value. */
  labelRefs: Int32Array;
  /** End (exclusive) of series k's label pairs in `labelRefs`. */
  labelEnds: Int32Array;
  /** End (exclusive) of series k's decoded samples in `t`/`v`. */
  sampleEnds: Int32Array;
  t: Float64Array;
  v: Float64Array;
  /** Sample index → histogram, for histogram samples only. */
  h: Map<number, FloatHistogram> | undefined;
  /** Sample index → start timestamp, for samples whose source knows one (rare). */
  st?: Map<number, number>;
  /** End (exclusive) of series k's chunks; chunk c is `chunkData[byteEnds[c-1] ?? 0, byteEnds[c])`. */
  chunkEnds: Int32Array;
  byteEnds: Int32Array;
  /** Last sample time of chunk c (lets a seek skip whole chunks). */
  chunkMaxt: Float64Array;
  chunkData: Uint8Array;
  /**
   * 1 where series k's chunks overlap (head and store, or replicas): the reader merges them, the
   * chunk listed first winning a timestamp several hold. 0 = time-ordered and disjoint.
   */
  overlapping: Uint8Array;
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
  private bytes = 0;

  constructor(private readonly budget: FetchBudget) {}

  /**
   * Copies `series` (within `[mint, maxt]`) into one batch. `pause` is awaited between series when
   * it says so, which keeps a long load from holding the event loop.
   */
  async collect(
    series: readonly Series[],
    mint: number,
    maxt: number,
    pause: () => Promise<void> | undefined,
  ): Promise<SeriesBatch> {
    const b = new BatchWriter(series.length);
    for (const s of series) {
      if (b.takeChunks(s)) {
        this.account(b.lastSamples, b.lastBytes);
        if (b.seriesCount() === PROJECT_AFTER) b.project(series.length);
      } else {
        const before = b.n;
        const it = s.iterator();
        for (let vt = it.seek(mint); vt !== ValueType.None; vt = it.next()) {
          const t = it.atT();
          if (t > maxt) break;
          if (vt === ValueType.Float) b.push(t, it.atV(), undefined);
          else b.push(t, 0, it.atHistogram());
          const st = it.atST?.() ?? 0;
          if (st !== 0) b.startTimestamp(st);
        }
        this.account(b.n - before, (b.n - before) * BYTES_PER_SAMPLE);
      }
      b.endSeries(s.labels);
      const p = pause();
      if (p) await p;
    }
    return b.finish();
  }

  private account(samples: number, bytes: number): void {
    this.samples += samples;
    this.bytes += bytes;
    const { maxSamples, maxBytes } = this.budget;
    if (maxSamples > 0 && this.samples > maxSamples) {
      throw new ExecutionError(
        `query processing would load too many samples into memory in query execution (limit: ${maxSamples}) (err-cortex-max-samples-per-query). To adjust the related per-tenant limit, configure max_samples_per_query, or contact your service administrator.`,
        { id: 'err-cortex-max-samples-per-query' },
      );
    }
    if (maxBytes > 0 && this.bytes > maxBytes) {
      throw new ExecutionError(
        `the query exceeded the aggregated chunks size limit (limit: ${maxBytes} bytes) (err-cortex-max-chunks-bytes-per-query). To adjust the related per-tenant limit, configure max_fetched_chunk_bytes_per_query, or contact your service administrator.`,
        { id: 'err-cortex-max-chunks-bytes-per-query' },
      );
    }
  }
}

class BatchWriter implements ChunkSink {
  n = 0;
  private k = 0;
  private t = new Float64Array(256);
  private v = new Float64Array(256);
  private h: Map<number, FloatHistogram> | undefined;
  private st: Map<number, number> | undefined;
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private labelRefs = new Int32Array(1024);
  private refs = 0;
  private readonly labelEnds: Int32Array;
  private readonly sampleEnds: Int32Array;
  private readonly chunkEnds: Int32Array;
  private readonly overlapping: Uint8Array;
  private chunks = 0;
  private byteEnds = new Int32Array(256);
  private chunkMaxt = new Float64Array(256);
  private data = new Uint8Array(16_384);
  private dataLen = 0;

  constructor(series: number) {
    this.labelEnds = new Int32Array(series);
    this.sampleEnds = new Int32Array(series);
    this.chunkEnds = new Int32Array(series);
    this.overlapping = new Uint8Array(series);
  }

  push(t: number, v: number, h: FloatHistogram | undefined): void {
    if (this.n === this.t.length) {
      this.t = grown(this.t, this.n + 1);
      this.v = grown(this.v, this.n + 1);
    }
    this.t[this.n] = t;
    this.v[this.n] = v;
    if (h !== undefined) (this.h ??= new Map()).set(this.n, h);
    this.n++;
  }

  /** The start timestamp of the sample pushed last. */
  startTimestamp(st: number): void {
    (this.st ??= new Map()).set(this.n - 1, st);
  }

  /**
   * Copies the series' XOR chunks, as it hands them over (`Series.copyChunks`) or else as it lists
   * them (`encodedChunks`); false, with nothing written, when it gives neither. Sets `lastSamples`
   * (from the chunk headers; where chunks overlap, only the share of a chunk's time span no earlier
   * chunk covers counts) and `lastBytes`.
   */
  takeChunks(s: Series): boolean {
    this.beginChunks();
    if (!s.copyChunks?.(this)) {
      const chunks = s.encodedChunks?.();
      if (chunks === undefined || !allXOR(chunks)) return false;
      for (const c of inMintOrder(chunks)) this.chunk(c.data, c.data.length, c.mint, c.maxt);
    }
    if (this.overlap) this.overlapping[this.k] = 1;
    return true;
  }

  /** Samples and bytes of the series' chunks copied last. */
  lastSamples = 0;
  lastBytes = 0;
  private coveredTo = Number.NEGATIVE_INFINITY;
  private overlap = false;

  private beginChunks(): void {
    this.lastSamples = 0;
    this.lastBytes = 0;
    this.coveredTo = Number.NEGATIVE_INFINITY;
    this.overlap = false;
  }

  /** One chunk of the current series (`ChunkSink`): the first `length` bytes of `data`, copied. */
  chunk(data: Uint8Array, length: number, mint: number, maxt: number): void {
    if (this.chunks === this.byteEnds.length) {
      this.byteEnds = grown(this.byteEnds, this.chunks + 1);
      this.chunkMaxt = grown(this.chunkMaxt, this.chunks + 1);
    }
    if (this.dataLen + length > this.data.length) this.data = grown(this.data, this.dataLen + length);
    const out = this.data;
    const at = this.dataLen;
    out.set(length === data.length ? data : data.subarray(0, length), at);
    this.dataLen += length;
    this.byteEnds[this.chunks] = this.dataLen;
    this.chunkMaxt[this.chunks] = maxt;
    this.chunks++;
    const n = length >= 2 ? (data[0]! << 8) | data[1]! : 0;
    const coveredTo = this.coveredTo;
    if (mint > coveredTo) this.lastSamples += n;
    else {
      this.overlap = true;
      if (maxt > coveredTo) this.lastSamples += Math.ceil((n * (maxt - coveredTo)) / Math.max(1, maxt - mint));
    }
    this.coveredTo = Math.max(coveredTo, maxt);
    this.lastBytes += length;
  }

  seriesCount(): number {
    return this.k;
  }

  /**
   * Sizes the chunk buffers for `series` series from what the first ones took (plus a margin), so a
   * large load grows them once instead of doubling its way up, copying and zero-filling each time.
   */
  project(series: number): void {
    if (this.k === 0) return;
    const bytes = Math.ceil(((this.dataLen / this.k) * series * 9) / 8);
    const chunks = Math.ceil(((this.chunks / this.k) * series * 9) / 8);
    if (bytes > this.data.length) this.data = resized(this.data, bytes);
    if (chunks > this.byteEnds.length) {
      this.byteEnds = resized(this.byteEnds, chunks);
      this.chunkMaxt = resized(this.chunkMaxt, chunks);
    }
  }

  endSeries(labels: Labels): void {
    const f = labels.flat;
    if (this.refs + f.length > this.labelRefs.length) this.labelRefs = grown(this.labelRefs, this.refs + f.length);
    const refs = this.labelRefs;
    for (let i = 0; i < f.length; i++) {
      const x = f[i]!;
      let r = this.stringIndex.get(x);
      if (r === undefined) {
        r = this.strings.length;
        this.strings.push(x);
        this.stringIndex.set(x, r);
      }
      refs[this.refs++] = r;
    }
    this.labelEnds[this.k] = this.refs;
    this.sampleEnds[this.k] = this.n;
    this.chunkEnds[this.k] = this.chunks;
    this.k++;
  }

  finish(): SeriesBatch {
    return {
      strings: this.strings,
      labelRefs: this.labelRefs.subarray(0, this.refs),
      labelEnds: this.labelEnds.slice(0, this.k),
      sampleEnds: this.sampleEnds.slice(0, this.k),
      t: this.t.subarray(0, this.n),
      v: this.v.subarray(0, this.n),
      h: this.h,
      ...(this.st ? { st: this.st } : {}),
      chunkEnds: this.chunkEnds.slice(0, this.k),
      byteEnds: this.byteEnds.subarray(0, this.chunks),
      chunkMaxt: this.chunkMaxt.subarray(0, this.chunks),
      chunkData: this.data.subarray(0, this.dataLen),
      overlapping: this.overlapping.slice(0, this.k),
    };
  }
}

/** Series a writer takes before it sizes its buffers for all of them. */
const PROJECT_AFTER = 32;

function allXOR(chunks: readonly EncodedChunk[]): boolean {
  for (let i = 0; i < chunks.length; i++) if (chunks[i]!.encoding !== Encoding.XOR) return false;
  return true;
}

/** The chunks sorted by first sample time (stable), without copying when they already are. */
function inMintOrder(chunks: readonly EncodedChunk[]): readonly EncodedChunk[] {
  for (let i = 1; i < chunks.length; i++) {
    if (chunks[i]!.mint < chunks[i - 1]!.mint) return [...chunks].sort((a, b) => a.mint - b.mint);
  }
  return chunks;
}

/** A batch of no series (a selector a task does not read). */
export function emptyBatch(): SeriesBatch {
  return new BatchWriter(0).finish();
}

/** The shard of `shards` a series with these labels belongs to (sharded aggregations). */
export function shardOf(labels: Labels, shards: number): number {
  return shards === 1 ? 0 : labelsHash(labels, false) % shards;
}

/**
 * The shard of a series when a query is split by series (`splitsBySeries`): the metric name is left
 * out, so series that differ only in their names, and meet once a function drops the name, share a
 * shard, where the clash (or the merge of their points) is found as in one thread. Aggregations keep
 * `shardOf`'s split: the shards' partial sums are added without their Kahan compensation, so which
 * series share a shard can move the last bits of a sum (Prometheus's aggregators.test has such a case).
 */
export function seriesShardOf(labels: Labels, shards: number): number {
  return shards === 1 ? 0 : labelsHash(labels, true) % shards;
}

/** FNV-1a over the label pairs (the metric name's too, unless `skipName`). */
function labelsHash(l: Labels, skipName: boolean): number {
  let h = 0x811c9dc5;
  const flat = l.flat;
  for (let k = 0; k < flat.length; k++) {
    const x = flat[k]!;
    if (skipName && k % 2 === 0 && x === '__name__') {
      k++;
      continue;
    }
    for (let i = 0; i < x.length; i++) {
      h ^= x.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The buffers of batches, for a postMessage transfer list. */
export function batchBuffers(batches: readonly SeriesBatch[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const b of batches) {
    for (const a of [
      b.labelRefs,
      b.labelEnds,
      b.sampleEnds,
      b.t,
      b.v,
      b.chunkEnds,
      b.byteEnds,
      b.chunkMaxt,
      b.chunkData,
      b.overlapping,
    ]) {
      out.add(a.buffer as ArrayBuffer);
    }
  }
  return [...out];
}

/** The series of a batch, readable like any storage series. */
export function batchSeries(b: SeriesBatch): Series[] {
  const out: Series[] = [];
  let labelStart = 0;
  let sampleStart = 0;
  let chunkStart = 0;
  for (let k = 0; k < b.labelEnds.length; k++) {
    const labelEnd = b.labelEnds[k]!;
    const flat: string[] = new Array(labelEnd - labelStart);
    for (let i = labelStart; i < labelEnd; i++) flat[i - labelStart] = b.strings[b.labelRefs[i]!]!;
    const labels = Labels.fromSortedFlat(flat);
    const from = sampleStart;
    const to = b.sampleEnds[k]!;
    const c0 = chunkStart;
    const c1 = b.chunkEnds[k]!;
    if (c1 <= c0) {
      const plain = b.h === undefined && b.st === undefined;
      out.push({
        labels,
        iterator: () => new SliceIterator(b, from, to),
        readFloats: plain
          ? (mint, maxt, dropStale, sink) => copyFloats(b, from, to, mint, maxt, dropStale, sink)
          : noFloats,
      });
    } else if (b.overlapping[k] === 1) out.push({ labels, iterator: () => mergedChunks(b, c0, c1) });
    else
      out.push({
        labels,
        iterator: () => new ChunksIterator(b, c0, c1),
        readFloats: (mint, maxt, dropStale, sink) => decodeChunks(b, c0, c1, mint, maxt, dropStale, sink),
      });
    labelStart = b.labelEnds[k]!;
    sampleStart = to;
    chunkStart = c1;
  }
  return out;
}

const noFloats = () => -1;

/** Decodes the disjoint, time-ordered XOR chunks `[c0, c1)` straight into `sink`, skipping whole chunks outside the range. */
function decodeChunks(
  b: SeriesBatch,
  c0: number,
  c1: number,
  mint: number,
  maxt: number,
  dropStale: boolean,
  sink: FloatSink,
): number {
  const before = sink.n;
  const data = b.chunkData;
  for (let c = c0; c < c1; c++) {
    if (b.chunkMaxt[c]! < mint) continue;
    const start = c === 0 ? 0 : b.byteEnds[c - 1]!;
    sink.reserve((data[start]! << 8) | data[start + 1]!);
    sink.n = decodeXORInto(data, start, b.byteEnds[c]!, mint, maxt, dropStale, sink, sink.n);
    if (b.chunkMaxt[c]! >= maxt) break;
  }
  return sink.n - before;
}

/** Copies decoded float samples `[from, to)` within the range into `sink`. */
function copyFloats(
  b: SeriesBatch,
  from: number,
  to: number,
  mint: number,
  maxt: number,
  dropStale: boolean,
  sink: FloatSink,
): number {
  let i = from;
  while (i < to && b.t[i]! < mint) i++;
  sink.reserve(to - i);
  const before = sink.n;
  let n = before;
  const st = sink.t;
  const sv = sink.v;
  for (; i < to; i++) {
    const t = b.t[i]!;
    if (t > maxt) break;
    const v = b.v[i]!;
    if (dropStale && isStaleNaN(v)) continue;
    st[n] = t;
    sv[n] = v;
    n++;
  }
  sink.n = n;
  return n - before;
}

/**
 * Decodes overlapping chunks `[c0, c1)` and merges them into one ascending run; on equal timestamps
 * the chunk stored first (the earlier-starting one) wins, as in the chunk store's merge.
 */
function mergedChunks(b: SeriesBatch, c0: number, c1: number): SeriesIterator {
  let n = 0;
  for (let c = c0; c < c1; c++) {
    const start = c === 0 ? 0 : b.byteEnds[c - 1]!;
    n += (b.chunkData[start]! << 8) | b.chunkData[start + 1]!;
  }
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let m = 0;
  for (let c = c0; c < c1; c++) {
    const start = c === 0 ? 0 : b.byteEnds[c - 1]!;
    const data = b.chunkData.subarray(start, b.byteEnds[c]!);
    const it = new XORIterator(data, (data[0]! << 8) | data[1]!);
    while (m < n && it.next() !== ValueType.None) {
      ts[m] = it.atT();
      vs[m] = it.atV();
      m++;
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => ts[x]! - ts[y]! || x - y);
  const t = new Float64Array(m);
  const v = new Float64Array(m);
  let k = 0;
  for (const i of order) {
    if (k > 0 && t[k - 1] === ts[i]) continue;
    t[k] = ts[i]!;
    v[k] = vs[i]!;
    k++;
  }
  return new SliceIterator({ t, v, h: undefined }, 0, k);
}

/** Iterates decoded samples `[from, to)` of a batch (or of arrays shaped like one). */
class SliceIterator implements SeriesIterator {
  private i: number;

  constructor(
    private readonly b: Pick<SeriesBatch, 't' | 'v' | 'h' | 'st'>,
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

  atST(): number {
    return this.b.st?.get(this.i) ?? 0;
  }
}

/** Iterates the XOR chunks `[c0, c1)` of a batch in order, skipping whole chunks on seek. */
class ChunksIterator implements SeriesIterator {
  private c: number;
  private cur: XORIterator | undefined;

  constructor(
    private readonly b: SeriesBatch,
    c0: number,
    private readonly c1: number,
  ) {
    this.c = c0 - 1;
  }

  private open(c: number): boolean {
    this.c = c;
    if (c >= this.c1) {
      this.cur = undefined;
      return false;
    }
    const start = c === 0 ? 0 : this.b.byteEnds[c - 1]!;
    const data = this.b.chunkData.subarray(start, this.b.byteEnds[c]!);
    this.cur = new XORIterator(data, (data[0]! << 8) | data[1]!);
    return true;
  }

  next(): ValueType {
    if (!this.cur && !this.open(this.c + 1)) return ValueType.None;
    while (this.cur) {
      if (this.cur.next() !== ValueType.None) return ValueType.Float;
      if (!this.open(this.c + 1)) break;
    }
    return ValueType.None;
  }

  seek(t: number): ValueType {
    if (!this.cur) {
      let c = this.c + 1;
      while (c < this.c1 && this.b.chunkMaxt[c]! < t) c++;
      if (!this.open(c)) return ValueType.None;
    }
    while (this.cur) {
      if (this.b.chunkMaxt[this.c]! >= t && this.cur.seek(t) !== ValueType.None) return ValueType.Float;
      if (!this.open(this.c + 1)) break;
    }
    return ValueType.None;
  }

  atT(): number {
    return this.cur!.atT();
  }

  atV(): number {
    return this.cur!.atV();
  }

  atHistogram(): FloatHistogram {
    throw new RangeError('XOR chunk: no histogram here');
  }
}
