import { decodeXORInto, Encoding } from '../../chunkenc/index.js';
import { compareStrings, Labels, type Matcher, matchesAll, type TenantId } from '../../model/index.js';
import type {
  CallOptions,
  ChunkSink,
  EncodedChunk,
  FloatSink,
  Querier,
  SelectHints,
  Series,
  SeriesIterator,
} from '../interface.js';
import { latin1String, type SortedKV, throwIfAborted } from '../kv/index.js';
import { queryBuckets } from './buckets.js';
import type { ChunkDecoder } from './decode.js';
import { type ChunkRow, decodeChunkValue, type IndexedSeries, IndexReader } from './index-reader.js';
import { mapLimit } from './map-limit.js';
import { type ChunkRef, type Intervals, MergeIterator } from './merge-iterator.js';
import type { ChunkStoreMetrics } from './metrics.js';
import { ChunkRowKind, type Schema, SERIES_ID_BYTES } from './schema.js';
import type { SeriesLabelsCache } from './series-labels-cache.js';
import type { Tombstone } from './tombstone.js';

export interface ChunkQuerierDeps {
  kv: SortedKV;
  schema: Schema;
  decode: ChunkDecoder;
  tenantId: TenantId;
  metrics?: ChunkStoreMetrics;
  labelsCache?: SeriesLabelsCache;
}

/** Buckets read at once by one query. */
const BUCKET_CONCURRENCY = 4;

interface Found {
  labels: Labels;
  sid: Uint8Array;
  chunks: StoredRef[];
}

/** A chunk read for a query; decoded only when an iterator reaches it. */
class StoredRef implements ChunkRef {
  constructor(
    readonly mint: number,
    readonly maxt: number,
    readonly crc: number,
    readonly encoding: number,
    readonly data: Uint8Array,
    private readonly decode: ChunkDecoder,
  ) {}

  open() {
    return this.decode(this.encoding, this.data);
  }
}

/**
 * A stored series of the querier's range. A class rather than an object literal with closures: a
 * query builds one per matching series, thousands at a time.
 */
class StoredSeries implements Series {
  constructor(
    readonly labels: Labels,
    private readonly chunks: StoredRef[],
    private readonly mint: number,
    private readonly maxt: number,
    private readonly deleted: Intervals,
  ) {}

  iterator(): SeriesIterator {
    return new MergeIterator(this.chunks, this.mint, this.maxt, this.deleted);
  }

  encodedChunks(): EncodedChunk[] | undefined {
    return this.deleted.length === 0 ? encoded(this.chunks) : undefined;
  }

  copyChunks(sink: ChunkSink): boolean {
    if (this.deleted.length > 0) return false;
    for (const c of this.chunks) if (c.encoding !== Encoding.XOR) return false;
    for (const c of this.chunks) sink.chunk(c.data, c.data.length, c.mint, c.maxt);
    return true;
  }

  readFloats(lo: number, hi: number, dropStale: boolean, sink: FloatSink): number {
    if (this.deleted.length > 0) return -1;
    return readStoredFloats(this.chunks, Math.max(lo, this.mint), Math.min(hi, this.maxt), dropStale, sink);
  }
}

/** Whether series ID `sid` is the bytes of `key` at `at`. */
function sidAt(sid: Uint8Array, key: Uint8Array, at: number): boolean {
  for (let i = 0; i < sid.length; i++) if (sid[i] !== key[at + i]) return false;
  return true;
}

/**
 * Querier over one tenant's stored chunks for `[mint, maxt]`. For each time bucket in the range it
 * resolves matchers through the postings index, reads the series rows, then reads only the chunk
 * rows of those series that overlap the range (one multi-range read per bucket). Chunks are decoded
 * lazily when a series' iterator reaches them; tombstones are applied while iterating.
 */
