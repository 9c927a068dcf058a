import { describe, expect, it } from 'vitest';
import { type FloatHistogram, isStaleNaN, STALE_NAN } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { FloatHistogramChunk, FloatHistogramIterator } from './float-histogram.js';
import { HistogramChunk, HistogramIterator } from './histogram.js';
import { encodeHistogramChunks } from './histogram-cut.js';
import { CounterResetHeader } from './histogram-layout.js';
import { Encoding } from './xor.js';
import { XOR2Chunk, XOR2Iterator } from './xor2.js';

/**
 * Round trips of Prometheus's start-timestamp chunk encodings (XOR2, HistogramST, FloatHistogramST),
 * on the sample sequences of Prometheus's own tests (tsdb/chunkenc/xor2_test.go and
 * st_helper_test.go's testChunkSTHandling). There is no Prometheus release with these encodings to
 * take byte fixtures from; the encoders follow xor2.go, histogram_st.go and st.go bit for bit.
 */
type Triple = { st: number; t: number; v: number };

function xor2RoundTrip(samples: Triple[]): void {
  const c = new XOR2Chunk();
  const app = c.appender();
  for (const s of samples) app.append(s.t, s.v, s.st);
  expect(c.numSamples()).toBe(samples.length);
  for (const it of [c.iterator(), new XOR2Iterator(XOR2Chunk.fromBytes(c.bytes().slice()).bytes())]) {
    for (const s of samples) {
      expect(it.next()).toBe(ValueType.Float);
      expect(it.atT()).toBe(s.t);
      expect(it.atST()).toBe(s.st);
      if (isStaleNaN(s.v)) expect(isStaleNaN(it.atV())).toBe(true);
      else expect(it.atV()).toBe(s.v);
    }
    expect(it.next()).toBe(ValueType.None);
  }
}

const tv = (pairs: [number, number][]): Triple[] => pairs.map(([t, v]) => ({ st: 0, t, v }));

describe('XOR2 chunks (encoding 4)', () => {
  it('reports its encoding and header', () => {
    const c = new XOR2Chunk();
    c.appender().append(1000, 1, 500);
    expect(c.encoding()).toBe(Encoding.XOR2);
    // count 1, ST header: first ST known
    expect([...c.bytes().subarray(0, 3)]).toEqual([0, 1, 0x80]);
  });

  it.each([
    ['basic', tv([1000, 2000, 3000, 4000, 5000].map((t, i) => [t, i + 1]))],
    [
      'staleness markers',
      tv([
        [1000, 1],
        [2000, 2],
        [3000, STALE_NAN],
        [4000, 4],
        [5000, STALE_NAN],
        [6000, 6],
      ]),
    ],
    [
      'a staleness marker after a non-zero dod',
      tv([
        [1000, 1],
        [2000, 2],
        [3050, STALE_NAN],
        [4050, 4],
        [5050, 5],
      ]),
    ],
    [
      'irregular timestamps (13- and 20-bit dods)',
      tv([1000, 2000, 3000, 3050, 4050, 5050, 105050, 205050, 305050, 306050].map((t) => [t, 1])),
    ],
    ['a 64-bit dod', tv([0, 1000, 2000, 2000 + 2 ** 20].map((t) => [t, 1]))],
  ] as [string, Triple[]][])('round-trips %s', (_name, samples) => xor2RoundTrip(samples));

  it.each([
    [
      'large dod with active ST',
      [
        { st: 0, t: 0, v: 1 },
        { st: 900, t: 1000, v: 2 },
        { st: 1000, t: 2000, v: 3 },
        { st: 1047576, t: 1050576, v: 4 },
      ],
    ],
    [
      'active ST fast path boundaries',
      [
        { st: 0, t: 1000, v: 1 },
        { st: 1990, t: 2000, v: 1 },
        { st: 2986, t: 3000, v: 1 },
        { st: 3954, t: 4000, v: 1 },
        { st: 4698, t: 5000, v: 1 },
      ],
    ],
    [
      '13-bit dods, value unchanged, every ST delta width',
      [
        { st: 0, t: 1000, v: 1 },
        { st: 0, t: 2000, v: 1 },
        { st: 1500, t: 3000, v: 1 },
        { st: 2500, t: 4001, v: 1 },
        { st: 3497, t: 5003, v: 1 },
        { st: 4467, t: 6004, v: 1 },
        { st: 5212, t: 7007, v: 1 },
        { st: 5915, t: 8008, v: 1 },
      ],
    ],
    [
      'constant non-zero ST',
      [
        { st: 500, t: 1000, v: 1 },
        { st: 500, t: 2000, v: 2 },
        { st: 500, t: 3000, v: 2 },
        { st: 500, t: 4050, v: 2 },
        { st: 500, t: 5100, v: 3 },
      ],
    ],
    [
      'active ST, dod 0, values changing',
      [
        { st: 0, t: 1000, v: 1 },
        { st: 500, t: 2000, v: 2 },
        { st: 500, t: 3000, v: 3 },
        { st: 500, t: 4000, v: 4 },
      ],
    ],
    [
      'active ST, value changes, every ST delta width',
      [
        { st: 0, t: 1000, v: 1 },
        { st: 0, t: 2000, v: 2 },
        { st: 1500, t: 3000, v: 3 },
        { st: 2500, t: 4000, v: 4 },
        { st: 3497, t: 5000, v: 5 },
        { st: 4466, t: 6000, v: 6 },
        { st: 5211, t: 7000, v: 7 },
      ],
    ],
  ] as [string, Triple[]][])('round-trips %s', (_name, samples) => xor2RoundTrip(samples));

  it('keeps start timestamps past sample 127 (the forced per-sample run)', () => {
    const n = 130;
    xor2RoundTrip(Array.from({ length: n }, (_, i) => ({ st: 0, t: i * 10 + 1, v: i * 1.5 })));
    xor2RoundTrip(
      Array.from({ length: n }, (_, i) => ({ st: i === n - 1 ? (n - 1) * 10 : 0, t: i * 10 + 1, v: i * 1.5 })),
    );
  });

  it('round-trips every start-timestamp combination of testChunkSTHandling', () => {
    for (const samples of stCombinations()) xor2RoundTrip(samples);
  });
});

