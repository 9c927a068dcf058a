import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BadDataError, isStaleNaN, STALE_NAN } from '../model/index.js';
import {
  decodeWriteRequestV2,
  type EncodableWriteRequest,
  encodeWriteRequest,
  encodeWriteRequestV2,
  snappyDecode,
} from './index.js';
import { seededRandom } from './test-rng.js';

const len = (b: number[]) => [b.length, ...b];
const sym = (s: string) => [0x22, ...len([...new TextEncoder().encode(s)])];

describe('decodeWriteRequestV2', () => {
  it('resolves label refs against the symbols table, even when symbols come last', () => {
    const sample = [0x12, ...len([0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x05, 0x18, 0x03])];
    const ts = [0x2a, ...len([0x0a, ...len([1, 2, 3, 4]), ...sample])];
    const body = Uint8Array.from([...ts, ...sym(''), ...sym('__name__'), ...sym('up'), ...sym('job'), ...sym('node')]);
    expect(decodeWriteRequestV2(body)).toEqual({
      timeseries: [
        {
          labels: ['__name__', 'up', 'job', 'node'],
          samples: [{ t: 5, v: 1 }],
          histograms: [],
          exemplars: [],
          createdTimestamps: [3],
        },
      ],
      metadata: [],
    });
  });

  it('turns per-series metadata into one entry per metric family', () => {
    const req: EncodableWriteRequest = {
      timeseries: [
        { labels: ['__name__', 'http_requests_total', 'code', '200'], samples: [{ t: 1, v: 1 }] },
        { labels: ['__name__', 'http_requests_total', 'code', '500'], samples: [{ t: 1, v: 2 }] },
        { labels: ['__name__', 'no_metadata'], samples: [{ t: 1, v: 3 }] },
      ],
      metadata: [{ metricFamilyName: 'http_requests_total', type: 'counter', help: 'Requests.', unit: 'requests' }],
    };
    expect(decodeWriteRequestV2(encodeWriteRequestV2(req)).metadata).toEqual(req.metadata);
  });

  it('decodes a 1.0 body as an empty 2.0 request (reserved field numbers)', () => {
    const v1 = encodeWriteRequest({ timeseries: [{ labels: ['__name__', 'up'], samples: [{ t: 1, v: 1 }] }] });
    expect(decodeWriteRequestV2(v1)).toEqual({ timeseries: [], metadata: [] });
  });

  const bad: { name: string; body: number[]; message: string }[] = [
    { name: 'non-empty first symbol', body: sym('x'), message: 'symbols[0] must be the empty string' },
    {
      name: 'timeseries with the varint wire type',
      body: [0x28, 0x01],
      message: 'Request.timeseries has wire type varint',
    },
    {
      name: 'metadata type as i64',
      body: [...sym(''), 0x2a, ...len([0x2a, ...len([0x09, 0, 0, 0, 0, 0, 0, 0, 0])])],
      message: 'Metadata.type has wire type i64',
    },
  ];
  const rejected: { name: string; body: number[]; message: string; dropped: number }[] = [
    {
      name: 'odd refs',
      body: [...sym(''), 0x2a, ...len([0x0a, ...len([0])])],
      message: 'series {=<missing>} has an odd number of labels_refs (1)',
      dropped: 0,
    },
    {
      name: 'ref out of range',
      body: [...sym(''), ...sym('__name__'), 0x2a, ...len([0x0a, ...len([1, 9]), 0x12, ...len([0x10, 0x05])])],
      message: 'series {__name__=<ref 9>} has labels_refs[1] = 9 outside the symbols table (2 symbols)',
      dropped: 1,
    },
    {
      name: 'unpacked ref out of range',
      body: [...sym(''), 0x2a, ...len([0x08, 0, 0x08, 3])],
      message: 'labels_refs[1] = 3 outside the symbols table (1 symbols)',
      dropped: 0,
    },
    {
      name: 'exemplar ref out of range',
      body: [...sym(''), 0x2a, ...len([0x22, ...len([0x0a, ...len([0, 4])])])],
      message: 'exemplar {=<ref 4>} of series {} has labels_refs[1] = 4 outside the symbols table',
      dropped: 0,
    },
    {
      name: 'help ref out of range',
      body: [
        ...sym(''),
        ...sym('__name__'),
        ...sym('m'),
        0x2a,
        ...len([0x0a, ...len([1, 2]), 0x2a, ...len([0x08, 1, 0x18, 9])]),
      ],
      message: 'series {__name__="m"} has metadata help_ref 9 outside the symbols table (3 symbols)',
      dropped: 0,
    },
  ];
  it.each(rejected)('drops the series (or exemplar) and names it: $name', ({ body, message, dropped }) => {
    const got = decodeWriteRequestV2(Uint8Array.from(body));
    expect(got.rejected).toHaveLength(1);
    expect(got.rejected![0]!.error).toBeInstanceOf(BadDataError);
    expect(got.rejected![0]!.error.id).toBe('err-cortex-invalid-symbol-ref');
    expect(got.rejected![0]!.error.message).toContain(message);
    expect(got.rejected![0]!.dropped).toBe(dropped);
  });

  it('keeps the valid series beside a rejected one', () => {
    const good = [0x2a, ...len([0x0a, ...len([1, 2]), 0x12, ...len([0x10, 0x05])])];
    const bad = [0x2a, ...len([0x0a, ...len([1, 7])])];
    const got = decodeWriteRequestV2(Uint8Array.from([...sym(''), ...sym('__name__'), ...sym('up'), ...bad, ...good]));
    expect(got.timeseries.map((t) => t.labels)).toEqual([['__name__', 'up']]);
    expect(got.rejected).toHaveLength(1);
  });

  it.each(bad)('rejects $name', ({ body, message }) => {
    const run = () => decodeWriteRequestV2(Uint8Array.from(body));
    expect(run).toThrow(BadDataError);
    expect(run).toThrow(message);
  });

  it.each([1, 2, 3, 4, 5])('round-trips generated requests (seed %i)', (seed) => {
    const rnd = seededRandom(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const strings = ['a', 'node', 'héllo', '日本語', '__proto__', 'x'.repeat(300), '', 'constructor'];
    const req: EncodableWriteRequest = {
      timeseries: Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => ({
        labels: Array.from({ length: 2 * Math.floor(rnd() * 8) }, () => pick(strings)),
        samples: Array.from({ length: Math.floor(rnd() * 4) }, () => ({
          t: Math.floor((rnd() - 0.3) * 2 ** 50),
          v: pick([0, -1.5, STALE_NAN, rnd() * 1e300]),
        })),
        exemplars: Array.from({ length: Math.floor(rnd() * 2) }, () => ({
          labels: ['trace_id', pick(strings)],
          t: Math.floor(rnd() * 2 ** 45),
          v: rnd(),
        })),
        histograms: Array.from({ length: Math.floor(rnd() * 2) }, () => ({
          t: Math.floor(rnd() * 2 ** 45),
          integer: true,
          h: {
            counterResetHint: 'gauge' as const,
            schema: 3,
            zeroThreshold: 0.001,
            zeroCount: 2,
            count: 9,
            sum: 4.5,
            positiveSpans: [{ offset: -1, length: 2 }],
            negativeSpans: [],
            positiveBuckets: [3, 4],
            negativeBuckets: [],
          },
        })),
      })),
    };
    const got = decodeWriteRequestV2(encodeWriteRequestV2(req));
    got.timeseries.forEach((ts, i) => {
      const want = req.timeseries[i]!;
      expect(ts.labels).toEqual(want.labels);
      const wantSamples = [...(want.samples ?? [])];
      expect(ts.samples.map((s) => s.t)).toEqual(wantSamples.map((s) => s.t));
      ts.samples.forEach((s, k) => {
        const w = wantSamples[k]!.v;
        if (isStaleNaN(w)) expect(isStaleNaN(s.v)).toBe(true);
        else expect(s.v).toBe(w);
      });
      expect(ts.exemplars).toEqual(want.exemplars);
      expect(ts.histograms).toEqual(want.histograms);
    });
  });
});

