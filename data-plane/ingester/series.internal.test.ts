import { describe, expect, it } from 'vitest';
import { HistogramChunk, XORChunk } from '../chunkenc/index.js';
import { Labels, STALE_NAN } from '../model/index.js';
import { AppendResult, MemChunk, MemHistChunk, MemSeries } from './series.js';

// MemSeries is the open chunk's XOR encoder state and keeps its newest value as bits: these pin
// that the bytes, duplicates and restarts behave as with an appender object per chunk.

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** A NaN that is neither the default NaN nor the staleness marker. */
const OTHER_NAN = new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0]!;
const bitsOf = (v: number): string => hex(new Uint8Array(Float64Array.of(v).buffer));

function newSeries(): MemSeries {
  return new MemSeries(1, Labels.fromObject({ __name__: 'up' }), {});
}

const shapes = [
  { name: 'counter', value: (i: number) => 1_000 + i * 7 },
  { name: 'gauge with fractions', value: (i: number) => Math.sin(i) * 1e6 },
  { name: 'constant', value: () => 42 },
  { name: 'negative zero, NaN payloads, staleness', value: (i: number) => [-0, 0, OTHER_NAN, STALE_NAN, 1][i % 5]! },
];

describe('MemSeries as its open chunk encoder', () => {
  it.each(shapes)('writes the bytes of a chunk appender ($name)', ({ value }) => {
    const s = newSeries();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 300; i++)
      expect(s.append(t0 + i * 15_000 + (i % 3), value(i), false)).toBe(AppendResult.Appended);
    expect(s.chunks.map((c) => c.sealed)).toEqual([true, true, false]);
    for (const c of s.chunks) {
      const fresh = new XORChunk();
      const it = c.chunk.iterator();
      while (it.next() !== 0) fresh.appender().append(it.atT(), it.atV());
      expect(hex(c.chunk.bytes())).toBe(hex(fresh.bytes()));
    }
    expect(bitsOf(s.lastV)).toBe(bitsOf(value(299)));
  });

  it.each(shapes)('continues an open chunk restored from its bytes as if never stopped ($name)', ({ value }) => {
    const straight = newSeries();
    const restarted = newSeries();
    for (let i = 0; i < 100; i++) {
      straight.append(i * 15_000, value(i), false);
      restarted.append(i * 15_000, value(i), false);
    }
    // What a checkpoint replay does: a new series adopts the open chunk's bytes.
    const replayed = newSeries();
    replayed.restoreChunk(XORChunk.fromBytes(restarted.chunks[0]!.chunk.bytes().slice()), true);
    expect(replayed.lastT).toBe(straight.lastT);
    expect(bitsOf(replayed.lastV)).toBe(bitsOf(straight.lastV));
    for (let i = 100; i < 110; i++) {
      straight.append(i * 15_000, value(i), false);
      replayed.append(i * 15_000, value(i), false);
    }
    const decoded = (s: MemSeries) => {
      const out: string[] = [];
      const it = s.chunks[0]!.chunk.iterator();
      while (it.next() !== 0) out.push(`${it.atT()}:${bitsOf(it.atV())}`);
      return out;
    };
    expect(replayed.chunks).toHaveLength(1);
    expect(decoded(replayed)).toEqual(decoded(straight));
  });
});

describe('MemSeries duplicates compare the newest value bit for bit', () => {
  const cases = [
    { name: 'same value', first: 1, second: 1, want: AppendResult.Duplicate },
    { name: 'other value', first: 1, second: 2, want: AppendResult.DuplicateTimestamp },
    { name: '+0 then -0', first: 0, second: -0, want: AppendResult.DuplicateTimestamp },
    { name: 'staleness marker twice', first: STALE_NAN, second: STALE_NAN, want: AppendResult.Duplicate },
    {
      name: 'NaN then the staleness marker',
      first: Number.NaN,
      second: STALE_NAN,
      want: AppendResult.DuplicateTimestamp,
    },
    { name: 'NaN payloads differ', first: OTHER_NAN, second: Number.NaN, want: AppendResult.DuplicateTimestamp },
  ];

  it.each(cases)('$name', ({ first, second, want }) => {
    const s = newSeries();
    s.append(5_000, 7, false);
    s.append(10_000, first, false);
    expect(s.append(10_000, second, false)).toBe(want);
  });

  it.each(cases)('$name, after the newest sample was restored without its chunk', ({ first, second, want }) => {
    const s = newSeries();
    s.append(5_000, 7, false);
    s.restoreLast(10_000, first);
    // The open chunk was sealed: appending goes on in a new one.
    expect(s.chunks[0]!.sealed).toBe(true);
    expect(s.append(10_000, second, false)).toBe(want);
    expect(s.append(20_000, 3, false)).toBe(AppendResult.Appended);
    expect(s.chunks).toHaveLength(2);
  });
});

describe.each([
  { name: 'MemChunk', make: () => new MemChunk(1, 2, false) },
  { name: 'MemHistChunk', make: () => new MemHistChunk(new HistogramChunk(), 1, 2, false) },
])('$name flags', ({ make }) => {
  const flags = ['sealed', 'flushed', 'queued'] as const;
  it.each(flags)('%s is set and cleared alone', (flag) => {
    const c = make();
    c[flag] = true;
    for (const f of flags) expect(c[f]).toBe(f === flag);
    for (const f of flags) c[f] = true;
    c[flag] = false;
    for (const f of flags) expect(c[f]).toBe(f !== flag);
  });
});
