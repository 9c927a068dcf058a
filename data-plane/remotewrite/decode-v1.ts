import {
  type BucketSpan,
  type CounterResetHint,
  emptyHistogram,
  type FloatHistogram,
  type MetricMetadata,
  type Sample,
} from '../model/index.js';
import { INTERNAL_CREATED_TIMESTAMPS_FIELD } from './encode-v1.js';
import { ProtoReader, protoError, WIRE_I64, WIRE_LEN, WIRE_VARINT, wrongWireType } from './proto-reader.js';
import { hashBytes, type SeriesCache, type SeriesMemo } from './series-cache.js';
import type { WireExemplar, WireHistogramSample, WireSeries, WireWriteRequest } from './types.js';

/**
 * Decodes a `prometheus.WriteRequest` (remote write 1.0, field numbers in
 * shared/protocols/REMOTE_WRITE.md §1) by walking the bytes directly: no protobufjs, no object per
 * label (labels land in one flat string array per series), ASCII strings via a latin1 copy.
 * Unknown fields are skipped; known fields with the wrong wire type, truncation, overruns and invalid
 * UTF-8 raise `BadDataError`s that say where. `internal`: the distributor → ingester push, which
 * also carries created timestamps (INTERNAL_CREATED_TIMESTAMPS_FIELD).
 */
export function decodeWriteRequest(
  buf: Uint8Array,
  opts?: { cache?: SeriesCache; internal?: boolean },
): WireWriteRequest {
  const r = new ProtoReader(buf);
  const cache = opts?.cache;
  const internal = opts?.internal === true;
  let prev: SeriesMemo | undefined;
  const timeseries: WireSeries[] = [];
  const metadata: MetricMetadata[] = [];
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_LEN) throw wrongWireType('WriteRequest', 'timeseries', wt, WIRE_LEN);
      const ts = readSeries(r, r.lenEnd(), cache, prev, internal);
      prev = ts.memo;
      timeseries.push(ts);
    } else if (field === 3) {
      if (wt !== WIRE_LEN) throw wrongWireType('WriteRequest', 'metadata', wt, WIRE_LEN);
      metadata.push(readMetadata(r, r.lenEnd()));
    } else {
      checkField(field);
      r.skip(wt, field);
    }
  }
  return { timeseries, metadata };
}

function checkField(field: number): void {
  if (field === 0) throw protoError('field number 0 is not allowed');
}

const NO_HISTOGRAMS: readonly WireHistogramSample[] = Object.freeze([]);
const NO_EXEMPLARS: readonly WireExemplar[] = Object.freeze([]);

