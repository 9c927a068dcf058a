export { BitReader, BitWriter } from './bstream.js';
export {
  CounterResetHeader,
  CUSTOM_BUCKETS_SCHEMA,
  encodeHistogramChunks,
  FloatHistogramChunk,
  FloatHistogramIterator,
  HISTOGRAM_CHUNK_TARGET_BYTES,
  HISTOGRAM_SAMPLES_PER_CHUNK,
} from './float-histogram.js';
export { type ChunkAppender, Encoding, MAX_SAMPLES_PER_CHUNK, XORChunk, XORIterator } from './xor.js';
