import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type FloatHistogram, isStaleNaN } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import {
  CounterResetHeader,
  CUSTOM_BUCKETS_SCHEMA,
  Encoding,
  encodeHistogramChunks,
  HistogramChunk,
  histogramChunkFromBytes,
} from './index.js';

interface FixtureCase {
  name: string;
  integer: boolean;
  samples: { t: number; h: FloatHistogram }[];
  chunks: { encoding: number; hex: string }[];
}

/** Chunks written by a real Prometheus 2.42 (see the file's `origin` and scripts/gen-histogram-chunk-fixtures.ts). */
const fixtures = JSON.parse(readFileSync(new URL('./histogram.fixtures.json', import.meta.url), 'utf8'), (_k, v) =>
  typeof v === 'string' && v.startsWith('f64:')
    ? new Float64Array(new Uint8Array(Buffer.from(v.slice(4), 'hex')).buffer)[0]
    : v,
) as { origin: string; cases: FixtureCase[] };

function decode(encoding: number, bytes: Uint8Array): { t: number; h: FloatHistogram }[] {
  const it = histogramChunkFromBytes(encoding, bytes).iterator();
  const out: { t: number; h: FloatHistogram }[] = [];
  while (it.next() !== ValueType.None) out.push({ t: it.atT(), h: it.atHistogram() });
  return out;
}

const withoutHint = ({ counterResetHint: _, ...rest }: FloatHistogram) => rest;

describe('histogram chunks against Prometheus 2.42', () => {
  it('has fixtures from Prometheus', () => {
    expect(fixtures.origin).toContain('Prometheus 2.42.0');
    expect(fixtures.cases.length).toBeGreaterThan(4);
  });

  for (const c of fixtures.cases) {
    it(`${c.name}: our encoder writes Prometheus's bytes`, () => {
      const ours = encodeHistogramChunks(c.samples.map((s) => ({ ...s, integer: c.integer })));
      expect(ours.map((x) => x.encoding())).toEqual(c.chunks.map((x) => x.encoding));
      const hex = ours.map((x) => Buffer.from(x.bytes()).toString('hex'));
      // One known difference, in the header only: a chunk cut at a counter reset carries the
      // CounterReset header, as Prometheus 3.x's appenders write it; the 2.42 snapshot writes Unknown.
      // Readers ask PromQL to check for a reset either way.
      const headerOf = (h: string) => Number.parseInt(h.slice(4, 6), 16);
      const atReset = (i: number) => i > 0 && headerOf(hex[i]!) === CounterResetHeader.CounterReset;
      expect(hex.map((h, i) => (atReset(i) ? `${h.slice(0, 4)}00${h.slice(6)}` : h))).toEqual(
        c.chunks.map((x) => x.hex),
      );
    });

    it(`${c.name}: our decoder reads Prometheus's chunks`, () => {
      const back = c.chunks.flatMap((ch) => decode(ch.encoding, Buffer.from(ch.hex, 'hex')));
      expect(back.map((s) => s.t)).toEqual(c.samples.map((s) => s.t));
      back.forEach((s, i) => {
        const want = c.samples[i]!.h;
        if (isStaleNaN(want.sum)) expect(isStaleNaN(s.h.sum)).toBe(true);
        else expect(withoutHint(s.h)).toEqual(withoutHint(want));
      });
    });
  }
});

describe('HistogramChunk (encoding 2)', () => {
  const h = (p: Partial<FloatHistogram>): FloatHistogram => ({
    counterResetHint: 'unknown',
    schema: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 3,
    sum: 1.5,
    positiveSpans: [{ offset: 0, length: 2 }],
    positiveBuckets: [1, 2],
    negativeSpans: [],
    negativeBuckets: [],
    ...p,
  });

  it('round-trips custom bucket bounds, the gauge header and hints as Prometheus reads them back', () => {
    const nhcb = h({
      schema: CUSTOM_BUCKETS_SCHEMA,
      customValues: [0.5, 1, 2.25],
      positiveSpans: [{ offset: 1, length: 2 }],
    });
    const chunks = encodeHistogramChunks(
      [0, 1, 2].map((k) => ({ t: 1000 * k, h: { ...nhcb, count: 3 + k, positiveBuckets: [1, 2 + k] }, integer: true })),
    );
    expect(chunks.map((c) => c.encoding())).toEqual([Encoding.Histogram]);
    const back = decode(Encoding.Histogram, chunks[0]!.bytes());
    expect(back.map((s) => s.h.customValues)).toEqual([
      [0.5, 1, 2.25],
      [0.5, 1, 2.25],
      [0.5, 1, 2.25],
    ]);
    expect(back.map((s) => s.h.counterResetHint)).toEqual(['unknown', 'not_reset', 'not_reset']);
    expect(back[2]!.h.positiveBuckets).toEqual([1, 4]);

    const gauge = encodeHistogramChunks(
      [5, 2, 7].map((v, k) => ({
        t: k,
        h: h({ counterResetHint: 'gauge', count: v, positiveBuckets: [v, 0] }),
        integer: true,
      })),
    );
    expect(gauge.length).toBe(1);
    expect(gauge[0]!.counterResetHeader()).toBe(CounterResetHeader.Gauge);
    expect(decode(Encoding.Histogram, gauge[0]!.bytes()).map((s) => [s.h.counterResetHint, s.h.count])).toEqual([
      ['gauge', 5],
      ['gauge', 2],
      ['gauge', 7],
    ]);
  });

  it('starts a CounterReset chunk at a reset and a float chunk for fractional counts', () => {
    const chunks = encodeHistogramChunks([
      { t: 1, h: h({}), integer: true },
      { t: 2, h: h({ count: 1, positiveBuckets: [0, 1] }), integer: true }, // went down
      { t: 3, h: h({ count: 2.5, positiveBuckets: [0.5, 2] }), integer: true }, // not whole: float chunk
    ]);
    expect(chunks.map((c) => [c.encoding(), c.counterResetHeader()])).toEqual([
      [Encoding.Histogram, CounterResetHeader.Unknown],
      [Encoding.Histogram, CounterResetHeader.CounterReset],
      [Encoding.FloatHistogram, CounterResetHeader.Unknown],
    ]);
    // read back as Prometheus 3.x does: the first sample of a chunk is 'unknown' (#15346)
    expect(decode(Encoding.Histogram, chunks[1]!.bytes())[0]!.h.counterResetHint).toBe('unknown');
  });

  it('rejects malformed input', () => {
    expect(() => new HistogramChunk().tryAppend(1, h({ positiveBuckets: [1] }))).toThrow(RangeError);
    expect(() => new HistogramChunk().tryAppend(1, h({ positiveBuckets: [1, 0.5] }))).toThrow(RangeError);
    expect(() => HistogramChunk.fromBytes(new Uint8Array(2))).toThrow(RangeError);
  });
});
