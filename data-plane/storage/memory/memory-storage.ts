import { BadDataError, type FloatHistogram, Labels, type Matcher, matchesAll } from '../../model/index.js';
import {
  type Appendable,
  type Appender,
  type CallOptions,
  type Querier,
  type Queryable,
  type SelectHints,
  type Series,
  type SeriesIterator,
  ValueType,
} from '../interface.js';

/**
 * One stored series: parallel, time-ordered arrays; `h[i]` set means a histogram sample; `st`
 * (start timestamps, 0 = unknown) exists once a sample came with one.
 */
interface MemSeries {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  h: (FloatHistogram | undefined)[] | undefined;
  st: Float64Array | undefined;
  n: number;
}

function grow(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(Math.max(16, n * 2));
  b.set(a);
  return b;
}

/**
 * A small in-memory Queryable + Appendable for the PromQL conformance runner, unit tests and
 * benchmarks. Appends must be in time order per series (as Prometheus's head requires).
 */
export class MemoryStorage implements Queryable, Appendable {
  private readonly series = new Map<string, MemSeries>();

  appender(): Appender {
    return new MemAppender(this);
  }

  querier(mint: number, maxt: number): Querier {
    return new MemQuerier(this, mint, maxt);
  }

  /** Number of stored series. */
  get seriesCount(): number {
    return this.series.size;
  }

  /** @internal */
  add(labels: Labels, t: number, v: number, h: FloatHistogram | undefined, st = 0): void {
    const key = labels.key();
    let s = this.series.get(key);
    if (!s) {
      s = { labels, t: new Float64Array(16), v: new Float64Array(16), h: undefined, st: undefined, n: 0 };
      this.series.set(key, s);
    }
    if (s.n > 0) {
      const last = s.t[s.n - 1]!;
      if (t < last) throw new BadDataError(`out of order sample for series ${labels.toString()}`);
      if (t === last) throw new BadDataError(`duplicate sample for timestamp ${t} in series ${labels.toString()}`);
    }
    if (s.n === s.t.length) {
      s.t = grow(s.t, s.n);
      s.v = grow(s.v, s.n);
      if (s.st) s.st = grow(s.st, s.n);
    }
    if (st !== 0 && !s.st) s.st = new Float64Array(s.t.length);
    s.t[s.n] = t;
    s.v[s.n] = v;
    if (s.st) s.st[s.n] = st;
    if (h !== undefined) {
      if (!s.h) s.h = new Array(s.n);
      s.h[s.n] = h;
    } else if (s.h) s.h[s.n] = undefined;
    s.n++;
  }

  /** @internal */
  matching(matchers: readonly Matcher[]): MemSeries[] {
    const out: MemSeries[] = [];
    for (const s of this.series.values()) if (matchesAll(matchers, s.labels)) out.push(s);
    return out;
  }

  /** @internal */
  all(): IterableIterator<MemSeries> {
    return this.series.values();
  }
}

/** Buffers appends in parallel arrays (no object per sample) until commit. */
class MemAppender implements Appender {
  private labels: Labels[] = [];
  private ts: number[] = [];
  // a typed array: plain JS arrays canonicalize NaN and would lose staleness markers
  private vs: Float64Array = new Float64Array(64);
  private hs: (FloatHistogram | undefined)[] = [];
  private sts: number[] = [];

  constructor(private readonly store: MemoryStorage) {}

  private push(labels: Labels, t: number, v: number, h: FloatHistogram | undefined, st: number): void {
    const n = this.labels.length;
    if (n === this.vs.length) this.vs = grow(this.vs, n);
    this.vs[n] = v;
    this.labels.push(labels);
    this.ts.push(t);
    this.hs.push(h);
    this.sts.push(st);
  }

  append(labels: Labels, t: number, v: number, st = 0): void {
    this.push(labels, t, v, undefined, st);
  }

  appendHistogram(labels: Labels, t: number, h: FloatHistogram, st = 0): void {
    this.push(labels, t, 0, h, st);
  }

  async commit(): Promise<void> {
    const { labels, ts, vs, hs, sts } = this;
    this.rollback();
    for (let i = 0; i < labels.length; i++) this.store.add(labels[i]!, ts[i]!, vs[i]!, hs[i], sts[i]);
  }

  rollback(): void {
    this.labels = [];
    this.ts = [];
    this.vs = new Float64Array(64);
    this.hs = [];
    this.sts = [];
  }
}

class MemQuerier implements Querier {
  constructor(
    private readonly store: MemoryStorage,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  async select(
    sorted: boolean,
    hints: SelectHints | undefined,
    matchers: readonly Matcher[],
    opts?: CallOptions,
  ): Promise<Series[]> {
    if (opts?.signal?.aborted) throw new BadDataError('select canceled');
    const mint = Math.max(this.mint, hints?.start ?? this.mint);
    const maxt = Math.min(this.maxt, hints?.end ?? this.maxt);
    const found = this.store.matching(matchers);
    if (sorted) found.sort((a, b) => Labels.compare(a.labels, b.labels));
    return found.map((s) => ({ labels: s.labels, iterator: () => new MemIterator(s, mint, maxt) }));
  }

  async labelValues(
    name: string,
    matchers: readonly Matcher[],
    opts?: CallOptions & { limit?: number },
  ): Promise<string[]> {
    const set = new Set<string>();
    for (const s of matchers.length ? this.store.matching(matchers) : this.store.all()) {
      const v = s.labels.get(name);
      if (v !== '') set.add(v);
    }
    const out = [...set].sort();
    return opts?.limit ? out.slice(0, opts.limit) : out;
  }

  async labelNames(matchers: readonly Matcher[], opts?: CallOptions & { limit?: number }): Promise<string[]> {
    const set = new Set<string>();
    for (const s of matchers.length ? this.store.matching(matchers) : this.store.all())
      for (const n of s.labels.names()) set.add(n);
    const out = [...set].sort();
    return opts?.limit ? out.slice(0, opts.limit) : out;
  }

  close(): void {}
}

class MemIterator implements SeriesIterator {
  private i = -1;
  private readonly end: number;

  constructor(
    private readonly s: MemSeries,
    private readonly mint: number,
    maxt: number,
  ) {
    // samples beyond maxt are invisible: find the end index once
    let lo = 0;
    let hi = s.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s.t[mid]! <= maxt) lo = mid + 1;
      else hi = mid;
    }
    this.end = lo;
  }

  private kind(): ValueType {
    if (this.i >= this.end) return ValueType.None;
    return this.s.h?.[this.i] !== undefined ? ValueType.Histogram : ValueType.Float;
  }

  next(): ValueType {
    if (this.i < 0) return this.seek(this.mint);
    this.i++;
    return this.kind();
  }

  seek(t: number): ValueType {
    const from = Math.max(t, this.mint);
    if (this.i >= 0 && this.i < this.end && this.s.t[this.i]! >= from) return this.kind();
    let lo = Math.max(this.i, 0);
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.s.t[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo;
    return this.kind();
  }

  atT(): number {
    return this.s.t[this.i]!;
  }

  atV(): number {
    return this.s.v[this.i]!;
  }

  atHistogram(): FloatHistogram {
    return this.s.h![this.i]!;
  }

  atST(): number {
    return this.s.st?.[this.i] ?? 0;
  }
}
