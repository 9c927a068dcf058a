import { describe, expect, it } from 'vitest';
import { type FloatSamples, isStaleNaN, SampleColumns, STALE_NAN, sampleArray } from '../model/index.js';
import type { WireWriteRequest } from './index.js';
import {
  decodeColumns,
  decodeWriteRequest,
  type EncodableSeries,
  encodeWriteRequest,
  SeriesCache,
  wireFromColumns,
} from './index.js';
import { seededRandom } from './test-rng.js';

const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const len = (bytes: number[]) => [bytes.length, ...bytes];
const label = (n: string, v: string) => [0x0a, ...len([0x0a, ...len(utf8(n)), 0x12, ...len(utf8(v))])];
const SAMPLE = [0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x10, 0xe8, 0x07];
const series = (...parts: number[][]) => [0x0a, ...len(parts.flat())];
const bytes = (...parts: number[][]) => Uint8Array.from(parts.flat());
const encode = (timeseries: EncodableSeries[]) => encodeWriteRequest({ timeseries });

/** What the two decoders give, without the memo objects (each cache makes its own). */
function plain(w: WireWriteRequest<FloatSamples>) {
  return {
    // Field by field: a columnar series keeps some of them on its prototype.
    timeseries: w.timeseries.map((ts) => ({
      labels: ts.labels,
      samples: sampleArray(ts.samples),
      histograms: ts.histograms,
      exemplars: ts.exemplars,
      createdTimestamps: ts.createdTimestamps,
      memoFlat: ts.memo?.flat,
    })),
    metadata: w.metadata,
  };
}

function randomSeries(rand: () => number, n: number, samples: number): EncodableSeries[] {
  return Array.from({ length: n }, (_, i) => ({
    labels: ['__name__', `metric_${i % 7}`, 'instance', `host-${(rand() * 1000) | 0}:9100`, 'i', String(i)],
    samples: Array.from({ length: samples }, (_, j) => ({
      t: 1_700_000_000_000 + j * 15_000 + ((rand() * 1000) | 0),
      v: rand() < 0.1 ? Number.NaN : (rand() - 0.5) * 1e9,
    })),
  }));
}