/** Runs `body` over the sub-message ending at `stop`, then restores the parent's end. */
function readSeries(
  r: ProtoReader,
  stop: number,
  cache: SeriesCache | undefined,
  prev: SeriesMemo | undefined,
  internal: boolean,
): WireSeries {
  const parentEnd = r.end;
  r.end = stop;
  let labels: string[];
  const samples: Sample[] = [];
  // Most series carry neither: share one frozen empty array instead of allocating two per series.
  let histograms = NO_HISTOGRAMS as WireHistogramSample[];
  let exemplars = NO_EXEMPLARS as WireExemplar[];
  let createdTimestamps: number[] | undefined;
  // Senders put the labels first, one after another: if those bytes were seen before, reuse the
  // decoded strings (and whatever later stages memoised) instead of decoding them again.
  const buf = r.buf;
  const labelsStart = r.pos;
  const labelsEnd = cache === undefined ? labelsStart : labelRunEnd(buf, labelsStart, stop);
  let memo: SeriesMemo | undefined;
  let hash = 0;
  if (cache !== undefined && labelsEnd > labelsStart) {
    const view = r.view;
    if (prev !== undefined) memo = cache.next(prev, buf, view, labelsStart, labelsEnd);
    if (memo === undefined) {
      hash = hashBytes(buf, view, labelsStart, labelsEnd);
      memo = cache.get(buf, view, labelsStart, labelsEnd, hash);
      if (memo !== undefined && prev !== undefined) cache.link(prev, memo);
    }
  }
  let cacheable = memo === undefined && labelsEnd > labelsStart;
  if (memo !== undefined) {
    // Shared with the cache: consumers copy before mutating (WireSeries.memo says so).
    labels = memo.flat as string[];
    r.pos = labelsEnd;
  } else labels = [];
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1:
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'labels', wt, WIRE_LEN);
        // A label outside the leading run: the run's bytes alone do not describe this series.
        if (r.pos > labelsEnd) {
          if (memo !== undefined) labels = labels.slice();
          memo = undefined;
          cacheable = false;
        }
        readLabel(r, r.lenEnd(), labels);
        break;
      case 2:
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'samples', wt, WIRE_LEN);
        samples.push(readSample(r, r.lenEnd()));
        break;
      case 3:
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'exemplars', wt, WIRE_LEN);
        if (exemplars === NO_EXEMPLARS) exemplars = [];
        exemplars.push(readExemplar(r, r.lenEnd()));
        break;
      case 4:
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'histograms', wt, WIRE_LEN);
        if (histograms === NO_HISTOGRAMS) histograms = [];
        histograms.push(readHistogram(r, r.lenEnd()));
        break;
      case INTERNAL_CREATED_TIMESTAMPS_FIELD:
        if (!internal) {
          r.skip(wt, field);
          break;
        }
        createdTimestamps ??= [];
        if (wt === WIRE_VARINT) createdTimestamps.push(r.int64());
        else {
          if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'created_timestamps', wt, WIRE_LEN);
          const end = r.lenEnd();
          const parent = r.end;
          r.end = end;
          while (r.pos < end) createdTimestamps.push(r.int64());
          r.end = parent;
        }
        break;
      default:
        checkField(field);
        r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  if (cacheable && cache !== undefined) {
    memo = cache.add(buf, labelsStart, labelsEnd, hash, labels.slice());
    if (prev !== undefined) cache.link(prev, memo);
  }
  if (createdTimestamps !== undefined) return { labels, samples, histograms, exemplars, memo, createdTimestamps };
  return { labels, samples, histograms, exemplars, memo };
}

/**
 * End of the run of `labels` fields (tag 0x0a, one-byte length) starting at `pos`; `pos` when the
 * series does not start with one. Lengths are checked against `stop` so the run is well formed.
 */
function labelRunEnd(buf: Uint8Array, pos: number, stop: number): number {
  let p = pos;
  while (p + 2 <= stop && buf[p] === 0x0a) {
    const len = buf[p + 1]!;
    if (len >= 0x80 || p + 2 + len > stop) break;
    p += 2 + len;
  }
  return p;
}

function readLabel(r: ProtoReader, stop: number, out: string[]): void {
  // Fast path for the shape every sender produces: name (tag 0x0a) then value (tag 0x12), each
  // shorter than 128 bytes, filling the label exactly. Anything else takes the general loop.
  const buf = r.buf;
  const p = r.pos;
  if (stop - p >= 4 && buf[p] === 0x0a) {
    const nl = buf[p + 1]!;
    const vt = p + 2 + nl;
    if (nl < 0x80 && vt + 2 <= stop && buf[vt] === 0x12) {
      const vl = buf[vt + 1]!;
      if (vl < 0x80 && vt + 2 + vl === stop) {
        const name = r.decodeString(p + 2, vt, 'label name');
        out.push(name, r.decodeString(vt + 2, stop, 'value of label', name));
        r.pos = stop;
        return;
      }
    }
  }
  const parentEnd = r.end;
  r.end = stop;
  let name = '';
  let value = '';
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_LEN) throw wrongWireType('Label', 'name', wt, WIRE_LEN);
      name = r.string('label name');
    } else if (field === 2) {
      if (wt !== WIRE_LEN) throw wrongWireType('Label', 'value', wt, WIRE_LEN);
      value = r.string('value of label', name);
    } else {
      checkField(field);
      r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  out.push(name, value);
}

