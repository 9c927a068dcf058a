import { decodeXORInto, Encoding } from '../chunkenc/index.js';
import {
  CanceledError,
  compareStrings,
  Labels,
  type Matcher,
  matchesAll,
  SymbolTable,
  type TenantId,
} from '../model/index.js';
import type {
  CallOptions,
  ChunkSink,
  EncodedChunk,
  FloatSink,
  Querier,
  Queryable,
  SelectHints,
  Series,
  SeriesIterator,
} from '../storage/index.js';
import { seriesIterator } from './iterators.js';
import { seriesPerMetricError, seriesPerUserError } from './limits.js';
import { addRef, filterRefs, type Postings, refsOf, someRef } from './postings.js';
import { type MemChunk, MemSeries } from './series.js';

/** Series limits for one push: local (enforced) and global (named in errors); 0 = unlimited. */
export interface SeriesLimits {
  perUser: number;
  perMetric: number;
  globalPerUser: number;
  globalPerMetric: number;
}

/**
 * FNV-1a over the flat label strings with a separator; collisions are resolved by `equals`. Signed
 * 32-bit, so it stays a small integer in V8 (an unsigned one above 2^31 is a boxed double, 16 more
 * bytes in the series and in the hash map's key).
 */
export function hashLabels(labels: Labels): number {
  let h = 0x811c9dc5;
  const f = labels.flat;
  for (let i = 0; i < f.length; i++) {
    const s = f[i]!;
    for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
  }
  return h | 0;
}

/**
 * One tenant's in-memory series: a hash map for the write path, an inverted index (label name →
 * value → ascending series refs) for queries, and per-metric counts for the series limits. Refs are
 * never reused, so postings may keep refs of deleted series until the next compaction; readers skip
 * refs that no longer resolve.
 */
export class TenantHead implements Queryable {
  readonly tenant: TenantId;
  readonly series = new Map<number, MemSeries>();
  private readonly byHash = new Map<number, MemSeries | MemSeries[]>();
  private readonly postings = new Map<string, Map<string, Postings>>();
  private readonly perMetric = new Map<string, number>();
  /** Label strings shared by every series of the tenant (job, instance, names…). */
  private readonly symbols = new SymbolTable();
  private nextRef = 1;
  private deletedSinceCompaction = 0;
  /** Newest sample timestamp of the tenant: the out-of-order window is measured from here. */
  maxT = Number.NEGATIVE_INFINITY;
  /** Newest sample timestamp of any chunk dropped from memory after its flush. */
  droppedMaxT = Number.NEGATIVE_INFINITY;
  ingestedSamples = 0;

  constructor(tenant: TenantId) {
    this.tenant = tenant;
  }

  /**
   * The series for a pushed label set by the identity of its Labels object: the distributor hands
   * the same object for a series it has seen before (decoder cache + memo), so a hit skips hashing
   * and comparing the strings. The slot lives on the object itself (`Labels.writeSlot()`; a WeakMap
   * lookup costs ~4× more here); a Labels pushed to several heads, or whose series this head
   * dropped, only falls back to the hash path.
   */
  lookup(labels: Labels): MemSeries | undefined {
    const e = labels.writeSlot();
    if (e instanceof MemSeries && this.holds(e)) return e;
    return undefined;
  }

  /**
   * Whether `s` is this head's live series: not another head's (refs are per head), nor dropped
   * from memory (all flushed, or deleted), which is not the one to append to any more.
   */
  holds(s: MemSeries): boolean {
    return s.owner === this;
  }

  /** Remembers `labels` (as pushed) → `s` for `lookup`. */
  remember(labels: Labels, s: MemSeries): void {
    labels.setWriteSlot(s);
  }

  get(labels: Labels, hash: number): MemSeries | undefined {
    const e = this.byHash.get(hash);
    if (e === undefined) return undefined;
    if (!Array.isArray(e)) return e.labels.equals(labels) ? e : undefined;
    for (const s of e) if (s.labels.equals(labels)) return s;
    return undefined;
  }

  /**
   * Creates a series after checking the tenant's series limits (0 = unlimited). Throws
   * LimitExceededError naming the limit to raise.
   */
  create(labels: Labels, hash: number, lim: SeriesLimits): MemSeries {
    if (lim.perUser > 0 && this.series.size >= lim.perUser) throw seriesPerUserError(lim.globalPerUser, lim.perUser);
    const metric = labels.metricName();
    if (lim.perMetric > 0 && (this.perMetric.get(metric) ?? 0) >= lim.perMetric) {
      throw seriesPerMetricError(lim.globalPerMetric, metric, lim.perMetric);
    }
    return this.add(this.nextRef++, labels, hash);
  }

