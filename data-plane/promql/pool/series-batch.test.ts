import { describe, expect, it } from 'vitest';
import { Encoding, XORChunk } from '../../chunkenc/index.js';
import { Labels } from '../../model/index.js';
import { arraySeries, type EncodedChunk, type Series, type SeriesIterator, ValueType } from '../../storage/index.js';
import { BatchCollector, batchSeries } from './series-batch.js';

/** A series with samples at `ts`, offering them as XOR chunks of `per` samples when `encoded`. */
function series(name: string, ts: number[], per: number, encoded: boolean): Series {
  const vs = ts.map((t) => t / 7 + 0.5);
  const base = arraySeries(Labels.fromObject({ __name__: name }), ts, vs);
  if (!encoded) return base;
  const chunks: EncodedChunk[] = [];
  for (let i = 0; i < ts.length; i += per) {
    const c = new XORChunk();
    const app = c.appender();
    const part = ts.slice(i, i + per);
    for (const [j, t] of part.entries()) app.append(t, vs[i + j]!);
    chunks.push({ encoding: Encoding.XOR, data: c.bytes(), mint: part[0]!, maxt: part.at(-1)! });
  }
  return { ...base, encodedChunks: () => chunks };
}

function drain(it: SeriesIterator, seekTo?: number): [number, number][] {
  const out: [number, number][] = [];
  for (let vt = seekTo === undefined ? it.next() : it.seek(seekTo); vt !== ValueType.None; vt = it.next()) {
    out.push([it.atT(), it.atV()]);
  }
  return out;
}

const noPause = () => undefined;

