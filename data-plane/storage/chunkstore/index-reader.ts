import { BadDataError, type Labels, type Matcher, matchesAll, type TenantId } from '../../model/index.js';
import type { CallOptions } from '../interface.js';
import { type KeyRange, latin1String, type SortedKV } from '../kv/index.js';
import { decodeLabels } from './codec.js';
import { type ChunkKeyFields, type ChunkKeyParts, ChunkRowKind, RowType, type Schema } from './schema.js';
import type { SeriesLabelsCache } from './series-labels-cache.js';
import { decodeTombstone, type Tombstone } from './tombstone.js';

/** A series found in the index of one bucket. */
export interface IndexedSeries {
  sid: Uint8Array;
  /** `sid` as a latin1 string: the series' key in maps. */
  sidKey: string;
  labels: Labels;
}

/** A chunk row read for a query: the parsed key and, for data rows, encoding and bytes. */
export interface ChunkRow {
  parts: ChunkKeyParts;
  key: Uint8Array;
  /** Undefined for a ref row (the bytes live in the bucket of `parts.mint`). */
  data: { encoding: number; bytes: Uint8Array } | undefined;
}

/**
 * Reads the index rows of one tenant, bucket by bucket. Every range it asks for lies inside
 * `tenant 0x00 bucket`, so it can never see another tenant's rows, and nothing here reads chunk
 * data except `chunks()`.
 */
export class IndexReader {
  constructor(
    private readonly kv: SortedKV,
    private readonly schema: Schema,
    private readonly tenant: TenantId,
    private readonly opts: CallOptions | undefined,
    /** Labels of series read before; without it every series row is read (the purge reads them all). */
    private readonly labelsCache?: SeriesLabelsCache,
  ) {}

  /** Series of bucket `b` matching every matcher; at least one must not match the empty string. */
  async series(b: number, matchers: readonly Matcher[]): Promise<IndexedSeries[]> {
    const positive = matchers.filter((m) => !m.matchesEmpty());
    if (positive.length === 0) {
      throw new BadDataError('at least one matcher must select a non-empty value (err-cortex-empty-matchers)', {
        id: 'err-cortex-empty-matchers',
      });
    }
    // Equality matchers first: their postings are one prefix scan each and usually the smallest.
    positive.sort((x, y) => (x.type === '=' ? 0 : 1) - (y.type === '=' ? 0 : 1));
    let ids: Map<string, Uint8Array> | undefined;
    for (const m of positive) {
      const found = await this.postings(b, m);
      if (ids === undefined) ids = found;
      else for (const k of ids.keys()) if (!found.has(k)) ids.delete(k);
      if (ids.size === 0) return [];
    }
    const out: IndexedSeries[] = [];
    const missing: [string, Uint8Array][] = [];
    const cache = this.labelsCache;
    for (const [sidKey, sid] of ids!) {
      const labels = cache?.get(this.tenant, sidKey);
      if (labels === undefined) missing.push([sidKey, sid]);
      // Verifies the postings (and handles matchers that also match absent labels).
      else if (matchesAll(matchers, labels)) out.push({ sid, sidKey, labels });
    }
    if (missing.length === 0) return out;
    const rows = await this.kv.getMany(
      missing.map(([, sid]) => this.schema.seriesKey(this.tenant, b, sid)),
      this.opts,
    );
    rows.forEach((row, i) => {
      if (row === undefined) return;
      const [sidKey, sid] = missing[i]!;
      const decoded = decodeLabels(row);
      const labels = cache === undefined ? decoded : cache.set(this.tenant, sidKey, decoded);
      if (matchesAll(matchers, labels)) out.push({ sid, sidKey, labels });
    });
    return out;
  }

  private async postings(b: number, m: Matcher): Promise<Map<string, Uint8Array>> {
    const ranges: KeyRange[] = [];
    if (m.type === '=') {
      ranges.push({ prefix: this.schema.postingPrefix(this.tenant, b, m.name, m.value) });
    } else {
      for (const v of await this.labelValues(b, m.name)) {
        if (m.matches(v)) ranges.push({ prefix: this.schema.postingPrefix(this.tenant, b, m.name, v) });
      }
    }
    const out = new Map<string, Uint8Array>();
    if (ranges.length === 0) return out;
    for (const e of await this.kv.scanMany(ranges, { ...this.opts, keysOnly: true })) {
      const sid = this.schema.postingSid(e.key);
      out.set(latin1String(sid), sid);
    }
    return out;
  }

  /** Label names that occur in bucket `b`, sorted. */
  async labelNames(b: number): Promise<string[]> {
    const rows = await this.kv.scan(
      { prefix: this.schema.typePrefix(this.tenant, b, RowType.LabelName) },
      { ...this.opts, keysOnly: true },
    );
    return rows.map((e) => this.schema.parseLabelName(this.tenant, e.key));
  }

  /** Values of label `name` in bucket `b`, sorted by bytes. */
  async labelValues(b: number, name: string): Promise<string[]> {
    const rows = await this.kv.scan(
      { prefix: this.schema.labelValuePrefix(this.tenant, b, name) },
      { ...this.opts, keysOnly: true },
    );
    return rows.map((e) => this.schema.parseLabelValue(this.tenant, e.key).value);
  }

  async tombstones(b: number): Promise<Tombstone[]> {
    const rows = await this.kv.scan({ prefix: this.schema.typePrefix(this.tenant, b, RowType.Tombstone) }, this.opts);
    return rows.map((e) => decodeTombstone(e.value));
  }

  /**
   * Chunk rows of `sids` in bucket `b` that overlap `[mint, maxt]`, in one multi-range read. Keys
   * are ordered by maxt within a series, so each range starts at the first chunk ending at or after
   * `mint`; chunks starting after `maxt` are dropped here. `keysOnly` skips the chunk bytes.
   */
  async chunks(
    b: number,
    sids: readonly Uint8Array[],
    mint: number,
    maxt: number,
    keysOnly = false,
  ): Promise<ChunkRow[]> {
    const out: ChunkRow[] = [];
    await this.visitChunks(b, sids, mint, maxt, keysOnly, (key, value) => {
      const parts = this.schema.parseChunkKey(this.tenant, key);
      out.push({ parts, key, data: keysOnly ? undefined : decodeChunkValue(value) });
    });
    return out;
  }

  /**
   * `chunks` without an object per row, for queries: `visit` gets each row's key, value and key
   * fields (one record, overwritten for the next row), in key order.
   */
  async visitChunks(
    b: number,
    sids: readonly Uint8Array[],
    mint: number,
    maxt: number,
    keysOnly: boolean,
    visit: (key: Uint8Array, value: Uint8Array, f: ChunkKeyFields) => void,
  ): Promise<void> {
    if (sids.length === 0) return;
    const ranges = this.schema.chunkScanRanges(this.tenant, b, sids, mint);
    const f: ChunkKeyFields = { bucket: 0, sidAt: 0, mint: 0, maxt: 0, crc: 0 };
    for (const e of await this.kv.scanMany(ranges, { ...this.opts, keysOnly })) {
      this.schema.readChunkKey(this.tenant, e.key, f);
      if (f.mint > maxt || f.maxt < mint) continue;
      visit(e.key, e.value, f);
    }
  }
}

/** Chunk row value: kind byte, then (data rows) encoding byte and the chunk bytes. */
export function decodeChunkValue(v: Uint8Array): ChunkRow['data'] {
  if (v[0] !== ChunkRowKind.Data || v.length < 2) return undefined;
  return { encoding: v[1]!, bytes: v.subarray(2) };
}
