import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { UsageRecorder, UsageRow } from './usage-recorder.js';

/**
 * One delivery of usage counts. `(source, seq)` is its idempotency key: the control plane applies a
 * batch once, however often it is sent (retries, a restart that re-sends an unconfirmed journal).
 */
export interface UsageBatch {
  source: string;
  seq: number;
  rows: UsageRow[];
}

/** Delivers a batch; resolves once it is durably applied (or was already), throws to be retried. */
export type UsageSink = (batch: UsageBatch) => Promise<void>;

export interface UsageShipperOptions {
  recorder: UsageRecorder;
  sink: UsageSink;
  /**
   * Journal directory. Every counted delta is appended there before the next request is served, so
   * counts acknowledged to clients survive a crash of this process; without it they are kept in memory
   * only until the next delivery.
   */
  dir?: string | undefined;
  /** How often counts are delivered (default 10 s). */
  intervalMs?: number;
  logger?: { warn(m: string): void };
}

const SEGMENT = /^segment-(\d{12})\.jsonl$/;
const segmentName = (seq: number) => `segment-${String(seq).padStart(12, '0')}.jsonl`;

/**
 * Delivers a UsageRecorder's counts to a sink every interval, in order, one batch at a time. With a
 * journal directory, the counts of each batch are first appended to a segment file as they are
 * counted; a segment is deleted only once its batch was delivered, and segments left by a previous
 * process are delivered (under their own sequence numbers) before anything new.
 */
export class UsageShipper {
  private readonly queue: UsageBatch[] = [];
  private source = '';
  private seq = 1;
  private fd: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private shipping: Promise<void> | undefined;

  constructor(private readonly opts: UsageShipperOptions) {}

  /** Opens the journal (replaying what a previous process left) and starts delivering. */
  start(): void {
    const { dir } = this.opts;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      const idFile = join(dir, 'source-id');
      try {
        this.source = readFileSync(idFile, 'utf8').trim();
      } catch {
        this.source = '';
      }
      if (!/^[0-9a-f]{32}$/.test(this.source)) {
        this.source = randomBytes(16).toString('hex');
        writeFileSync(idFile, `${this.source}\n`);
      }
      const seqs = readdirSync(dir)
        .map((f) => SEGMENT.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      for (const seq of seqs) {
        const rows = readSegment(join(dir, segmentName(seq)));
        if (rows.length > 0) this.queue.push({ source: this.source, seq, rows });
        else rmSync(join(dir, segmentName(seq)), { force: true });
      }
      this.seq = (seqs.at(-1) ?? 0) + 1;
      this.openSegment();
      this.opts.recorder.onRecord((row) => {
        if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify(row)}\n`);
      });
    } else {
      this.source = randomBytes(16).toString('hex');
    }
    this.timer = setInterval(() => void this.flush(), this.opts.intervalMs ?? 10_000);
    this.timer.unref();
    // What a previous process left is owed already: deliver it now, not an interval later.
    if (this.queue.length > 0) void this.flush();
  }

  /** Cuts a batch of what was counted so far and delivers every pending batch; never throws. */
  flush(): Promise<void> {
    this.shipping ??= this.ship().finally(() => {
      this.shipping = undefined;
    });
    return this.shipping;
  }

  /** Stops the timer, delivers what it can, closes the journal (undelivered segments stay for the next start). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.shipping;
    await this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Batches not yet delivered (for tests and self-monitoring). */
  get pending(): number {
    return this.queue.length;
  }

  private cut(): void {
    const rows = this.opts.recorder.drain();
    if (rows.length === 0) return;
    // Same tick as the drain: every delta of this segment is in these rows and no later one is.
    this.queue.push({ source: this.source, seq: this.seq, rows });
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.seq++;
      this.openSegment();
    } else this.seq++;
  }

  private async ship(): Promise<void> {
    this.cut();
    while (this.queue.length > 0) {
      const batch = this.queue[0]!;
      try {
        await this.opts.sink(batch);
      } catch (err) {
        this.opts.logger?.warn(`usage: delivery of batch ${batch.seq} failed, will retry: ${String(err)}`);
        return;
      }
      this.queue.shift();
      if (this.opts.dir) rmSync(join(this.opts.dir, segmentName(batch.seq)), { force: true });
    }
  }

  private openSegment(): void {
    this.fd = openSync(join(this.opts.dir!, segmentName(this.seq)), 'a');
  }
}

/** A segment's deltas summed per tenant-minute; a torn last line (crash mid-write) is skipped. */
function readSegment(path: string): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    let r: UsageRow;
    try {
      r = JSON.parse(line) as UsageRow;
    } catch {
      continue;
    }
    const key = `${r.tenantId}\u0000${r.minuteMs}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { tenantId: r.tenantId, minuteMs: r.minuteMs, counters: Object.create(null) }));
    for (const [k, v] of Object.entries(r.counters)) row.counters[k] = (row.counters[k] ?? 0) + v;
  }
  return [...rows.values()];
}
