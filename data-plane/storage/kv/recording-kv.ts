import type { CallOptions } from '../interface.js';
import { toBounds } from './keys.js';
import type { KeyRange, KVEntry, ScanOptions, SortedKV } from './sorted-kv.js';

/** One access through a RecordingKV: what was asked for and which keys came back or were touched. */
export interface KVAccess {
  op: 'put' | 'get' | 'scan' | 'delete' | 'checkAndPut';
  /** Ranges asked for, with prefixes folded into plain bounds (scan and delete). */
  ranges: { start: Uint8Array | undefined; end: Uint8Array | undefined }[];
  /** Keys written, read by key, returned by a scan, or deleted by key. */
  keys: Uint8Array[];
}

/**
 * A SortedKV wrapper that records every access and passes it on unchanged. Tests use it to prove
 * that a tenant's query never asks for, nor receives, another tenant's rows; it can also feed
 * debugging and access metrics.
 */
export class RecordingKV implements SortedKV {
  readonly accesses: KVAccess[] = [];

  constructor(private readonly inner: SortedKV) {}

  /** Forgets what was recorded so far. */
  reset(): void {
    this.accesses.length = 0;
  }

  private rec(op: KVAccess['op'], ranges: readonly KeyRange[], keys: readonly Uint8Array[]): void {
    this.accesses.push({
      op,
      ranges: ranges.map((r) => {
        const b = toBounds(r);
        return { start: b.start, end: b.end };
      }),
      keys: [...keys],
    });
  }

  async put(entries: readonly KVEntry[], opts?: CallOptions): Promise<void> {
    this.rec(
      'put',
      [],
      entries.map((e) => e.key),
    );
    await this.inner.put(entries, opts);
  }

  async get(key: Uint8Array, opts?: CallOptions): Promise<Uint8Array | undefined> {
    this.rec('get', [], [key]);
    return this.inner.get(key, opts);
  }

  async getMany(keys: readonly Uint8Array[], opts?: CallOptions): Promise<(Uint8Array | undefined)[]> {
    this.rec('get', [], keys);
    return this.inner.getMany(keys, opts);
  }

  async scan(range: KeyRange, opts?: ScanOptions): Promise<KVEntry[]> {
    const out = await this.inner.scan(range, opts);
    this.rec(
      'scan',
      [range],
      out.map((e) => e.key),
    );
    return out;
  }

  async scanMany(ranges: readonly KeyRange[], opts?: ScanOptions): Promise<KVEntry[]> {
    const out = await this.inner.scanMany(ranges, opts);
    this.rec(
      'scan',
      ranges,
      out.map((e) => e.key),
    );
    return out;
  }

  async deleteKeys(keys: readonly Uint8Array[], opts?: CallOptions): Promise<void> {
    this.rec('delete', [], keys);
    await this.inner.deleteKeys(keys, opts);
  }

  async deleteRange(range: KeyRange, opts?: CallOptions): Promise<void> {
    this.rec('delete', [range], []);
    await this.inner.deleteRange(range, opts);
  }

  async checkAndPut(
    key: Uint8Array,
    expected: Uint8Array | undefined,
    value: Uint8Array,
    opts?: CallOptions,
  ): Promise<boolean> {
    this.rec('checkAndPut', [], [key]);
    return this.inner.checkAndPut(key, expected, value, opts);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