describe('decodeWriteRequestV2: start (created) timestamps', () => {
  const symbols = [...sym(''), ...sym('__name__'), ...sym('c_total')];
  const refs = [0x0a, ...len([1, 2])];
  // value 1.0, timestamp 5, then optional fields
  const sample = (extra: number[]) => [0x12, ...len([0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x05, ...extra])];
  // count_int 1, timestamp (15) 5, then optional fields
  const histogram = (extra: number[]) => [0x1a, ...len([0x08, 0x01, 0x78, 0x05, ...extra])];
  it.each([
    { name: 'Sample.start_timestamp older than the sample', series: [...refs, ...sample([0x18, 0x03])], want: [3] },
    {
      name: 'Sample.start_timestamp equal to the sample: none',
      series: [...refs, ...sample([0x18, 0x05])],
      want: undefined,
    },
    {
      name: 'Sample.start_timestamp newer than the sample: none',
      series: [...refs, ...sample([0x18, 0x09])],
      want: undefined,
    },
    { name: 'no start timestamp', series: [...refs, ...sample([])], want: undefined },
    { name: 'Histogram.start_timestamp (field 17)', series: [...refs, ...histogram([0x88, 0x01, 0x02])], want: [2] },
    {
      name: 'the drafts’ TimeSeries.created_timestamp (field 6), before the first sample',
      series: [...refs, ...sample([]), 0x30, 0x04],
      want: [4],
    },
    {
      name: 'one per sample, in order',
      series: [
        ...refs,
        ...sample([0x18, 0x01]),
        0x12,
        ...len([0x09, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x10, 0x09, 0x18, 0x07]),
      ],
      want: [1, 7],
    },
  ])('$name', ({ series, want }) => {
    const got = decodeWriteRequestV2(Uint8Array.from([...symbols, 0x2a, ...len(series)]));
    expect(got.timeseries).toHaveLength(1);
    expect(got.timeseries[0]!.createdTimestamps).toEqual(want);
  });
});

