import type { Registry } from 'prom-client';
import {
  type Clock,
  type CortexError,
  type Exemplar,
  type HistogramSample,
  type Labels,
  LimitExceededError,
  type Matcher,
  type MetricMetadata,
  type Sample,
  SampleColumns,
  type SeriesError,
  systemClock,
  type TenantId,
  UnavailableError,
  type WriteOutcome,
  type WriteRequest,
} from '../model/index.js';
import type { CallOptions, ChunkStore, Queryable } from '../storage/index.js';
import { CreatedZeros, zeroHistogramLike } from './created-zeros.js';
import { deleteFromHead, deletionRecord } from './delete.js';
import { EventLoopLagMonitor } from './event-loop-lag.js';
import { ExemplarStore } from './exemplars.js';
import { defaultFlushOptions, Flusher, type FlushOptions } from './flush.js';
import { hashLabels, type SeriesLimits, TenantHead } from './head.js';
import { duplicateTimestampError, type IngesterLimits, invalidTimestampError, outOfOrderError } from './limits.js';
import { MetadataStore } from './metadata.js';
import { IngesterMetrics } from './metrics.js';
import { AppendResult, type MemSeries } from './series.js';
import { CheckpointWriter } from './wal/checkpoint-writer.js';
import {
  checkpointPath,
  type FsyncPolicy,
  listDir,
  lockDir,
  readRecords,
  segmentPath,
  type WalLogger,
  WriteAheadLog,
} from './wal/wal.js';
import { checkpointExemplars, checkpointSeries, PushRecords, Replayer } from './walcodec.js';

export interface IngesterOptions {
  /** WAL directory; without it nothing survives a restart (tests, `--dev` early). */
  walDir?: string;
  /** See FsyncPolicy in wal/wal.ts for what each policy survives. Default 'batch'. */
  fsync?: FsyncPolicy;
  /** Shortest time between two fsyncs of the 'batch' policy (default 2 ms; one runs at a time anyway). */
  fsyncBatchIntervalMs?: number;
  /** WAL segment size before rotation (default 64 MiB). */
  walSegmentBytes?: number;
  /** How often a checkpoint bounds replay time (default 30 min; 0 = only on stop). */
  checkpointIntervalMs?: number;
  limits: IngesterLimits;
  /**
   * This ingester's share of a tenant's series (replication factor ÷ ingesters in the tenant's
   * shard, as Mimir's Limiter computes it): the global series limits are multiplied by it before
   * being enforced locally. Default 1 (single ingester: global = local).
   */
  seriesLimitShare?: (t: TenantId) => number;
  clock?: Clock;
  /** Long-term storage; without it everything stays in memory. */
  chunkStore?: ChunkStore;
  /** Flush tuning (ages, retention, batching, backoff). */
  flush?: Partial<FlushOptions>;
  /** How often sealed chunks are looked for and flushed (default 1 min; 0 = only on `flush()`/`stop()`). */
  flushPeriodMs?: number;
  /** How long `stop()` keeps retrying the final flush before giving up (data stays in the WAL). */
  stopFlushTimeoutMs?: number;
  logger?: WalLogger;
  registry?: Registry;
}

/**
 * Series per checkpoint slice; the event loop runs pushes between slices. Encoding one series with
 * its unflushed chunks takes 5–20 µs, so a slice holds the loop for a few milliseconds.
 */
const CHECKPOINT_BATCH = 250;

/** A push within this long counts as "pushes arriving" for the flush's pacing. */
const PUSHING_WITHIN_MS = 200;

/** A global limit (0 = unlimited) scaled to this ingester's share, never below 1. */
function localLimit(global: number, share: number): number {
  if (global <= 0 || share >= 1) return global;
  return Math.max(1, Math.ceil(global * share));
}

const silentLogger: WalLogger = { info() {}, warn() {}, error() {} };

/**
 * A float and a histogram share one timeline per series, as in Prometheus (one lastTs per memSeries):
 * a point at the newest point of the other kind is a duplicate timestamp, one before it is out of
 * order unless the out-of-order window takes it. Otherwise both would be acknowledged and a query
 * would show only one of them.
 */