  /** Re-creates a series with the ref it had in the WAL (replay ignores limits: it was accepted). */
  restore(ref: number, labels: Labels): MemSeries {
    const hash = hashLabels(labels);
    const existing = this.get(labels, hash);
    if (existing) return existing;
    if (ref >= this.nextRef) this.nextRef = ref + 1;
    // a ref another series holds already (a damaged WAL naming one ref twice) gets a new one: the
    // postings must list a ref under its own series' labels only, since selects trust them
    return this.add(this.series.has(ref) ? this.nextRef++ : ref, labels, hash);
  }

  private add(ref: number, labels: Labels, hash: number): MemSeries {
    const flat = labels.flat;
    let interned: string[];
    if (Object.isFrozen(flat)) {
      interned = new Array(flat.length);
      for (let i = 0; i < flat.length; i++) interned[i] = this.symbols.intern(flat[i]!);
    } else {
      // The series shares the pushed array (usually the distributor's memo, alive anyway) instead of
      // copying it: ~110 B less per series. Swapping each string for the tenant's instance of it
      // changes no value, so whoever else holds the array sees the same labels. The Labels object
      // stays the head's own: the pushed one carries the lookup slot.
      interned = flat as string[];
      for (let i = 0; i < interned.length; i++) interned[i] = this.symbols.intern(interned[i]!);
    }
    // The pushed Labels object too, when it holds the interned array (one object less per series).
    const own = interned === flat ? labels : Labels.fromSortedFlat(interned);
    const s = new MemSeries(ref, own, this);
    this.series.set(ref, s);
    const e = this.byHash.get(hash);
    if (e === undefined) this.byHash.set(hash, s);
    else if (Array.isArray(e)) e.push(s);
    else this.byHash.set(hash, [e, s]);
    for (let i = 0; i < interned.length; i += 2) {
      const name = interned[i]!;
      let values = this.postings.get(name);
      if (!values) this.postings.set(name, (values = new Map()));
      const list = values.get(interned[i + 1]!);
      if (list === undefined) values.set(interned[i + 1]!, [ref]);
      else {
        const grown = addRef(list, ref);
        if (grown !== list) values.set(interned[i + 1]!, grown);
      }
    }
    const metric = s.labels.metricName();
    this.perMetric.set(metric, (this.perMetric.get(metric) ?? 0) + 1);
    return s;
  }

  /** Removes a series whose data is all flushed and dropped from memory. */
  delete(s: MemSeries): void {
    if (this.series.get(s.ref) !== s) return;
    this.series.delete(s.ref);
    s.owner = undefined;
    const hash = hashLabels(s.labels);
    const e = this.byHash.get(hash);
    if (e === s) this.byHash.delete(hash);
    else if (Array.isArray(e)) {
      const rest = e.filter((x) => x !== s);
      this.byHash.set(hash, rest.length === 1 ? rest[0]! : rest);
    }
    const metric = s.labels.metricName();
    const n = (this.perMetric.get(metric) ?? 1) - 1;
    if (n <= 0) this.perMetric.delete(metric);
    else this.perMetric.set(metric, n);
    if (++this.deletedSinceCompaction > 1000 && this.deletedSinceCompaction > this.series.size / 10) {
      this.compactIndex();
    }
  }

  /** Drops refs of deleted series from the postings and unused symbols. */
  compactIndex(): void {
    this.deletedSinceCompaction = 0;
    for (const [name, values] of this.postings) {
      for (const [value, refs] of values) {
        const live = filterRefs(refs, (r) => this.series.has(r));
        if (live === undefined) values.delete(value);
        else if (live !== refs) values.set(value, live);
      }
      if (values.size === 0) this.postings.delete(name);
    }
    this.symbols.clear();
    for (const s of this.series.values()) for (const str of s.labels.flat) this.symbols.intern(str);
  }

  /**
   * `flushedBefore`: a reader that also reads the chunk store up to this time may skip chunks the
   * store already holds entirely before it (flushed, newest sample earlier), so they are read once.
   */
  querier(mint: number, maxt: number, flushedBefore = Number.NEGATIVE_INFINITY): Querier {
    return new HeadQuerier(this, mint, maxt, flushedBefore);
  }