describe('decodeWriteRequestV2 on a byte fixture of a real 2.0 request', () => {
  // Prometheus's writeV2RequestFixture (storage/remote/codec_test.go), encoded by protobufjs from
  // Prometheus's types.proto and compressed by snappyjs: see scripts/gen-rw2-fixture.ts.
  const body = readFileSync(new URL('../../test/fixtures/rw2/prometheus-codec-fixture.v2.snappy', import.meta.url));
  const got = decodeWriteRequestV2(snappyDecode(new Uint8Array(body), 1 << 20));
  const labels = ['__name__', 'test_metric1', 'b', 'c', 'baz', 'qux', 'd', 'e', 'foo', 'bar'];
  const exp = { schema: 2, zeroThreshold: 1e-128, zeroCount: 0, count: 3, sum: 20 };
  const spans = { positiveSpans: [{ offset: 0, length: 1 }], negativeSpans: [{ offset: 0, length: 1 }] };
  const custom = {
    schema: -53,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 16,
    sum: 20,
    positiveSpans: [{ offset: 1, length: 2 }],
    negativeSpans: [],
    positiveBuckets: [10, 6],
    negativeBuckets: [],
    customValues: [0.1, 1],
  };
  const hist = (t: number, integer: boolean, h: object) => ({ t, integer, h: { counterResetHint: 'unknown', ...h } });

  it('decodes both series with their samples, exemplars and histograms', () => {
    expect(got.rejected).toBeUndefined();
    expect(got.timeseries).toHaveLength(2);
    const [a, b] = got.timeseries;
    expect(a!.labels).toEqual(labels);
    expect(b!.labels).toEqual(labels);
    expect(a!.samples).toEqual([{ t: 10, v: 1 }]);
    expect(b!.samples).toEqual([{ t: 20, v: 2 }]);
    expect(a!.exemplars).toEqual([{ labels: ['f', 'g'], t: 10, v: 1 }]);
    expect(b!.exemplars).toEqual([{ labels: ['h', 'i'], t: 20, v: 2 }]);
    const nonCustom = { ...exp, ...spans, positiveBuckets: [1], negativeBuckets: [2] };
    expect(a!.histograms).toEqual([
      hist(10, true, nonCustom),
      hist(20, false, nonCustom),
      hist(30, true, custom),
      hist(40, false, custom),
    ]);
    expect(b!.histograms.map((h) => h.t)).toEqual([50, 60, 70, 80]);
  });

  it('keeps the first metadata of the metric family, as one entry', () => {
    expect(got.metadata).toEqual([
      {
        metricFamilyName: 'test_metric1',
        type: 'gauge',
        help: 'Test gauge for test purposes',
        unit: 'Maybe op/sec who knows (:',
      },
    ]);
  });
});
