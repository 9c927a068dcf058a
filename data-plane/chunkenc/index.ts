export { BitReader, BitWriter } from './bstream.js';
export { type ChunkAppender, Encoding, MAX_SAMPLES_PER_CHUNK, XORChunk, XORIterator } from './xor.js';
