import { crc32 } from 'node:zlib';
import type { Registry } from 'prom-client';
import { BadDataError, type Matcher, parseTenantId, type TenantId } from '../../model/index.js';
import type { CallOptions, ChunkStore, Queryable, StoredChunk } from '../interface.js';
import { type KVEntry, type SortedKV, throwIfAborted } from '../kv/index.js';
import { existingBuckets } from './buckets.js';
import { ByteBuilder, encodeLabels, toHex } from './codec.js';
import { type ChunkDecoder, decodeChunk } from './decode.js';
import { FlushedThroughMarks } from './flushed-through.js';
import { ChunkStoreMetrics } from './metrics.js';
import { type PurgeStats, purgeBucket } from './purge.js';
import { ChunkQuerier } from './querier.js';
import { ChunkRowKind, MAX_BUCKET, MAX_CHUNK_SPAN_MS, MIN_BUCKET, RowType, Schema, seriesId } from './schema.js';
import { SeriesLabelsCache } from './series-labels-cache.js';
import { decodeTombstone, encodeTombstone, type Tombstone, tombstoneId } from './tombstone.js';

export interface KVChunkStoreOptions {
  kv: SortedKV;
  /** Width of a time bucket in ms (default 24 h). Fixed for the life of the data: it is in every key. */
  bucketMs?: number;
  /** Chunk decoder (default: Prometheus XOR and float histogram chunks via data-plane/chunkenc). */
  decodeChunk?: ChunkDecoder;
  /** Largest accepted chunk (default 1 MiB), which bounds every row. */
  maxChunkBytes?: number;
  /** Entries of the index write-dedupe cache (default 1,000,000); 0 disables it. */
  indexCacheEntries?: number;
  /** Series whose labels queries keep in memory (default 200,000: about 100 MB at 500 B each); 0 disables it. */
  seriesLabelsCacheEntries?: number;
  /** Where the store's metrics register (never the global registry). */
  registry?: Registry;
}

export const DAY_MS = 86_400_000;
const REF_VALUE = new Uint8Array([ChunkRowKind.Ref]);
const EMPTY = new Uint8Array(0);

/**
 * The chunk store over any SortedKV (Bigtable in production, the embedded store in `--dev`). Keys are
 * tenant-first and time-bucketed (see schema.ts and docs/storage.md). Writes are idempotent: a chunk
 * has one deterministic key (tenant, bucket, series hash, mint, maxt, CRC), so replicas flushing the
 * same chunk store it once. Index rows are written once per series per bucket, remembered in a
 * bounded in-process cache (Cortex's index write-dedupe cache) so repeated flushes skip them.
 */
export class KVChunkStore implements ChunkStore {
  readonly schema: Schema;
  /** The underlying store (tools and tests scan it; everything else goes through the methods). */
  readonly kv: SortedKV;
  private readonly decode: ChunkDecoder;
  private readonly maxChunkBytes: number;
  private readonly cacheCap: number;
  private readonly written = new Set<string>();
  readonly metrics: ChunkStoreMetrics;
  private readonly marks: FlushedThroughMarks;
  private readonly labelsCache: SeriesLabelsCache;

  constructor(opts: KVChunkStoreOptions) {
    this.kv = opts.kv;
    this.schema = new Schema(opts.bucketMs ?? DAY_MS);
    this.decode = opts.decodeChunk ?? decodeChunk;
    this.maxChunkBytes = opts.maxChunkBytes ?? 1 << 20;
    this.cacheCap = opts.indexCacheEntries ?? 1_000_000;
    this.metrics = new ChunkStoreMetrics(opts.registry);
    this.marks = new FlushedThroughMarks(this.kv, this.schema);
    this.labelsCache = new SeriesLabelsCache(opts.seriesLabelsCacheEntries ?? 200_000);
  }

  flushedBeforeStart(tenantId: TenantId, opts?: CallOptions): Promise<number | undefined> {
    parseTenantId(tenantId);
    return this.marks.before(tenantId, opts);
  }

