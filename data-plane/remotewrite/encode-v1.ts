import {
  type BucketSpan,
  type CounterResetHint,
  type FloatHistogram,
  type HistogramSample,
  type Labels,
  type MetricMetadata,
  type Sample,
  SampleColumns,
} from '../model/index.js';
import { WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-reader.js';
import { ProtoWriter } from './proto-writer.js';

/** What the encoder accepts: the decoder's wire form or the model's validated `WriteRequest`. */
export interface EncodableWriteRequest {
  timeseries: ReadonlyArray<EncodableSeries>;
  metadata?: ReadonlyArray<MetricMetadata>;
}

export interface EncodableSeries {
  /** `Labels`, or a flat `[name, value, …]` array written exactly as given (tests send bad input). */
  labels: Labels | readonly string[];
  samples?: ReadonlyArray<Sample> | SampleColumns;
  histograms?: ReadonlyArray<HistogramSample & { integer?: boolean }>;
  exemplars?: ReadonlyArray<{ labels: Labels | readonly string[]; t: number; v: number }>;
  /** Written only for the cluster-internal push (`INTERNAL_CREATED_TIMESTAMPS_FIELD`). */
  createdTimestamps?: readonly number[];
}

/**
 * TimeSeries field carrying `TimeSeries.createdTimestamps` (packed int64) on the distributor →
 * ingester push, which reuses the 1.0 message. Far above Prometheus's numbers; read only by the
 * internal endpoint, so a remote-write client sending it changes nothing.
 */
export const INTERNAL_CREATED_TIMESTAMPS_FIELD = 1000;

const METRIC_TYPE_NUMBERS: Record<MetricMetadata['type'], number> = {
  unknown: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  gaugehistogram: 4,
  summary: 5,
  info: 6,
  stateset: 7,
};

const RESET_HINT_NUMBERS: Record<CounterResetHint, number> = { unknown: 0, reset: 1, not_reset: 2, gauge: 3 };

/**
 * Encodes a `prometheus.WriteRequest` (remote write 1.0). Used by tests, the ingest benchmark and the
 * ruler; the output is uncompressed protobuf (wrap it in `snappyEncode` for the wire).
 */
export function encodeWriteRequest(req: EncodableWriteRequest, w: ProtoWriter = new ProtoWriter()): Uint8Array {
  w.pos = 0;
  for (const ts of req.timeseries) {
    w.tag(1, WIRE_LEN);
    const m = w.begin();
    writeLabels(w, 1, ts.labels);
    const ss = ts.samples;
    if (ss instanceof SampleColumns) for (let i = ss.start; i < ss.end; i++) writeSample(w, ss.t[i]!, ss.v[i]!);
    else if (ss !== undefined) for (const s of ss) writeSample(w, s.t, s.v);
    for (const e of ts.exemplars ?? []) {
      w.tag(3, WIRE_LEN);
      const em = w.begin();
      writeLabels(w, 1, e.labels);
      w.tag(2, WIRE_I64);
      w.double(e.v);
      w.tag(3, WIRE_VARINT);
      w.int64(e.t);
      w.finish(em);
    }
    for (const h of ts.histograms ?? []) {
      w.tag(4, WIRE_LEN);
      const hm = w.begin();
      writeHistogram(w, h.t, h.h, h.integer ?? false);
      w.finish(hm);
    }
    if (ts.createdTimestamps !== undefined && ts.createdTimestamps.length > 0) {
      w.tag(INTERNAL_CREATED_TIMESTAMPS_FIELD, WIRE_LEN);
      const cm = w.begin();
      for (const ct of ts.createdTimestamps) w.int64(ct);
      w.finish(cm);
    }
    w.finish(m);
  }
  for (const md of req.metadata ?? []) {
    w.tag(3, WIRE_LEN);
    const m = w.begin();
    w.tag(1, WIRE_VARINT);
    w.uint32(METRIC_TYPE_NUMBERS[md.type]);
    w.tag(2, WIRE_LEN);
    w.string(md.metricFamilyName);
    w.tag(4, WIRE_LEN);
    w.string(md.help);
    w.tag(5, WIRE_LEN);
    w.string(md.unit);
    w.finish(m);
  }
  return w.finishAll();
}

function writeSample(w: ProtoWriter, t: number, v: number): void {
  w.tag(2, WIRE_LEN);
  const sm = w.begin();
  w.tag(1, WIRE_I64);
  w.double(v);
  if (t !== 0) {
    w.tag(2, WIRE_VARINT);
    w.int64(t);
  }
  w.finish(sm);
}

function writeLabels(w: ProtoWriter, field: number, labels: Labels | readonly string[]): void {
  const flat = Array.isArray(labels) ? (labels as readonly string[]) : (labels as Labels).flat;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    w.tag(field, WIRE_LEN);
    const m = w.begin();
    w.tag(1, WIRE_LEN);
    w.string(flat[i]!);
    w.tag(2, WIRE_LEN);
    w.string(flat[i + 1]!);
    w.finish(m);
  }
}

export function writeHistogram(w: ProtoWriter, t: number, h: FloatHistogram, integer: boolean): void {
  if (integer) {
    w.tag(1, WIRE_VARINT);
    w.int64(h.count);
  } else {
    w.tag(2, WIRE_I64);
    w.double(h.count);
  }
  w.tag(3, WIRE_I64);
  w.double(h.sum);
  w.tag(4, WIRE_VARINT);
  w.sint64(h.schema);
  w.tag(5, WIRE_I64);
  w.double(h.zeroThreshold);
  if (integer) {
    w.tag(6, WIRE_VARINT);
    w.int64(h.zeroCount);
  } else {
    w.tag(7, WIRE_I64);
    w.double(h.zeroCount);
  }
  writeSpans(w, 8, h.negativeSpans);
  writeBuckets(w, integer ? 9 : 10, h.negativeBuckets, integer);
  writeSpans(w, 11, h.positiveSpans);
  writeBuckets(w, integer ? 12 : 13, h.positiveBuckets, integer);
  w.tag(14, WIRE_VARINT);
  w.uint32(RESET_HINT_NUMBERS[h.counterResetHint]);
  w.tag(15, WIRE_VARINT);
  w.int64(t);
  if (h.customValues !== undefined && h.customValues.length > 0) {
    w.tag(16, WIRE_LEN);
    const m = w.begin();
    for (const v of h.customValues) w.double(v);
    w.finish(m);
  }
}

function writeSpans(w: ProtoWriter, field: number, spans: readonly BucketSpan[]): void {
  for (const s of spans) {
    w.tag(field, WIRE_LEN);
    const m = w.begin();
    w.tag(1, WIRE_VARINT);
    w.sint64(s.offset);
    w.tag(2, WIRE_VARINT);
    w.uint32(s.length);
    w.finish(m);
  }
}

/** Integer histograms send deltas between consecutive absolute counts (sint64, packed). */
function writeBuckets(w: ProtoWriter, field: number, buckets: readonly number[], integer: boolean): void {
  if (buckets.length === 0) return;
  w.tag(field, WIRE_LEN);
  const m = w.begin();
  let prev = 0;
  for (const b of buckets) {
    if (integer) {
      w.sint64(b - prev);
      prev = b;
    } else {
      w.double(b);
    }
  }
  w.finish(m);
}