function crossKind(t: number, otherNewest: number, oooAllowed: boolean): AppendResult | undefined {
  if (t > otherNewest) return undefined;
  if (t === otherNewest) return AppendResult.DuplicateTimestamp;
  return oooAllowed ? undefined : AppendResult.OutOfOrder;
}

interface Tenant {
  head: TenantHead;
  exemplars: ExemplarStore;
  metadata: MetadataStore;
  records: PushRecords;
}

/**
 * The ingester: per-tenant in-memory heads of XOR chunks, made durable by a WAL before a push
 * resolves, and flushed to the chunk store in the background. Satisfies the distributor's
 * IngesterClient structurally (`push`).
 */
export class Ingester {
  private readonly tenantsById = new Map<TenantId, Tenant>();
  private readonly limits: IngesterLimits;
  private readonly clock: Clock;
  private readonly logger: WalLogger;
  readonly metrics: IngesterMetrics;
  private wal: WriteAheadLog | undefined;
  private readonly flusher: Flusher | undefined;
  /** Wall clock at construction: samples acknowledged before (a previous run) may be flushed and gone. */
  private readonly createdAt: number;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private readonly inflight = new Set<Promise<unknown>>();
  private flushTimer: NodeJS.Timeout | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointing: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** performance.now() of the latest push: the flush paces itself while pushes arrive. */
  private lastPushAt = Number.NEGATIVE_INFINITY;
  /** Only with a registry: without one nobody could read it. */
  private readonly loopLag: EventLoopLagMonitor | undefined;

  constructor(private readonly opts: IngesterOptions) {
    this.limits = opts.limits;
    this.clock = opts.clock ?? systemClock;
    this.createdAt = this.clock.now();
    this.logger = opts.logger ?? silentLogger;
    this.metrics = new IngesterMetrics(opts.registry);
    this.loopLag = opts.registry ? new EventLoopLagMonitor(opts.registry) : undefined;
    if (opts.chunkStore) {
      this.flusher = new Flusher(
        opts.chunkStore,
        this.clock,
        this.metrics,
        { ...defaultFlushOptions, ...opts.flush },
        () => performance.now() - this.lastPushAt < PUSHING_WITHIN_MS,
      );
    }
  }