/** st_helper_test.go: 0-4 samples at 1000, 2000, … with every non-decreasing-choice of start times ≤ t. */
function stCombinations(): Triple[][] {
  const stTimes = [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000];
  const out: Triple[][] = [];
  for (let n = 0; n < 5; n++) {
    const idx = new Array<number>(n).fill(0);
    for (;;) {
      out.push(idx.map((k, j) => ({ st: stTimes[k]!, t: 1000 * (j + 1), v: j + 0.5 })));
      let exhausted = true;
      for (let j = n - 1; j >= 0; j--) {
        if (stTimes[idx[j]!]! < 1000 * (j + 1)) {
          idx[j]!++;
          exhausted = false;
          break;
        }
        idx[j] = 0;
      }
      if (exhausted) break;
    }
  }
  return out;
}

function simple(sum: number, count: number, hint: FloatHistogram['counterResetHint'] = 'unknown'): FloatHistogram {
  return {
    counterResetHint: hint,
    schema: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    count,
    sum,
    positiveSpans: [],
    positiveBuckets: [],
    negativeSpans: [],
    negativeBuckets: [],
  };
}

describe('histogram chunks with start timestamps (encodings 5 and 6)', () => {
  it.each([
    ['integer', true],
    ['float', false],
  ])('%s: round-trips every start-timestamp combination of testChunkSTHandling', (_name, integer) => {
    for (const samples of stCombinations()) {
      if (samples.length === 0) continue;
      const c = integer ? new HistogramChunk(CounterResetHeader.Unknown, true) : new FloatHistogramChunk(0, true);
      for (const s of samples) {
        // testChunkSTHandling: Sum v, Count v*10 (whole numbers for the integer chunk)
        expect(c.tryAppend(s.t, simple(integer ? Math.round(s.v * 10) : s.v, Math.round(s.v * 10)), s.st)).toBe(
          undefined,
        );
      }
      expect(c.encoding()).toBe(integer ? Encoding.HistogramST : Encoding.FloatHistogramST);
      expect(c.numSamples()).toBe(samples.length);
      const bytes = c.bytes().slice();
      const it = integer ? new HistogramIterator(bytes, true) : new FloatHistogramIterator(bytes, true);
      for (const s of samples) {
        expect(it.next()).toBe(ValueType.Histogram);
        expect(it.atT()).toBe(s.t);
        expect(it.atST()).toBe(s.st);
        expect(it.atHistogram().count).toBe(Math.round(s.v * 10));
      }
      expect(it.next()).toBe(ValueType.None);
    }
  });

  it('puts the counter-reset header in the top bits of byte 0 and the ST header in byte 2', () => {
    const [c] = encodeHistogramChunks([
      { t: 1000, h: simple(1, 1, 'gauge'), integer: true, st: 400 },
      { t: 2000, h: simple(2, 2, 'gauge'), integer: true, st: 400 },
    ]);
    expect(c!.encoding()).toBe(Encoding.HistogramST);
    const b = c!.bytes();
    expect(b[0]! & 0xc0).toBe(CounterResetHeader.Gauge);
    expect(((b[0]! & 0x3f) << 8) | b[1]!).toBe(2);
    expect(b[2]).toBe(0x80);
    expect(c!.counterResetHeader()).toBe(CounterResetHeader.Gauge);
    const it = c!.iterator();
    expect(it.next()).toBe(ValueType.Histogram);
    expect(it.atHistogram().counterResetHint).toBe('gauge');
    expect(it.atST()).toBe(400);
  });

  it('encodes without start timestamps as the plain encodings', () => {
    const [c] = encodeHistogramChunks([{ t: 1000, h: simple(1, 1), integer: true }]);
    expect(c!.encoding()).toBe(Encoding.Histogram);
  });
});
