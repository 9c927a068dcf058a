/**
 * A port of the request builder of the upstream remote write 2.0 receiver compliance suite
 * (prometheus/compliance `remotewrite/receiver/helpers_test.go` at commit 67b8327a, Apache-2.0):
 * `generateRequest` (one TimeSeries per sample or histogram, exemplars attached to the first series
 * with the same labels, metadata attached by metric name, leftovers as series of their own) and
 * `histogram()` (the suite's bucket layouts). Bodies are encoded by protobufjs from Prometheus's own
 * `types.proto` (test/fixtures/rw2/types.proto) and compressed by snappyjs, so the cases never test our
 * decoder against our encoder. Label order follows a seeded shuffle, as Go's map order is random.
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';

const proto = readFileSync(new URL('../fixtures/rw2/types.proto', import.meta.url), 'utf8');
const root = protobuf.parse(proto, { keepCase: true }).root;
export const RequestV2 = root.lookupType('io.prometheus.write.v2.Request');

export const METRIC_TYPE = {
  UNSPECIFIED: 0,
  COUNTER: 1,
  GAUGE: 2,
  HISTOGRAM: 3,
  GAUGEHISTOGRAM: 4,
  SUMMARY: 5,
  INFO: 6,
  STATESET: 7,
} as const;

export type Labels = Record<string, string>;

/** writev2.Histogram as protobufjs takes it (keepCase field names). */
export type ProtoHistogram = Record<string, unknown>;

export interface SampleWithLabels {
  labels: Labels;
  value: number;
  /** ms relative to the request's `now`. */
  offset?: number;
  /** Absolute ms. */
  createdTimestamp?: number;
}
export interface HistogramWithLabels {
  labels: Labels;
  histogram: ProtoHistogram;
  offset?: number;
  createdTimestamp?: number;
}
export interface ExemplarWithLabels {
  labels: Labels;
  exemplarLabels: Labels;
  value: number;
  offset?: number;
}
export interface MetadataWithLabels {
  labels: Labels;
  type: number;
  help: string;
  unit: string;
}
export interface RequestOpts {
  samples?: SampleWithLabels[];
  histograms?: HistogramWithLabels[];
  exemplars?: ExemplarWithLabels[];
  metadata?: MetadataWithLabels[];
  /** Keeps metadata with an empty `__name__` (the suite's UnsafeRequest). */
  unsafeRequest?: boolean;
}

export interface BuiltRequest {
  headers: Record<string, string>;
  body: Uint8Array;
}

export const V2_HEADERS = {
  'content-encoding': 'snappy',
  'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
  'x-prometheus-remote-write-version': '2.0.0',
};

const key = (l: Labels) =>
  Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(',');
const sameLabels = (a: Labels, b: Labels) => key(a) === key(b);

