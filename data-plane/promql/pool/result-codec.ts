import { type FloatHistogram, type HistogramSample, InternalError, Labels, type Sample } from '../../model/index.js';
import { toApiData } from '../api.js';
import type { PromValue, QueryResult, SeriesResult, SeriesValue } from '../engine.js';
import { formatApiFloat } from '../format.js';
import { grown } from './typed-arrays.js';

/**
 * A query result as it crosses back from a worker: label pairs in one string array and float
 * points in typed arrays (transferred), so a large matrix is not cloned object by object and the
 * receiving side rebuilds `Labels` (a class, which structured clone would flatten).
 */
export type EncodedValue =
  | { type: 'scalar'; t: number; v: number }
  | { type: 'string'; t: number; v: string }
  | {
      type: 'vector' | 'matrix';
      flat: string[];
      labelEnds: Int32Array;
      /** End (exclusive) of series k's float points in `t`/`v`. */
      floatEnds: Int32Array;
      t: Float64Array;
      v: Float64Array;
      /** Histogram points, one list per series (vector: at most one each). */
      hist: (HistogramSample[] | null)[] | null;
    };

export interface EncodedResult {
  value: EncodedValue;
  warnings: string[];
  infos: string[];
  samplesLoaded: number;
  /** The API `data` JSON, when the task asked for it. */
  rendered?: Uint8Array;
  /**
   * Where series k's object lies in `rendered`: bytes `[seriesAt[2k], seriesAt[2k + 1])`, when it was
   * written from the arrays (results with histograms are not), so shards' answers can be spliced.
   */
  seriesAt?: Int32Array;
}

export function encodeResult(r: QueryResult, render: boolean): EncodedResult {
  return encoded(r, encodeValue(r.value), render);
}

/**
 * `encodeResult` of an answer still in the evaluator's arrays: the points go straight into the
 * typed arrays, with no object per point on the way (most of a large matrix's garbage).
 */
export function encodeSeriesResult(r: SeriesResult, render: boolean): EncodedResult {
  return encoded(r, encodeSeriesValue(r.value), render);
}

/** The QueryResult of an answer still in the evaluator's arrays (its value built when read). */
export function seriesQueryResult(r: SeriesResult, render: boolean): QueryResult {
  return decodeResult(encodeSeriesResult(r, render));
}

function encoded(r: Omit<QueryResult, 'value'>, value: EncodedValue, render: boolean): EncodedResult {
  const out: EncodedResult = {
    value,
    warnings: r.warnings,
    infos: r.infos,
    samplesLoaded: r.stats.samplesLoaded,
  };
  if (render) {
    const { bytes, seriesAt } = renderEncoded(out.value);
    out.rendered = bytes;
    if (seriesAt) out.seriesAt = seriesAt;
  }
  return out;
}

/** A value as the Prometheus API's `data` JSON bytes. */
export function renderData(value: PromValue): Uint8Array {
  return renderEncoded(encodeValue(value)).bytes;
}

/**
 * The API's `data` JSON written straight from the encoded arrays: the same bytes as
 * `JSON.stringify(toApiData(value))` without building an object per point first (a 2 h range over a
 * few thousand series is over half a million points). Histogram results take the general path.
 */
