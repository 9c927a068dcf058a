import type { FloatHistogram, Labels, Matcher, TenantId } from '../model/index.js';

/** What an iterator is positioned on (Prometheus chunkenc.ValueType). */
export const ValueType = { None: 0, Float: 1, Histogram: 2 } as const;
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/**
 * Iterates one series' samples in ascending timestamp order. Modelled on Prometheus's
 * chunkenc.Iterator: `next()` advances and says what it landed on; `seek(t)` advances to the first
 * sample with timestamp >= t (never moves backwards). Accessors are valid only after `next`/`seek`
 * returned something other than `None`; `atT`/`atV` allocate nothing.
 */
export interface SeriesIterator {
  next(): ValueType;
  seek(t: number): ValueType;
  atT(): number;
  /** Float value (valid for ValueType.Float). */
  atV(): number;
  /** Native histogram (valid for ValueType.Histogram); the caller must not mutate it. */
  atHistogram(): FloatHistogram;
  /**
   * Optional: the current sample's start timestamp (ms; Prometheus's AtST: when the counter the
   * sample belongs to started), 0 when unknown. Absent means the store keeps none.
   */
  atST?(): number;
}

/** A series: its labels and a fresh iterator over its samples within the querier's range. */
export interface Series {
  readonly labels: Labels;
  iterator(): SeriesIterator;
  /**
   * Optional: the same samples as encoded chunks, for a reader that moves the data to another thread
   * and decodes it there. XOR chunks covering at least the querier's range (samples outside it may be
   * included; the reader bounds them), usually time-ordered and disjoint; they may overlap (head and
   * store, replicas), holding the same sample at a timestamp several share, and the reader merges
   * them. Undefined when the series cannot say it this way (deleted intervals, mixed or histogram
   * data): read `iterator()` instead.
   */
  encodedChunks?(): readonly EncodedChunk[] | undefined;
  /**
   * Optional fast path for a reader that wants float samples in arrays (the query engine): appends
   * the samples with `mint <= t <= maxt` (staleness markers left out with `dropStale`) to `sink` and
   * returns how many it appended, or -1 when the series holds anything but plain float samples there,
   * or knows start timestamps for any of them
   * (then `sink` may hold a partial read: reset it and read `iterator()` instead).
   */
  readFloats?(mint: number, maxt: number, dropStale: boolean, sink: FloatSink): number;
  /**
   * Optional: the chunks `encodedChunks` would list, handed to `sink` one at a time in mint order,
   * without a list or a view per chunk (a large load copies tens of thousands of series). The
   * bytes are valid only during the call. False, having handed over nothing, where
   * `encodedChunks` would give undefined.
   */
  copyChunks?(sink: ChunkSink): boolean;
}

/** Where `Series.copyChunks` hands chunks: the first `length` bytes of `data` are one XOR chunk. */
export interface ChunkSink {
  chunk(data: Uint8Array, length: number, mint: number, maxt: number): void;
}

/** Where `Series.readFloats` appends: `t`/`v` hold `n` samples; `reserve` makes room for more. */
export interface FloatSink {
  t: Float64Array;
  v: Float64Array;
  n: number;
  /** Makes `t` and `v` hold at least `n + extra` samples, keeping the first `n`. */
  reserve(extra: number): void;
}

/** One chunk as `Series.encodedChunks` gives it: the bytes are a view, valid until the caller yields. */
export interface EncodedChunk {
  /** Prometheus chunk encoding (1 = XOR). */
  readonly encoding: number;
  readonly data: Uint8Array;
  readonly mint: number;
  readonly maxt: number;
}

/**
 * Hints for a select, as in Prometheus storage.SelectHints. `start`/`end` are inclusive
 * milliseconds of the data the caller will read (lookback and range already included); `func` and
 * `grouping` may let a store push work down; stores may ignore all hints.
 */
export interface SelectHints {
  start: number;
  end: number;
  step?: number;
  func?: string;
  range?: number;
  grouping?: string[];
  by?: boolean;
}

/** Options that travel with every call that may block. */
export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * Read access to a fixed time range `[mint, maxt]` (inclusive, ms). Implementations are bound to one
 * tenant by whoever constructs them; the engine never sees tenants.
 */
export interface Querier {
  /**
   * Series matching every matcher (AND), sorted by labels when `sorted`; at least one matcher must
   * select a non-empty value. Samples are limited to the querier's range. Throws CortexError kinds
   * `limit_exceeded` (too many series), `canceled`, `unavailable`.
   */
  select(
    sorted: boolean,
    hints: SelectHints | undefined,
    matchers: readonly Matcher[],
    opts?: CallOptions,
  ): Promise<Series[]>;
  /** Sorted unique values of `name` among series matching `matchers` (all series when empty). */
  labelValues(name: string, matchers: readonly Matcher[], opts?: CallOptions & { limit?: number }): Promise<string[]>;
  /** Sorted unique label names among series matching `matchers` (all series when empty). */
  labelNames(matchers: readonly Matcher[], opts?: CallOptions & { limit?: number }): Promise<string[]>;
  /** Releases resources; the Series returned stay readable until then. */
  close(): void;
}

/** Gives queriers over time ranges; the PromQL engine receives one per query. */
export interface Queryable {
  querier(mint: number, maxt: number): Querier;
}

/**
 * Append access (Prometheus storage.Appender). Appends are buffered until `commit`; `rollback`
 * discards them. Errors for single samples are thrown as CortexError (`bad_data` for out-of-order,
 * duplicate, out-of-bounds) so batch callers can count and continue.
 */
export interface Appender {
  /** `st`: the sample's start timestamp (ms), 0 or absent when unknown; stores without them ignore it. */
  append(labels: Labels, t: number, v: number, st?: number): void;
  appendHistogram(labels: Labels, t: number, h: FloatHistogram, st?: number): void;
  commit(): Promise<void>;
  rollback(): void;
}

export interface Appendable {
  appender(): Appender;
}

/**
 * A sealed chunk as it is flushed to long-term storage. `data` is a Prometheus chunk encoding
 * (`encoding` 1 = XOR, as in Prometheus's chunkenc.Encoding); `mint`/`maxt` are the first and last
 * sample timestamps (inclusive, ms).
 */
export interface StoredChunk {
  labels: Labels;
  mint: number;
  maxt: number;
  encoding: number;
  data: Uint8Array;
}

/**
 * Long-term chunk storage for all tenants (Bigtable or the embedded store). Every call is bound to
 * one tenant: implementations read and write only that tenant's rows. `put` is idempotent: replicas
 * that flush the same chunk write the same keys, so storage cost is 1x, not RF x.
 */
export interface ChunkStore {
  /** Durably stores chunks; resolves only after they are persisted. Throws `unavailable` to retry. */
  put(tenantId: TenantId, chunks: readonly StoredChunk[], opts?: CallOptions): Promise<void>;
  /** A queryable over the tenant's stored chunks. */
  queryable(tenantId: TenantId): Queryable;
  /** Removes every row of the tenant (purge after tenant deletion). */
  deleteTenant(tenantId: TenantId, opts?: CallOptions): Promise<void>;
  /**
   * Optional: the newest sample time of any chunk of the tenant put into the store before this store
   * object first wrote for the tenant (by earlier processes, or other writers before then), or
   * undefined when there was none. An ingester holds everything newer it acknowledged itself.
   */
  flushedBeforeStart?(tenantId: TenantId, opts?: CallOptions): Promise<number | undefined>;
  close(): Promise<void>;
}