function readSample(r: ProtoReader, stop: number): Sample {
  const parentEnd = r.end;
  r.end = stop;
  let v = 0;
  let t = 0;
  while (r.pos < stop) {
    const tag = r.uint32();
    if (tag === 0x09) v = r.double();
    else if (tag === 0x10) t = r.int64();
    else {
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 1) throw wrongWireType('Sample', 'value', wt, WIRE_I64);
      if (field === 2) throw wrongWireType('Sample', 'timestamp', wt, WIRE_VARINT);
      checkField(field);
      r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  return { t, v };
}

function readExemplar(r: ProtoReader, stop: number): WireExemplar {
  const parentEnd = r.end;
  r.end = stop;
  const labels: string[] = [];
  let v = 0;
  let t = 0;
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_LEN) throw wrongWireType('Exemplar', 'labels', wt, WIRE_LEN);
      readLabel(r, r.lenEnd(), labels);
    } else if (field === 2) {
      if (wt !== WIRE_I64) throw wrongWireType('Exemplar', 'value', wt, WIRE_I64);
      v = r.double();
    } else if (field === 3) {
      if (wt !== WIRE_VARINT) throw wrongWireType('Exemplar', 'timestamp', wt, WIRE_VARINT);
      t = r.int64();
    } else {
      checkField(field);
      r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  return { labels, t, v };
}

const METRIC_TYPES: readonly MetricMetadata['type'][] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];

function readMetadata(r: ProtoReader, stop: number): MetricMetadata {
  const parentEnd = r.end;
  r.end = stop;
  const m: MetricMetadata = { metricFamilyName: '', type: 'unknown', help: '', unit: '' };
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_VARINT) throw wrongWireType('MetricMetadata', 'type', wt, WIRE_VARINT);
      const n = r.uint32();
      // Unknown enum values are kept by protobuf; we have no name for them, so they read as unknown.
      m.type = METRIC_TYPES[n] ?? 'unknown';
    } else if (field === 2) {
      if (wt !== WIRE_LEN) throw wrongWireType('MetricMetadata', 'metric_family_name', wt, WIRE_LEN);
      m.metricFamilyName = r.string('metadata metric_family_name');
    } else if (field === 4) {
      if (wt !== WIRE_LEN) throw wrongWireType('MetricMetadata', 'help', wt, WIRE_LEN);
      m.help = r.string('metadata help');
    } else if (field === 5) {
      if (wt !== WIRE_LEN) throw wrongWireType('MetricMetadata', 'unit', wt, WIRE_LEN);
      m.unit = r.string('metadata unit');
    } else {
      checkField(field);
      r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  return m;
}

const RESET_HINTS: readonly CounterResetHint[] = ['unknown', 'reset', 'not_reset', 'gauge'];

/**
 * The `start_timestamp` (field 17, remote write 2.0) of the histogram `readHistogram` read last, 0
 * when absent: passed out beside the result so the 1.0 path allocates nothing for it.
 */
export let lastHistogramStart = 0;