function renderEncoded(v: EncodedValue): { bytes: Uint8Array; seriesAt?: Int32Array } {
  if (v.type === 'scalar' || v.type === 'string' || v.hist?.some((h) => h !== null)) {
    return { bytes: new TextEncoder().encode(JSON.stringify(toApiData(decodeValue(v)))) };
  }
  const matrix = v.type === 'matrix';
  // `[1796666100,"11300.188156549706"],` is 35 bytes: room for that from the start saves regrowing
  // (and copying) a buffer of many megabytes several times over
  const w = new JsonBytes(64 + v.t.length * 36 + v.flat.length * 16);
  // points share the step grid, so each time is formatted once, not once per series
  const times = new Map<number, string>();
  const timeText = (t: number): string => {
    let s = times.get(t);
    if (s === undefined) {
      s = String(t / 1000);
      times.set(t, s);
    }
    return s;
  };
  w.ascii(resultHead(v.type));
  const seriesAt = new Int32Array(2 * v.labelEnds.length);
  let ls = 0;
  let fs = 0;
  for (let k = 0; k < v.labelEnds.length; k++) {
    if (k > 0) w.byte(0x2c);
    seriesAt[2 * k] = w.length;
    w.ascii('{"metric":{');
    for (let i = ls; i < v.labelEnds[k]!; i += 2) {
      if (i > ls) w.byte(0x2c);
      w.text(JSON.stringify(v.flat[i]));
      w.byte(0x3a);
      w.text(JSON.stringify(v.flat[i + 1]));
    }
    w.byte(0x7d);
    const end = v.floatEnds[k]!;
    if (matrix) {
      if (end > fs) {
        w.ascii(',"values":[');
        for (let i = fs; i < end; i++) {
          w.ascii(i > fs ? ',[' : '[');
          w.point(timeText(v.t[i]!), v.v[i]!);
        }
        w.byte(0x5d);
      }
    } else {
      w.ascii(',"value":[');
      w.point(timeText(v.t[fs]!), v.v[fs]!);
    }
    w.byte(0x7d);
    seriesAt[2 * k + 1] = w.length;
    ls = v.labelEnds[k]!;
    fs = end;
  }
  w.ascii(RESULT_TAIL);
  return { bytes: w.finish(), seriesAt };
}

function resultHead(type: 'vector' | 'matrix'): string {
  return `{"resultType":"${type}","result":[`;
}
const RESULT_TAIL = ']}';

/** A growing byte buffer for JSON whose numbers and punctuation are ASCII. */
class JsonBytes {
  private buf: Uint8Array;
  private n = 0;
  private readonly enc = new TextEncoder();

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  get length(): number {
    return this.n;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  private room(extra: number): void {
    if (this.n + extra > this.buf.length) this.buf = grown(this.buf, this.n + extra);
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.n++] = b;
  }

