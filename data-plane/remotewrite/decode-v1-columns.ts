import { SampleColumns } from '../model/index.js';
import { ProtoReader } from './proto-reader.js';
import { hashBytes, type SeriesCache, type SeriesMemo } from './series-cache.js';
import type { WireExemplar, WireHistogramSample, WireSeries, WireWriteRequest } from './types.js';

/**
 * A remote-write 1.0 request split into columns by `decodeColumns`, so it can cross threads as
 * transferable buffers: the decompressed bytes (label strings are built from them only for series
 * the receiver has not seen) and typed arrays of sample timestamps and values.
 */
export interface ColumnarWriteRequest {
  /** The decompressed request; label runs are byte ranges of it. */
  raw: Uint8Array;
  /** Number of series. */
  n: number;
  /**
   * Four entries per series: start and end of its run of labels in `raw`, `hashBytes` of that run,
   * and its number of samples (they follow the previous series' samples in `t` and `v`).
   */
  series: Int32Array;
  /** Sample timestamps in ms, exactly what `ProtoReader.int64` returns (unsafe integers included). */
  t: Float64Array;
  v: Float64Array;
}

/** Bytes per column entry the first allocation assumes; columns double when a request has more. */
const BYTES_PER_SERIES_GUESS = 64;

/**
 * The part of decoding that needs no state: walks a decompressed `prometheus.WriteRequest` of the
 * shape every Prometheus sends (each series: its labels first, each label a name and a value shorter
 * than 128 bytes, then float samples with a value and a timestamp field) into columns. Returns
 * undefined for anything else (metadata, exemplars, histograms, unknown or repeated fields, labels
 * after samples, malformed bytes): the caller then decodes with `decodeWriteRequest`, which accepts
 * or refuses exactly as it always did. Label bytes are not UTF-8-checked here: `wireFromColumns`
 * does that when it builds the strings, with `decodeWriteRequest`'s error.
 */
export function decodeColumns(raw: Uint8Array): ColumnarWriteRequest | undefined {
  try {
    return walk(raw);
  } catch {
    return undefined; // a malformed request: the full decoder says precisely what is wrong
  }
}

function walk(raw: Uint8Array): ColumnarWriteRequest | undefined {
  const r = new ProtoReader(raw);
  const view = r.view;
  let series = new Int32Array(Math.max(16, ((raw.length / BYTES_PER_SERIES_GUESS) | 0) * 4));
  let cap = Math.max(16, (raw.length / BYTES_PER_SERIES_GUESS) | 0);
  let t = new Float64Array(cap);
  let v = new Float64Array(cap);
  let n = 0;
  let k = 0;
  while (r.pos < r.end) {
    if (raw[r.pos] !== 0x0a) return undefined; // not a timeseries field
    r.pos++;
    const stop = r.lenEnd();
    const labelsStart = r.pos;
    const labelsEnd = simpleLabelRunEnd(raw, labelsStart, stop);
    if (labelsEnd === labelsStart) return undefined;
    r.pos = labelsEnd;
    const parentEnd = r.end;
    r.end = stop;
    let count = 0;
    while (r.pos < stop) {
      if (raw[r.pos] !== 0x12) return undefined; // a label after the run, exemplars, histograms, …
      r.pos++;
      const sampleEnd = r.lenEnd();
      r.end = sampleEnd;
      let sv = 0;
      let st = 0;
      while (r.pos < sampleEnd) {
        const tag = raw[r.pos++];
        if (tag === 0x09) sv = r.double();
        else if (tag === 0x10) st = r.int64();
        else return undefined;
      }
      r.end = stop;
      if (k === cap) {
        cap *= 2;
        t = grow(t, cap);
        v = grow(v, cap);
      }
      t[k] = st;
      v[k] = sv;
      k++;
      count++;
    }
    r.end = parentEnd;
    if (n * 4 === series.length) {
      const bigger = new Int32Array(series.length * 2);
      bigger.set(series);
      series = bigger;
    }
    series[n * 4] = labelsStart;
    series[n * 4 + 1] = labelsEnd;
    series[n * 4 + 2] = hashBytes(raw, view, labelsStart, labelsEnd);
    series[n * 4 + 3] = count;
    n++;
  }
  return { raw, n, series, t, v };
}