/** A small deterministic shuffle standing in for Go's random map iteration order. */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = xs.slice();
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Port of `generateRequest`: the protobuf body (uncompressed) for `opts` at time `now`. */
export function encodeRequest(opts: RequestOpts, now: number, seed = 1): Uint8Array {
  const symbols: string[] = [''];
  const index = new Map<string, number>([['', 0]]);
  const sym = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      index.set(s, i);
    }
    return i;
  };
  const refs = (l: Labels) => shuffled(Object.entries(l), seed++).flatMap(([k, v]) => [sym(k), sym(v)]);
  const samples = opts.samples ?? [];
  const histograms = opts.histograms ?? [];
  const exemplars = opts.exemplars ?? [];
  const metadata = opts.metadata ?? [];

  const metaByName = new Map<string, object>();
  for (const m of metadata) {
    const name = m.labels.__name__ ?? '';
    if (name !== '' || opts.unsafeRequest) {
      metaByName.set(name, { type: m.type, help_ref: sym(m.help), unit_ref: sym(m.unit) });
    }
  }
  const used = new Set<number>();
  const attach = (labels: Labels, isLast: boolean) => {
    const out: object[] = [];
    exemplars.forEach((e, i) => {
      if (used.has(i) || !sameLabels(labels, e.labels)) return;
      if (out.length > 0 && !isLast) return;
      out.push({ labels_refs: refs(e.exemplarLabels), value: e.value, timestamp: now + (e.offset ?? 0) });
      used.add(i);
    });
    return out;
  };
  const timeseries: object[] = [];
  const lastIndex = (xs: { labels: Labels }[]) => {
    const m = new Map<string, number>();
    xs.forEach((x, i) => {
      m.set(key(x.labels), i);
    });
    return m;
  };
  const lastSample = lastIndex(samples);
  samples.forEach((s, i) => {
    const ts: Record<string, unknown> = {
      labels_refs: refs(s.labels),
      samples: [{ value: s.value, timestamp: now + (s.offset ?? 0), start_timestamp: s.createdTimestamp ?? 0 }],
      exemplars: attach(s.labels, lastSample.get(key(s.labels)) === i),
    };
    const name = s.labels.__name__ ?? '';
    if ((name !== '' || opts.unsafeRequest) && metaByName.has(name)) ts.metadata = metaByName.get(name);
    timeseries.push(ts);
  });
  const lastHist = lastIndex(histograms);
  histograms.forEach((h, i) => {
    const ts: Record<string, unknown> = {
      labels_refs: refs(h.labels),
      histograms: [{ ...h.histogram, timestamp: now + (h.offset ?? 0), start_timestamp: h.createdTimestamp ?? 0 }],
      exemplars: attach(h.labels, lastHist.get(key(h.labels)) === i),
    };
    const name = h.labels.__name__ ?? '';
    if ((name !== '' || opts.unsafeRequest) && metaByName.has(name)) ts.metadata = metaByName.get(name);
    timeseries.push(ts);
  });
  exemplars.forEach((e, i) => {
    if (used.has(i)) return;
    if (samples.some((s) => sameLabels(s.labels, e.labels)) || histograms.some((h) => sameLabels(h.labels, e.labels)))
      return;
    timeseries.push({
      labels_refs: refs(e.labels),
      exemplars: [{ labels_refs: refs(e.exemplarLabels), value: e.value, timestamp: now + (e.offset ?? 0) }],
    });
  });
  for (const m of metadata) {
    const name = m.labels.__name__ ?? '';
    if (name === '') continue;
    if (samples.some((s) => s.labels.__name__ === name) || histograms.some((h) => h.labels.__name__ === name)) continue;
    timeseries.push({
      labels_refs: refs(m.labels),
      metadata: { type: m.type, help_ref: sym(m.help), unit_ref: sym(m.unit) },
    });
  }
  const msg = RequestV2.fromObject({ symbols, timeseries });
  return RequestV2.encode(msg).finish();
}

export function generateRequest(opts: RequestOpts, now: number, seed = 1): BuiltRequest {
  return { headers: { ...V2_HEADERS }, body: snappy.compress(encodeRequest(opts, now, seed)) };
}

/** Port of `histogram(sum, includePositive, includeNegative, includeZero, useCustomBuckets, badCount)`. */
export function histogram(
  sum: number,
  includePositive: boolean,
  includeNegative: boolean,
  includeZero: boolean,
  useCustomBuckets: boolean,
  badCount: boolean,
): ProtoHistogram {
  let count = 0;
  const h: ProtoHistogram = { sum };
  if (includePositive) {
    h.positive_spans = [
      { offset: 0, length: 3 },
      { offset: 2, length: 2 },
    ];
    h.positive_deltas = [1, 2, 1, 3, 1];
    count += 23;
  }
  if (includeNegative) {
    h.negative_spans = [{ offset: 0, length: 2 }];
    h.negative_deltas = [1, 1];
    count += 3;
  }
  if (includeZero) {
    count += 1;
    h.zero_count_int = 1;
  }
  if (useCustomBuckets) {
    h.positive_spans = [{ offset: 0, length: 6 }];
    h.positive_deltas = [2, 1, 2, 3, -1, -2];
    h.custom_values = [0.1, 0.5, 1.0, 2.5, 5.0, 10.0];
    h.schema = -53;
    count = 30;
  }
  if (badCount) count = 99;
  h.count_int = count;
  return h;
}

/** The suite's RW1 request (`generateRW1Request`): plain 1.0 headers, no version header. */
const V1_SCHEMA = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;
const WriteRequestV1 = protobuf.parse(V1_SCHEMA, { keepCase: true }).root.lookupType('prometheus.WriteRequest');

export function generateRW1Request(samples: SampleWithLabels[], now: number): BuiltRequest {
  const timeseries = samples.map((s) => ({
    labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })),
    samples: [{ value: s.value, timestamp: now + (s.offset ?? 0) }],
  }));
  const raw = WriteRequestV1.encode(WriteRequestV1.fromObject({ timeseries })).finish();
  return {
    headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
    body: snappy.compress(raw),
  };
}
