import { describe, expect, it } from 'vitest';
import { type FloatHistogram, isStaleNaN, STALE_NAN } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { BitReader, BitWriter } from './bstream.js';
import {
  type AnyHistogramChunk,
  CounterResetHeader,
  CUSTOM_BUCKETS_SCHEMA,
  Encoding,
  encodeHistogramChunks,
  FloatHistogramChunk,
} from './index.js';
import { putVarbitInt, putVarbitUint, readVarbitInt, readVarbitUint } from './varbit.js';

type S = { t: number; h: FloatHistogram };

function hist(over: Partial<FloatHistogram> = {}): FloatHistogram {
  return {
    counterResetHint: 'unknown',
    schema: 3,
    zeroThreshold: 2 ** -128,
    zeroCount: 2,
    count: 12,
    sum: 18.4,
    positiveSpans: [
      { offset: 0, length: 2 },
      { offset: 1, length: 2 },
    ],
    negativeSpans: [{ offset: -3, length: 1 }],
    positiveBuckets: [1, 2, 3, 4],
    negativeBuckets: [2],
    ...over,
  };
}

function decodeAll(chunks: AnyHistogramChunk[]): S[] {
  const out: S[] = [];
  for (const c of chunks) {
    const back = FloatHistogramChunk.fromBytes(c.bytes().slice());
    const it = back.iterator();
    while (it.next() === ValueType.Histogram) out.push({ t: it.atT(), h: it.atHistogram() });
  }
  return out;
}

