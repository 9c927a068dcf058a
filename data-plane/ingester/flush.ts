import type { Clock, TenantId } from '../model/index.js';
import type { ChunkStore, StoredChunk } from '../storage/index.js';
import type { TenantHead } from './head.js';
import type { IngesterMetrics } from './metrics.js';
import { type MemChunk, type MemHistChunk, type MemSeries, SAMPLES_PER_CHUNK } from './series.js';

export interface FlushOptions {
  /** Seal and flush an open chunk whose first sample is older than this (default 2h). */
  maxChunkAgeMs: number;
  /** Seal and flush an open chunk of a series that got no sample for this long (default 5m). */
  maxChunkIdleMs: number;
  /** Keep flushed chunks in memory this long for queries (default 1h). */
  retainPeriodMs: number;
  /** Chunks per chunk store write. */
  batchSize: number;
  /** Parallel chunk store writes. */
  concurrency: number;
  minBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultFlushOptions: FlushOptions = {
  maxChunkAgeMs: 2 * 3600_000,
  maxChunkIdleMs: 5 * 60_000,
  retainPeriodMs: 3600_000,
  batchSize: 256,
  concurrency: 4,
  minBackoffMs: 500,
  maxBackoffMs: 60_000,
};

interface Item {
  tenant: TenantId;
  series: MemSeries;
  chunk: MemChunk | MemHistChunk;
  reason: string;
}

/**
 * Moves sealed chunks to long-term storage. Chunks stay in memory (and in WAL checkpoints) until
 * the store confirms them, so a failed write loses nothing: it is retried with exponential backoff.
 * Flushed chunks are dropped from memory after the retain period, and series with nothing left in
 * memory are removed from the head (freeing their place under the series limits).
 */
export class Flusher {
  private queue: Item[] = [];
  private inFlight = 0;
  private backoffMs: number;
  private retryAt = 0;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly store: ChunkStore,
    private readonly clock: Clock,
    private readonly metrics: IngesterMetrics,
    private readonly opts: FlushOptions,
  ) {
    this.backoffMs = opts.minBackoffMs;
  }

  queueLength(): number {
    return this.queue.length + this.inFlight;
  }

  /**
   * Seals what is due, queues every sealed unflushed chunk, drops flushed chunks past retention and
   * removes empty series. `immediate` seals every open chunk (shutdown, explicit flush).
   */
  sweep(heads: Iterable<TenantHead>, immediate: boolean): void {
    const now = this.clock.now();
    for (const head of heads) {
      for (const s of [...head.series.values()]) {
        const idle = now - s.lastAppendWall >= this.opts.maxChunkIdleMs;
        const open = s.chunks[s.chunks.length - 1];
        if (open && !open.sealed) {
          if (immediate) s.sealHead();
          else if (idle) s.sealHead();
          else if (now - open.mint >= this.opts.maxChunkAgeMs) s.sealHead();
        }
        if (s.oooT && s.oooT.length > 0 && (immediate || idle || now - s.oooT[0]! >= this.opts.maxChunkAgeMs)) {
          s.cutOutOfOrder();
        }
        const ho = s.openHistogramChunk();
        if (ho && (immediate || idle || now - ho.mint >= this.opts.maxChunkAgeMs)) s.sealOpenHistogram();
        const hs = s.histograms;
        if (
          hs &&
          hs.length > 0 &&
          (immediate || idle || hs.length >= SAMPLES_PER_CHUNK || now - hs[0]!.t >= this.opts.maxChunkAgeMs)
        ) {
          s.sealHistograms();
        }
        const reason = immediate ? 'immediate' : idle ? 'idle' : 'full';
        this.enqueue(head.tenant, s, s.chunks, reason);
        if (s.oooChunks) this.enqueue(head.tenant, s, s.oooChunks, 'out_of_order');
        if (s.histChunks) this.enqueue(head.tenant, s, s.histChunks, reason);
        this.dropRetained(head, s, now);
        if (s.isEmpty() && idle) head.delete(s);
      }
    }
    this.metrics.flushQueueLength.set(this.queueLength());
  }