  /** Replays the WAL (checkpoint, then newer segments) and starts the background loops. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`ingester cannot start from state ${this.state}`);
    this.state = 'starting';
    const dir = this.opts.walDir;
    if (dir) {
      await lockDir(dir);
      await this.replay(dir);
      this.wal = new WriteAheadLog({
        dir,
        fsync: this.opts.fsync ?? 'batch',
        batchIntervalMs: this.opts.fsyncBatchIntervalMs ?? 2,
        segmentBytes: this.opts.walSegmentBytes ?? 64 * 1024 * 1024,
        logger: this.logger,
        onSync: (s) => this.metrics.walFsyncSeconds.observe(s),
      });
      await this.wal.open();
      const every = this.opts.checkpointIntervalMs ?? 30 * 60_000;
      if (every > 0) {
        this.checkpointTimer = setInterval(() => void this.checkpoint().catch(() => {}), every);
        this.checkpointTimer.unref();
      }
    }
    const flushEvery = this.opts.flushPeriodMs ?? 60_000;
    if (this.flusher && flushEvery > 0) {
      this.flushTimer = setInterval(() => void this.flush(false).catch(() => {}), flushEvery);
      this.flushTimer.unref();
    }
    this.loopLag?.start();
    this.state = 'running';
  }

  private async replay(dir: string): Promise<void> {
    const { segments, checkpoints } = await listDir(dir);
    const replayer = new Replayer(
      (t) => this.tenant(t).head,
      (t, s, e) => this.tenant(t).exemplars.add(s.labels, s.ref, e, this.limits.maxGlobalExemplarsPerUser(t)),
    );
    const apply = (body: Buffer) => {
      replayer.apply(body);
      this.metrics.walReplayedRecords.inc();
    };
    const cp = checkpoints[checkpoints.length - 1];
    const started = performance.now();
    if (cp !== undefined) {
      const r = await readRecords(checkpointPath(dir, cp), this.logger, apply);
      if (r.truncatedBytes > 0) this.metrics.walCorruptions.inc();
    }
    for (const seg of segments) {
      if (cp !== undefined && seg <= cp) continue;
      const r = await readRecords(segmentPath(dir, seg), this.logger, apply);
      if (r.truncatedBytes > 0) this.metrics.walCorruptions.inc();
    }
    if (replayer.unknownRefs > 0) {
      this.logger.warn(`WAL replay: ${replayer.unknownRefs} entries referred to series missing from the WAL`);
    }
    const now = this.clock.now();
    let series = 0;
    for (const [id, t] of this.tenantsById) {
      for (const s of t.head.series.values()) s.lastAppendWall = now;
      series += t.head.series.size;
      this.metrics.memorySeries.set({ user: id }, t.head.series.size);
    }
    this.logger.info(
      `WAL replay done: checkpoint ${cp ?? 'none'}, ${segments.filter((s) => cp === undefined || s > cp).length} segments, ${series} series, ${replayer.samples} samples in ${Math.round(performance.now() - started)} ms`,
    );
  }

  private tenant(id: TenantId): Tenant {
    let t = this.tenantsById.get(id);
    if (!t) {
      t = {
        head: new TenantHead(id),
        exemplars: new ExemplarStore(),
        metadata: new MetadataStore(),
        records: new PushRecords(id),
      };
      this.tenantsById.set(id, t);
    }
    return t;
  }

  /**
   * Appends a validated write. Per-series problems (out-of-order, duplicate timestamp, series
   * limits) are reported in the outcome and the rest is stored; the promise resolves only once
   * every stored sample is in the WAL per the fsync policy. Throws UnavailableError when stopping
   * or when the WAL cannot be written (the client should retry).
   */
  push(tenantId: TenantId, req: WriteRequest): Promise<WriteOutcome> {
    if (this.state !== 'running') {
      return Promise.reject(new UnavailableError(`ingester is ${this.state}, not accepting writes`));
    }
    this.lastPushAt = performance.now();
    // Memory and the WAL queue are updated synchronously; only the wait for the WAL is async, and
    // it holds the outcome alone, so the request's objects are garbage by then (they die young).
    let applied: { outcome: WriteOutcome; logged: boolean };
    try {
      applied = this.apply(tenantId, req);
    } catch (err) {
      return Promise.reject(err);
    }
    const p = this.committed(applied.outcome, applied.logged);
    this.inflight.add(p);
    return p.finally(() => this.inflight.delete(p));
  }

  private async committed(outcome: WriteOutcome, logged: boolean): Promise<WriteOutcome> {
    if (logged && this.wal) {
      try {
        await this.wal.commit();
      } catch (err) {
        throw new UnavailableError(`ingester could not write its WAL: ${(err as Error).message}`, { cause: err });
      }
    }
    return outcome;
  }

