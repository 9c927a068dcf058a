import { Encoding, histogramChunkFromBytes, XOR2Chunk, XORChunk } from '../../chunkenc/index.js';
import { InternalError } from '../../model/index.js';
import type { SeriesIterator } from '../interface.js';

/**
 * Turns stored chunk bytes into an iterator. Injectable so tests and future encodings plug in
 * without touching the store.
 */
export type ChunkDecoder = (encoding: number, data: Uint8Array) => SeriesIterator;

/**
 * Prometheus XOR float chunks (encoding 1), integer histogram chunks (encoding 2), float histogram
 * chunks (encoding 3) and their variants with start timestamps (XOR2 4, HistogramST 5,
 * FloatHistogramST 6), decoded by data-plane/chunkenc.
 */
export const decodeChunk: ChunkDecoder = (encoding, data) => {
  if (encoding === Encoding.XOR) return XORChunk.fromBytes(data).iterator();
  if (encoding === Encoding.XOR2) return XOR2Chunk.fromBytes(data).iterator();
  if (
    encoding === Encoding.Histogram ||
    encoding === Encoding.FloatHistogram ||
    encoding === Encoding.HistogramST ||
    encoding === Encoding.FloatHistogramST
  ) {
    return histogramChunkFromBytes(encoding, data).iterator();
  }
  throw new InternalError(`chunk store: no decoder for chunk encoding ${encoding}`);
};
