export { BitReader, BitWriter } from './bstream.js';
export {
  FloatHistogramChunk,
  FloatHistogramIterator,
  HISTOGRAM_CHUNK_TARGET_BYTES,
  HISTOGRAM_SAMPLES_PER_CHUNK,
} from './float-histogram.js';
export { HistogramChunk, HistogramIterator, isIntegerHistogram } from './histogram.js';
export {
  type AnyHistogramChunk,
  encodeHistogramChunks,
  HistogramCutter,
  histogramChunkFromBytes,
} from './histogram-cut.js';
export { CounterResetHeader, CUSTOM_BUCKETS_SCHEMA, type CutReason } from './histogram-layout.js';
export {
  appendXOR,
  type ChunkAppender,
  Encoding,
  MAX_SAMPLES_PER_CHUNK,
  XOR_NO_WINDOW,
  XORChunk,
  type XOREncoderState,
  XORIterator,
} from './xor.js';
export { decodeXORInto, type FloatRun } from './xor-bulk.js';
export { XOR2Chunk, XOR2Iterator } from './xor2.js';