  private apply(tenantId: TenantId, req: WriteRequest): { outcome: WriteOutcome; logged: boolean } {
    const t = this.tenant(tenantId);
    const head = t.head;
    const rec = t.records;
    const share = this.opts.seriesLimitShare?.(tenantId) ?? 1;
    const globalPerUser = this.limits.maxGlobalSeriesPerUser(tenantId);
    const globalPerMetric = this.limits.maxGlobalSeriesPerMetric(tenantId);
    const seriesLimits: SeriesLimits = {
      perUser: localLimit(globalPerUser, share),
      perMetric: localLimit(globalPerMetric, share),
      globalPerUser,
      globalPerMetric,
    };
    const oooWindow = this.limits.outOfOrderTimeWindowMs(tenantId);
    const now = this.clock.now();
    const errors: SeriesError[] = [];
    let samplesAppended = 0;
    let histogramsAppended = 0;
    let exemplarsAppended = 0;
    let created = 0;

    // Memory first, then the log in the same tick (the record order matches memory), then wait.
    // `finally`: even if something unexpected throws half-way, what reached memory is logged, so
    // memory and WAL never disagree and the builder starts clean for the next push.
    let records: Buffer | undefined;
    try {
      const all = req.timeseries;
      for (let si = 0; si < all.length; si++) {
        const ts = all[si]!;
        let s = head.lookup(ts.labels);
        if (!s) {
          const hash = hashLabels(ts.labels);
          s = head.get(ts.labels, hash);
          if (!s) {
            try {
              s = head.create(ts.labels, hash, seriesLimits);
            } catch (err) {
              if (!(err instanceof LimitExceededError)) throw err;
              const dropped = ts.samples.length + ts.histograms.length;
              errors.push({ error: err, labels: ts.labels, dropped });
              this.metrics.discardedSamples.inc({ user: tenantId, reason: err.id ?? 'limit' }, dropped);
              continue;
            }
            rec.addSeries(s);
            created++;
          }
          head.remember(ts.labels, s);
        }
        let ok = 0;
        let dupTs = 0;
        let ooo = 0;
        let invalid = 0;
        let firstBad = 0;
        const cts = ts.createdTimestamps;
        const zeros = cts !== undefined && cts.length > 0 ? new CreatedZeros(cts, s.maxTime()) : undefined;
        const floats = ts.samples;
        const nFloats = floats.length;
        if (nFloats > 0) {
          rec.beginSamples(s.ref);
          // Columns (the remote-write fast path) are read in place: no object per sample.
          const cols = floats instanceof SampleColumns ? floats : undefined;
          const objs = cols === undefined ? (floats as Sample[]) : undefined;
          const from = cols === undefined ? 0 : cols.start;
          for (let i = 0; i < nFloats; i++) {
            let st: number;
            let sv: number;
            if (cols !== undefined) {
              st = cols.t[from + i]!;
              sv = cols.v[from + i]!;
            } else {
              const o = objs![i]!;
              st = o.t;
              sv = o.v;
            }
            if (!Number.isSafeInteger(st)) {
              if (invalid++ === 0) firstBad = st;
              continue;
            }
            const ct = zeros?.before(st);
            if (ct !== undefined && s.append(ct, 0, false) === AppendResult.Appended) {
              rec.sample(ct, 0);
              if (ct > head.maxT) head.maxT = ct;
            }
            const late = oooWindow > 0 && st >= head.maxT - oooWindow;
            const r = crossKind(st, s.histSealedMaxT, late) ?? s.append(st, sv, late);
            if (r === AppendResult.Appended) {
              rec.sample(st, sv);
              zeros?.appended(st);
              ok++;
              if (st > head.maxT) head.maxT = st;
            } else if (r === AppendResult.DuplicateTimestamp) {
              if (dupTs++ === 0 && ooo === 0) firstBad = st;
            } else if (r === AppendResult.OutOfOrder) {
              if (ooo++ === 0 && dupTs === 0) firstBad = st;
            } else if (r === AppendResult.Invalid) {
              if (invalid++ === 0) firstBad = st;
            }
          }
          rec.endSamples();
        }
        if (ts.histograms.length > 0) {
          const accepted: HistogramSample[] = [];
          let zeroHistograms = 0;
          for (const { t: ht, h, integer } of ts.histograms) {
            if (!Number.isSafeInteger(ht)) {
              if (invalid++ === 0) firstBad = ht;
              continue;
            }
            // A series with float samples took its created timestamps there.
            const ct = ts.samples.length === 0 ? zeros?.before(ht) : undefined;
            if (ct !== undefined) {
              const z = zeroHistogramLike(h);
              if (s.appendHistogram(ct, z, false, integer === true) === AppendResult.Appended) {
                accepted.push(integer ? { t: ct, h: z, integer } : { t: ct, h: z });
                zeroHistograms++;
                if (ct > head.maxT) head.maxT = ct;
              }
            }
            const late = oooWindow > 0 && ht >= head.maxT - oooWindow;
            const r = crossKind(ht, s.lastT, late) ?? s.appendHistogram(ht, h, late, integer === true);
            if (r === AppendResult.Appended) {
              accepted.push(integer ? { t: ht, h, integer } : { t: ht, h });
              zeros?.appended(ht);
              if (ht > head.maxT) head.maxT = ht;
            } else if (r === AppendResult.DuplicateTimestamp) dupTs++;
            else if (r === AppendResult.OutOfOrder) ooo++;
          }
          rec.histogramsOf(s.ref, accepted);
          // Created-timestamp zeros are stored and logged, but not counted as written.
          histogramsAppended += accepted.length - zeroHistograms;
          if (accepted.length > 0) s.lastAppendWall = now;
        }
        if (ok > 0) s.lastAppendWall = now;
        samplesAppended += ok;
        if (dupTs + ooo + invalid > 0)
          this.reportRejects(tenantId, s, errors, { dupTs, ooo, invalid, firstBad, oooWindow });
        if (ts.exemplars.length > 0) {
          const cap = this.limits.maxGlobalExemplarsPerUser(tenantId);
          for (const e of ts.exemplars) {
            if (t.exemplars.add(s.labels, s.ref, e, cap)) {
              rec.exemplar(s.ref, e);
              exemplarsAppended++;
            }
          }
        }
      }

      if (req.metadata.length > 0) {
        const limit = this.limits.maxMetadataPerUser(tenantId);
        let dropped = 0;
        for (const m of req.metadata) if (!t.metadata.add(m, limit)) dropped++;
        if (dropped > 0) {
          this.metrics.discardedSamples.inc({ user: tenantId, reason: 'err-cortex-max-metadata-per-user' }, dropped);
        }
      }

      head.ingestedSamples += samplesAppended;
      if (samplesAppended > 0) this.metrics.ingestedSamples.inc({ user: tenantId }, samplesAppended);
      if (histogramsAppended > 0) this.metrics.ingestedHistograms.inc({ user: tenantId }, histogramsAppended);
      if (exemplarsAppended > 0) this.metrics.ingestedExemplars.inc({ user: tenantId }, exemplarsAppended);
      if (created > 0) {
        this.metrics.seriesCreated.inc({ user: tenantId }, created);
        this.metrics.memorySeries.set({ user: tenantId }, head.series.size);
      }
    } finally {
      records = rec.finish();
      if (records && this.wal) this.wal.append(records);
    }
    return {
      outcome: { samplesAppended, histogramsAppended, exemplarsAppended, errors },
      logged: records !== undefined,
    };
  }