function grow(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/**
 * End of the run of labels starting at `pos` in which every label is exactly `0x0a len name 0x12
 * len value` with one-byte lengths (what `decodeWriteRequest`'s fast path reads); `pos` if none.
 */
function simpleLabelRunEnd(buf: Uint8Array, pos: number, stop: number): number {
  let p = pos;
  while (p + 2 <= stop && buf[p] === 0x0a) {
    const len = buf[p + 1]!;
    const end = p + 2 + len;
    if (len >= 0x80 || end > stop || len < 4 || buf[p + 2] !== 0x0a) return pos;
    const nl = buf[p + 3]!;
    const vt = p + 4 + nl;
    if (nl >= 0x80 || vt + 2 > end || buf[vt] !== 0x12) return pos;
    const vl = buf[vt + 1]!;
    if (vl >= 0x80 || vt + 2 + vl !== end) return pos;
    p = end;
  }
  return p;
}

const NO_HISTOGRAMS: readonly WireHistogramSample[] = Object.freeze([]);
const NO_EXEMPLARS: readonly WireExemplar[] = Object.freeze([]);

/**
 * A remote-write 1.0 request as `wireFromColumns` reads it from a decode worker's columns: series
 * `i` is the series cache's entry for its label bytes, `memos[i]`, and the samples
 * `t/v[starts[i], starts[i + 1])`. There is no object per series: the distributor reads it as it
 * is, and hands the ingester one object per series it keeps. It has no histograms, exemplars or
 * metadata (`decodeColumns` leaves such requests to the full decoder).
 */
export class ColumnWireRequest {
  constructor(
    /** One per series; `flat` is the cache's own array (copy before mutating). */
    readonly memos: readonly SeriesMemo[],
    /** `memos.length + 1` entries: where each series' samples start, then where the last ends. */
    readonly starts: Int32Array,
    readonly t: Float64Array,
    readonly v: Float64Array,
  ) {}

  get length(): number {
    return this.memos.length;
  }

  /** Series `i` as the full decoder would give it (one object each: for tests and slow paths). */
  series(i: number): WireSeries<SampleColumns> {
    const memo = this.memos[i]!;
    return {
      labels: memo.flat as string[],
      samples: new SampleColumns(this.t, this.v, this.starts[i]!, this.starts[i + 1]!),
      histograms: NO_HISTOGRAMS as WireHistogramSample[],
      exemplars: NO_EXEMPLARS as WireExemplar[],
      memo,
    };
  }

  /** The whole request in the full decoder's form (tests, and callers that need series objects). */
  toWireRequest(): WireWriteRequest<SampleColumns> {
    return { timeseries: Array.from({ length: this.length }, (_, i) => this.series(i)), metadata: [] };
  }
}

/**
 * Reads columns made by `decodeColumns` as `decodeWriteRequest(raw, { cache })` would have decoded
 * them, except that nothing is built per series or sample: each series is its label bytes' entry in
 * the cache (strings are decoded, and invalid UTF-8 throws the same `BadDataError`, only for bytes
 * the cache has not seen) and a window of the sample columns.
 */
export function wireFromColumns(c: ColumnarWriteRequest, cache: SeriesCache): ColumnWireRequest {
  const r = new ProtoReader(c.raw);
  const buf = r.buf;
  const view = r.view;
  const cols = c.series;
  const memos: SeriesMemo[] = new Array(c.n);
  const starts = new Int32Array(c.n + 1);
  let prev: SeriesMemo | undefined;
  let k = 0;
  for (let i = 0; i < c.n; i++) {
    const start = cols[i * 4]!;
    const end = cols[i * 4 + 1]!;
    let memo = prev !== undefined ? cache.next(prev, buf, view, start, end) : undefined;
    if (memo === undefined) {
      memo = cache.get(buf, view, start, end, cols[i * 4 + 2]!);
      if (memo === undefined) memo = cache.add(buf, start, end, cols[i * 4 + 2]!, decodeLabelRun(r, start, end));
      if (prev !== undefined) cache.link(prev, memo);
    }
    memos[i] = memo;
    starts[i] = k;
    prev = memo;
    k += cols[i * 4 + 3]!;
  }
  starts[c.n] = k;
  return new ColumnWireRequest(memos, starts, c.t, c.v);
}

/** The strings of a run `simpleLabelRunEnd` accepted, decoded as `decodeWriteRequest` does. */
function decodeLabelRun(r: ProtoReader, start: number, end: number): string[] {
  const buf = r.buf;
  // Sized exactly: this array is kept for the series' life (cache, validated labels, head), and
  // one grown by push() carries unused capacity.
  let n = 0;
  for (let p = start; p < end; p += 2 + buf[p + 1]!) n += 2;
  const out: string[] = new Array(n);
  let i = 0;
  for (let p = start; p < end; ) {
    const vt = p + 4 + buf[p + 3]!;
    const stop = vt + 2 + buf[vt + 1]!;
    const name = r.decodeString(p + 4, vt, 'label name');
    out[i++] = name;
    out[i++] = r.decodeString(vt + 2, stop, 'value of label', name);
    p = stop;
  }
  return out;
}