describe('decodeColumns + wireFromColumns', () => {
  const same: { name: string; body: Uint8Array }[] = [
    {
      name: 'one series, one sample',
      body: bytes(series(label('__name__', 'up'), label('job', 'a'), [0x12, ...len(SAMPLE)])),
    },
    { name: 'a series without samples', body: bytes(series(label('job', 'a'))) },
    { name: 'an empty request', body: new Uint8Array(0) },
    { name: 'an empty sample (t = 0, v = 0)', body: bytes(series(label('job', 'a'), [0x12, 0x00])) },
    {
      name: 'timestamp beyond 2^53 (passed on unrounded-unsafe, validation refuses it)',
      body: encode([{ labels: ['job', 'a'], samples: [{ t: 2 ** 60, v: 1 }] }]),
    },
    { name: 'negative timestamp', body: encode([{ labels: ['job', 'a'], samples: [{ t: -5000, v: 1 }] }]) },
    {
      name: 'unsorted and duplicate labels stay as sent',
      body: encode([{ labels: ['b', '1', 'a', '2', 'a', '3'], samples: [{ t: 1, v: 2 }] }]),
    },
    { name: '500 random series, 3 samples each (columns grow)', body: encode(randomSeries(seededRandom(7), 500, 3)) },
    { name: 'non-ASCII label value', body: encode([{ labels: ['job', 'zürich-ünïcode'], samples: [{ t: 1, v: 2 }] }]) },
  ];

  it.each(same)('$name: same result as decodeWriteRequest', ({ body }) => {
    const cols = decodeColumns(body);
    expect(cols).toBeDefined();
    const want = decodeWriteRequest(body, { cache: new SeriesCache() });
    expect(plain(wireFromColumns(cols!, new SeriesCache()).toWireRequest())).toEqual(plain(want));
  });

  const leftToFullDecoder: { name: string; body: Uint8Array }[] = [
    {
      name: 'metadata',
      body: encodeWriteRequest({
        timeseries: [{ labels: ['job', 'a'], samples: [{ t: 1, v: 1 }] }],
        metadata: [{ metricFamilyName: 'up', type: 'gauge', help: 'h', unit: '' }],
      }),
    },
    {
      name: 'exemplars',
      body: encode([{ labels: ['job', 'a'], exemplars: [{ labels: ['trace_id', 'x'], t: 1, v: 1 }] }]),
    },
    {
      name: 'a label after the samples',
      body: bytes(series(label('job', 'a'), [0x12, ...len(SAMPLE)], label('x', 'y'))),
    },
    {
      name: 'an empty label value (encoders omit the field)',
      body: bytes(series([0x0a, ...len([0x0a, ...len(utf8('job'))])])),
    },
    { name: 'a series with no labels', body: bytes(series([0x12, ...len(SAMPLE)])) },
    {
      name: 'an unknown field in a sample',
      body: bytes(series(label('job', 'a'), [0x12, ...len([...SAMPLE, 0x18, 0x01])])),
    },
    { name: 'an unknown top-level field', body: bytes([0x28, 0x01], series(label('job', 'a'))) },
    { name: 'a truncated sample', body: bytes(series(label('job', 'a'), [0x12, 0x05, 0x09, 0, 0, 0, 0])) },
    { name: 'a length overrunning the request', body: bytes([0x0a, 0x7f, 0x0a]) },
    {
      name: 'a label value of 128 bytes (two-byte length)',
      body: encode([{ labels: ['job', 'x'.repeat(128)], samples: [{ t: 1, v: 1 }] }]),
    },
  ];

  it.each(leftToFullDecoder)('$name: left to decodeWriteRequest', ({ body }) => {
    expect(decodeColumns(body)).toBeUndefined();
  });

  it('invalid UTF-8 in a label fails with the full decoder’s error', () => {
    const bad = bytes(
      series([0x0a, ...len([0x0a, 0x03, ...utf8('job'), 0x12, 0x02, 0xc3, 0x28])], [0x12, ...len(SAMPLE)]),
    );
    const cols = decodeColumns(bad);
    expect(cols).toBeDefined();
    const want = (() => {
      try {
        decodeWriteRequest(bad, { cache: new SeriesCache() });
      } catch (err) {
        return err as Error;
      }
      throw new Error('decodeWriteRequest accepted invalid UTF-8');
    })();
    expect(() => wireFromColumns(cols!, new SeriesCache())).toThrow(want.message);
  });

  it('shares the series cache with decodeWriteRequest: the same label bytes get the same memo', () => {
    const cache = new SeriesCache();
    const body = encode(randomSeries(seededRandom(3), 50, 1));
    const inline = decodeWriteRequest(body, { cache });
    const pooled = wireFromColumns(decodeColumns(body)!, cache);
    expect(pooled.memos.every((m, i) => m === inline.timeseries[i]!.memo)).toBe(true);
    expect(pooled.length).toBe(50);
    expect(cache.size).toBe(50);
  });
});

describe('wireFromColumns samples', () => {
  it('are windows of the columns, in order, with NaN payloads kept', () => {
    const body = encode([
      {
        labels: ['job', 'a'],
        samples: [
          { t: 1, v: 1 },
          { t: 2, v: STALE_NAN },
        ],
      },
      { labels: ['job', 'b'], samples: [] },
      { labels: ['job', 'c'], samples: [{ t: 3, v: -0 }] },
    ]);
    const wire = wireFromColumns(decodeColumns(body)!, new SeriesCache());
    expect([...wire.starts]).toEqual([0, 2, 2, 3]);
    expect(wire.t).toBeInstanceOf(Float64Array);
    const [a, b, c] = wire.toWireRequest().timeseries.map((ts) => ts.samples);
    for (const s of [a, b, c]) expect(s).toBeInstanceOf(SampleColumns);
    expect([a!.start, a!.end, b!.start, b!.end, c!.start, c!.end]).toEqual([0, 2, 2, 2, 2, 3]);
    expect(isStaleNaN(a!.v[1]!)).toBe(true);
    expect(Object.is(c!.v[2], -0)).toBe(true);
    expect(sampleArray(a!).map((s) => s.t)).toEqual([1, 2]);
  });
});