  /** Series matching all matchers whose in-memory data overlaps `[mint, maxt]`. */
  matching(matchers: readonly Matcher[], mint: number, maxt: number): MemSeries[] {
    let refs: ArrayLike<number> | undefined;
    // a series found through a matcher's postings satisfies it: only the others are checked per series
    const unchecked: Matcher[] = [];
    for (const m of matchers) {
      if (m.matchesEmpty()) {
        unchecked.push(m);
        continue;
      }
      const values = this.postings.get(m.name);
      if (!values) return [];
      let list: ArrayLike<number>;
      if (m.type === '=') {
        const p = values.get(m.value);
        list = p === undefined ? [] : refsOf(p);
      } else {
        const union: number[] = [];
        for (const [v, p] of values) {
          if (!m.matches(v)) continue;
          const r = refsOf(p);
          for (let i = 0; i < r.length; i++) union.push(r[i]!);
        }
        list = union.sort((a, b) => a - b);
      }
      refs = refs === undefined ? list : intersect(refs, list);
      if (refs.length === 0) return [];
    }
    const out: MemSeries[] = [];
    const consider = (s: MemSeries | undefined) => {
      if (s && matchesAll(unchecked, s.labels) && s.maxTime() >= mint && s.minTime() <= maxt) out.push(s);
    };
    if (refs === undefined) for (const s of this.series.values()) consider(s);
    else for (let i = 0; i < refs.length; i++) consider(this.series.get(refs[i]!));
    return out;
  }

  /** Label names of series with data in `[mint, maxt]`. */
  labelNamesAll(mint: number, maxt: number): string[] {
    const ok = this.liveIn(mint, maxt);
    const out: string[] = [];
    for (const [name, values] of this.postings) {
      let found = false;
      for (const refs of values.values()) if ((found = someRef(refs, ok))) break;
      if (found) out.push(name);
    }
    return out.sort(compareStrings);
  }

  /** Values of `name` among series with data in `[mint, maxt]`. */
  labelValuesAll(name: string, mint: number, maxt: number): string[] {
    const values = this.postings.get(name);
    if (!values) return [];
    const ok = this.liveIn(mint, maxt);
    const out: string[] = [];
    for (const [v, refs] of values) if (someRef(refs, ok)) out.push(v);
    return out.sort(compareStrings);
  }

  /** A ref filter: the series exists and overlaps the range (skipping the time check when the range covers it all). */
  private liveIn(mint: number, maxt: number): (ref: number) => boolean {
    if (mint <= Number.MIN_SAFE_INTEGER && maxt >= Number.MAX_SAFE_INTEGER) return (r) => this.series.has(r);
    return (r) => {
      const s = this.series.get(r);
      return s !== undefined && s.maxTime() >= mint && s.minTime() <= maxt;
    };
  }
}

