import { type Exemplar, type Labels, type Matcher, matchesAll } from '../model/index.js';

interface Entry {
  series: Labels;
  /** The series' head ref, so checkpoints can refer to it. */
  ref: number;
  e: Exemplar;
}

/**
 * A tenant's exemplars in one ring buffer: when full, the oldest exemplar (of any series) is
 * overwritten, as in Prometheus's circular exemplar storage. The capacity follows the tenant's
 * `max_global_exemplars_per_user` on every append; 0 disables exemplars and frees the buffer.
 */
export class ExemplarStore {
  private ring: (Entry | undefined)[] = [];
  private next = 0;
  /** Newest exemplar per series key, to drop exact duplicates re-sent by retries. */
  private readonly last = new Map<Labels, Exemplar>();

  /** Adds an exemplar; returns false when disabled or a duplicate of the series' newest one. */
  add(series: Labels, ref: number, e: Exemplar, capacity: number): boolean {
    if (capacity <= 0) {
      if (this.ring.length > 0) this.resize(0);
      return false;
    }
    if (capacity !== this.ring.length) this.resize(capacity);
    const prev = this.last.get(series);
    if (prev && prev.t === e.t && Object.is(prev.v, e.v) && prev.labels.equals(e.labels)) return false;
    const old = this.ring[this.next];
    if (old && this.last.get(old.series) === old.e) this.last.delete(old.series);
    this.ring[this.next] = { series, ref, e };
    this.last.set(series, e);
    this.next = (this.next + 1) % capacity;
    return true;
  }

  private resize(capacity: number): void {
    // Keep the newest `capacity` entries in age order.
    const ordered: Entry[] = [];
    for (let i = 0; i < this.ring.length; i++) {
      const x = this.ring[(this.next + i) % this.ring.length];
      if (x) ordered.push(x);
    }
    const kept = ordered.slice(Math.max(0, ordered.length - capacity));
    this.ring = new Array(capacity);
    for (let i = 0; i < kept.length; i++) this.ring[i] = kept[i];
    this.next = capacity === 0 ? 0 : kept.length % capacity;
    this.last.clear();
    for (const x of kept) this.last.set(x.series, x.e);
  }

  /** Entries oldest first (for checkpoints). */
  *entries(): IterableIterator<{ ref: number; e: Exemplar }> {
    for (let i = 0; i < this.ring.length; i++) {
      const x = this.ring[(this.next + i) % this.ring.length];
      if (x) yield { ref: x.ref, e: x.e };
    }
  }

  size(): number {
    let n = 0;
    for (const x of this.ring) if (x) n++;
    return n;
  }

  /** Exemplars in `[start, end]` of series matching any matcher set, grouped by series, oldest first. */
  query(matcherSets: Matcher[][], start: number, end: number): { seriesLabels: Labels; exemplars: Exemplar[] }[] {
    const bySeries = new Map<Labels, Exemplar[]>();
    for (let i = 0; i < this.ring.length; i++) {
      const x = this.ring[(this.next + i) % this.ring.length];
      if (!x || x.e.t < start || x.e.t > end) continue;
      if (matcherSets.length > 0 && !matcherSets.some((ms) => matchesAll(ms, x.series))) continue;
      let list = bySeries.get(x.series);
      if (!list) bySeries.set(x.series, (list = []));
      list.push(x.e);
    }
    const out = [...bySeries].map(([seriesLabels, exemplars]) => ({
      seriesLabels,
      exemplars: exemplars.sort((a, b) => a.t - b.t),
    }));
    return out;
  }
}
