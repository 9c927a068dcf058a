import { type FloatHistogram, type MetricMetadata, STALE_NAN } from '../model/index.js';
import { type EncodableSeries, encodeWriteRequest, encodeWriteRequestV2, snappyEncode } from '../remotewrite/index.js';

/**
 * The remote-write bad-input table. It runs against `createPushHandler` in this folder's unit tests
 * and, unchanged, end to end over HTTP from `test/` (the integrator's e2e suite). Every case assumes
 * the DEFAULT per-tenant limits (data-plane/validation/limits.ts) and a server clock within a minute
 * of `now`. Cases with status 204 pin down leniency we promise (unsorted labels, missing headers, …).
 */
export interface BadInputCase {
  name: string;
  /** Builds the request; `now` is the current time in ms (timestamps are relative to it). */
  build(now: number): BuiltRequest;
  expectedStatus: number;
  /** A substring of the response body (usually the error ID); '' for 204. */
  expectedMessage: string;
  /** `X-Prometheus-Remote-Write-Samples-Written` when the request reached the distributor. */
  expectedSamplesWritten?: number;
}

export interface BuiltRequest {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  remoteWriteVersion: string | undefined;
  body: Uint8Array;
}

const V1 = { contentType: 'application/x-protobuf', contentEncoding: 'snappy', remoteWriteVersion: '0.1.0' };
const V2 = {
  contentType: 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
  contentEncoding: 'snappy',
  remoteWriteVersion: '2.0.0',
};
const DAY = 86_400_000;

/** A valid series unique to the case, sent beside the bad one so partial writes can be checked. */
function good(name: string, now: number): EncodableSeries {
  return { labels: ['__name__', 'bad_input_ok', 'case', name], samples: [{ t: now, v: 1 }] };
}

function series(labels: string[], now: number, extra: Partial<EncodableSeries> = {}): EncodableSeries {
  return { labels, samples: [{ t: now, v: 42 }], ...extra };
}

function body(ts: EncodableSeries[], metadata: MetricMetadata[] = []): Uint8Array {
  return snappyEncode(encodeWriteRequest({ timeseries: ts, metadata }));
}

/** A partial case: one valid series plus one invalid one → 400, and the valid sample is written. */
function partial(name: string, bad: (now: number) => EncodableSeries, expectedMessage: string): BadInputCase {
  return {
    name,
    build: (now) => ({ ...V1, body: body([good(name, now), bad(now)]) }),
    expectedStatus: 400,
    expectedMessage,
    expectedSamplesWritten: 1,
  };
}

function raw(name: string, bytes: number[] | Uint8Array, expectedMessage: string): BadInputCase {
  return {
    name,
    build: () => ({ ...V1, body: snappyEncode(Uint8Array.from(bytes)) }),
    expectedStatus: 400,
    expectedMessage,
  };
}

function histogram(now: number, h: Partial<FloatHistogram>, t = now, integer = true): EncodableSeries {
  return {
    labels: ['__name__', 'bad_histogram'],
    histograms: [
      {
        t,
        integer,
        h: {
          counterResetHint: 'unknown',
          schema: 0,
          zeroThreshold: 0,
          zeroCount: 0,
          count: 3,
          sum: 1,
          positiveSpans: [{ offset: 0, length: 2 }],
          negativeSpans: [],
          positiveBuckets: [1, 2],
          negativeBuckets: [],
          ...h,
        },
      },
    ],
  };
}

function v2raw(name: string, bytes: number[], expectedMessage: string): BadInputCase {
  return {
    name,
    build: () => ({ ...V2, body: snappyEncode(Uint8Array.from(bytes)) }),
    expectedStatus: 400,
    expectedMessage,
  };
}

const labelsWithCount = (n: number) => {
  const out = ['__name__', 'many_labels'];
  for (let i = 1; i < n; i++) out.push(`l${String(i).padStart(2, '0')}`, 'x');
  return out;
};

const ok = (name: string, build: (now: number) => BuiltRequest, written = 1): BadInputCase => ({
  name,
  build,
  expectedStatus: 204,
  expectedMessage: '',
  expectedSamplesWritten: written,
});