  private enqueue(tenant: TenantId, series: MemSeries, chunks: (MemChunk | MemHistChunk)[], reason: string): void {
    for (const chunk of chunks) {
      if (chunk.sealed && !chunk.flushed && !chunk.queued) {
        chunk.queued = true;
        this.queue.push({ tenant, series, chunk, reason });
      }
    }
  }

  private dropRetained(head: TenantHead, s: MemSeries, now: number): void {
    const keep = (c: MemChunk | MemHistChunk) => {
      if (!c.flushed || now - c.flushedAt < this.opts.retainPeriodMs) return true;
      if (c.maxt > head.droppedMaxT) head.droppedMaxT = c.maxt;
      return false;
    };
    if (s.chunks.some((c) => !keep(c))) s.chunks = s.chunks.filter(keep);
    if (s.oooChunks?.some((c) => !keep(c))) s.oooChunks = s.oooChunks.filter(keep);
    if (s.histChunks?.some((c) => !keep(c))) s.histChunks = s.histChunks.filter(keep);
  }

  /** Writes queued chunks; resolves when the queue is empty or a write failed (retried later). */
  drain(ignoreBackoff = false): Promise<void> {
    if (!this.draining) {
      this.draining = this.run(ignoreBackoff).finally(() => {
        this.draining = undefined;
      });
    }
    return this.draining;
  }

  /** Whether the last write failed and the backoff has not yet expired. */
  backingOff(): boolean {
    return this.clock.now() < this.retryAt;
  }

  private async run(ignoreBackoff: boolean): Promise<void> {
    if (!ignoreBackoff && this.backingOff()) return;
    let failed = false;
    const worker = async () => {
      while (!failed && this.queue.length > 0) {
        const batch = this.takeBatch();
        this.inFlight += batch.length;
        try {
          await this.write(batch);
          this.backoffMs = this.opts.minBackoffMs;
        } catch (err) {
          failed = true;
          this.metrics.flushFailures.inc();
          // Put the batch back in front, keep the chunks, and wait before trying again.
          this.queue.unshift(...batch);
          this.retryAt = this.clock.now() + this.backoffMs;
          this.backoffMs = Math.min(this.opts.maxBackoffMs, this.backoffMs * 2);
          this.lastError = err;
        } finally {
          this.inFlight -= batch.length;
          this.metrics.flushQueueLength.set(this.queueLength());
        }
      }
    };
    await Promise.all(Array.from({ length: this.opts.concurrency }, worker));
  }

  lastError: unknown;

  private takeBatch(): Item[] {
    const first = this.queue[0]!;
    const batch: Item[] = [];
    const rest: Item[] = [];
    for (const it of this.queue) {
      if (batch.length < this.opts.batchSize && it.tenant === first.tenant) batch.push(it);
      else rest.push(it);
    }
    this.queue = rest;
    return batch;
  }

  private async write(batch: Item[]): Promise<void> {
    // A chunk emptied by a delete-series while queued has nothing left to store.
    const chunks: StoredChunk[] = batch
      .filter((it) => it.chunk.chunk.numSamples() > 0)
      .map((it) => ({
        labels: it.series.labels,
        mint: it.chunk.mint,
        maxt: it.chunk.maxt,
        encoding: it.chunk.chunk.encoding(),
        data: it.chunk.chunk.bytes(),
      }));
    if (chunks.length > 0) await this.store.put(batch[0]!.tenant, chunks);
    const now = this.clock.now();
    let bytes = 0;
    for (const it of batch) {
      it.chunk.flushedAt = now;
      it.chunk.flushed = true;
      it.chunk.queued = false;
      bytes += it.chunk.chunk.bytes().length;
      this.metrics.flushedChunks.inc({ reason: it.reason });
    }
    this.metrics.flushedChunkBytes.inc(bytes);
  }
}
