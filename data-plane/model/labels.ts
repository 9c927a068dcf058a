/** The reserved label that holds the metric name. */
export const METRIC_NAME = '__name__';

const SEP = '\xff';

/**
 * An immutable, sorted set of label pairs. Labels are never plain objects keyed by name
 * (`__proto__` is a valid label name): pairs live in one flat array `[n0, v0, n1, v1, …]`,
 * sorted by name, with unique names and no empty values.
 */
export class Labels {
  static readonly EMPTY = new Labels([]);

  /** Flat, sorted `[name, value, …]`. Never mutate. */
  readonly flat: readonly string[];
  #key: string | undefined;
  /** See `writeSlot()`. */
  #writeSlot: object | undefined = undefined;

  /** Trusts the caller: `flat` must already be sorted by name with unique names. */
  private constructor(flat: readonly string[]) {
    this.flat = flat;
  }

  /**
   * Not part of the label set: where the ingester's head remembers the series it created from
   * exactly this object, so the next push of the same object finds it without hashing. Declared in
   * the class so it stays inside the object (a property added later costs a separate property
   * array), and private so it is invisible to comparisons and serialisation.
   */
  writeSlot(): object | undefined {
    return this.#writeSlot;
  }

  setWriteSlot(slot: object | undefined): void {
    this.#writeSlot = slot;
  }

  /** Builds from sorted, unique pairs without checking (hot paths that already sorted). */
  static fromSortedFlat(flat: readonly string[]): Labels {
    return flat.length === 0 ? Labels.EMPTY : new Labels(flat);
  }

  /** Builds from pairs in any order; later duplicates win; empty values are dropped. */
  static fromPairs(pairs: Iterable<readonly [string, string]>): Labels {
    const b = new LabelsBuilder();
    for (const [n, v] of pairs) b.set(n, v);
    return b.labels();
  }

  /** Builds from an object's own enumerable keys (tests and JSON input only). */
  static fromObject(obj: Readonly<Record<string, string>>): Labels {
    return Labels.fromPairs(Object.entries(obj));
  }

  get length(): number {
    return this.flat.length >> 1;
  }

  isEmpty(): boolean {
    return this.flat.length === 0;
  }

  /** The value of `name`, or '' when absent (Prometheus semantics: absent equals empty). */
  get(name: string): string {
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) {
      if (f[i] === name) return f[i + 1]!;
    }
    return '';
  }

  has(name: string): boolean {
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) if (f[i] === name) return true;
    return false;
  }

  metricName(): string {
    return this.get(METRIC_NAME);
  }

  forEach(fn: (name: string, value: string) => void): void {
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) fn(f[i]!, f[i + 1]!);
  }

  names(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.flat.length; i += 2) out.push(this.flat[i]!);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (let i = 0; i < this.flat.length; i += 2) yield [this.flat[i]!, this.flat[i + 1]!];
  }

  /**
   * A string that is equal for equal label sets and differs for different ones; use as a Map key.
   * Pairs are joined with 0xff; a set where any name or value holds 0xff itself (valid UTF-8: ÿ)
   * is length-prefixed instead and starts with 0xff, which a joined key never does, so no value can
   * spell a boundary (`{a="xÿbÿy"}` is not `{a="x", b="y"}`).
   */
  key(): string {
    if (this.#key === undefined) {
      const f = this.flat;
      let plain = true;
      for (let i = 0; i < f.length && plain; i++) plain = !f[i]!.includes(SEP);
      if (plain) this.#key = f.join(SEP);
      else {
        let k = SEP;
        for (const x of f) k += `${x.length}:${x}`;
        this.#key = k;
      }
    }
    return this.#key;
  }

  equals(o: Labels): boolean {
    if (this === o) return true;
    const a = this.flat;
    const b = o.flat;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Labels without the metric name. */
  withoutMetricName(): Labels {
    return this.has(METRIC_NAME) ? this.without([METRIC_NAME]) : this;
  }

  /** A copy without the given names. */
  without(names: readonly string[]): Labels {
    const out: string[] = [];
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) if (!names.includes(f[i]!)) out.push(f[i]!, f[i + 1]!);
    return out.length === f.length ? this : Labels.fromSortedFlat(out);
  }

  /** A copy with only the given names. */
  keep(names: readonly string[]): Labels {
    const out: string[] = [];
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) if (names.includes(f[i]!)) out.push(f[i]!, f[i + 1]!);
    return out.length === f.length ? this : Labels.fromSortedFlat(out);
  }

  builder(): LabelsBuilder {
    return new LabelsBuilder(this);
  }

  /** A null-prototype object, safe for JSON output even with a `__proto__` label. */
  toObject(): Record<string, string> {
    const o: Record<string, string> = Object.create(null);
    this.forEach((n, v) => {
      o[n] = v;
    });
    return o;
  }

  /** Prometheus text form: `name{a="1", b="2"}`. */
  toString(): string {
    const name = this.get(METRIC_NAME);
    const parts: string[] = [];
    this.forEach((n, v) => {
      if (n !== METRIC_NAME) parts.push(`${n}=${JSON.stringify(v)}`);
    });
    if (parts.length === 0 && name !== '') return name;
    return `${name}{${parts.join(', ')}}`;
  }

  /** Orders label sets as Prometheus's labels.Compare does. */
  static compare(a: Labels, b: Labels): number {
    const x = a.flat;
    const y = b.flat;
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i += 2) {
      if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
      if (x[i + 1] !== y[i + 1]) return x[i + 1]! < y[i + 1]! ? -1 : 1;
    }
    return x.length - y.length;
  }
}

/** Mutable builder; `set(name, '')` deletes, as in Prometheus's labels.Builder. */
export class LabelsBuilder {
  private readonly m = new Map<string, string>();

  constructor(base?: Labels) {
    if (base) for (const [n, v] of base) this.m.set(n, v);
  }

  set(name: string, value: string): this {
    if (value === '') this.m.delete(name);
    else this.m.set(name, value);
    return this;
  }

  del(...names: string[]): this {
    for (const n of names) this.m.delete(n);
    return this;
  }

  get(name: string): string {
    return this.m.get(name) ?? '';
  }

  keep(names: readonly string[]): this {
    for (const n of [...this.m.keys()]) if (!names.includes(n)) this.m.delete(n);
    return this;
  }

  labels(): Labels {
    const names = [...this.m.keys()].sort(compareStrings);
    const flat: string[] = [];
    for (const n of names) flat.push(n, this.m.get(n)!);
    return Labels.fromSortedFlat(flat);
  }
}

/** Byte-order string comparison (Go's string compare) for ASCII/UTF-16 without surrogates. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
