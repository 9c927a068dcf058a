import type { TenantId } from '../../model/index.js';
import type { CallOptions } from '../interface.js';
import type { SortedKV } from '../kv/index.js';
import type { Schema } from './schema.js';

const NAME = 'flushed-through';

interface Mark {
  /** The mark as this process first read it: what earlier writers flushed. */
  readonly before: number | undefined;
  stored: Uint8Array | undefined;
  value: number;
}

function decode(v: Uint8Array | undefined): number | undefined {
  if (v === undefined || v.length !== 8) return undefined;
  return new DataView(v.buffer, v.byteOffset, 8).getFloat64(0);
}

function encode(t: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, t);
  return out;
}

/**
 * Per tenant, the newest sample time of any chunk ever put, raised before the chunks are written
 * (a crash between the two leaves it too high, never too low) and never lowered, whichever process
 * writes. What it said when this process first read it tells an ingester which of the tenant's
 * history may be in the store only: nothing newer than that came from anyone but itself.
 */
export class FlushedThroughMarks {
  private readonly marks = new Map<TenantId, Promise<Mark>>();
  private readonly writes = new Map<TenantId, Promise<void>>();

  constructor(
    private readonly kv: SortedKV,
    private readonly schema: Schema,
  ) {}

  private load(t: TenantId, opts?: CallOptions): Promise<Mark> {
    let m = this.marks.get(t);
    if (m === undefined) {
      const loading = this.kv.get(this.schema.metaKey(t, NAME), opts).then((stored): Mark => {
        const before = decode(stored);
        return { before, stored, value: before ?? Number.NEGATIVE_INFINITY };
      });
      // A failed read is not remembered: the next call reads again.
      loading.catch(() => {
        if (this.marks.get(t) === loading) this.marks.delete(t);
      });
      this.marks.set(t, loading);
      m = loading;
    }
    return m;
  }

  async before(t: TenantId, opts?: CallOptions): Promise<number | undefined> {
    return (await this.load(t, opts)).before;
  }

  /** Raises the tenant's mark to `maxt` unless it is already there (one write at a time per tenant). */
  advance(t: TenantId, maxt: number, opts?: CallOptions): Promise<void> {
    const key = this.schema.metaKey(t, NAME);
    const prev = this.writes.get(t) ?? Promise.resolve();
    const next = prev
      .catch(() => {})
      .then(async () => {
        const m = await this.load(t, opts);
        while (maxt > m.value) {
          const bytes = encode(maxt);
          if (await this.kv.checkAndPut(key, m.stored, bytes, opts)) {
            m.stored = bytes;
            m.value = maxt;
            return;
          }
          // Another writer moved it: take theirs and compare again.
          m.stored = await this.kv.get(key, opts);
          m.value = decode(m.stored) ?? Number.NEGATIVE_INFINITY;
        }
      });
    this.writes.set(t, next);
    return next;
  }

  forget(t: TenantId): void {
    this.marks.delete(t);
    this.writes.delete(t);
  }
}