  private reportRejects(
    tenantId: TenantId,
    s: MemSeries,
    errors: SeriesError[],
    r: { dupTs: number; ooo: number; invalid: number; firstBad: number; oooWindow: number },
  ): void {
    const add = (error: CortexError, dropped: number) => {
      errors.push({ error, labels: s.labels, dropped });
      this.metrics.discardedSamples.inc({ user: tenantId, reason: error.id ?? 'bad_data' }, dropped);
    };
    if (r.ooo > 0) add(outOfOrderError(s.labels, r.firstBad, s.lastT, r.oooWindow), r.ooo);
    if (r.dupTs > 0) add(duplicateTimestampError(s.labels, r.firstBad), r.dupTs);
    if (r.invalid > 0) add(invalidTimestampError(s.labels, r.firstBad), r.invalid);
  }

  /**
   * Reads this tenant's head only (other tenants' series are invisible). A reader that reads the
   * chunk store up to `flushedBefore` too may have the head leave out what it flushed before then.
   */
  queryable(tenantId: TenantId, flushedBefore?: number): Queryable {
    return {
      querier: (mint, maxt) => {
        const t = this.tenantsById.get(tenantId);
        return (t?.head ?? new TenantHead(tenantId)).querier(mint, maxt, flushedBefore);
      },
    };
  }