  /** A string known to be ASCII (punctuation, formatted numbers). */
  ascii(s: string): void {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.n++] = s.charCodeAt(i);
  }

  /** Any string, as UTF-8. */
  text(s: string): void {
    this.room(s.length * 3);
    this.n += this.enc.encodeInto(s, this.buf.subarray(this.n)).written;
  }

  /** `time,"v"]`: the rest of a `[time, "value"]` pair, the time already in seconds as text. */
  point(time: string, v: number): void {
    this.ascii(time);
    this.ascii(',"');
    this.ascii(formatApiFloat(v));
    this.ascii('"]');
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

/**
 * The result on the receiving thread. The value is rebuilt only when read: a caller that sends the
 * rendered JSON never pays for one object per point on the thread that serves everyone.
 */
export function decodeResult(r: EncodedResult): QueryResult {
  const encoded = r.value;
  let value: PromValue | undefined;
  // closes over the encoded value only, so a holder of it does not keep the rendered JSON alive
  const readValue = (): PromValue => {
    value ??= decodeValue(encoded);
    return value;
  };
  const out: QueryResult = {
    get value() {
      return readValue();
    },
    set value(v: PromValue) {
      value = v;
    },
    readValue,
    warnings: r.warnings,
    infos: r.infos,
    stats: { samplesLoaded: r.samplesLoaded, points: pointsOf(r.value) },
  };
  if (r.rendered) out.rendered = r.rendered;
  return out;
}

/**
 * The answers of one query evaluated on disjoint shards of its series (see `splitsBySeries`), as
 * one: their series interleaved in label order (each shard's are in it already), their rendered
 * JSON spliced series by series, so the points are neither decoded nor formatted again.
 */
export function concatResults(parts: EncodedResult[]): EncodedResult {
  if (parts.length === 1) return parts[0]!;
  const values = parts.map((r) => r.value);
  const type = values[0]!.type;
  if (type !== 'vector' && type !== 'matrix') throw new InternalError(`shards answered a ${type}, not series`);
  const lists = values as Extract<EncodedValue, { type: 'vector' | 'matrix' }>[];
  let seriesCount = 0;
  let points = 0;
  for (const l of lists) {
    if (l.type !== type) throw new InternalError(`shards answered a ${l.type} and a ${type}`);
    seriesCount += l.labelEnds.length;
    points += l.t.length;
  }
  const flat: string[] = [];
  const labelEnds = new Int32Array(seriesCount);
  const floatEnds = new Int32Array(seriesCount);
  const t = new Float64Array(points);
  const v = new Float64Array(points);
  const hist = lists.some((l) => l.hist) ? new Array<HistogramSample[] | null>(seriesCount).fill(null) : null;
  const splice = parts.every((r) => r.rendered && r.seriesAt);
  let w: JsonBytes | undefined;
  if (splice) {
    w = new JsonBytes(parts.reduce((n, r) => n + r.rendered!.length, 16));
    w.ascii(resultHead(type));
  }
  const next = new Int32Array(lists.length);
  let n = 0;
  for (let k = 0; k < seriesCount; k++) {
    // the shard whose next series sorts first (a handful of shards: a scan beats a heap)
    let from = -1;
    for (let s = 0; s < lists.length; s++) {
      if (next[s]! >= lists[s]!.labelEnds.length) continue;
      if (from < 0 || compareSeriesLabels(lists[s]!, next[s]!, lists[from]!, next[from]!) < 0) from = s;
    }
    const l = lists[from]!;
    const j = next[from]!++;
    const ls = j === 0 ? 0 : l.labelEnds[j - 1]!;
    for (let i = ls; i < l.labelEnds[j]!; i++) flat.push(l.flat[i]!);
    labelEnds[k] = flat.length;
    const fs = j === 0 ? 0 : l.floatEnds[j - 1]!;
    const fe = l.floatEnds[j]!;
    t.set(l.t.subarray(fs, fe), n);
    v.set(l.v.subarray(fs, fe), n);
    n += fe - fs;
    floatEnds[k] = n;
    if (hist) hist[k] = l.hist?.[j] ?? null;
    if (w) {
      const at = parts[from]!.seriesAt!;
      if (k > 0) w.byte(0x2c);
      w.bytes(parts[from]!.rendered!.subarray(at[2 * j]!, at[2 * j + 1]!));
    }
  }
  const value: EncodedValue = { type, flat, labelEnds, floatEnds, t, v, hist };
  const out: EncodedResult = {
    value,
    warnings: [...new Set(parts.flatMap((r) => r.warnings))],
    infos: [...new Set(parts.flatMap((r) => r.infos))],
    samplesLoaded: parts.reduce((x, r) => x + r.samplesLoaded, 0),
  };
  if (w) {
    w.ascii(RESULT_TAIL);
    out.rendered = w.finish();
  } else if (parts.some((r) => r.rendered)) {
    out.rendered = renderEncoded(value).bytes;
  }
  return out;
}

/** `Labels.compare` of series i of `a` and series j of `b`, on their flat label arrays. */
function compareSeriesLabels(
  a: Extract<EncodedValue, { type: 'vector' | 'matrix' }>,
  i: number,
  b: Extract<EncodedValue, { type: 'vector' | 'matrix' }>,
  j: number,
): number {
  const as = i === 0 ? 0 : a.labelEnds[i - 1]!;
  const bs = j === 0 ? 0 : b.labelEnds[j - 1]!;
  const an = a.labelEnds[i]! - as;
  const bn = b.labelEnds[j]! - bs;
  const n = Math.min(an, bn);
  for (let k = 0; k < n; k++) {
    const x = a.flat[as + k]!;
    const y = b.flat[bs + k]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return an - bn;
}

/** How many points an encoded value holds, read off its arrays. */
function pointsOf(v: EncodedValue): { floats: number; histograms: number } {
  if (v.type === 'scalar' || v.type === 'string') return { floats: 1, histograms: 0 };
  let histograms = 0;
  for (const h of v.hist ?? []) histograms += h?.length ?? 0;
  return { floats: v.t.length, histograms };
}

/** Buffers to transfer with an encoded result. */
export function resultBuffers(r: EncodedResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = r.rendered ? [r.rendered.buffer as ArrayBuffer] : [];
  if (r.seriesAt) out.push(r.seriesAt.buffer as ArrayBuffer);
  const v = r.value;
  if (v.type !== 'vector' && v.type !== 'matrix') return out;
  return [...out, v.labelEnds.buffer, v.floatEnds.buffer, v.t.buffer, v.v.buffer] as ArrayBuffer[];
}

function encodeSeriesValue(v: SeriesValue): EncodedValue {
  if (v.type === 'scalar' || v.type === 'string') return v;
  let points = 0;
  for (const s of v.series) points += v.type === 'vector' ? 1 : s.t.length;
  const w = new Writer(v.series.length, points);
  for (const s of v.series) {
    const n = v.type === 'vector' ? Math.min(1, s.t.length) : s.t.length;
    const h = s.h;
    for (let i = 0; i < n; i++) {
      const t = v.type === 'vector' ? v.t : s.t[i]!;
      const x = h?.[i];
      if (x) w.hist(t, x);
      else w.float(t, s.f[i]!);
    }
    w.endSeries(s.metric);
  }
  return w.finish(v.type);
}

function encodeValue(v: PromValue): EncodedValue {
  switch (v.type) {
    case 'scalar':
    case 'string':
      return v;
    case 'vector': {
      const w = new Writer(v.samples.length);
      for (const s of v.samples) {
        if (s.h) w.hist(s.t, s.h);
        else w.float(s.t, s.v ?? Number.NaN);
        w.endSeries(s.labels);
      }
      return w.finish('vector');
    }
    case 'matrix': {
      const w = new Writer(v.series.length);
      for (const s of v.series) {
        for (const p of s.floats) w.float(p.t, p.v);
        for (const p of s.histograms) w.hist(p.t, p.h);
        w.endSeries(s.labels);
      }
      return w.finish('matrix');
    }
  }
}

function decodeValue(v: EncodedValue): PromValue {
  if (v.type === 'scalar' || v.type === 'string') return v;
  const series: { labels: Labels; floats: Sample[]; histograms: HistogramSample[] }[] = [];
  let ls = 0;
  let fs = 0;
  for (let k = 0; k < v.labelEnds.length; k++) {
    const labels = Labels.fromSortedFlat(v.flat.slice(ls, v.labelEnds[k]!));
    const floats: Sample[] = [];
    for (let i = fs; i < v.floatEnds[k]!; i++) floats.push({ t: v.t[i]!, v: v.v[i]! });
    series.push({ labels, floats, histograms: v.hist?.[k] ?? [] });
    ls = v.labelEnds[k]!;
    fs = v.floatEnds[k]!;
  }
  if (v.type === 'matrix') return { type: 'matrix', series };
  return {
    type: 'vector',
    samples: series.map((s) => {
      const h = s.histograms[0];
      return h ? { labels: s.labels, t: h.t, h: h.h } : { labels: s.labels, t: s.floats[0]!.t, v: s.floats[0]!.v };
    }),
  };
}

class Writer {
  private n = 0;
  private k = 0;
  private t: Float64Array;
  private v: Float64Array;
  private readonly flat: string[] = [];
  private readonly labelEnds: Int32Array;
  private readonly floatEnds: Int32Array;
  private hists: (HistogramSample[] | null)[] | null = null;
  private cur: HistogramSample[] | null = null;

  /** `points`: how many float points are coming, when known (the arrays are sized for them once). */
  constructor(
    private readonly series: number,
    points = 256,
  ) {
    this.labelEnds = new Int32Array(series);
    this.floatEnds = new Int32Array(series);
    this.t = new Float64Array(Math.max(1, points));
    this.v = new Float64Array(Math.max(1, points));
  }

  float(t: number, v: number): void {
    if (this.n === this.t.length) {
      this.t = grown(this.t, this.n + 1);
      this.v = grown(this.v, this.n + 1);
    }
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
  }

  hist(t: number, h: FloatHistogram): void {
    (this.cur ??= []).push({ t, h });
  }

  endSeries(labels: Labels): void {
    for (const x of labels.flat) this.flat.push(x);
    this.labelEnds[this.k] = this.flat.length;
    this.floatEnds[this.k] = this.n;
    if (this.cur) {
      this.hists ??= new Array<HistogramSample[] | null>(this.series).fill(null);
      this.hists[this.k] = this.cur;
      this.cur = null;
    }
    this.k++;
  }

  finish(type: 'vector' | 'matrix'): EncodedValue {
    return {
      type,
      flat: this.flat,
      labelEnds: this.labelEnds,
      floatEnds: this.floatEnds,
      // sized exactly already: no copy
      t: this.n === this.t.length ? this.t : this.t.slice(0, this.n),
      v: this.n === this.v.length ? this.v : this.v.slice(0, this.n),
      hist: this.hists,
    };
  }
}
