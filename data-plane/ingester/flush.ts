import { performance } from 'node:perf_hooks';
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
  /**
   * Chunks per chunk store write. Building a write's rows takes the main thread for about 0.1 ms
   * per chunk, and pushes wait meanwhile: 64 keeps that to a few milliseconds per write.
   */
  batchSize: number;
  /** Parallel chunk store writes. */
  concurrency: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /**
   * While pushes arrive, the share of the event loop's time flushing may take: after each write,
   * the flush pauses for its duration × (1 / share − 1). Without pushes, and in the final flush of
   * `stop()`, it is never paced. 1 = never paced.
   */
  maxLoopShare: number;
}

export const defaultFlushOptions: FlushOptions = {
  maxChunkAgeMs: 2 * 3600_000,
  maxChunkIdleMs: 5 * 60_000,
  retainPeriodMs: 3600_000,
  batchSize: 64,
  concurrency: 4,
  minBackoffMs: 500,
  maxBackoffMs: 60_000,
  maxLoopShare: 0.1,
};

/** The longest pause between two writes, however long the last one took. */
const MAX_PAUSE_MS = 2000;

/** Series looked at per sweep slice; pushes run between slices. */
const SWEEP_SLICE = 500;

/** Gives pending I/O (pushes, WAL commits) a turn before the next slice of flush work. */
const yieldToIO = () => new Promise<void>((r) => setImmediate(r));

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
  /**
   * Chunks waiting, per tenant (a store write holds one tenant's chunks), each consumed from `next`
   * so taking a batch costs the batch, not the queue.
   */
  private readonly queues = new Map<TenantId, { items: Item[]; next: number }>();
  private queued = 0;
  private inFlight = 0;
  private sweeping: Promise<unknown> = Promise.resolve();
  /** Set by a drain that must not be paced (shutdown); cleared when the drain ends. */
  private urgent = false;
  private backoffMs: number;
  private retryAt = 0;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly store: ChunkStore,
    private readonly clock: Clock,
    private readonly metrics: IngesterMetrics,
    private readonly opts: FlushOptions,
    /** Whether pushes are arriving now (the flush then paces itself). */
    private readonly pushing: () => boolean = () => false,
  ) {
    this.backoffMs = opts.minBackoffMs;
  }

  queueLength(): number {
    return this.queued + this.inFlight;
  }

  /**
   * Seals what is due, queues every sealed unflushed chunk, drops flushed chunks past retention and
   * removes empty series. `immediate` seals every open chunk (shutdown, explicit flush). Works in
   * slices of SWEEP_SLICE series with a turn of the event loop between them, so pushes never wait
   * for a whole sweep; sweeps run one at a time, in call order. Resolves to the chunks in memory.
   */
  sweep(heads: Iterable<TenantHead>, immediate: boolean): Promise<number> {
    const list = [...heads];
    const run = this.sweeping.then(() => this.sweepSliced(list, immediate));
    this.sweeping = run.catch(() => undefined);
    return run;
  }

  private async sweepSliced(heads: TenantHead[], immediate: boolean): Promise<number> {
    const now = this.clock.now();
    let chunks = 0;
    let sinceYield = 0;
    for (const head of heads) {
      for (const s of [...head.series.values()]) {
        if (++sinceYield === SWEEP_SLICE) {
          sinceYield = 0;
          await yieldToIO();
        }
        // Removed while this sweep yielded (it had nothing left in memory).
        if (!head.holds(s)) continue;
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
        else chunks += s.chunks.length + (s.oooChunks?.length ?? 0);
      }
    }
    this.metrics.flushQueueLength.set(this.queueLength());
    return chunks;
  }

  private enqueue(tenant: TenantId, series: MemSeries, chunks: (MemChunk | MemHistChunk)[], reason: string): void {
    for (const chunk of chunks) {
      if (chunk.sealed && !chunk.flushed && !chunk.queued) {
        chunk.queued = true;
        let q = this.queues.get(tenant);
        if (!q) {
          q = { items: [], next: 0 };
          this.queues.set(tenant, q);
        }
        q.items.push({ tenant, series, chunk, reason });
        this.queued++;
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
    // Joining a paced drain in progress makes it unpaced too.
    if (ignoreBackoff) this.urgent = true;
    if (!this.draining) {
      this.draining = this.run(ignoreBackoff).finally(() => {
        this.draining = undefined;
        this.urgent = false;
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
      while (!failed && this.queued > 0) {
        // A turn for pushes between store writes: the writes' continuations would otherwise run
        // back to back in one microtask drain.
        await yieldToIO();
        if (failed || this.queued === 0) break;
        const batch = this.takeBatch();
        this.inFlight += batch.length;
        const started = performance.now();
        try {
          await this.write(batch);
          this.backoffMs = this.opts.minBackoffMs;
          await this.pace(started);
        } catch (err) {
          failed = true;
          this.metrics.flushFailures.inc();
          // Put the batch back in front, keep the chunks, and wait before trying again.
          this.putBack(batch);
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

  /**
   * Building a write's rows runs on the event loop pushes need; while they keep it busy, the flush
   * takes at most `maxLoopShare` of it, so ingestion keeps its rate during a flush (and chunks stay
   * in memory a little longer).
   */
  private async pace(started: number): Promise<void> {
    const share = this.opts.maxLoopShare;
    if (this.urgent || share >= 1 || !this.pushing()) return;
    const pauseMs = Math.min(MAX_PAUSE_MS, (performance.now() - started) * (1 / share - 1));
    await new Promise((r) => setTimeout(r, pauseMs));
  }

  /** Up to batchSize chunks of the first tenant with any waiting (the queue is not empty). */
  private takeBatch(): Item[] {
    const [tenant, q] = this.queues.entries().next().value as [TenantId, { items: Item[]; next: number }];
    const batch = q.items.slice(q.next, q.next + this.opts.batchSize);
    q.next += batch.length;
    // Round-robin between tenants: the rest of this one's chunks wait behind the others'.
    this.queues.delete(tenant);
    if (q.next < q.items.length) this.queues.set(tenant, q);
    this.queued -= batch.length;
    return batch;
  }

  private putBack(batch: Item[]): void {
    const tenant = batch[0]!.tenant;
    const q = this.queues.get(tenant);
    const items = q ? [...batch, ...q.items.slice(q.next)] : batch;
    // First in line again, as before the failed write.
    this.queues.delete(tenant);
    const rest = [...this.queues];
    this.queues.clear();
    this.queues.set(tenant, { items, next: 0 });
    for (const [t, r] of rest) this.queues.set(t, r);
    this.queued += batch.length;
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
