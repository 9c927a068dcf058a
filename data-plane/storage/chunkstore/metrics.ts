import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * The chunk store's metrics (names after Cortex's chunk store). They register only with the Registry
 * passed in; without one they still count, so tests can read them.
 */
export class ChunkStoreMetrics {
  readonly storedChunks: Counter<'user'>;
  readonly storedChunkBytes: Counter<'user'>;
  readonly indexEntriesWritten: Counter<'user'>;
  readonly chunksPerQuery: Histogram;
  readonly fetchedChunkBytes: Counter<'user'>;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.storedChunks = new Counter({
      name: 'cortex_chunk_store_stored_chunks_total',
      help: 'Chunks written to the chunk store (replicas writing the same chunk count each time).',
      labelNames: ['user'],
      registers,
    });
    this.storedChunkBytes = new Counter({
      name: 'cortex_chunk_store_stored_chunk_bytes_total',
      help: 'Bytes of chunk data written to the chunk store.',
      labelNames: ['user'],
      registers,
    });
    this.indexEntriesWritten = new Counter({
      name: 'cortex_chunk_store_index_entries_written_total',
      help: 'Index rows written; rows already written by this process are skipped and not counted.',
      labelNames: ['user'],
      registers,
    });
    this.chunksPerQuery = new Histogram({
      name: 'cortex_chunk_store_chunks_per_query',
      help: 'Chunks read by one select.',
      buckets: [1, 10, 100, 1_000, 10_000, 100_000],
      registers,
    });
    this.fetchedChunkBytes = new Counter({
      name: 'cortex_chunk_store_fetched_chunk_bytes_total',
      help: 'Bytes of chunk data read for queries.',
      labelNames: ['user'],
      registers,
    });
  }
}
