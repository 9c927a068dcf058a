import type { FloatHistogram } from '../model/index.js';
import { FloatHistogramChunk, HISTOGRAM_CHUNK_TARGET_BYTES, HISTOGRAM_SAMPLES_PER_CHUNK } from './float-histogram.js';
import { HistogramChunk, isIntegerHistogram } from './histogram.js';
import { CounterResetHeader, type CutReason, isStale } from './histogram-layout.js';
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
 * Cuts histogram samples into chunks as they arrive, as Prometheus's head appenders do: integer
 * histograms (`integer`, whole-number counts) into integer chunks (encoding 2), the rest into float
 * chunks (encoding 3); a new chunk at a layout change, a counter reset, a switch between counter and
 * gauge or between integer and float, or when the chunk is full (`maxSamples`, `targetBytes`). A
 * chunk cut at a counter reset gets the CounterReset header, one cut for size NotCounterReset, as
 * Prometheus's appenders set them. With `withST` the chunks are the ST variants (5 and 6).
 */
export class HistogramCutter {
  /** The chunk samples go to now (not compacted). */
  chunk: AnyHistogramChunk | undefined;

  constructor(
    private readonly maxSamples = HISTOGRAM_SAMPLES_PER_CHUNK,
    private readonly targetBytes = HISTOGRAM_CHUNK_TARGET_BYTES,
    private readonly withST = false,
  ) {}

  /**
   * Appends a sample (timestamps strictly increasing); returns the chunk it closed (compacted) to
   * start a new one, if it did.
   */
  append(t: number, h: FloatHistogram, integer: boolean | undefined, st = 0): AnyHistogramChunk | undefined {
    const int = integer === true && (isStale(h.sum) || isIntegerHistogram(h));
    const c = this.chunk;
    let why: CutReason | undefined;
    if (c) {
      if (int !== c instanceof HistogramChunk) why = 'kind';
      else {
        why =
          c.fit(h) ?? (c.numSamples() >= this.maxSamples || c.byteLength() >= this.targetBytes ? 'full' : undefined);
        if (!why) {
          c.tryAppend(t, h, st);
          return undefined;
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
    const next = int ? new HistogramChunk(header, this.withST) : new FloatHistogramChunk(header, this.withST);
    next.tryAppend(t, h, st);
    this.chunk = next;
    c?.compact();
    return c;
  }
}

/**
 * Encodes time-ordered histogram samples (strictly increasing timestamps) into as few chunks as
 * HistogramCutter's rules allow, each compacted and sealed. When any sample has a start timestamp
 * (`st`), every chunk is of the ST variant (encodings 5 and 6) and keeps them.
 */
export function encodeHistogramChunks(
  samples: readonly { t: number; h: FloatHistogram; integer?: boolean; st?: number }[],
  maxSamples = HISTOGRAM_SAMPLES_PER_CHUNK,
  targetBytes = HISTOGRAM_CHUNK_TARGET_BYTES,
): AnyHistogramChunk[] {
  const withST = samples.some((s) => (s.st ?? 0) !== 0);
  const cut = new HistogramCutter(maxSamples, targetBytes, withST);
  const out: AnyHistogramChunk[] = [];
  for (const { t, h, integer, st } of samples) {
    const closed = cut.append(t, h, integer, st);
    if (closed) out.push(closed);
  }
  if (cut.chunk) {
    cut.chunk.compact();
    out.push(cut.chunk);
  }
  return out;
}
