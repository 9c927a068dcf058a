import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { discardedSamplesCounter } from '../validation/index.js';

/**
 * The ingester's metrics. They register only with the Registry passed in (never the global one);
 * without one they still count, so `stats()` and tests can read them, but nothing exports them.
 */
export class IngesterMetrics {
  readonly memorySeries: Gauge<'user'>;
  readonly memoryChunks: Gauge;
  readonly ingestedSamples: Counter<'user'>;
  readonly ingestedHistograms: Counter<'user'>;
  readonly ingestedExemplars: Counter<'user'>;
  readonly discardedSamples: Counter<'user' | 'reason'>;
  readonly seriesCreated: Counter<'user'>;
  readonly seriesRemoved: Counter<'user'>;
  readonly flushQueueLength: Gauge;
  readonly flushedChunks: Counter<'reason'>;
  readonly flushedChunkBytes: Counter;
  readonly flushFailures: Counter;
  readonly walFsyncSeconds: Histogram;
  readonly walCorruptions: Counter;
  readonly walReplayedRecords: Counter;
  readonly checkpointSeconds: Histogram;
  readonly checkpointFailures: Counter;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.memorySeries = new Gauge({
      name: 'cortex_ingester_memory_series',
      help: 'Series held in memory, per tenant.',
      labelNames: ['user'],
      registers,
    });
    this.memoryChunks = new Gauge({
      name: 'cortex_ingester_memory_chunks',
      help: 'Chunks held in memory.',
      registers,
    });
    this.ingestedSamples = new Counter({
      name: 'cortex_ingester_ingested_samples_total',
      help: 'Float samples accepted.',
      labelNames: ['user'],
      registers,
    });
    this.ingestedHistograms = new Counter({
      name: 'cortex_ingester_ingested_native_histograms_total',
      help: 'Native histogram samples accepted.',
      labelNames: ['user'],
      registers,
    });
    this.ingestedExemplars = new Counter({
      name: 'cortex_ingester_ingested_exemplars_total',
      help: 'Exemplars accepted.',
      labelNames: ['user'],
      registers,
    });
    this.discardedSamples = discardedSamplesCounter(registry);
    this.seriesCreated = new Counter({
      name: 'cortex_ingester_memory_series_created_total',
      help: 'Series created in memory.',
      labelNames: ['user'],
      registers,
    });
    this.seriesRemoved = new Counter({
      name: 'cortex_ingester_memory_series_removed_total',
      help: 'Series removed from memory after their chunks were flushed.',
      labelNames: ['user'],
      registers,
    });
    this.flushQueueLength = new Gauge({
      name: 'cortex_ingester_flush_queue_length',
      help: 'Chunks waiting to be flushed to the chunk store.',
      registers,
    });
    this.flushedChunks = new Counter({
      name: 'cortex_ingester_chunks_flushed_total',
      help: 'Chunks flushed to the chunk store, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.flushedChunkBytes = new Counter({
      name: 'cortex_ingester_flushed_chunk_bytes_total',
      help: 'Bytes of chunk data flushed to the chunk store.',
      registers,
    });
    this.flushFailures = new Counter({
      name: 'cortex_ingester_flush_failures_total',
      help: 'Failed chunk store writes (the chunks stay in memory and are retried).',
      registers,
    });
    this.walFsyncSeconds = new Histogram({
      name: 'cortex_ingester_wal_fsync_duration_seconds',
      help: 'WAL fsync latency.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.walCorruptions = new Counter({
      name: 'cortex_ingester_wal_corruptions_total',
      help: 'Torn or corrupt WAL/checkpoint tails truncated during replay.',
      registers,
    });
    this.walReplayedRecords = new Counter({
      name: 'cortex_ingester_wal_replayed_records_total',
      help: 'WAL and checkpoint records replayed at start.',
      registers,
    });
    this.checkpointSeconds = new Histogram({
      name: 'cortex_ingester_checkpoint_duration_seconds',
      help: 'Time to write a WAL checkpoint.',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    });
    this.checkpointFailures = new Counter({
      name: 'cortex_ingester_checkpoint_failures_total',
      help: 'Checkpoints that failed (the WAL keeps growing until one succeeds).',
      registers,
    });
  }
}
