import { type FloatHistogram, Labels, type Matcher } from '../model/index.js';
import {
  type CallOptions,
  type EncodedChunk,
  type Querier,
  type Queryable,
  type SelectHints,
  type Series,
  type SeriesIterator,
  ValueType,
} from './interface.js';
import { readMergedFloats } from './merged-floats.js';

/**
 * Queries several sources as one (Prometheus's fanout/merge querier): series with equal labels are
 * merged into one, and samples at the same timestamp are de-duplicated (the first source wins). This
 * is how the querier joins ingesters (recent data) with the chunk store (history), and replicas.
 */
export class MergeQueryable implements Queryable {
  constructor(private readonly sources: readonly Queryable[]) {}

  querier(mint: number, maxt: number): Querier {
    if (this.sources.length === 1) return this.sources[0]!.querier(mint, maxt);
    return new MergeQuerier(this.sources.map((s) => s.querier(mint, maxt)));
  }
}

class MergeQuerier implements Querier {
  constructor(private readonly queriers: readonly Querier[]) {}

  async select(
    sorted: boolean,
    hints: SelectHints | undefined,
    matchers: readonly Matcher[],
    opts?: CallOptions,
  ): Promise<Series[]> {
    return mergeSeriesSets(await Promise.all(this.queriers.map((q) => q.select(true, hints, matchers, opts))), sorted);
  }

  async labelValues(
    name: string,
    matchers: readonly Matcher[],
    opts?: CallOptions & { limit?: number },
  ): Promise<string[]> {
    const lists = await Promise.all(this.queriers.map((q) => q.labelValues(name, matchers, opts)));
    return sortedUnion(lists, opts?.limit);
  }

  async labelNames(matchers: readonly Matcher[], opts?: CallOptions & { limit?: number }): Promise<string[]> {
    const lists = await Promise.all(this.queriers.map((q) => q.labelNames(matchers, opts)));
    return sortedUnion(lists, opts?.limit);
  }

  close(): void {
    for (const q of this.queriers) q.close();
  }
}

/** The sorted, de-duplicated union of string lists, cut to `limit` when it is positive. */
export function sortedUnion(lists: readonly (readonly string[])[], limit?: number): string[] {
  const out = [...new Set(lists.flat())].sort();
  return limit !== undefined && limit > 0 && out.length > limit ? out.slice(0, limit) : out;
}

/**
 * Series from several sources (or replicas) as one set: equal labels merged (`mergeSeries`), sorted by
 * labels when `sorted`. A single non-empty set is returned as it is.
 */
export function mergeSeriesSets(sets: readonly Series[][], sorted: boolean): Series[] {
  // Usually all but one source is empty for the range (the store before the head's data, the head
  // after a restart): that one is the answer, without keying every series to look for equals.
  const nonEmpty = sets.filter((set) => set.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? [];
  const byKey = new Map<string, Series[]>();
  for (const set of sets) {
    for (const s of set) {
      const k = s.labels.key();
      const list = byKey.get(k);
      if (list) list.push(s);
      else byKey.set(k, [s]);
    }
  }
  const out: Series[] = [];
  for (const list of byKey.values()) out.push(list.length === 1 ? list[0]! : mergeSeries(list));
  if (sorted) out.sort((a, b) => Labels.compare(a.labels, b.labels));
  return out;
}

/**
 * One series from several with equal labels; iterates the union of their samples in time order. Its
 * encoded chunks are all of theirs, when each can give them (the reader merges overlaps), and it
 * reads floats into arrays when each can (readMergedFloats).
 */
export function mergeSeries(list: readonly Series[]): Series {
  return {
    labels: list[0]!.labels,
    iterator: () => new MergeIterator(list.map((s) => s.iterator())),
    ...(list.every((s) => s.readFloats)
      ? { readFloats: (mint, maxt, dropStale, sink) => readMergedFloats(list, mint, maxt, dropStale, sink) }
      : {}),
    encodedChunks: () => {
      const out: EncodedChunk[] = [];
      for (const s of list) {
        const chunks = s.encodedChunks?.();
        if (chunks === undefined) return undefined;
        for (const c of chunks) out.push(c);
      }
      return out;
    },
  };
}

/** K-way merge by timestamp; on equal timestamps the earliest iterator in the list wins. */
class MergeIterator implements SeriesIterator {
  private readonly its: SeriesIterator[];
  /** What each iterator is positioned on (None = exhausted or not started). */
  private readonly cur: ValueType[];
  private started = false;
  private current = -1;

  constructor(its: SeriesIterator[]) {
    this.its = its;
    this.cur = its.map(() => ValueType.None);
  }

  next(): ValueType {
    if (!this.started) {
      this.started = true;
      for (let i = 0; i < this.its.length; i++) this.cur[i] = this.its[i]!.next();
    } else if (this.current >= 0) {
      const t = this.its[this.current]!.atT();
      // Advance every iterator sitting on the timestamp just returned (duplicates across sources).
      for (let i = 0; i < this.its.length; i++) {
        if (this.cur[i] !== ValueType.None && this.its[i]!.atT() === t) this.cur[i] = this.its[i]!.next();
      }
    }
    return this.pick();
  }

  seek(t: number): ValueType {
    if (!this.started) {
      this.started = true;
      for (let i = 0; i < this.its.length; i++) this.cur[i] = this.its[i]!.seek(t);
      return this.pick();
    }
    if (this.current >= 0 && this.its[this.current]!.atT() >= t) return this.cur[this.current]!;
    for (let i = 0; i < this.its.length; i++) {
      if (this.cur[i] !== ValueType.None && this.its[i]!.atT() < t) this.cur[i] = this.its[i]!.seek(t);
    }
    return this.pick();
  }

  private pick(): ValueType {
    let best = -1;
    let bestT = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.its.length; i++) {
      if (this.cur[i] === ValueType.None) continue;
      const t = this.its[i]!.atT();
      if (t < bestT) {
        bestT = t;
        best = i;
      }
    }
    this.current = best;
    return best < 0 ? ValueType.None : this.cur[best]!;
  }

  atT(): number {
    return this.its[this.current]!.atT();
  }
  atV(): number {
    return this.its[this.current]!.atV();
  }
  atHistogram(): FloatHistogram {
    return this.its[this.current]!.atHistogram();
  }

  atST(): number {
    return this.its[this.current]!.atST?.() ?? 0;
  }
}