describe('series batches', () => {
  const ts = Array.from({ length: 500 }, (_, i) => 1000 + i * 15_000 + (i % 3));
  const cases = [
    { name: 'from the start', seek: undefined },
    { name: 'seek before the first sample', seek: 0 },
    { name: 'seek inside a chunk', seek: ts[130]! + 1 },
    { name: 'seek exactly to a chunk boundary', seek: ts[240]! },
    { name: 'seek past the end', seek: ts.at(-1)! + 1 },
  ];
  it.each(cases)('encoded chunks read back like decoded samples ($name)', async ({ seek }) => {
    const c = new BatchCollector({ maxSamples: 0, maxBytes: 0 });
    const b = await c.collect(
      [series('a', ts, 120, true), series('b', ts, 120, false), series('c', ts.slice(0, 7), 120, true)],
      0,
      Number.MAX_SAFE_INTEGER,
      noPause,
    );
    const [a, d, short] = batchSeries(structuredClone(b));
    expect(a!.labels.get('__name__')).toBe('a');
    const want = drain(series('x', ts, 120, false).iterator(), seek);
    expect(drain(a!.iterator(), seek)).toEqual(want);
    expect(drain(d!.iterator(), seek)).toEqual(want);
    expect(drain(short!.iterator(), seek)).toEqual(drain(series('x', ts.slice(0, 7), 7, false).iterator(), seek));
  });

  it('counts chunk samples and bytes against the budget while loading', async () => {
    const many = Array.from({ length: 10 }, (_, i) => series(`m${i}`, ts, 120, true));
    await expect(
      new BatchCollector({ maxSamples: 2_000, maxBytes: 0 }).collect(many, 0, Number.MAX_SAFE_INTEGER, noPause),
    ).rejects.toThrow(/err-cortex-max-samples-per-query/);
    await expect(
      new BatchCollector({ maxSamples: 0, maxBytes: 1_000 }).collect(many, 0, Number.MAX_SAFE_INTEGER, noPause),
    ).rejects.toThrow(/err-cortex-max-chunks-bytes-per-query/);
  });

  /** Chunks of `t` cut every `per` samples. */
  function chunksOf(t: number[], per: number): EncodedChunk[] {
    const s = series('x', t, per, true);
    return [...s.encodedChunks!()!];
  }

  const overlapCases = [
    {
      name: 'head and store holding the same chunks',
      parts: () => [...chunksOf(ts, 120), ...chunksOf(ts, 120)],
    },
    {
      name: 'replicas cut at different samples',
      parts: () => [...chunksOf(ts, 120), ...chunksOf(ts.slice(50), 90)],
    },
    {
      name: 'store history listed after the head',
      parts: () => [...chunksOf(ts.slice(300), 120), ...chunksOf(ts.slice(0, 320), 100)],
    },
    {
      name: 'disjoint chunks listed out of order',
      parts: () => [...chunksOf(ts.slice(240), 120), ...chunksOf(ts.slice(0, 240), 120)],
    },
  ];
  it.each(overlapCases)('merges overlapping chunks into each sample once ($name)', async ({ parts }) => {
    const chunks = parts();
    const merged: Series = { ...series('m', ts, 120, false), encodedChunks: () => chunks };
    const collector = new BatchCollector({ maxSamples: 0, maxBytes: 0 });
    const b = await collector.collect([merged], 0, Number.MAX_SAFE_INTEGER, noPause);
    const [m] = batchSeries(structuredClone(b!));
    for (const seek of [undefined, 0, ts[130]! + 1, ts[300]!, ts.at(-1)! + 1]) {
      expect(drain(m!.iterator(), seek)).toEqual(drain(series('x', ts, 120, false).iterator(), seek));
    }
  });

  const copyCases = [
    { name: 'small disjoint chunks', parts: () => chunksOf(ts, 120) },
    { name: 'one chunk over 512 bytes', parts: () => chunksOf(ts, 500) },
    { name: 'overlapping chunks', parts: () => [...chunksOf(ts.slice(0, 300), 120), ...chunksOf(ts.slice(200), 90)] },
    { name: 'no chunks', parts: () => [] },
  ];
  it.each(copyCases)('copyChunks writes the batch encodedChunks writes ($name)', async ({ parts }) => {
    const chunks = [...parts()].sort((a, b) => a.mint - b.mint);
    const listed: Series = { ...series('m', ts, 120, false), encodedChunks: () => chunks };
    // the copying series hands each chunk inside a larger buffer, as a head chunk's backing buffer is
    const handed: Series = {
      ...series('m', ts, 120, false),
      copyChunks: (sink) => {
        for (const c of chunks) {
          const padded = new Uint8Array(c.data.length + 37).fill(0xaa);
          padded.set(c.data);
          sink.chunk(padded, c.data.length, c.mint, c.maxt);
        }
        return true;
      },
    };
    const load = (s: Series) =>
      new BatchCollector({ maxSamples: 0, maxBytes: 0 }).collect([s, s], 0, Number.MAX_SAFE_INTEGER, noPause);
    const a = await load(listed);
    const b = await load(handed);
    expect(b).toEqual(a);
    const budget = { maxSamples: chunks.length === 0 ? 0 : 2 * 500 - 1, maxBytes: 0 };
    if (budget.maxSamples > 0) {
      const refused = (s: Series) => new BatchCollector(budget).collect([s, s], 0, Number.MAX_SAFE_INTEGER, noPause);
      await expect(refused(handed)).rejects.toThrow(/err-cortex-max-samples-per-query/);
      await expect(refused(listed)).rejects.toThrow(/err-cortex-max-samples-per-query/);
    }
  });

  it('falls back to encodedChunks, then the iterator, when copyChunks declines', async () => {
    const plain = series('m', ts, 120, false);
    const declines: Series = { ...plain, copyChunks: () => false };
    const b = await new BatchCollector({ maxSamples: 0, maxBytes: 0 }).collect(
      [declines],
      0,
      Number.MAX_SAFE_INTEGER,
      noPause,
    );
    expect(drain(batchSeries(b!)[0]!.iterator())).toEqual(drain(plain.iterator()));
  });

  it('sends each distinct label string once and rebuilds every label set exactly', async () => {
    const sets = [
      { __name__: 'up', job: 'api', instance: 'a' },
      { __name__: 'up', job: 'api', instance: 'b' },
      { __name__: 'up', job: 'job', instance: '__name__' },
    ]
      .map((o) => Labels.fromObject(o))
      .concat(
        Labels.fromPairs([
          ['__name__', 'up'],
          ['__proto__', 'constructor'],
          ['job', 'ÿ'],
        ]),
      );
    const input = sets.map((l) => arraySeries(l, [1000], [1]));
    const b = await new BatchCollector({ maxSamples: 0, maxBytes: 0 }).collect(input, 0, 2000, noPause);
    expect(b!.strings.length).toBe(new Set(sets.flatMap((l) => l.flat)).size);
    expect(b!.labelRefs.length).toBe(sets.reduce((n, l) => n + l.flat.length, 0));
    const back = batchSeries(structuredClone(b!)).map((x) => x.labels);
    expect(back.map((l) => l.toString())).toEqual(sets.map((l) => l.toString()));
    expect(back[3]!.get('__proto__')).toBe('constructor');
  });

  it('counts samples of overlapping chunks about once', async () => {
    const twice: Series = {
      ...series('m', ts, 120, false),
      encodedChunks: () => [...chunksOf(ts, 120), ...chunksOf(ts, 120)],
    };
    // 500 samples held twice: a budget of 600 admits them (summing the headers would say 1,000).
    await new BatchCollector({ maxSamples: 600, maxBytes: 0 }).collect([twice], 0, Number.MAX_SAFE_INTEGER, noPause);
    await expect(
      new BatchCollector({ maxSamples: 450, maxBytes: 0 }).collect([twice], 0, Number.MAX_SAFE_INTEGER, noPause),
    ).rejects.toThrow(/err-cortex-max-samples-per-query/);
  });
});
