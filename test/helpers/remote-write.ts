/**
 * Builds real remote-write 1.0 bodies with an implementation independent of ours (protobufjs from a
 * schema written from the wire reference, snappyjs for compression), so tests of our hand-written
 * decoder never check it against itself.
 */
import protobuf from 'protobufjs';
import snappy from 'snappyjs';

const SCHEMA = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
message TimeSeries {
  repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; repeated Histogram histograms = 4;
}
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
message Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  repeated double positive_counts = 13;
  int32 reset_hint = 14;
  int64 timestamp = 15;
  repeated double custom_values = 16;
}
message MetricMetadata { int32 type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
`;

const root = protobuf.parse(SCHEMA).root;
const WriteRequestType = root.lookupType('prometheus.WriteRequest');

/**
 * A native histogram sample. Bucket counts are absolute; an integer histogram (the default) is sent
 * as Prometheus sends one, counts as deltas between consecutive buckets; `float` sends float counts.
 */
export interface FixtureHistogram {
  timestamp: number;
  schema: number;
  count: number;
  sum: number;
  zeroThreshold?: number;
  zeroCount?: number;
  positiveSpans?: { offset: number; length: number }[];
  positiveCounts?: number[];
  negativeSpans?: { offset: number; length: number }[];
  negativeCounts?: number[];
  /** 0 unknown, 1 yes, 2 no, 3 gauge. */
  resetHint?: number;
  customValues?: number[];
  float?: boolean;
}

function deltas(counts: number[]): number[] {
  return counts.map((c, i) => c - (i === 0 ? 0 : counts[i - 1]!));
}

function histogramMessage(h: FixtureHistogram): Record<string, unknown> {
  const pos = h.positiveCounts ?? [];
  const neg = h.negativeCounts ?? [];
  return {
    ...(h.float
      ? { countFloat: h.count, zeroCountFloat: h.zeroCount ?? 0, positiveCounts: pos, negativeCounts: neg }
      : {
          countInt: h.count,
          zeroCountInt: h.zeroCount ?? 0,
          positiveDeltas: deltas(pos),
          negativeDeltas: deltas(neg),
        }),
    sum: h.sum,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold ?? 0,
    positiveSpans: h.positiveSpans ?? [],
    negativeSpans: h.negativeSpans ?? [],
    resetHint: h.resetHint ?? 0,
    timestamp: h.timestamp,
    customValues: h.customValues ?? [],
  };
}

export interface FixtureSeries {
  labels: Record<string, string>;
  samples: { value: number; timestamp: number }[];
  histograms?: FixtureHistogram[];
  exemplars?: { labels: Record<string, string>; value: number; timestamp: number }[];
}

export interface FixtureMetadata {
  type: number;
  metricFamilyName: string;
  help: string;
  unit: string;
}

/** Uncompressed protobuf bytes of a WriteRequest. Labels are sent in the order given. */
export function encodeWriteRequestProto(series: FixtureSeries[], metadata: FixtureMetadata[] = []): Uint8Array {
  const msg = WriteRequestType.fromObject({
    timeseries: series.map((s) => ({
      labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })),
      samples: s.samples,
      exemplars: (s.exemplars ?? []).map((e) => ({
        labels: Object.entries(e.labels).map(([name, value]) => ({ name, value })),
        value: e.value,
        timestamp: e.timestamp,
      })),
      histograms: (s.histograms ?? []).map(histogramMessage),
    })),
    metadata,
  });
  return WriteRequestType.encode(msg).finish();
}

/** Snappy block-compressed bytes, as Prometheus sends them. */
export function snappyCompress(raw: Uint8Array): Uint8Array {
  return snappy.compress(raw);
}

/** A complete remote-write body: snappy(protobuf(WriteRequest)). */
export function remoteWriteBody(series: FixtureSeries[], metadata: FixtureMetadata[] = []): Uint8Array {
  return snappyCompress(encodeWriteRequestProto(series, metadata));
}

/** Headers Prometheus sends with a remote-write 1.0 request. */
export function remoteWriteHeaders(token: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'content-type': 'application/x-protobuf',
    'content-encoding': 'snappy',
    'x-prometheus-remote-write-version': '0.1.0',
    'user-agent': 'Prometheus/2.42.0',
  };
}