export class ChunkQuerier implements Querier {
  constructor(
    private readonly deps: ChunkQuerierDeps,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  private buckets(opts: CallOptions | undefined): Promise<number[]> {
    const d = this.deps;
    return queryBuckets(d.kv, d.schema, d.tenantId, this.mint, this.maxt, opts);
  }

  private reader(opts: CallOptions | undefined): IndexReader {
    return new IndexReader(this.deps.kv, this.deps.schema, this.deps.tenantId, opts, this.deps.labelsCache);
  }

  /** Series matching `matchers` in any bucket of the range, keyed by series ID. */
  private async findSeries(r: IndexReader, matchers: readonly Matcher[], opts?: CallOptions) {
    const perBucket = new Map<number, IndexedSeries[]>();
    const all = new Map<string, IndexedSeries>();
    const buckets = await this.buckets(opts);
    const found = await mapLimit(buckets, BUCKET_CONCURRENCY, (b) => {
      throwIfAborted(opts);
      return r.series(b, matchers);
    });
    buckets.forEach((b, i) => {
      perBucket.set(b, found[i]!);
      for (const s of found[i]!) all.set(s.sidKey, s);
    });
    return { perBucket, all };
  }

  async select(
    _sorted: boolean,
    hints: SelectHints | undefined,
    matchers: readonly Matcher[],
    opts?: CallOptions,
  ): Promise<Series[]> {
    // Hints say which part of the range the engine will read (as in Prometheus's block querier);
    // never widen the querier's own range.
    if (hints !== undefined) {
      const mint = Math.max(this.mint, hints.start);
      const maxt = Math.min(this.maxt, hints.end);
      if (mint !== this.mint || maxt !== this.maxt) {
        return new ChunkQuerier(this.deps, mint, maxt).select(_sorted, undefined, matchers, opts);
      }
    }
    const r = this.reader(opts);
    const { perBucket, all } = await this.findSeries(r, matchers, opts);
    if (all.size === 0) return [];
    const found = new Map<string, Found>();
    for (const [key, s] of all) found.set(key, { labels: s.labels, sid: s.sid, chunks: [] });
    const tombstones: Tombstone[] = [];
    const firstBucket = this.deps.schema.bucketOf(this.mint);
    const refs: ChunkRow[] = [];
    let fetched = 0;
    const work = [...perBucket].filter(([, series]) => series.length > 0);
    const schema = this.deps.schema;
    const tenant = this.deps.tenantId;
    const read = await mapLimit(work, BUCKET_CONCURRENCY, async ([b, series]) => {
      throwIfAborted(opts);
      const sids = series.map((s) => s.sid);
      // rows come in key order, so one series' chunks are adjacent: look its entry up once
      let last: Found | undefined;
      const chunks = r.visitChunks(b, sids, this.mint, this.maxt, false, (key, value, f) => {
        if (value[0] === ChunkRowKind.Data && value.length >= 2) {
          if (last === undefined || !sidAt(last.sid, key, f.sidAt)) {
            last = found.get(latin1String(key, f.sidAt, f.sidAt + SERIES_ID_BYTES));
          }
          if (last !== undefined) fetched += this.addChunk(last, f, value[1]!, value.subarray(2));
        }
        // A ref whose data bucket is inside the range is read with that bucket; older ones are fetched.
        else if (schema.bucketOf(f.mint) < firstBucket) {
          refs.push({ parts: schema.parseChunkKey(tenant, key), key, data: undefined });
        }
      });
      const [tombs] = await Promise.all([r.tombstones(b), chunks]);
      return tombs;
    });
    for (const tombs of read) tombstones.push(...tombs);
    fetched += await this.loadRefs(refs, found, opts);
    let chunks = 0;
    for (const f of found.values()) chunks += f.chunks.length;
    this.deps.metrics?.chunksPerQuery.observe(chunks);
    this.deps.metrics?.fetchedChunkBytes.inc({ user: this.deps.tenantId }, fetched);
    const out: Series[] = [];
    for (const f of found.values()) {
      if (f.chunks.length === 0) continue;
      sortByMint(f.chunks);
      out.push(new StoredSeries(f.labels, f.chunks, this.mint, this.maxt, deletedIntervals(tombstones, f.labels)));
    }
    // Always sorted: cheap next to the reads, and the engine's merge relies on it.
    return out.sort((a, b) => Labels.compare(a.labels, b.labels));
  }

  /** Adds a chunk to its series unless already there; returns the bytes added. */
  private addChunk(
    f: Found,
    p: { mint: number; maxt: number; crc: number },
    encoding: number,
    bytes: Uint8Array,
  ): number {
    // The same chunk flushed by several replicas has one key; this dedupes data rows met twice.
    for (const c of f.chunks) if (c.mint === p.mint && c.maxt === p.maxt && c.crc === p.crc) return 0;
    f.chunks.push(new StoredRef(p.mint, p.maxt, p.crc, encoding, bytes, this.deps.decode));
    return bytes.length;
  }

  /** Reads the data rows that refs in this range point to (chunks that began before the range). */
  private async loadRefs(refs: ChunkRow[], found: Map<string, Found>, opts?: CallOptions): Promise<number> {
    if (refs.length === 0) return 0;
    const s = this.deps.schema;
    const t = this.deps.tenantId;
    const keys = refs.map((r) => {
      const p = r.parts;
      return s.chunkKey(t, s.bucketOf(p.mint), p.sid, p.mint, p.maxt, p.crc);
    });
    const values = await this.deps.kv.getMany(keys, opts);
    let bytes = 0;
    values.forEach((v, i) => {
      // Missing data (its bucket fell to retention) leaves a dangling ref: nothing to read.
      const data = v === undefined ? undefined : decodeChunkValue(v);
      const f = found.get(latin1String(refs[i]!.parts.sid));
      if (data !== undefined && f !== undefined) bytes += this.addChunk(f, refs[i]!.parts, data.encoding, data.bytes);
    });
    return bytes;
  }

  async labelValues(
    name: string,
    matchers: readonly Matcher[],
    opts?: CallOptions & { limit?: number },
  ): Promise<string[]> {
    const r = this.reader(opts);
    const values = new Set<string>();
    if (matchers.length === 0) {
      for (const b of await this.buckets(opts)) for (const v of await r.labelValues(b, name)) values.add(v);
    } else {
      const { all } = await this.findSeries(r, matchers, opts);
      for (const s of all.values()) {
        const v = s.labels.get(name);
        if (v !== '') values.add(v);
      }
    }
    return limited([...values].sort(compareStrings), opts?.limit);
  }

  async labelNames(matchers: readonly Matcher[], opts?: CallOptions & { limit?: number }): Promise<string[]> {
    const r = this.reader(opts);
    const names = new Set<string>();
    if (matchers.length === 0) {
      for (const b of await this.buckets(opts)) for (const n of await r.labelNames(b)) names.add(n);
    } else {
      const { all } = await this.findSeries(r, matchers, opts);
      for (const s of all.values()) for (const n of s.labels.names()) names.add(n);
    }
    return limited([...names].sort(compareStrings), opts?.limit);
  }

  close(): void {}
}

function limited(xs: string[], limit: number | undefined): string[] {
  return limit !== undefined && limit > 0 && xs.length > limit ? xs.slice(0, limit) : xs;
}

/** The chunks as stored, when all are XOR (histogram chunks are read through the iterator). */
function encoded(chunks: readonly StoredRef[]): EncodedChunk[] | undefined {
  const out: EncodedChunk[] = [];
  for (const c of chunks) {
    if (c.encoding !== Encoding.XOR) return undefined;
    out.push({ encoding: c.encoding, data: c.data, mint: c.mint, maxt: c.maxt });
  }
  return out;
}

/**
 * Orders a series' chunks by mint in place. Rows come in key order (bucket, then maxt), which is
 * already mint order for one writer's back-to-back chunks, so this is usually one pass.
 */
function sortByMint(chunks: StoredRef[]): void {
  for (let i = 1; i < chunks.length; i++) {
    if (chunks[i - 1]!.mint > chunks[i]!.mint) {
      chunks.sort((a, b) => a.mint - b.mint || a.maxt - b.maxt);
      return;
    }
  }
}

/**
 * Series.readFloats of stored XOR chunks (sorted by mint) that follow one another without
 * overlapping (one writer's flushes), decoded straight into `sink`; -1 for any other encoding or
 * for overlapping chunks (replicas, a re-flush), which the iterator merges.
 */
function readStoredFloats(
  chunks: readonly StoredRef[],
  mint: number,
  maxt: number,
  dropStale: boolean,
  sink: FloatSink,
): number {
  const before = sink.n;
  let prevMaxt = Number.NEGATIVE_INFINITY;
  for (const c of chunks) {
    if (c.encoding !== Encoding.XOR || c.mint <= prevMaxt || c.data.length < 2) return -1;
    prevMaxt = c.maxt;
    if (c.maxt < mint || c.mint > maxt) continue;
    sink.reserve((c.data[0]! << 8) | c.data[1]!);
    sink.n = decodeXORInto(c.data, 0, c.data.length, mint, maxt, dropStale, sink, sink.n);
  }
  return sink.n - before;
}

/** The deleted intervals of tombstones whose matchers select `labels`. */
function deletedIntervals(tombstones: readonly Tombstone[], labels: Labels): Intervals {
  const out: [number, number][] = [];
  for (const t of tombstones) if (matchesAll(t.matchers, labels)) out.push([t.mint, t.maxt]);
  return out;
}
