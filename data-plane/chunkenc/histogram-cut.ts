import type { FloatHistogram } from '../model/index.js';
import { FloatHistogramChunk, HISTOGRAM_CHUNK_TARGET_BYTES, HISTOGRAM_SAMPLES_PER_CHUNK } from './float-histogram.js';
import { HistogramChunk, isIntegerHistogram, isStale } from './histogram.js';
import { CounterResetHeader, type CutReason } from './histogram-layout.js';
import { Encoding } from './xor.js';

/** A sealed histogram chunk of either encoding. */
export type AnyHistogramChunk = HistogramChunk | FloatHistogramChunk;

/** Decodes stored histogram chunk bytes of encoding 2 or 3, or their ST variants 5 and 6. */
export function histogramChunkFromBytes(encoding: number, b: Uint8Array): AnyHistogramChunk {
  if (encoding === Encoding.Histogram) return HistogramChunk.fromBytes(b);
  if (encoding === Encoding.FloatHistogram) return FloatHistogramChunk.fromBytes(b);
  if (encoding === Encoding.HistogramST) return HistogramChunk.fromBytes(b, true);
  if (encoding === Encoding.FloatHistogramST) return FloatHistogramChunk.fromBytes(b, true);
  throw new RangeError(`encoding ${encoding} is not a histogram chunk encoding`);
}

/**
 * Encodes time-ordered histogram samples (strictly increasing timestamps) into as few chunks as the
 * layout and counter-reset rules allow, each compacted and sealed: integer histograms (`integer`,
 * whole-number counts) into integer chunks (encoding 2), the rest into float chunks (encoding 3),
 * as Prometheus stores them. A chunk cut at a counter reset gets the CounterReset header, one cut
 * for size the NotCounterReset header, as Prometheus's appenders set them. When any sample has a
 * start timestamp (`st`), every chunk is of the ST variant (encodings 5 and 6) and keeps them.
 */
export function encodeHistogramChunks(
  samples: readonly { t: number; h: FloatHistogram; integer?: boolean; st?: number }[],
  maxSamples = HISTOGRAM_SAMPLES_PER_CHUNK,
  targetBytes = HISTOGRAM_CHUNK_TARGET_BYTES,
): AnyHistogramChunk[] {
  const out: AnyHistogramChunk[] = [];
  const withST = samples.some((s) => (s.st ?? 0) !== 0);
  let c: AnyHistogramChunk | undefined;
  for (const { t, h, integer, st = 0 } of samples) {
    const int = integer === true && (isStale(h.sum) || isIntegerHistogram(h));
    let why: CutReason | undefined;
    if (c) {
      if (int !== c instanceof HistogramChunk) why = 'kind';
      else {
        why = c.fit(h) ?? (c.numSamples() >= maxSamples || c.byteLength() >= targetBytes ? 'full' : undefined);
        if (!why) {
          c.tryAppend(t, h, st);
          continue;
        }
      }
    }
    const header =
      h.counterResetHint === 'gauge'
        ? CounterResetHeader.Gauge
        : why === 'reset' || h.counterResetHint === 'reset'
          ? CounterResetHeader.CounterReset
          : why === 'full'
            ? CounterResetHeader.NotCounterReset
            : CounterResetHeader.Unknown;
    c = int ? new HistogramChunk(header, withST) : new FloatHistogramChunk(header, withST);
    c.tryAppend(t, h, st);
    out.push(c);
  }
  for (const x of out) x.compact();
  return out;
}