/** mulberry32, so the property test is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('varbit integers', () => {
  it('round-trip every width, signed and unsigned', () => {
    const signed = [
      0,
      1,
      -1,
      4,
      -3,
      5,
      32,
      -31,
      33,
      256,
      -255,
      2048,
      -2047,
      2049,
      131072,
      -131071,
      2 ** 24,
      -(2 ** 24),
    ];
    signed.push(2 ** 24 + 1, 1_700_000_000_000, -1_700_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
    const unsigned = [0, 1, 7, 8, 63, 64, 511, 4095, 4096, 262143, 262144, 33554431, 33554432, 2 ** 52];
    const w = new BitWriter();
    for (const v of signed) putVarbitInt(w, v);
    for (const v of unsigned) putVarbitUint(w, v);
    const r = new BitReader(w.toBytes());
    for (const v of signed) expect(readVarbitInt(r)).toBe(v);
    for (const v of unsigned) expect(readVarbitUint(r)).toBe(v);
  });

  it('uses the documented prefixes', () => {
    const w = new BitWriter();
    putVarbitInt(w, 0); // 0
    putVarbitInt(w, -1); // 10 111
    putVarbitUint(w, 8); // 110 001000
    expect(w.bitPos).toBe(1 + 5 + 9);
    expect([...w.toBytes()].map((b) => b.toString(2).padStart(8, '0')).join('')).toBe('0101111100010000');
  });
});

describe('FloatHistogramChunk', () => {
  it('writes the Prometheus header and layout', () => {
    const c = new FloatHistogramChunk();
    expect(c.tryAppend(1000, hist({ counterResetHint: 'gauge' }))).toBeUndefined();
    const b = c.bytes();
    expect(c.encoding()).toBe(Encoding.FloatHistogram);
    expect([b[0], b[1]]).toEqual([0, 1]);
    expect(b[2]).toBe(CounterResetHeader.Gauge);
    // The default zero threshold 2^-128 is stored as the single byte 116.
    expect(b[3]).toBe(116);
  });

  it('round-trips integer and float counts, schemas, thresholds, spans and custom bounds', () => {
    const cases: FloatHistogram[] = [
      hist(),
      hist({
        schema: -4,
        zeroThreshold: 0,
        sum: -3.25,
        count: 0.5,
        zeroCount: 0.25,
        positiveBuckets: [0.1, 0.2, 0, 0.2],
      }),
      hist({ schema: 8, zeroThreshold: 0.001, negativeSpans: [], negativeBuckets: [] }),
      hist({ zeroThreshold: 2 ** 10, positiveSpans: [], positiveBuckets: [], sum: Number.NaN }),
      hist({
        schema: CUSTOM_BUCKETS_SCHEMA,
        zeroThreshold: 0,
        zeroCount: 0,
        negativeSpans: [],
        negativeBuckets: [],
        customValues: [0.005, 0.1, 1, 33554.43, 40000, -2, 0.0001, Number.POSITIVE_INFINITY],
      }),
    ];
    for (const [i, h] of cases.entries()) {
      const samples = [0, 1, 2].map((k) => ({ t: 5000 * k + i, h: { ...h, count: h.count + k } }));
      const back = decodeAll(encodeHistogramChunks(samples));
      expect(back.map((s) => s.t)).toEqual(samples.map((s) => s.t));
      for (const [k, s] of back.entries()) {
        const want = { ...samples[k]!.h, counterResetHint: k === 0 ? 'unknown' : 'not_reset' };
        expect(s.h).toEqual(want);
      }
    }
  });

  it('random histograms round-trip exactly (property)', () => {
    const rand = rng(42);
    const samples: S[] = [];
    let t = 1_700_000_000_000;
    let counts = [3, 1, 4, 1, 5];
    for (let i = 0; i < 500; i++) {
      t += 1 + Math.floor(rand() * 30_000);
      if (rand() < 0.05) counts = counts.map(() => Math.floor(rand() * 3));
      else counts = counts.map((c) => c + (rand() < 0.5 ? 0 : Math.floor(rand() * 7)) + (rand() < 0.1 ? 0.5 : 0));
      const layoutChange = rand() < 0.05;
      const hints = ['unknown', 'unknown', 'unknown', 'not_reset', 'reset'] as const;
      samples.push({
        t,
        h: hist({
          counterResetHint: hints[Math.floor(rand() * hints.length)]!,
          count: counts.reduce((a, b) => a + b, 0),
          zeroCount: counts[4]!,
          sum: rand() * 1000,
          positiveSpans: layoutChange ? [{ offset: 1, length: 4 }] : hist().positiveSpans,
          positiveBuckets: counts.slice(0, 4),
        }),
      });
    }
    const chunks = encodeHistogramChunks(samples);
    const back = decodeAll(chunks);
    expect(back.length).toBe(samples.length);
    for (const [i, s] of back.entries()) {
      const want = samples[i]!;
      expect(s.t).toBe(want.t);
      const { counterResetHint: hb, ...restB } = s.h;
      const { counterResetHint: hw, ...restW } = want.h;
      expect(restB).toEqual(restW);
      // A hint changes as Prometheus's chunks report them: 'unknown' becomes 'not_reset' where
      // nothing went down; the first sample of a chunk reads 'unknown' whatever started it.
      if (hb !== hw) {
        if (hb === 'not_reset') {
          expect(hw).toBe('unknown');
          expect(want.h.count).toBeGreaterThanOrEqual(samples[i - 1]!.h.count);
        } else {
          expect(hb).toBe('unknown');
          expect(['not_reset', 'reset']).toContain(hw);
        }
      }
    }
    expect(chunks.every((c) => c.numSamples() <= 120)).toBe(true);
  });

  it('cuts on layout change, reset hint, detected reset and counter/gauge switch', () => {
    const seq: S[] = [
      { t: 1, h: hist() },
      { t: 2, h: hist({ count: 13 }) },
      { t: 3, h: hist({ schema: 2 }) }, // layout change
      { t: 4, h: hist({ schema: 2, counterResetHint: 'reset' }) },
      { t: 5, h: hist({ schema: 2, count: 1 }) }, // went down, hint unknown
      { t: 6, h: hist({ schema: 2, count: 0, counterResetHint: 'not_reset' }) }, // hint wins
      { t: 7, h: hist({ schema: 2, counterResetHint: 'gauge' }) },
      { t: 8, h: hist({ schema: 2, count: 0, counterResetHint: 'gauge' }) },
    ];
    const chunks = encodeHistogramChunks(seq);
    expect(chunks.map((c) => c.numSamples())).toEqual([2, 1, 1, 2, 2]);
    // as Prometheus's appenders: a chunk cut at a detected reset gets the CounterReset header too
    expect(chunks.map((c) => c.counterResetHeader())).toEqual([
      CounterResetHeader.Unknown,
      CounterResetHeader.Unknown,
      CounterResetHeader.CounterReset,
      CounterResetHeader.CounterReset,
      CounterResetHeader.Gauge,
    ]);
    // the first sample of every counter chunk reads back 'unknown', whatever its header
    expect(decodeAll(chunks).map((s) => s.h.counterResetHint)).toEqual([
      'unknown',
      'not_reset',
      'unknown',
      'unknown',
      'unknown',
      'not_reset',
      'gauge',
      'gauge',
    ]);
  });

  it('keeps staleness markers and cuts for a real sample after one', () => {
    const seq: S[] = [
      { t: 10, h: hist() },
      {
        t: 20,
        h: hist({ sum: STALE_NAN, positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [] }),
      },
      { t: 30, h: hist({ sum: STALE_NAN }) },
      { t: 40, h: hist() },
    ];
    const chunks = encodeHistogramChunks(seq);
    expect(chunks.map((c) => c.numSamples())).toEqual([3, 1]);
    const back = decodeAll(chunks);
    expect(back.map((s) => isStaleNaN(s.h.sum))).toEqual([false, true, true, false]);
    expect(back[3]!.h).toEqual({ ...hist() });
    // A chunk that starts with a marker.
    const only = decodeAll(encodeHistogramChunks([{ t: 5, h: hist({ sum: STALE_NAN }) }]));
    expect(isStaleNaN(only[0]!.h.sum)).toBe(true);
  });

  it('seeks, cuts at 120 samples, and rejects malformed input', () => {
    const samples = Array.from({ length: 300 }, (_, i) => ({ t: i * 15_000, h: hist({ count: 12 + i }) }));
    const chunks = encodeHistogramChunks(samples);
    expect(chunks.map((c) => c.numSamples())).toEqual([120, 120, 60]);
    const it = chunks[1]!.iterator();
    expect(it.seek(150 * 15_000 + 1)).toBe(ValueType.Histogram);
    expect(it.atT()).toBe(151 * 15_000);
    expect(it.atHistogram().count).toBe(12 + 151);
    expect(it.seek(0)).toBe(ValueType.Histogram);
    expect(it.seek(10 ** 12)).toBe(ValueType.None);
    expect(() => new FloatHistogramChunk().tryAppend(1, hist({ positiveBuckets: [1] }))).toThrow(RangeError);
    expect(() => FloatHistogramChunk.fromBytes(chunks[0]!.bytes()).tryAppend(1, hist())).toThrow(RangeError);
    expect(() => FloatHistogramChunk.fromBytes(new Uint8Array(2))).toThrow(RangeError);
  });
});
