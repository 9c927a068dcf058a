import type { CallOptions } from '../interface.js';

/** One stored pair. Keys and values are opaque bytes; keys order by unsigned byte comparison. */
export interface KVEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/**
 * A half-open key range `[start, end)` in unsigned byte order. A missing `start` means the first
 * key, a missing `end` means past the last key. `prefix` narrows the range to keys starting with it
 * (it is intersected with `start`/`end` when both are given).
 */
export interface KeyRange {
  start?: Uint8Array;
  end?: Uint8Array;
  prefix?: Uint8Array;
}

export interface ScanOptions extends CallOptions {
  /** At most this many entries (in key order); 0 or undefined = no limit. */
  limit?: number;
  /** Return empty values (the store may then skip reading them, e.g. a Bigtable strip filter). */
  keysOnly?: boolean;
}

/**
 * An ordered key-value store: the one seam under the chunk schema, implemented by Bigtable and by an
 * embedded on-disk store for `--dev`. All methods may be called concurrently.
 *
 * Durability: a `put`/`delete*` that resolved is persisted (survives a process or server restart).
 * Errors: a store that cannot be reached throws `UnavailableError` (kind `unavailable`, retry is
 * safe because every write is idempotent); `opts.signal` aborts with `CanceledError`; bad input
 * throws `BadDataError`.
 */
export interface SortedKV {
  /**
   * Writes a batch; a key written twice with the same value is a no-op (replicas write the same
   * chunk twice). Within one batch a later entry for the same key wins. Atomic per entry, not per
   * batch (Bigtable MutateRows semantics): after a failure a retry must re-send the whole batch.
   */
  put(entries: readonly KVEntry[], opts?: CallOptions): Promise<void>;
  /** The value under `key`, or undefined. */
  get(key: Uint8Array, opts?: CallOptions): Promise<Uint8Array | undefined>;
  /** Values for many keys, in the order asked (undefined where absent); one round trip where possible. */
  getMany(keys: readonly Uint8Array[], opts?: CallOptions): Promise<(Uint8Array | undefined)[]>;
  /** Entries in `range`, ascending by key. */
  scan(range: KeyRange, opts?: ScanOptions): Promise<KVEntry[]>;
  /**
   * Entries in any of `ranges` (one round trip where possible), ascending by key, each entry once even
   * when ranges overlap. `limit` applies to the whole result.
   */
  scanMany(ranges: readonly KeyRange[], opts?: ScanOptions): Promise<KVEntry[]>;
  /** Deletes the given keys (absent keys are ignored). Idempotent. */
  deleteKeys(keys: readonly Uint8Array[], opts?: CallOptions): Promise<void>;
  /** Deletes every key in `range` (`{prefix}` deletes a prefix). Idempotent. */
  deleteRange(range: KeyRange, opts?: CallOptions): Promise<void>;
  /**
   * Compare-and-set one key: writes `value` only when the current value equals `expected`
   * (`undefined` = key absent). Resolves whether it wrote. Meant for small coordination rows (the
   * ring), not for chunks.
   */
  checkAndPut(
    key: Uint8Array,
    expected: Uint8Array | undefined,
    value: Uint8Array,
    opts?: CallOptions,
  ): Promise<boolean>;
  /** Flushes and releases resources; later calls reject. */
  close(): Promise<void>;
}
