/**
 * Row-key layouts of the chunk store (docs/storage.md explains the choices). Every key starts with
 * the tenant and its time bucket:
 *
 *   tenant 0x00 | u32be(bucket + 2^31) | type | …
 *
 * Tenant IDs are `[A-Za-z0-9_-]+`, so the 0x00 after them makes `acme` and `acme2` disjoint
 * prefixes: one tenant's keys never interleave with another's. The bucket (default one day) comes
 * next so retention drops whole buckets with one prefix delete, and a query touches only the
 * buckets it overlaps. Types, in key order within a bucket:
 *
 *   'c' sid(8) u32be(maxt − bucketStart) uvarint(maxt − mint) u32be(crc32(data))  → kind, encoding, data
 *   'l' esc(name)                                                                   → ''  (label names)
 *   'p' esc(name) esc(value) sid(8)                                                 → ''  (postings)
 *   's' sid(8)                                                                      → labels
 *   't' id(8)                                                                       → tombstone
 *   'v' esc(name) esc(value)                                                        → ''  (label values)
 *
 * Past the last storable bucket, `tenant 0x00 FF FF FF FF 'm' name` holds the tenant's metadata rows
 * (e.g. `flushed-through`): inside the tenant's prefix, so a tenant purge removes them, and outside
 * every bucket, so no query, retention run or bucket discovery meets them.
 */
import { createHash } from 'node:crypto';
import { BadDataError, type Labels, type TenantId } from '../../model/index.js';
import { ByteBuilder, ByteReader, encodeLabels, utf8Bytes } from './codec.js';

export const RowType = {
  Chunk: 0x63,
  LabelName: 0x6c,
  Posting: 0x70,
  Series: 0x73,
  Tombstone: 0x74,
  LabelValue: 0x76,
} as const;
export type RowType = (typeof RowType)[keyof typeof RowType];

export const SERIES_ID_BYTES = 8;
const BUCKET_BIAS = 2 ** 31;
/** Chunk spans are stored as maxt offsets in a u32; capping the span keeps the offset in range. */
export const MAX_CHUNK_SPAN_MS = 2 ** 31 - 1;

/** Buckets are stored as a biased u32; data outside this range is rejected (2^31 days ≈ 5.9M years). */
export const MIN_BUCKET = -(2 ** 31);
export const MAX_BUCKET = 2 ** 31 - 2;

/** Chunk row value: a data row holds the bytes, a ref row (in later buckets) points back to it. */
export const ChunkRowKind = { Data: 0, Ref: 1 } as const;

/** A chunk key taken apart. `mint`/`maxt` are inclusive ms. */
export interface ChunkKeyParts {
  bucket: number;
  sid: Uint8Array;
  mint: number;
  maxt: number;
  crc: number;
}

/**
 * Deterministic 64-bit series ID: the first 8 bytes of SHA-256 over the length-prefixed label
 * encoding (so no choice of label values can make two sets hash the same input).
 */
export function seriesId(ls: Labels): Uint8Array {
  const h = createHash('sha256').update(encodeLabels(ls));
  return new Uint8Array(h.digest().subarray(0, SERIES_ID_BYTES));
}

/** A chunk key's fields, the series ID left in place (`Schema.readChunkKey`). */
export interface ChunkKeyFields {
  bucket: number;
  /** Offset of the series ID in the key. */
  sidAt: number;
  mint: number;
  maxt: number;
  crc: number;
}

/** The first key after every key starting with `k` (in place, or a shorter view); undefined for all 0xff. */
function incremented(k: Uint8Array): Uint8Array | undefined {
  let n = k.length;
  while (n > 0 && k[n - 1] === 0xff) n--;
  if (n === 0) return undefined;
  k[n - 1]!++;
  return n === k.length ? k : k.subarray(0, n);
}