/** Decodes a native histogram; integer deltas are summed into absolute counts here. */
export function readHistogram(r: ProtoReader, stop: number): WireHistogramSample {
  lastHistogramStart = 0;
  const parentEnd = r.end;
  r.end = stop;
  let integer = true;
  let count = 0;
  let zeroCount = 0;
  let t = 0;
  const h: FloatHistogram = emptyHistogram();
  const posDeltas: number[] = [];
  const negDeltas: number[] = [];
  const posCounts: number[] = [];
  const negCounts: number[] = [];
  let customValues: number[] | undefined;
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1:
        expect(wt, WIRE_VARINT, 'count_int');
        count = r.uint64();
        integer = true;
        break;
      case 2:
        expect(wt, WIRE_I64, 'count_float');
        count = r.double();
        integer = false;
        break;
      case 3:
        expect(wt, WIRE_I64, 'sum');
        h.sum = r.double();
        break;
      case 4:
        expect(wt, WIRE_VARINT, 'schema');
        h.schema = r.sint32();
        break;
      case 5:
        expect(wt, WIRE_I64, 'zero_threshold');
        h.zeroThreshold = r.double();
        break;
      case 6:
        expect(wt, WIRE_VARINT, 'zero_count_int');
        zeroCount = r.uint64();
        break;
      case 7:
        expect(wt, WIRE_I64, 'zero_count_float');
        zeroCount = r.double();
        break;
      case 8:
        expect(wt, WIRE_LEN, 'negative_spans');
        h.negativeSpans.push(readSpan(r, r.lenEnd()));
        break;
      case 9:
        readPackedSint64(r, wt, 'negative_deltas', negDeltas);
        break;
      case 10:
        readPackedDouble(r, wt, 'negative_counts', negCounts);
        break;
      case 11:
        expect(wt, WIRE_LEN, 'positive_spans');
        h.positiveSpans.push(readSpan(r, r.lenEnd()));
        break;
      case 12:
        readPackedSint64(r, wt, 'positive_deltas', posDeltas);
        break;
      case 13:
        readPackedDouble(r, wt, 'positive_counts', posCounts);
        break;
      case 14:
        expect(wt, WIRE_VARINT, 'reset_hint');
        h.counterResetHint = RESET_HINTS[r.uint32()] ?? 'unknown';
        break;
      case 15:
        expect(wt, WIRE_VARINT, 'timestamp');
        t = r.int64();
        break;
      case 16:
        customValues ??= [];
        readPackedDouble(r, wt, 'custom_values', customValues);
        break;
      case 17:
        expect(wt, WIRE_VARINT, 'start_timestamp');
        lastHistogramStart = r.int64();
        break;
      default:
        checkField(field);
        r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  h.count = count;
  h.zeroCount = zeroCount;
  if (integer) {
    h.positiveBuckets = deltasToAbsolute(posDeltas);
    h.negativeBuckets = deltasToAbsolute(negDeltas);
  } else {
    h.positiveBuckets = posCounts;
    h.negativeBuckets = negCounts;
  }
  if (customValues !== undefined) h.customValues = customValues;
  return { t, h, integer };
}

function expect(got: number, want: number, field: string): void {
  if (got !== want) throw wrongWireType('Histogram', field, got, want);
}

function deltasToAbsolute(deltas: number[]): number[] {
  let acc = 0;
  for (let i = 0; i < deltas.length; i++) {
    acc += deltas[i]!;
    deltas[i] = acc;
  }
  return deltas;
}

function readSpan(r: ProtoReader, stop: number): BucketSpan {
  const parentEnd = r.end;
  r.end = stop;
  const s: BucketSpan = { offset: 0, length: 0 };
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_VARINT) throw wrongWireType('BucketSpan', 'offset', wt, WIRE_VARINT);
      s.offset = r.sint32();
    } else if (field === 2) {
      if (wt !== WIRE_VARINT) throw wrongWireType('BucketSpan', 'length', wt, WIRE_VARINT);
      s.length = r.uint32();
    } else {
      checkField(field);
      r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  return s;
}

/** Repeated sint64: packed (one length-delimited run) or unpacked (one varint per element). */
function readPackedSint64(r: ProtoReader, wt: number, field: string, out: number[]): void {
  if (wt === WIRE_VARINT) {
    out.push(r.sint64());
    return;
  }
  if (wt !== WIRE_LEN) throw wrongWireType('Histogram', field, wt, WIRE_LEN);
  const stop = r.lenEnd();
  const parentEnd = r.end;
  r.end = stop;
  while (r.pos < stop) out.push(r.sint64());
  r.end = parentEnd;
}

/** Repeated double: packed (length a multiple of 8) or unpacked (one fixed64 per element). */
function readPackedDouble(r: ProtoReader, wt: number, field: string, out: number[]): void {
  if (wt === WIRE_I64) {
    out.push(r.double());
    return;
  }
  if (wt !== WIRE_LEN) throw wrongWireType('Histogram', field, wt, WIRE_LEN);
  const stop = r.lenEnd();
  if ((stop - r.pos) % 8 !== 0) {
    throw protoError(`packed Histogram.${field} at byte ${r.pos} has ${stop - r.pos} bytes, not a multiple of 8`);
  }
  while (r.pos < stop) out.push(r.double());
}
