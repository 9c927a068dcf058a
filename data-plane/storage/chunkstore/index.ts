export { type ChunkDecoder, decodeChunk } from './decode.js';
export { DAY_MS, KVChunkStore, type KVChunkStoreOptions } from './kv-chunk-store.js';
export { type ChunkRef, type Intervals, MergeIterator } from './merge-iterator.js';
export { ChunkStoreMetrics } from './metrics.js';
export type { PurgeStats } from './purge.js';
export { applyRetention, type RetentionRun } from './retention.js';
export { RowType, Schema, seriesId } from './schema.js';
export type { Tombstone } from './tombstone.js';