  /**
   * The time from which this ingester holds every sample of the tenant it acknowledged that anyone
   * may have flushed: nothing newer was flushed by an earlier process (the store's flushed-through
   * mark as this process found it) or dropped from memory after its own flush. Queries reading only
   * later data need not read the chunk store (Cortex's `query_store_after`, derived, not configured).
   * A store that keeps no mark leaves the creation grace period after this process started: a sample
   * is at most that far ahead of the clock when it arrives.
   */
  async coveredSince(tenantId: TenantId, opts?: CallOptions): Promise<number> {
    const store = this.opts.chunkStore;
    let floor: number;
    if (store?.flushedBeforeStart)
      floor = ((await store.flushedBeforeStart(tenantId, opts)) ?? Number.NEGATIVE_INFINITY) + 1;
    else floor = this.createdAt + (this.limits.creationGracePeriodMs?.(tenantId) ?? 10 * 60_000) + 1;
    const dropped = this.tenantsById.get(tenantId)?.head.droppedMaxT ?? Number.NEGATIVE_INFINITY;
    return Math.max(dropped + 1, floor);
  }

  metadata(tenantId: TenantId, opts?: { metric?: string; limit?: number }): MetricMetadata[] {
    return this.tenantsById.get(tenantId)?.metadata.list(opts) ?? [];
  }

  exemplars(
    tenantId: TenantId,
    matcherSets: Matcher[][],
    start: number,
    end: number,
  ): { seriesLabels: Labels; exemplars: Exemplar[] }[] {
    return this.tenantsById.get(tenantId)?.exemplars.query(matcherSets, start, end) ?? [];
  }

  stats(tenantId: TenantId): { numSeries: number; ingestedSamples: number } {
    const h = this.tenantsById.get(tenantId)?.head;
    return { numSeries: h?.series.size ?? 0, ingestedSamples: h?.ingestedSamples ?? 0 };
  }

  tenants(): TenantId[] {
    return [...this.tenantsById.keys()];
  }

  /**
   * The tenant's series that accepted a sample at or after `sinceWallMs` (wall clock, ms), for usage
   * metering. A live walk of the head: series added or removed meanwhile may or may not be seen.
   */
  *activeSeries(tenantId: TenantId, sinceWallMs: number): IterableIterator<Labels> {
    const h = this.tenantsById.get(tenantId)?.head;
    if (!h) return;
    for (const s of h.series.values()) if (s.lastAppendWall >= sinceWallMs) yield s.labels;
  }

  /**
   * Runs a flush sweep and waits for the chunk store writes. `immediate` seals every open chunk
   * first (what `stop()` does). A failed write leaves the chunks queued for the next attempt.
   */
  async flush(immediate = true): Promise<void> {
    await this.flushSweep(immediate, false);
  }

  private async flushSweep(immediate: boolean, ignoreBackoff: boolean): Promise<void> {
    if (!this.flusher) return;
    const chunks = await this.flusher.sweep(
      [...this.tenantsById.values()].map((t) => t.head),
      immediate,
    );
    this.metrics.memoryChunks.set(chunks);
    for (const [id, t] of this.tenantsById) this.metrics.memorySeries.set({ user: id }, t.head.series.size);
    await this.flusher.drain(ignoreBackoff);
  }

  /** Flush queue length (chunks waiting or in flight). */
  flushQueueLength(): number {
    return this.flusher?.queueLength() ?? 0;
  }