/** Key builders and parsers for one bucket width. */
export class Schema {
  constructor(readonly bucketMs: number) {
    if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0 || bucketMs > 2 ** 31) {
      throw new BadDataError(`chunk store bucket width must be 1 ms to 2^31 ms, got ${bucketMs}`);
    }
  }

  /** The bucket of `t`, clamped to the storable range (queries may ask for any time). */
  bucketOf(t: number): number {
    return Math.min(MAX_BUCKET, Math.max(MIN_BUCKET, Math.floor(t / this.bucketMs)));
  }

  /** Whether `t` lies in a bucket the key layout can hold (checked on write). */
  storable(t: number): boolean {
    const b = Math.floor(t / this.bucketMs);
    return b >= MIN_BUCKET && b <= MAX_BUCKET;
  }

  bucketStart(b: number): number {
    return b * this.bucketMs;
  }

  tenantPrefix(t: TenantId): Uint8Array {
    return new ByteBuilder(t.length + 1).bytes(utf8Bytes(t)).byte(0).finish();
  }

  /** `tenant 0x00 bucket type` prefixes by tenant, bucket and type: a query builds thousands of keys under one. */
  private readonly prefixes = new Map<string, Uint8Array>();

  private prefix(t: TenantId, b: number, type: RowType): Uint8Array {
    const k = `${type} ${b} ${t}`;
    let p = this.prefixes.get(k);
    if (p === undefined) {
      if (this.prefixes.size >= 4096) this.prefixes.clear();
      p = this.base(t, b, type).finish();
      this.prefixes.set(k, p);
    }
    return p;
  }

  /** A fresh key: the type prefix, the series ID, then `extra` bytes left for the caller. */
  private sidKey(t: TenantId, b: number, type: RowType, sid: Uint8Array, extra: number): Uint8Array {
    const p = this.prefix(t, b, type);
    const out = new Uint8Array(p.length + sid.length + extra);
    out.set(p);
    out.set(sid, p.length);
    return out;
  }

  private base(t: TenantId, b: number, type?: RowType): ByteBuilder {
    const bb = new ByteBuilder(t.length + 48)
      .bytes(utf8Bytes(t))
      .byte(0)
      .u32(b + BUCKET_BIAS);
    return type === undefined ? bb : bb.byte(type);
  }

  /** The key of the tenant's metadata row `name` (see the layout above). */
  metaKey(t: TenantId, name: string): Uint8Array {
    return new ByteBuilder(t.length + name.length + 8)
      .bytes(utf8Bytes(t))
      .byte(0)
      .u32(0xffff_ffff)
      .byte(0x6d)
      .bytes(utf8Bytes(name))
      .finish();
  }

  bucketPrefix(t: TenantId, b: number): Uint8Array {
    return this.base(t, b).finish();
  }

  typePrefix(t: TenantId, b: number, type: RowType): Uint8Array {
    return this.base(t, b, type).finish();
  }

  /** The bucket of any key of tenant `t` (the u32 after the tenant prefix). */
  bucketOfKey(t: TenantId, key: Uint8Array): number {
    return new ByteReader(key, t.length + 1).u32() - BUCKET_BIAS;
  }

  chunkKey(t: TenantId, b: number, sid: Uint8Array, mint: number, maxt: number, crc: number): Uint8Array {
    return this.base(t, b, RowType.Chunk)
      .bytes(sid)
      .u32(maxt - this.bucketStart(b))
      .uvarint(maxt - mint)
      .u32(crc)
      .finish();
  }

  chunkSeriesPrefix(t: TenantId, b: number, sid: Uint8Array): Uint8Array {
    return this.sidKey(t, b, RowType.Chunk, sid, 0);
  }

  parseChunkKey(t: TenantId, key: Uint8Array): ChunkKeyParts {
    const f = this.readChunkKey(t, key, { bucket: 0, sidAt: 0, mint: 0, maxt: 0, crc: 0 });
    return {
      bucket: f.bucket,
      sid: key.subarray(f.sidAt, f.sidAt + SERIES_ID_BYTES),
      mint: f.mint,
      maxt: f.maxt,
      crc: f.crc,
    };
  }

  /**
   * The fields of a chunk key, written into `into` (a query reads thousands of keys: one record
   * reused, and the series ID left in the key at `sidAt`).
   */
  readChunkKey(t: TenantId, key: Uint8Array, into: ChunkKeyFields): ChunkKeyFields {
    const r = new ByteReader(key, t.length + 1);
    into.bucket = r.u32() - BUCKET_BIAS;
    r.byte();
    into.sidAt = r.pos;
    r.pos += SERIES_ID_BYTES;
    into.maxt = this.bucketStart(into.bucket) + r.u32();
    into.mint = into.maxt - r.uvarint();
    into.crc = r.u32();
    return into;
  }

  /**
   * The scan range of each series' chunks in bucket `b` that may end at or after `mint`: from the
   * series' chunk prefix followed by `mint`'s offset in the bucket (keys order chunks by maxt), to
   * the first key after that prefix. Every key is a view of one buffer.
   */
  chunkScanRanges(
    t: TenantId,
    b: number,
    sids: readonly Uint8Array[],
    mint: number,
  ): { start: Uint8Array; end: Uint8Array | undefined }[] {
    const p = this.prefix(t, b, RowType.Chunk);
    const off = Math.min(Math.max(0, mint - this.bucketStart(b)), 0xffffffff);
    const startLen = p.length + SERIES_ID_BYTES + 4;
    const endLen = p.length + SERIES_ID_BYTES;
    const buf = new Uint8Array(sids.length * (startLen + endLen));
    const out: { start: Uint8Array; end: Uint8Array | undefined }[] = new Array(sids.length);
    let at = 0;
    for (let i = 0; i < sids.length; i++) {
      const sid = sids[i]!;
      if (sid.length !== SERIES_ID_BYTES) throw new RangeError(`series ID of ${sid.length} bytes`);
      const start = buf.subarray(at, at + startLen);
      start.set(p);
      start.set(sid, p.length);
      const o = p.length + SERIES_ID_BYTES;
      start[o] = (off >>> 24) & 0xff;
      start[o + 1] = (off >>> 16) & 0xff;
      start[o + 2] = (off >>> 8) & 0xff;
      start[o + 3] = off & 0xff;
      at += startLen;
      const end = buf.subarray(at, at + endLen);
      end.set(start.subarray(0, endLen));
      at += endLen;
      out[i] = { start, end: incremented(end) };
    }
    return out;
  }

  seriesKey(t: TenantId, b: number, sid: Uint8Array): Uint8Array {
    return this.sidKey(t, b, RowType.Series, sid, 0);
  }

  postingPrefix(t: TenantId, b: number, name: string, value?: string): Uint8Array {
    const bb = this.base(t, b, RowType.Posting).escaped(name);
    return (value === undefined ? bb : bb.escaped(value)).finish();
  }

  postingKey(t: TenantId, b: number, name: string, value: string, sid: Uint8Array): Uint8Array {
    return this.base(t, b, RowType.Posting).escaped(name).escaped(value).bytes(sid).finish();
  }

  /** The series ID at the end of a posting key. */
  postingSid(key: Uint8Array): Uint8Array {
    return key.subarray(key.length - SERIES_ID_BYTES);
  }

  labelNameKey(t: TenantId, b: number, name: string): Uint8Array {
    return this.base(t, b, RowType.LabelName).escaped(name).finish();
  }

  parseLabelName(t: TenantId, key: Uint8Array): string {
    return new ByteReader(key, t.length + 6).escaped();
  }

  labelValueKey(t: TenantId, b: number, name: string, value: string): Uint8Array {
    return this.base(t, b, RowType.LabelValue).escaped(name).escaped(value).finish();
  }

  labelValuePrefix(t: TenantId, b: number, name: string): Uint8Array {
    return this.base(t, b, RowType.LabelValue).escaped(name).finish();
  }

  parseLabelValue(t: TenantId, key: Uint8Array): { name: string; value: string } {
    const r = new ByteReader(key, t.length + 6);
    const name = r.escaped();
    return { name, value: r.escaped() };
  }

  tombstoneKey(t: TenantId, b: number, id: Uint8Array): Uint8Array {
    return this.base(t, b, RowType.Tombstone).bytes(id).finish();
  }
}