  /**
   * Stores chunks and their index rows. The chunk bytes go to the bucket of `mint`; every further
   * bucket the chunk reaches gets a small ref row and the series' index rows, so a query of any
   * bucket finds it. Throws `bad_data` for malformed chunks (nothing is written then) and
   * `unavailable` when the store is down (retry the whole call).
   */
  async put(tenantId: TenantId, chunks: readonly StoredChunk[], opts?: CallOptions): Promise<void> {
    throwIfAborted(opts);
    // Re-checked here because the ID becomes a key prefix: a stray 0x00 would break isolation.
    parseTenantId(tenantId);
    const s = this.schema;
    const entries: KVEntry[] = [];
    let chunkRows = 0;
    const cacheKeys: string[] = [];
    const pending = new Set<string>();
    const once = (cacheKey: string, make: () => void) => {
      if (this.written.has(cacheKey) || pending.has(cacheKey)) return;
      pending.add(cacheKey);
      cacheKeys.push(cacheKey);
      make();
    };
    for (const c of chunks) {
      this.validate(c);
      const sid = seriesId(c.labels);
      const crc = crc32(c.data);
      const b0 = s.bucketOf(c.mint);
      const b1 = s.bucketOf(c.maxt);
      const value = new ByteBuilder(c.data.length + 2).byte(ChunkRowKind.Data).byte(c.encoding).bytes(c.data).finish();
      entries.push({ key: s.chunkKey(tenantId, b0, sid, c.mint, c.maxt, crc), value });
      for (let b = b0 + 1; b <= b1; b++) {
        entries.push({ key: s.chunkKey(tenantId, b, sid, c.mint, c.maxt, crc), value: REF_VALUE });
      }
      chunkRows += b1 - b0 + 1;
      const sidHex = toHex(sid);
      for (let b = b0; b <= b1; b++) {
        const bucketKey = `${tenantId}\0${b}\0`;
        once(`${bucketKey}s${sidHex}`, () => {
          entries.push({ key: s.seriesKey(tenantId, b, sid), value: encodeLabels(c.labels) });
          c.labels.forEach((name, v) => {
            entries.push({ key: s.postingKey(tenantId, b, name, v, sid), value: EMPTY });
            once(`${bucketKey}v${name}\0${v}`, () =>
              entries.push({ key: s.labelValueKey(tenantId, b, name, v), value: EMPTY }),
            );
            once(`${bucketKey}l${name}`, () => entries.push({ key: s.labelNameKey(tenantId, b, name), value: EMPTY }));
          });
        });
      }
    }
    let maxt = Number.NEGATIVE_INFINITY;
    for (const c of chunks) if (c.maxt > maxt) maxt = c.maxt;
    if (chunks.length > 0) await this.marks.advance(tenantId, maxt, opts);
    await this.kv.put(entries, opts);
    const indexRows = entries.length - chunkRows;
    let bytes = 0;
    for (const c of chunks) bytes += c.data.length;
    this.metrics.storedChunks.inc({ user: tenantId }, chunks.length);
    this.metrics.storedChunkBytes.inc({ user: tenantId }, bytes);
    this.metrics.indexEntriesWritten.inc({ user: tenantId }, indexRows);
    // Only after the write is durable may later puts skip these rows.
    if (this.cacheCap > 0) {
      if (this.written.size + cacheKeys.length > this.cacheCap) this.written.clear();
      for (const k of cacheKeys) this.written.add(k);
    }
  }

  private validate(c: StoredChunk): void {
    // Built only for an error: rendering the labels of every chunk flushed is a cost of its own.
    const where = () => `chunk ${c.labels.toString()} [${c.mint}, ${c.maxt}]`;
    if (c.labels.isEmpty()) throw new BadDataError(`${where()}: series without labels`);
    if (!Number.isSafeInteger(c.mint) || !Number.isSafeInteger(c.maxt) || c.mint > c.maxt) {
      throw new BadDataError(`${where()}: mint and maxt must be integers with mint <= maxt`);
    }
    if (!this.schema.storable(c.mint) || !this.schema.storable(c.maxt)) {
      throw new BadDataError(`${where()}: timestamps outside the storable range`);
    }
    if (c.maxt - c.mint > MAX_CHUNK_SPAN_MS) throw new BadDataError(`${where()}: spans more than ~24.8 days`);
    if (!Number.isInteger(c.encoding) || c.encoding < 0 || c.encoding > 255) {
      throw new BadDataError(`${where()}: encoding ${c.encoding} is not a byte`);
    }
    if (c.data.length > this.maxChunkBytes) {
      throw new BadDataError(`${where()}: ${c.data.length} bytes exceeds the ${this.maxChunkBytes}-byte chunk limit`);
    }
  }

  queryable(tenantId: TenantId): Queryable {
    parseTenantId(tenantId);
    const deps = {
      kv: this.kv,
      schema: this.schema,
      decode: this.decode,
      tenantId,
      metrics: this.metrics,
      labelsCache: this.labelsCache,
    };
    return { querier: (mint, maxt) => new ChunkQuerier(deps, mint, maxt) };
  }

  /** Removes every row of the tenant (one prefix delete: DropRowRange on Bigtable). */
  async deleteTenant(tenantId: TenantId, opts?: CallOptions): Promise<void> {
    parseTenantId(tenantId);
    await this.kv.deleteRange({ prefix: this.schema.tenantPrefix(tenantId) }, opts);
    this.forget(tenantId);
    this.marks.forget(tenantId);
    this.labelsCache.forgetTenant(tenantId);
  }

