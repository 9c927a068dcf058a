import type { TenantId } from '../../model/index.js';
import type { CallOptions } from '../interface.js';
import { type SortedKV, throwIfAborted } from '../kv/index.js';
import { toHex } from './codec.js';
import { type IndexedSeries, IndexReader } from './index-reader.js';
import { RowType, type Schema } from './schema.js';
import { decodeTombstone } from './tombstone.js';

export interface PurgeStats {
  /** Chunk rows (data and refs) removed. */
  chunksDeleted: number;
  /** Series whose last chunk in a bucket went, with their series and posting rows. */
  seriesDeleted: number;
  /** Tombstones fully applied and removed. */
  tombstonesRemoved: number;
  /** Tombstones kept because they still cover part of a chunk. */
  tombstonesKept: number;
}

export interface PurgeTarget {
  kv: SortedKV;
  schema: Schema;
  tenantId: TenantId;
  bucket: number;
}

/**
 * Applies one bucket's tombstones physically. Chunk rows wholly inside a deleted interval are
 * removed; a series left without chunk rows in the bucket loses its series and posting rows (its
 * label-name/value rows may outlive it until retention drops the bucket). A tombstone that still
 * covers part of a kept chunk stays, so queries keep hiding those samples.
 */
export async function purgeBucket(t: PurgeTarget, opts?: CallOptions): Promise<PurgeStats> {
  const { kv, schema, tenantId, bucket: b } = t;
  const stats: PurgeStats = { chunksDeleted: 0, seriesDeleted: 0, tombstonesRemoved: 0, tombstonesKept: 0 };
  const rows = await kv.scan({ prefix: schema.typePrefix(tenantId, b, RowType.Tombstone) }, opts);
  if (rows.length === 0) return stats;
  const reader = new IndexReader(kv, schema, tenantId, opts);
  const doomed = new Map<string, Uint8Array>();
  const touched = new Map<string, IndexedSeries>();
  const partials: { key: Uint8Array; chunks: string[] }[] = [];
  for (const row of rows) {
    throwIfAborted(opts);
    const tomb = decodeTombstone(row.value);
    const series = await reader.series(b, tomb.matchers);
    const chunks = await reader.chunks(
      b,
      series.map((s) => s.sid),
      tomb.mint,
      tomb.maxt,
      true,
    );
    const partly: string[] = [];
    for (const c of chunks) {
      if (c.parts.mint >= tomb.mint && c.parts.maxt <= tomb.maxt) doomed.set(toHex(c.key), c.key);
      else partly.push(toHex(c.key));
    }
    for (const s of series) touched.set(s.sidKey, s);
    partials.push({ key: row.key, chunks: partly });
  }
  // A tombstone is done when every chunk it only partly covers is going anyway (another tombstone
  // covers it wholly); otherwise it must keep hiding samples.
  const doneTombstones: Uint8Array[] = [];
  for (const p of partials) {
    if (p.chunks.every((c) => doomed.has(c))) doneTombstones.push(p.key);
    else stats.tombstonesKept++;
  }
  await kv.deleteKeys([...doomed.values()], opts);
  stats.chunksDeleted = doomed.size;
  const indexRows: Uint8Array[] = [];
  for (const s of touched.values()) {
    const left = await kv.scan(
      { prefix: schema.chunkSeriesPrefix(tenantId, b, s.sid) },
      { ...opts, limit: 1, keysOnly: true },
    );
    if (left.length > 0) continue;
    stats.seriesDeleted++;
    indexRows.push(schema.seriesKey(tenantId, b, s.sid));
    s.labels.forEach((n, v) => {
      indexRows.push(schema.postingKey(tenantId, b, n, v, s.sid));
    });
  }
  // Index rows go before the tombstones: a crash in between leaves a tombstone to redo the work.
  await kv.deleteKeys(indexRows, opts);
  await kv.deleteKeys(doneTombstones, opts);
  stats.tombstonesRemoved = doneTombstones.length;
  return stats;
}
