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
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
message Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
message MetricMetadata { int32 type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
`;

const root = protobuf.parse(SCHEMA).root;
const WriteRequestType = root.lookupType('prometheus.WriteRequest');

export interface FixtureSeries {
  labels: Record<string, string>;
  samples: { value: number; timestamp: number }[];
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