  /**
   * The tenant's buckets in `[from, to]` that hold any row, ascending. One limit-1 read per bucket
   * found, so sparse ranges (a delete over years) stay cheap.
   */
  async buckets(tenantId: TenantId, from: number, to: number, opts?: CallOptions): Promise<number[]> {
    parseTenantId(tenantId);
    return existingBuckets(this.kv, this.schema, tenantId, from, to, opts);
  }

  /**
   * Deletes whole buckets that end at or before `t` (retention). The bucket holding `t` stays, so up
   * to one bucket more than the retention period is kept, as with Cortex's periodic tables.
   * Returns the buckets deleted.
   */
  async deleteBucketsBefore(tenantId: TenantId, t: number, opts?: CallOptions): Promise<number[]> {
    const s = this.schema;
    const cutoff = s.bucketOf(t);
    const old = await this.buckets(tenantId, MIN_BUCKET, cutoff - 1, opts);
    for (const b of old) await this.kv.deleteRange({ prefix: s.bucketPrefix(tenantId, b) }, opts);
    if (old.length > 0) this.forget(tenantId);
    return old;
  }

  /**
   * Deletes series samples: a tombstone for `matchers` over `[mint, maxt]` is written to every
   * existing bucket of the range and hides the samples from queries at once; `purgeDeleted` later
   * removes the rows. `alsoAt` names times whose buckets get the tombstone even if they hold no row
   * yet (the caller passes "now": a flush in flight may be about to create today's bucket).
   */
  async deleteSeries(
    tenantId: TenantId,
    matchers: readonly Matcher[],
    mint: number,
    maxt: number,
    opts?: CallOptions & { alsoAt?: readonly number[] },
  ): Promise<void> {
    if (!matchers.some((m) => !m.matchesEmpty())) {
      throw new BadDataError('delete series needs at least one matcher that selects a non-empty value');
    }
    if (!Number.isSafeInteger(mint) || !Number.isSafeInteger(maxt) || mint > maxt) {
      throw new BadDataError('delete series needs integer mint <= maxt');
    }
    const s = this.schema;
    const value = encodeTombstone({ matchers, mint, maxt });
    const id = tombstoneId(value);
    const buckets = new Set(await this.buckets(tenantId, s.bucketOf(mint), s.bucketOf(maxt), opts));
    for (const t of opts?.alsoAt ?? []) if (t >= mint && t <= maxt) buckets.add(s.bucketOf(t));
    await this.kv.put(
      [...buckets].map((b) => ({ key: s.tombstoneKey(tenantId, b, id), value })),
      opts,
    );
  }

  /**
   * The tenant's delete-series tombstones still in storage (each once, however many buckets hold it),
   * oldest bucket first. A tombstone leaves when `purgeDeleted` has removed everything it covers.
   */
  async tombstones(tenantId: TenantId, opts?: CallOptions): Promise<(Tombstone & { id: string })[]> {
    const s = this.schema;
    const seen = new Map<string, Tombstone & { id: string }>();
    for (const b of await this.buckets(tenantId, MIN_BUCKET, MAX_BUCKET, opts)) {
      for (const row of await this.kv.scan({ prefix: s.typePrefix(tenantId, b, RowType.Tombstone) }, opts)) {
        const id = toHex(row.key.subarray(row.key.length - 8));
        if (!seen.has(id)) seen.set(id, { id, ...decodeTombstone(row.value) });
      }
    }
    return [...seen.values()];
  }

  /**
   * Physically removes what tombstones hide: chunk rows wholly inside a deleted interval, then the
   * index rows of series left without chunks in that bucket. A chunk only partly covered stays (it
   * would need re-encoding) together with its tombstone, which keeps hiding those samples.
   */
  async purgeDeleted(tenantId: TenantId, opts?: CallOptions): Promise<PurgeStats> {
    const total: PurgeStats = { chunksDeleted: 0, seriesDeleted: 0, tombstonesRemoved: 0, tombstonesKept: 0 };
    const s = this.schema;
    for (const b of await this.buckets(tenantId, MIN_BUCKET, MAX_BUCKET, opts)) {
      const st = await purgeBucket({ kv: this.kv, schema: s, tenantId, bucket: b }, opts);
      total.chunksDeleted += st.chunksDeleted;
      total.seriesDeleted += st.seriesDeleted;
      total.tombstonesRemoved += st.tombstonesRemoved;
      total.tombstonesKept += st.tombstonesKept;
    }
    if (total.seriesDeleted > 0) this.forget(tenantId);
    return total;
  }

  /** Drops cached "index already written" marks of a tenant whose rows were deleted. */
  private forget(tenantId: TenantId): void {
    const p = `${tenantId}\0`;
    for (const k of this.written) if (k.startsWith(p)) this.written.delete(k);
  }

  async close(): Promise<void> {
    await this.kv.close();
  }
}
