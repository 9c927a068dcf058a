import { Encoding, FloatHistogramChunk, XORChunk } from '../../chunkenc/index.js';
import { InternalError } from '../../model/index.js';
import type { SeriesIterator } from '../interface.js';

/**
 * Turns stored chunk bytes into an iterator. Injectable so tests and future encodings plug in
 * without touching the store.
 */
export type ChunkDecoder = (encoding: number, data: Uint8Array) => SeriesIterator;

/**
 * Prometheus XOR float chunks (encoding 1) and float histogram chunks (encoding 3), decoded by
 * data-plane/chunkenc. Integer histogram chunks (encoding 2) are never written: the model holds
 * every native histogram as a FloatHistogram, and integer counts are exact in float64.
 */
export const decodeChunk: ChunkDecoder = (encoding, data) => {
  if (encoding === Encoding.XOR) return XORChunk.fromBytes(data).iterator();
  if (encoding === Encoding.FloatHistogram) return FloatHistogramChunk.fromBytes(data).iterator();
  throw new InternalError(`chunk store: no decoder for chunk encoding ${encoding}`);
};
