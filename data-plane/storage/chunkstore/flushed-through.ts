import type { TenantId } from '../../model/index.js';
import type { CallOptions } from '../interface.js';
import { bytesEqual, type SortedKV } from '../kv/index.js';
import type { Schema } from './schema.js';

const NAME = 'flushed-through';
/**
 * The mark is raised this far past the chunks being written, so a tenant flushing every minute
 * rewrites it about every quarter of an hour instead of on every put. It only ever over-states what
 * was flushed, which makes a restarted ingester read the store a little longer than it must.
 */
const HEADROOM_MS = 15 * 60_000;

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
 * Per tenant, at least the newest sample time of any chunk ever put, raised before the chunks are
 * written (a crash between the two leaves it too high, never too low) and never lowered, whichever
 * process writes. What it said when this process first read it tells an ingester which of the tenant's
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
      const loading = this.kv.get(this.schema.metaKey(t, NAME), opts).then(async (stored): Promise<Mark> => {
        let before = decode(stored);
        // Data without a mark was flushed by a version that kept none: its times are unknown, so
        // nothing can be assumed held elsewhere until a later process finds the mark this one writes.
        if (before === undefined && (await this.hasData(t, opts))) before = Number.POSITIVE_INFINITY;
        return { before, stored, value: decode(stored) ?? Number.NEGATIVE_INFINITY };
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

  /** Whether the tenant has any row besides its metadata (which sorts after every bucket). */
  private async hasData(t: TenantId, opts?: CallOptions): Promise<boolean> {
    const [first] = await this.kv.scan({ prefix: this.schema.tenantPrefix(t) }, { ...opts, limit: 1, keysOnly: true });
    return first !== undefined && !bytesEqual(first.key, this.schema.metaKey(t, NAME));
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
          const raised = maxt + HEADROOM_MS;
          const bytes = encode(raised);
          if (await this.kv.checkAndPut(key, m.stored, bytes, opts)) {
            m.stored = bytes;
            m.value = raised;
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