function intersect(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

function checkSignal(opts: CallOptions | undefined): void {
  if (opts?.signal?.aborted) throw new CanceledError('query canceled');
}

/**
 * One selected head series over `[mint, maxt]`. A class, not an object of closures: a query over
 * 100k series builds one per series.
 */
class HeadSeries implements Series {
  readonly labels: Labels;

  constructor(
    private readonly s: MemSeries,
    private readonly mint: number,
    private readonly maxt: number,
    private readonly flushedBefore: number,
  ) {
    this.labels = s.labels;
  }

  iterator(): SeriesIterator {
    return seriesIterator(this.s, this.mint, this.maxt, this.flushedBefore);
  }

  encodedChunks(): EncodedChunk[] | undefined {
    return encodedChunks(this.s, this.mint, this.maxt, this.flushedBefore);
  }

  readFloats(lo: number, hi: number, dropStale: boolean, sink: FloatSink): number {
    return readFloats(this.s, Math.max(lo, this.mint), Math.min(hi, this.maxt), this.flushedBefore, dropStale, sink);
  }

  copyChunks(sink: ChunkSink): boolean {
    const s = this.s;
    if (!onlyInOrderFloats(s)) return false;
    const chunks = s.chunks;
    for (let i = firstChunkFrom(chunks, this.mint); i < chunks.length; i++) {
      const c = chunks[i]!;
      if (!readsChunk(c, this.mint, this.maxt, this.flushedBefore)) continue;
      sink.chunk(c.chunk.buffer(), c.chunk.byteLength(), c.mint, c.maxt);
    }
    return true;
  }
}

class HeadQuerier implements Querier {
  constructor(
    private readonly head: TenantHead,
    private readonly mint: number,
    private readonly maxt: number,
    private readonly flushedBefore: number,
  ) {}

  async select(
    sorted: boolean,
    hints: SelectHints | undefined,
    matchers: readonly Matcher[],
    opts?: CallOptions,
  ): Promise<Series[]> {
    checkSignal(opts);
    // Hints narrow the range further when the engine knows it reads less than the querier covers.
    const mint = hints ? Math.max(this.mint, hints.start) : this.mint;
    const maxt = hints ? Math.min(this.maxt, hints.end) : this.maxt;
    const found = this.head.matching(matchers, mint, maxt);
    if (sorted) found.sort((a, b) => Labels.compare(a.labels, b.labels));
    const skipBefore = this.flushedBefore;
    return found.map((s) => new HeadSeries(s, mint, maxt, skipBefore));
  }

  async labelValues(
    name: string,
    matchers: readonly Matcher[],
    opts?: CallOptions & { limit?: number },
  ): Promise<string[]> {
    checkSignal(opts);
    let out: string[];
    if (matchers.length === 0) out = this.head.labelValuesAll(name, this.mint, this.maxt);
    else {
      const set = new Set<string>();
      for (const s of this.head.matching(matchers, this.mint, this.maxt)) {
        const v = s.labels.get(name);
        if (v !== '') set.add(v);
      }
      out = [...set].sort(compareStrings);
    }
    return limit(out, opts?.limit);
  }

  async labelNames(matchers: readonly Matcher[], opts?: CallOptions & { limit?: number }): Promise<string[]> {
    checkSignal(opts);
    let out: string[];
    if (matchers.length === 0) out = this.head.labelNamesAll(this.mint, this.maxt);
    else {
      const set = new Set<string>();
      for (const s of this.head.matching(matchers, this.mint, this.maxt)) for (const n of s.labels.names()) set.add(n);
      out = [...set].sort(compareStrings);
    }
    return limit(out, opts?.limit);
  }

  close(): void {}
}

/**
 * The in-order XOR chunks overlapping `[mint, maxt]`, when they are all the series holds there
 * (the common case); a series with out-of-order or histogram data is read through its iterator.
 */
function encodedChunks(s: MemSeries, mint: number, maxt: number, flushedBefore: number): EncodedChunk[] | undefined {
  if (!onlyInOrderFloats(s)) return undefined;
  const out: EncodedChunk[] = [];
  const chunks = s.chunks;
  for (let i = firstChunkFrom(chunks, mint); i < chunks.length; i++) {
    const c = chunks[i]!;
    if (!readsChunk(c, mint, maxt, flushedBefore)) continue;
    out.push({ encoding: Encoding.XOR, data: c.chunk.bytes(), mint: c.mint, maxt: c.maxt });
  }
  return out;
}

/**
 * Series.readFloats over the chunks encodedChunks would list, decoded where they lie: an evaluation
 * in this thread reads the head without copying a byte.
 */
function readFloats(
  s: MemSeries,
  mint: number,
  maxt: number,
  flushedBefore: number,
  dropStale: boolean,
  sink: FloatSink,
): number {
  if (!onlyInOrderFloats(s)) return -1;
  const before = sink.n;
  const chunks = s.chunks;
  for (let i = firstChunkFrom(chunks, mint); i < chunks.length; i++) {
    const c = chunks[i]!;
    if (!readsChunk(c, mint, maxt, flushedBefore)) continue;
    sink.reserve(c.chunk.numSamples());
    sink.n = decodeXORInto(c.chunk.buffer(), 0, c.chunk.byteLength(), mint, maxt, dropStale, sink, sink.n);
    if (c.maxt >= maxt) break;
  }
  return sink.n - before;
}

/**
 * Index of the first of a series' in-order chunks (oldest first) that ends at or after `t`, found
 * from the newest: a dashboard reads the last minutes, and each chunk looked at is a cache miss.
 */
function firstChunkFrom(chunks: readonly MemChunk[], t: number): number {
  let i = chunks.length;
  while (i > 0 && chunks[i - 1]!.maxt >= t) i--;
  return i;
}

/** Whether the series holds only in-order float chunks (then its chunks can be read as they lie). */
function onlyInOrderFloats(s: MemSeries): boolean {
  return !(s.oooChunks?.length || s.oooT?.length || s.histChunks?.length || s.histograms?.length);
}

/** Whether a read of `[mint, maxt]` takes chunk `c` from the head (a flushed one before `flushedBefore` is the store's). */
function readsChunk(c: MemChunk, mint: number, maxt: number, flushedBefore: number): boolean {
  return !(c.maxt < mint || c.mint > maxt || (c.flushed && c.maxt < flushedBefore));
}

function limit(xs: string[], n: number | undefined): string[] {
  return n !== undefined && n > 0 && xs.length > n ? xs.slice(0, n) : xs;
}
