/**
 * Writes test/fixtures/rw2/prometheus-codec-fixture.v2.snappy: Prometheus's own remote write 2.0 test
 * request (`writeV2RequestFixture` in prometheus/prometheus storage/remote/codec_test.go at commit
 * d15adb9a), encoded by protobufjs from Prometheus's `types.proto` and compressed by snappyjs, i.e.
 * with no code of ours. Run once: `node --import tsx scripts/gen-rw2-fixture.ts`.
 */
import { writeFileSync } from 'node:fs';
import snappy from 'snappyjs';
import { RequestV2 } from '../test/helpers/rw2-compliance.js';

// testHistogram and testHistogramCustomBuckets of codec_test.go, as writev2.FromIntHistogram /
// FromFloatHistogram put them on the wire (deltas for integer histograms, absolute counts for float).
const spans = (...s: [number, number][]) => s.map(([offset, length]) => ({ offset, length }));
const intHist = (st: number, t: number) => ({
  count_int: 3,
  sum: 20,
  schema: 2,
  zero_threshold: 1e-128,
  zero_count_int: 0,
  negative_spans: spans([0, 1]),
  negative_deltas: [2],
  positive_spans: spans([0, 1]),
  positive_deltas: [1],
  timestamp: t,
  start_timestamp: st,
});
const floatHist = (st: number, t: number) => ({
  count_float: 3,
  sum: 20,
  schema: 2,
  zero_threshold: 1e-128,
  zero_count_float: 0,
  negative_spans: spans([0, 1]),
  negative_counts: [2],
  positive_spans: spans([0, 1]),
  positive_counts: [1],
  timestamp: t,
  start_timestamp: st,
});
const intCustom = (st: number, t: number) => ({
  count_int: 16,
  sum: 20,
  schema: -53,
  zero_count_int: 0,
  positive_spans: spans([1, 2]),
  positive_deltas: [10, -4],
  custom_values: [0.1, 1.0],
  timestamp: t,
  start_timestamp: st,
});
const floatCustom = (st: number, t: number) => ({
  count_float: 16,
  sum: 20,
  schema: -53,
  zero_count_float: 0,
  positive_spans: spans([1, 2]),
  positive_counts: [10, 6],
  custom_values: [0.1, 1.0],
  timestamp: t,
  start_timestamp: st,
});

const request = {
  symbols: [
    '',
    '__name__',
    'test_metric1',
    'b',
    'c',
    'baz',
    'qux',
    'd',
    'e',
    'foo',
    'bar',
    'f',
    'g',
    'h',
    'i',
    'Test gauge for test purposes',
    'Maybe op/sec who knows (:',
    'Test counter for test purposes',
  ],
  timeseries: [
    {
      labels_refs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      metadata: { type: 2, help_ref: 15, unit_ref: 16 },
      samples: [{ value: 1, timestamp: 10, start_timestamp: 1 }],
      exemplars: [{ labels_refs: [11, 12], value: 1, timestamp: 10 }],
      histograms: [intHist(1, 10), floatHist(2, 20), intCustom(11, 30), floatCustom(21, 40)],
    },
    {
      labels_refs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      metadata: { type: 1, help_ref: 17 },
      samples: [{ value: 2, timestamp: 20 }],
      exemplars: [{ labels_refs: [13, 14], value: 2, timestamp: 20 }],
      histograms: [intHist(31, 50), floatHist(41, 60), intCustom(51, 70), floatCustom(61, 80)],
    },
  ],
};

const raw = RequestV2.encode(RequestV2.fromObject(request)).finish();
const out = new URL('../test/fixtures/rw2/prometheus-codec-fixture.v2.snappy', import.meta.url);
writeFileSync(out, snappy.compress(raw));
console.log(`wrote ${out.pathname}: ${raw.length} bytes raw`);
