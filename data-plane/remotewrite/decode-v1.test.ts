import { describe, expect, it } from 'vitest';
import { BadDataError, isStaleNaN, STALE_NAN } from '../model/index.js';
import { decodeWriteRequest, type EncodableWriteRequest, encodeWriteRequest, SeriesCache } from './index.js';
import { seededRandom } from './test-rng.js';

const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const len = (bytes: number[]) => [bytes.length, ...bytes];
const label = (n: string, v: string) => [0x0a, ...len([0x0a, ...len(utf8(n)), 0x12, ...len(utf8(v))])];
/** A Sample{value: 1.5, timestamp: 1000} body: 0x09 + LE double, 0x10 + varint(1000). */
const SAMPLE = [0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x10, 0xe8, 0x07];
const series = (...parts: number[][]) => [0x0a, ...len(parts.flat())];

describe('decodeWriteRequest', () => {
  it('decodes a hand-assembled golden WriteRequest', () => {
    const body = Uint8Array.from([
      ...series(label('__name__', 'up'), label('job', 'node'), [0x12, ...len(SAMPLE)]),
      // metadata: type GAUGE, family "up", help "h", unit "u"
      0x1a,
      ...len([0x08, 0x02, 0x12, ...len(utf8('up')), 0x22, ...len(utf8('h')), 0x2a, ...len(utf8('u'))]),
    ]);
    const { timeseries, metadata } = decodeWriteRequest(body);
    expect({ timeseries: timeseries.map(({ memo: _, ...ts }) => ts), metadata }).toEqual({
      timeseries: [
        { labels: ['__name__', 'up', 'job', 'node'], samples: [{ t: 1000, v: 1.5 }], histograms: [], exemplars: [] },
      ],
      metadata: [{ metricFamilyName: 'up', type: 'gauge', help: 'h', unit: 'u' }],
    });
  });

  describe('series cache', () => {
    const cache = new SeriesCache();
    const decode = (b: Uint8Array) => decodeWriteRequest(b, { cache });

    it('reuses the decoded labels of byte-identical label runs', () => {
      const body = Uint8Array.from(series(label('__name__', 'up'), label('job', 'a'), [0x12, ...len(SAMPLE)]));
      const first = decode(body).timeseries[0]!;
      const second = decode(body).timeseries[0]!;
      expect(first.memo).toBeDefined();
      expect(second.memo).toBe(first.memo);
      expect(second.labels).toEqual(['__name__', 'up', 'job', 'a']);
      expect(second.labels).toBe(second.memo!.flat);
      // Without a cache nothing is shared.
      expect(decodeWriteRequest(body).timeseries[0]!.memo).toBeUndefined();
    });

    it('follows the order of the last request, and still finds series sent in another order', () => {
      const s = (v: string) => series(label('job', v), [0x12, ...len(SAMPLE)]);
      const first = decode(Uint8Array.from([...s('o1'), ...s('o2'), ...s('o3')])).timeseries;
      const same = decode(Uint8Array.from([...s('o1'), ...s('o2'), ...s('o3')])).timeseries;
      expect(same.map((t) => t.memo)).toEqual(first.map((t) => t.memo));
      const shuffled = decode(Uint8Array.from([...s('o3'), ...s('o1'), ...s('o4'), ...s('o2')])).timeseries;
      expect(shuffled.map((t) => t.labels[1])).toEqual(['o3', 'o1', 'o4', 'o2']);
      expect(shuffled[0]!.memo).toBe(first[2]!.memo);
      expect(shuffled[3]!.memo).toBe(first[1]!.memo);
    });

    it('tells apart label sets that differ in one byte', () => {
      const one = decode(Uint8Array.from(series(label('job', 'abc'), [0x12, ...len(SAMPLE)])));
      const two = decode(Uint8Array.from(series(label('job', 'abd'), [0x12, ...len(SAMPLE)])));
      expect(one.timeseries[0]!.labels).toEqual(['job', 'abc']);
      expect(two.timeseries[0]!.labels).toEqual(['job', 'abd']);
      expect(two.timeseries[0]!.memo).not.toBe(one.timeseries[0]!.memo);
    });

    it('gives no memo when a label follows the samples, and leaves the cached labels alone', () => {
      const lead = Uint8Array.from(series(label('job', 'x'), [0x12, ...len(SAMPLE)]));
      const cached = decode(lead).timeseries[0]!;
      const body = Uint8Array.from(series(label('job', 'x'), [0x12, ...len(SAMPLE)], label('zone', 'z')));
      for (let i = 0; i < 2; i++) {
        const ts = decode(body).timeseries[0]!;
        expect(ts.labels).toEqual(['job', 'x', 'zone', 'z']);
        expect(ts.memo).toBeUndefined();
      }
      expect(cached.memo!.flat).toEqual(['job', 'x']);
      expect(decode(lead).timeseries[0]!.labels).toEqual(['job', 'x']);
    });
  });

  it('decodes an integer native histogram, turning deltas into absolute counts', () => {
    // The REMOTE_WRITE.md example: buckets 0,1,2 (2,3,1) and 5 (4): spans {0,3},{2,1}, deltas 2,1,-2,3.
    const span = (off: number, l: number) => [0x5a, ...len([0x08, off * 2, 0x10, l])];
    const hist = [
      0x08,
      10, // count_int 10
      0x19,
      0,
      0,
      0,
      0,
      0,
      0,
      0x24,
      0x40, // sum 10.0
      0x20,
      0x06, // schema sint32 3
      ...span(0, 3),
      ...span(2, 1),
      0x62,
      ...len([4, 2, 3, 6]), // positive_deltas packed sint64: 2,1,-2,3 zigzag = 4,2,3,6
      0x78,
      0xe8,
      0x07, // timestamp 1000
    ];
    const body = Uint8Array.from(series(label('__name__', 'h'), [0x22, ...len(hist)]));
    const [ts] = decodeWriteRequest(body).timeseries;
    expect(ts?.histograms).toEqual([
      {
        t: 1000,
        integer: true,
        h: expect.objectContaining({
          count: 10,
          sum: 10,
          schema: 3,
          positiveSpans: [
            { offset: 0, length: 3 },
            { offset: 2, length: 1 },
          ],
          positiveBuckets: [2, 3, 1, 4],
          negativeBuckets: [],
        }),
      },
    ]);
  });

  it('accepts unpacked repeated deltas and skips unknown fields of every wire type', () => {
    const hist = [0x60, 4, 0x60, 2, 0x78, 0x01];
    const unknown = [
      0xf8, 0x01, 0x05, 0xf9, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0xfa, 0x01, 0x01, 0x00, 0xfd, 0x01, 1, 2, 3, 4,
    ];
    const body = Uint8Array.from([...unknown, ...series(label('__name__', 'x'), unknown, [0x22, ...len(hist)])]);
    const [ts] = decodeWriteRequest(body).timeseries;
    expect(ts?.labels).toEqual(['__name__', 'x']);
    expect(ts?.histograms[0]?.h.positiveBuckets).toEqual([2, 3]);
  });

  it('keeps the stale-marker NaN bits and exact negative and large timestamps', () => {
    const req: EncodableWriteRequest = {
      timeseries: [
        {
          labels: ['__name__', 'x'],
          samples: [
            { t: -1, v: STALE_NAN },
            { t: 2 ** 53 - 1, v: Number.NaN },
            { t: -(2 ** 53 - 1), v: -0 },
          ],
        },
      ],
    };
    const ts = decodeWriteRequest(encodeWriteRequest(req)).timeseries[0]!;
    expect(isStaleNaN(ts.samples[0]!.v)).toBe(true);
    expect(isStaleNaN(ts.samples[1]!.v)).toBe(false);
    expect(ts.samples.map((s) => s.t)).toEqual([-1, 2 ** 53 - 1, -(2 ** 53 - 1)]);
    expect(Object.is(ts.samples[2]!.v, -0)).toBe(true);
  });

  it('decodes an int64 timestamp beyond 2^53 as a non-safe integer (validation rejects it)', () => {
    // varint of 2^60 + 1: never representable, must not come back as a safe integer.
    const big = [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10];
    const body = Uint8Array.from(series(label('__name__', 'x'), [0x12, ...len([0x10, ...big])]));
    const t = decodeWriteRequest(body).timeseries[0]!.samples[0]!.t;
    expect(Number.isSafeInteger(t)).toBe(false);
    expect(t).toBeCloseTo(2 ** 60, -5);
  });

  const bad: { name: string; body: number[]; message: string | RegExp }[] = [
    { name: 'truncated tag varint', body: [0x8a], message: 'truncated varint at byte 0' },
    {
      name: 'timeseries with varint wire type',
      body: [0x08, 0x01],
      message: 'WriteRequest.timeseries has wire type varint, expected len',
    },
    { name: 'series length overruns the body', body: [0x0a, 0x10, 0x0a], message: 'length 16 at byte 1 overruns' },
    {
      name: 'label overruns its series',
      body: [0x0a, 0x02, 0x0a, 0x05],
      message: 'overruns its enclosing message (ends at byte 4)',
    },
    {
      name: 'label name with wrong wire type',
      body: series([0x0a, ...len([0x08, 0x01])]),
      message: 'Label.name has wire type varint',
    },
    {
      name: 'invalid UTF-8 in a label value',
      body: series(label('__name__', 'x').slice(0, 0), [0x0a, ...len([0x0a, 1, 0x61, 0x12, 2, 0xc3, 0x28])]),
      message: /invalid UTF-8 in value of label "a".*err-cortex-invalid-utf8/,
    },
    {
      name: 'invalid UTF-8 in a label name',
      body: series([0x0a, ...len([0x0a, 1, 0xff])]),
      message: 'invalid UTF-8 in label name',
    },
    {
      name: 'sample value as varint',
      body: series([0x12, ...len([0x08, 0x01])]),
      message: 'Sample.value has wire type varint, expected i64',
    },
    {
      name: 'sample timestamp as i64',
      body: series([0x12, ...len([0x11, 0, 0, 0, 0, 0, 0, 0, 0])]),
      message: 'Sample.timestamp has wire type i64, expected varint',
    },
    { name: 'truncated double', body: series([0x12, ...len([0x09, 0, 0, 0])]), message: 'truncated double' },
    {
      name: 'varint longer than 10 bytes',
      body: series([0x12, ...len([0x10, ...Array(10).fill(0xff), 0x01])]),
      message: /overflows 64 bits|longer than 10 bytes/,
    },
    {
      name: 'varint above 2^64',
      body: series([0x12, ...len([0x10, ...Array(9).fill(0xff), 0x02])]),
      message: 'overflows 64 bits',
    },
    { name: 'group wire type on an unknown field', body: [0x2b], message: 'unsupported wire type start-group' },
    { name: 'field number zero', body: [0x00, 0x00], message: 'field number 0' },
    {
      name: 'histogram schema wrong wire type',
      body: series([0x22, ...len([0x21, 0, 0, 0, 0, 0, 0, 0, 0])]),
      message: 'Histogram.schema has wire type i64',
    },
    {
      name: 'packed doubles not a multiple of 8',
      body: series([0x22, ...len([0x6a, 3, 0, 0, 0])]),
      message: 'not a multiple of 8',
    },
    {
      name: 'metadata type as string',
      body: [0x1a, ...len([0x0a, 0x00])],
      message: 'MetricMetadata.type has wire type len',
    },
    { name: 'length varint over 32 bits', body: [0x0a, 0xff, 0xff, 0xff, 0xff, 0x7f], message: 'exceeds 32 bits' },
  ];
  it.each(bad)('rejects $name', ({ body, message }) => {
    const run = () => decodeWriteRequest(Uint8Array.from(body));
    expect(run).toThrow(BadDataError);
    expect(run).toThrow(message);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('round-trips generated requests (seed %i)', (seed) => {
    const rnd = seededRandom(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const strings = ['', 'a', 'node', 'héllo', '日本語', '__proto__', 'x'.repeat(300), '🙂', 'constructor'];
    const req: EncodableWriteRequest = {
      timeseries: Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => ({
        labels: Array.from({ length: 2 * Math.floor(rnd() * 12) }, () => pick(strings)),
        samples: Array.from({ length: Math.floor(rnd() * 5) }, () => ({
          t: Math.floor((rnd() - 0.3) * 2 ** 50),
          v: pick([0, -1.5, Number.POSITIVE_INFINITY, rnd() * 1e300, 1e-310]),
        })),
        exemplars: Array.from({ length: Math.floor(rnd() * 2) }, () => ({
          labels: ['trace_id', pick(strings)],
          t: Math.floor(rnd() * 2 ** 45),
          v: rnd(),
        })),
        histograms: Array.from({ length: Math.floor(rnd() * 2) }, () => {
          const integer = rnd() < 0.5;
          const buckets = Array.from({ length: 3 }, () => (integer ? Math.floor(rnd() * 1e6) : rnd() * 100));
          return {
            t: Math.floor(rnd() * 2 ** 45),
            integer,
            h: {
              counterResetHint: pick(['unknown', 'reset', 'not_reset', 'gauge'] as const),
              schema: pick([-53, -4, 0, 8]),
              zeroThreshold: 1e-128,
              zeroCount: integer ? 5 : 5.5,
              count: integer ? 1e6 : 12.25,
              sum: rnd() * 1000,
              positiveSpans: [{ offset: -3, length: 2 }],
              negativeSpans: [{ offset: 2 ** 31 - 1, length: 1 }],
              positiveBuckets: buckets.slice(0, 2),
              negativeBuckets: buckets.slice(2),
              customValues: [0.5, 1, 2.5],
            },
          };
        }),
      })),
      metadata: [{ metricFamilyName: 'http_requests', type: 'histogram', help: 'Requests ✓', unit: 'seconds' }],
    };
    const got = decodeWriteRequest(encodeWriteRequest(req));
    expect(got.metadata).toEqual(req.metadata);
    expect(got.timeseries).toHaveLength(req.timeseries.length);
    got.timeseries.forEach((ts, i) => {
      const want = req.timeseries[i]!;
      expect(ts.labels).toEqual(want.labels);
      expect(ts.samples).toEqual(want.samples);
      expect(ts.exemplars).toEqual(want.exemplars);
      expect(ts.histograms).toEqual(want.histograms);
    });
  });

  it('never throws anything but BadDataError on mutated input', () => {
    const rnd = seededRandom(7);
    const body = encodeWriteRequest({
      timeseries: [{ labels: ['__name__', 'up', 'job', 'ü'], samples: [{ t: 5, v: 1 }] }],
      metadata: [{ metricFamilyName: 'up', type: 'gauge', help: '', unit: '' }],
    });
    for (let iter = 0; iter < 3000; iter++) {
      const m = body.slice(0, 1 + Math.floor(rnd() * body.length));
      m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
      try {
        decodeWriteRequest(m);
      } catch (e) {
        expect(e).toBeInstanceOf(BadDataError);
      }
    }
  });

  it('never confuses interned strings that share a cache slot', () => {
    // 100k distinct equal-length values overflow the 32k-slot intern table many times over.
    const values = Array.from({ length: 100_000 }, (_, i) => `v${String(i).padStart(11, '0')}`);
    const timeseries = [];
    for (let i = 0; i < values.length; i += 4) {
      timeseries.push({
        labels: ['__name__', 'm', 'a', values[i]!, 'b', values[i + 1]!, 'c', values[i + 2]!, 'd', values[i + 3]!],
      });
    }
    const body = encodeWriteRequest({ timeseries });
    for (let pass = 0; pass < 2; pass++) {
      const got = decodeWriteRequest(body).timeseries.flatMap((ts) => [
        ts.labels[3],
        ts.labels[5],
        ts.labels[7],
        ts.labels[9],
      ]);
      expect(got).toEqual(values);
    }
  });
});
