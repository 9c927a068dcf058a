import { Encoding, XORChunk } from '../../chunkenc/index.js';
import { InternalError } from '../../model/index.js';
import type { SeriesIterator } from '../interface.js';

/**
 * Turns stored chunk bytes into an iterator. Injectable so tests and future encodings (native
 * histograms) plug in without touching the store.
 */
export type ChunkDecoder = (encoding: number, data: Uint8Array) => SeriesIterator;

/** Prometheus XOR float chunks (encoding 1), decoded by data-plane/chunkenc. */
export const decodeXORChunk: ChunkDecoder = (encoding, data) => {
  if (encoding !== Encoding.XOR) {
    throw new InternalError(`chunk store: no decoder for chunk encoding ${encoding}`);
  }
  return XORChunk.fromBytes(data).iterator();
};