  /**
   * Operator delete-series: removes the samples in `[mint, maxt]` of the tenant's series matching
   * every matcher from memory at once and logs the deletion in the WAL (replay applies it at the
   * same point, so nothing deleted comes back). Returns the number of samples removed. The caller
   * validates the request; the chunk store hides what was already flushed (its tombstones).
   */
  async deleteSeries(tenantId: TenantId, matchers: readonly Matcher[], mint: number, maxt: number): Promise<number> {
    if (this.state !== 'running') throw new UnavailableError(`ingester is ${this.state}, not accepting deletes`);
    const t = this.tenantsById.get(tenantId);
    if (!t) return 0;
    const d = { matchers, mint, maxt };
    const removed = deleteFromHead(t.head, d);
    if (this.wal) {
      // Same tick as the change in memory, so the record sits where the deletion happened.
      this.wal.append(deletionRecord(tenantId, d));
      try {
        await this.wal.commit();
      } catch (err) {
        throw new UnavailableError(`ingester could not write its WAL: ${(err as Error).message}`, { cause: err });
      }
    }
    return removed;
  }

  /**
   * Writes a checkpoint: every series and all data not yet in the chunk store, read from memory in
   * slices after a WAL cut, so the checkpoint plus the segments after the cut hold everything
   * acknowledged that is not durable elsewhere. Older segments and checkpoints are then deleted.
   */
  checkpoint(): Promise<void> {
    if (!this.wal || !this.opts.walDir || this.state === 'stopped') return Promise.resolve();
    if (this.checkpointing) return this.checkpointing;
    const dir = this.opts.walDir;
    const started = performance.now();
    // Cut first: every record before the cut is already reflected in memory, and memory is read
    // only afterwards, so the checkpoint covers all of it (plus possibly later samples, which replay
    // ignores as duplicates).
    const cut = this.wal.cut();
    this.checkpointing = (async () => {
      let writer: CheckpointWriter | undefined;
      try {
        // Written slice by slice as memory is read: the checkpoint is never held in memory whole.
        writer = await CheckpointWriter.create(dir);
        for (const t of [...this.tenantsById.values()]) {
          const all = [...t.head.series.values()];
          for (let i = 0; i < all.length; i += CHECKPOINT_BATCH) {
            await writer.write(checkpointSeries(t.head.tenant, all.slice(i, i + CHECKPOINT_BATCH)));
            // Let pushes run between batches instead of blocking the event loop for the whole snapshot.
            await new Promise((r) => setImmediate(r));
          }
          const ex = checkpointExemplars(t.head.tenant, t.exemplars.entries());
          if (ex) await writer.write([ex]);
        }
        const upTo = await cut;
        await writer.finish(upTo);
        writer = undefined;
        this.metrics.checkpointSeconds.observe((performance.now() - started) / 1000);
      } catch (err) {
        await writer?.abort();
        this.metrics.checkpointFailures.inc();
        this.logger.error(`WAL checkpoint failed: ${(err as Error).message}`);
        throw err;
      } finally {
        this.checkpointing = undefined;
      }
    })();
    return this.checkpointing;
  }

  /**
   * Refuses new writes, waits for pushes in flight, flushes everything to the chunk store (if
   * any, retrying with backoff up to `stopFlushTimeoutMs`), writes a final checkpoint and closes
   * the WAL. Nothing unflushed is lost: it stays in the checkpoint for the next start.
   */
  stop(): Promise<void> {
    // Every caller waits for the same shutdown.
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopping';
    this.loopLag?.stop();
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    await Promise.allSettled([...this.inflight]);
    if (this.flusher) await this.finalFlush();
    if (this.checkpointing) await this.checkpointing.catch(() => {});
    if (this.wal) {
      await this.checkpoint().catch(() => {});
      await this.wal.close();
    }
    this.state = 'stopped';
  }

  private async finalFlush(): Promise<void> {
    const deadline = performance.now() + (this.opts.stopFlushTimeoutMs ?? 5 * 60_000);
    let wait = 100;
    for (;;) {
      // Our own real-time backoff below replaces the flusher's clock-based one here.
      await this.flushSweep(true, true);
      if (this.flushQueueLength() === 0) return;
      if (performance.now() + wait > deadline) {
        this.logger.error(
          `ingester stop: ${this.flushQueueLength()} chunks could not be flushed (${(this.flusher?.lastError as Error | undefined)?.message}); they stay in the WAL checkpoint`,
        );
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 5000);
    }
  }
}