export const badInputCases: readonly BadInputCase[] = [
  // Transport and content negotiation.
  {
    name: 'content type text/plain',
    build: (now) => ({ ...V1, contentType: 'text/plain', body: body([good('ct-text', now)]) }),
    expectedStatus: 415,
    expectedMessage: 'err-cortex-unsupported-content-type',
  },
  {
    name: 'content type application/json',
    build: (now) => ({ ...V1, contentType: 'application/json', body: body([good('ct-json', now)]) }),
    expectedStatus: 415,
    expectedMessage: 'unsupported Content-Type',
  },
  {
    name: 'unknown proto parameter',
    build: (now) => ({ ...V1, contentType: 'application/x-protobuf;proto=yolo', body: body([good('yolo', now)]) }),
    expectedStatus: 415,
    expectedMessage: 'unsupported protobuf message "yolo"',
  },
  {
    name: 'remote write version 2.0.0 header without a proto parameter',
    build: (now) => ({ ...V1, remoteWriteVersion: '2.0.0', body: body([good('rw2-header', now)]) }),
    expectedStatus: 415,
    expectedMessage: 'needs Content-Type application/x-protobuf;proto=io.prometheus.write.v2.Request',
  },
  {
    name: 'gzip content encoding',
    build: (now) => ({ ...V1, contentEncoding: 'gzip', body: body([good('gzip', now)]) }),
    expectedStatus: 415,
    expectedMessage: 'err-cortex-unsupported-content-encoding',
  },
  {
    name: 'zstd content encoding',
    build: (now) => ({ ...V1, contentEncoding: 'zstd', body: body([good('zstd', now)]) }),
    expectedStatus: 415,
    expectedMessage: 'unsupported Content-Encoding "zstd"',
  },
  // Snappy.
  {
    name: 'empty body',
    build: () => ({ ...V1, body: new Uint8Array() }),
    expectedStatus: 400,
    expectedMessage: 'snappy: corrupt input: truncated length preamble',
  },
  {
    name: 'uncompressed protobuf sent as snappy',
    build: (now) => ({ ...V1, body: encodeWriteRequest({ timeseries: [good('raw', now)] }) }),
    expectedStatus: 400,
    expectedMessage: 'err-cortex-snappy-corrupt',
  },
  {
    name: 'decompression bomb (declares 4 GiB)',
    build: () => ({ ...V1, body: Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61]) }),
    expectedStatus: 400,
    expectedMessage: 'err-cortex-request-too-large',
  },
  {
    name: 'snappy copy before the start of the output',
    build: () => ({ ...V1, body: Uint8Array.from([0x08, 0x00, 0x61, 0x01, 0x09]) }),
    expectedStatus: 400,
    expectedMessage: 'copy offset 9 outside the 1 bytes written',
  },
  {
    name: 'truncated snappy body',
    build: (now) => {
      const b = body([good('truncated', now), good('truncated-2', now)]);
      return { ...V1, body: b.subarray(0, b.length >> 1) };
    },
    expectedStatus: 400,
    expectedMessage: 'err-cortex-snappy-corrupt',
  },
  // Protobuf.
  raw('truncated varint', [0x0a, 0x80], 'truncated varint'),
  raw('timeseries with the varint wire type', [0x08, 0x01], 'WriteRequest.timeseries has wire type varint'),
  raw('series length overruns the request', [0x0a, 0x20, 0x0a, 0x00], 'overruns its enclosing message'),
  raw('label overruns its series', [0x0a, 0x02, 0x0a, 0x09, 0x0a], 'overruns its enclosing message'),
  raw(
    'invalid UTF-8 in a label value',
    [0x0a, 0x08, 0x0a, 0x06, 0x0a, 0x01, 0x61, 0x12, 0x01, 0xff],
    'err-cortex-invalid-utf8',
  ),
  raw('deprecated group wire type', [0x2b], 'unsupported wire type start-group'),
  raw(
    'sample value with the varint wire type',
    [0x0a, 0x04, 0x12, 0x02, 0x08, 0x01],
    'Sample.value has wire type varint',
  ),
  raw('field number zero', [0x02, 0x00], 'field number 0'),
  // Labels (partial writes: the valid series is stored).
  partial('missing metric name', (now) => series(['job', 'node'], now), 'err-cortex-missing-metric-name'),
  partial('empty metric name', (now) => series(['__name__', '', 'job', 'x'], now), 'err-cortex-missing-metric-name'),
  partial('metric name with a dash', (now) => series(['__name__', 'up-time'], now), 'err-cortex-metric-name-invalid'),
  partial('metric name starting with a digit', (now) => series(['__name__', '9up'], now), "invalid metric name: '9up'"),
  partial(
    'label name with a dot',
    (now) => series(['__name__', 'up', 'k8s.pod', 'x'], now),
    'err-cortex-label-invalid',
  ),
  partial(
    'label name with a dash',
    (now) => series(['__name__', 'up', 'pod-name', 'x'], now),
    "invalid label: 'pod-name'",
  ),
  partial('empty label name', (now) => series(['__name__', 'up', '', 'x'], now), 'err-cortex-label-invalid'),
  partial('non-ASCII label name', (now) => series(['__name__', 'up', 'héllo', 'x'], now), 'err-cortex-label-invalid'),
  partial(
    'too many labels',
    (now) => series(labelsWithCount(31), now),
    'number of labels exceeds the limit (actual: 31, limit: 30)',
  ),
  partial(
    'label name too long',
    (now) => series(['__name__', 'up', 'n'.repeat(1025), 'x'], now),
    'err-cortex-label-name-too-long',
  ),
  partial(
    'label value too long',
    (now) => series(['__name__', 'up', 'v', 'x'.repeat(2049)], now),
    'label value length exceeds the limit (actual: 2049, limit: 2048)',
  ),
  partial(
    'label value too long in UTF-8 bytes',
    (now) => series(['__name__', 'up', 'v', 'é'.repeat(1100)], now),
    'err-cortex-label-value-too-long',
  ),
  partial(
    'metric name too long',
    (now) => series(['__name__', 'm'.repeat(2049)], now),
    'err-cortex-label-value-too-long',
  ),
  partial(
    'duplicate label names',
    (now) => series(['__name__', 'up', 'a', '1', 'a', '2'], now),
    "duplicate label name, label: 'a'",
  ),
  partial(
    'duplicate metric name',
    (now) => series(['__name__', 'up', '__name__', 'down'], now),
    'err-cortex-duplicate-label-names',
  ),
  // Timestamps.
  partial(
    'sample too far in the future',
    (now) => series(['__name__', 'future'], now + 3_600_000),
    'err-cortex-too-far-in-future',
  ),
  partial(
    'sample older than 14 days',
    (now) => series(['__name__', 'old'], now - 15 * DAY),
    'err-cortex-sample-timestamp-too-old',
  ),
  partial(
    'timestamp beyond 2^53',
    (now) => ({ ...series(['__name__', 'big'], now), samples: [{ t: 2 ** 60, v: 1 }] }),
    'err-cortex-sample-timestamp-invalid',
  ),
  partial(
    'timestamp below -2^53',
    (now) => ({ ...series(['__name__', 'neg'], now), samples: [{ t: -(2 ** 62), v: 1 }] }),
    'err-cortex-sample-timestamp-invalid',
  ),
  partial(
    'one bad sample drops its whole series',
    (now) => ({
      ...series(['__name__', 'mixed'], now),
      samples: [
        { t: now, v: 1 },
        { t: now + DAY, v: 2 },
      ],
    }),
    'err-cortex-too-far-in-future',
  ),
  // Native histograms.
  partial(
    'histogram spans do not match buckets',
    (now) => histogram(now, { positiveBuckets: [1] }),
    'spans cover 2 buckets but 1 were sent',
  ),
  partial(
    'histogram with an unknown schema',
    (now) => histogram(now, { schema: 42 }),
    'err-cortex-native-histogram-invalid',
  ),
  partial(
    'histogram with a negative bucket count',
    (now) => histogram(now, { positiveBuckets: [3, -1] }),
    'negative count',
  ),
  partial('histogram too far in the future', (now) => histogram(now, {}, now + DAY), 'err-cortex-too-far-in-future'),
  partial(
    'float histogram with a NaN bucket count',
    (now) => histogram(now, { positiveBuckets: [1, Number.NaN] }, now, false),
    'positive bucket count is NaN',
  ),
  partial(
    'float histogram with a NaN count',
    (now) => histogram(now, { count: Number.NaN }, now, false),
    'count is NaN',
  ),
  partial(
    'custom bucket bounds not increasing',
    (now) => histogram(now, { schema: -53, customValues: [1, 0.5, 2] }),
    'custom bounds must be in strictly increasing order, got 1 then 0.5',
  ),
  partial(
    'custom buckets beyond the bounds',
    (now) => histogram(now, { schema: -53, positiveSpans: [{ offset: 3, length: 2 }], customValues: [1] }),
    '1 custom bounds cannot cover spans reaching bucket 5',
  ),
  // Exemplars and metadata (the series itself is stored).
  {
    name: 'exemplar without labels',
    build: (now) => ({
      ...V1,
      body: body([{ ...good('exemplar-empty', now), exemplars: [{ labels: [], t: now, v: 1 }] }]),
    }),
    expectedStatus: 400,
    expectedMessage: 'err-cortex-exemplar-labels-missing',
    expectedSamplesWritten: 1,
  },
  {
    name: 'exemplar labels over 128 characters',
    build: (now) => ({
      ...V1,
      body: body([
        { ...good('exemplar-long', now), exemplars: [{ labels: ['trace_id', 't'.repeat(200)], t: now, v: 1 }] },
      ]),
    }),
    expectedStatus: 400,
    expectedMessage: 'err-cortex-exemplar-labels-too-long',
    expectedSamplesWritten: 1,
  },
  {
    name: 'metadata without a family name',
    build: (now) => ({
      ...V1,
      body: body([good('md-name', now)], [{ metricFamilyName: '', type: 'gauge', help: 'h', unit: '' }]),
    }),
    expectedStatus: 400,
    expectedMessage: 'err-cortex-metadata-missing-metric-name',
    expectedSamplesWritten: 1,
  },
  {
    name: 'metadata HELP too long',
    build: (now) => ({
      ...V1,
      body: body([good('md-help', now)], [{ metricFamilyName: 'up', type: 'gauge', help: 'h'.repeat(1025), unit: '' }]),
    }),
    expectedStatus: 400,
    expectedMessage: 'err-cortex-metadata-too-long',
    expectedSamplesWritten: 1,
  },
  {
    name: 'every series invalid',
    build: (now) => ({ ...V1, body: body([series(['job', 'a'], now), series(['__name__', 'a-b'], now)]) }),
    expectedStatus: 400,
    expectedMessage: 'err-cortex-missing-metric-name',
    expectedSamplesWritten: 0,
  },
  // Remote write 2.0.
  v2raw('2.0: symbols[0] is not empty', [0x22, 0x01, 0x61], 'symbols[0] must be the empty string'),
  v2raw(
    '2.0: odd number of label refs',
    [0x22, 0x00, 0x22, 0x01, 0x61, 0x2a, 0x03, 0x0a, 0x01, 0x01],
    'series {a=<missing>} has an odd number of labels_refs (1) (err-cortex-invalid-symbol-ref)',
  ),
  v2raw(
    '2.0: label ref out of range',
    [0x22, 0x00, 0x2a, 0x04, 0x0a, 0x02, 0x00, 0x07],
    'series {=<ref 7>} has labels_refs[1] = 7 outside the symbols table (1 symbols)',
  ),
  v2raw('2.0: symbols with the varint wire type', [0x20, 0x01], 'Request.symbols has wire type varint'),
  {
    name: '2.0: invalid series is dropped, the valid one stored',
    build: (now) => ({
      ...V2,
      body: snappyEncode(encodeWriteRequestV2({ timeseries: [good('rw2-partial', now), series(['job', 'x'], now)] })),
    }),
    expectedStatus: 400,
    expectedMessage: 'err-cortex-missing-metric-name',
    expectedSamplesWritten: 1,
  },
  // Leniency we promise (Prometheus/Mimir behaviour): these are stored.
  ok('2.0 request with metadata', (now) => ({
    ...V2,
    body: snappyEncode(
      encodeWriteRequestV2({
        timeseries: [good('rw2', now)],
        metadata: [{ metricFamilyName: 'bad_input_ok', type: 'gauge', help: 'ok', unit: '' }],
      }),
    ),
  })),
  ok('unsorted labels are sorted', (now) => ({
    ...V1,
    body: body([series(['job', 'x', '__name__', 'unsorted'], now)]),
  })),
  ok('empty label values are dropped', (now) => ({
    ...V1,
    body: body([series(['__name__', 'empty_value', 'a', ''], now)]),
  })),
  ok('__-prefixed label names are accepted', (now) => ({
    ...V1,
    body: body([series(['__name__', 'reserved', '__tmp', 'x'], now)]),
  })),
  ok('missing Content-Type means remote write 1.0', (now) => ({
    ...V1,
    contentType: undefined,
    body: body([good('no-ct', now)]),
  })),
  ok('missing Content-Encoding means snappy', (now) => ({
    ...V1,
    contentEncoding: undefined,
    body: body([good('no-ce', now)]),
  })),
  ok('missing version header', (now) => ({
    ...V1,
    remoteWriteVersion: undefined,
    body: body([good('no-version', now)]),
  })),
  ok('explicit proto=prometheus.WriteRequest', (now) => ({
    ...V1,
    contentType: 'application/x-protobuf; proto=prometheus.WriteRequest',
    body: body([good('proto-v1', now)]),
  })),
  ok(
    'stale marker and NaN values',
    (now) => ({
      ...V1,
      body: body([
        {
          labels: ['__name__', 'stale'],
          samples: [
            { t: now - 1, v: Number.NaN },
            { t: now, v: STALE_NAN },
          ],
        },
      ]),
    }),
    2,
  ),
  ok('empty request', () => ({ ...V1, body: body([]) }), 0),
];
