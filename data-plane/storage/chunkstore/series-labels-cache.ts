import { Labels, SymbolTable, type TenantId } from '../../model/index.js';

/**
 * Labels of stored series by tenant and series ID, shared by every query of the store. A series ID
 * is a hash of the labels, so a series row never changes: an entry is never stale, only evicted.
 * Without it each query reads and decodes the series row of every matching series (a multi-get per
 * bucket, a dozen strings per series), which was a third of a store select and most of its garbage.
 *
 * Bounded by entries; the oldest inserted go first (a hit does not reorder: dashboards ask for the
 * same series again and again, and the cheap hit matters more than a perfect LRU).
 */
export class SeriesLabelsCache {
  private readonly map = new Map<string, Labels>();
  /**
   * One string object per distinct name or value across the cached series (as the head's symbol
   * table): less memory, and sorting or matching a query's series compares equal strings by
   * identity instead of char by char. Emptied when it outgrows the cache's bound.
   */
  private readonly symbols = new SymbolTable();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.map.size;
  }

  /** `sid` is the series ID as a latin1 string (one char per byte). */
  get(tenant: TenantId, sid: string): Labels | undefined {
    return this.map.get(key(tenant, sid));
  }

  /** Keeps `labels` (its strings interned); returns what a caller should use from now on. */
  set(tenant: TenantId, sid: string, labels: Labels): Labels {
    if (this.maxEntries <= 0) return labels;
    const k = key(tenant, sid);
    const had = this.map.get(k);
    if (had !== undefined) return had;
    if (this.map.size >= this.maxEntries) this.evict(Math.max(1, this.maxEntries >> 4));
    if (this.symbols.size > 4 * this.maxEntries) this.symbols.clear();
    const interned = Labels.fromSortedFlat(labels.flat.map((x) => this.symbols.intern(x)));
    this.map.set(k, interned);
    return interned;
  }

  /** Drops a tenant's entries (the tenant was deleted: they would only hold memory). */
  forgetTenant(tenant: TenantId): void {
    const prefix = `${tenant}\0`;
    for (const k of this.map.keys()) if (k.startsWith(prefix)) this.map.delete(k);
  }

  private evict(n: number): void {
    for (const k of this.map.keys()) {
      this.map.delete(k);
      if (--n === 0) return;
    }
  }
}

function key(tenant: TenantId, sid: string): string {
  return `${tenant}\0${sid}`;
}
