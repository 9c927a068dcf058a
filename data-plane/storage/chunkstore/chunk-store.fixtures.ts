/** Test data for the chunk store suites: real XOR chunks cut from generated series. */
import { XORChunk } from '../../chunkenc/index.js';
import { Labels } from '../../model/index.js';
import { type SeriesIterator, type StoredChunk, ValueType } from '../interface.js';

export type Samples = [number, number][];

export interface TestSeries {
  labels: Labels;
  samples: Samples;
}

/** One XOR chunk (encoding 1) holding `samples`. */
export function xorChunk(labels: Labels, samples: Samples): StoredChunk {
  const c = new XORChunk();
  const app = c.appender();
  for (const [t, v] of samples) app.append(t, v);
  return { labels, mint: samples[0]![0], maxt: samples[samples.length - 1]![0], encoding: 1, data: c.bytes().slice() };
}

/** Cuts a series into chunks of `perChunk` samples, starting the first cut after `offset` samples. */
export function cut(s: TestSeries, perChunk: number, offset = 0): StoredChunk[] {
  const out: StoredChunk[] = [];
  let i = 0;
  if (offset > 0) {
    out.push(xorChunk(s.labels, s.samples.slice(0, offset)));
    i = offset;
  }
  for (; i < s.samples.length; i += perChunk) out.push(xorChunk(s.labels, s.samples.slice(i, i + perChunk)));
  return out;
}

/** Samples every `stepMs` from `from` to `to` inclusive, with values distinct per series. */
export function makeSeries(
  labels: Record<string, string>,
  seed: number,
  from: number,
  to: number,
  stepMs: number,
): TestSeries {
  const samples: Samples = [];
  for (let t = from, i = 0; t <= to; t += stepMs, i++) samples.push([t, seed * 100_000 + i]);
  return { labels: Labels.fromObject(labels), samples };
}

export function drain(it: SeriesIterator): Samples {
  const out: Samples = [];
  while (it.next() === ValueType.Float) out.push([it.atT(), it.atV()]);
  return out;
}

export function within(samples: Samples, mint: number, maxt: number): Samples {
  return samples.filter(([t]) => t >= mint && t <= maxt);
}
