import { type FileHandle, mkdir, open, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFrame } from './records.js';

/**
 * fsync policy. What an acknowledged push survives under each:
 * - `always`: every group commit is written and fdatasync'ed before the pushes in it resolve.
 *   Survives a process crash and a power loss / kernel panic (if the disk honours flushes).
 * - `batch` (default): records are written at once; pushes resolve after the next fdatasync, of
 *   which there is at most one per `batchIntervalMs` (and one at a time), so many pushes share one sync. Same guarantee as `always`
 *   (acknowledged = on stable storage), with at most `batchIntervalMs` extra latency and far fewer syncs.
 * - `never`: pushes resolve once the record is written to the OS (page cache). Survives a process
 *   crash (SIGKILL, OOM) but not a power loss or kernel panic: up to the last ~30 s of writes the
 *   kernel had not yet written back can be lost. This is the level Prometheus itself offers.
 */
export type FsyncPolicy = 'always' | 'batch' | 'never';

export interface WalLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface WalOptions {
  dir: string;
  fsync: FsyncPolicy;
  batchIntervalMs: number;
  /** A segment is closed and a new one started once it exceeds this size. */
  segmentBytes: number;
  logger: WalLogger;
  /** Called after every fsync with its duration (metrics). */
  onSync?: (seconds: number) => void;
}

const SEGMENT_RE = /^(\d{8})$/;
const CHECKPOINT_RE = /^checkpoint\.(\d{8})$/;
const pad = (n: number) => String(n).padStart(8, '0');

type Waiter = { resolve: () => void; reject: (e: unknown) => void };
/** Queue items: a framed record batch, or a cut marker resolved with the segment it closed. */
type Item = Buffer | { cut: (closed: number) => void };

/**
 * Segmented append-only log with group commit: records enqueued while a write is in flight are
 * written together with one `writev` (and one fsync, per policy). Enqueueing is synchronous, so
 * the order of records in the log is the order of `append` calls.
 */
export class WriteAheadLog {
  private fh: FileHandle | undefined;
  private segment = 0;
  private segmentSize = 0;
  private queue: Item[] = [];
  private waiters: Waiter[] = [];
  private awaitingSync: Waiter[] = [];
  private syncTimer: NodeJS.Timeout | undefined;
  private batchSyncing = false;
  private lastBatchSync = Number.NEGATIVE_INFINITY;
  private writing = false;
  private closed = false;
  private failure: unknown;

  constructor(private readonly opts: WalOptions) {}

  /** Starts a new segment after the newest one on disk (never appends to a possibly torn file). */
  async open(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    // A checkpoint that was never renamed into place is incomplete: its segments still exist.
    for (const n of await readdir(this.opts.dir)) {
      if (n.endsWith('.tmp')) await rm(join(this.opts.dir, n), { force: true });
    }
    const { segments, checkpoints } = await listDir(this.opts.dir);
    const last = Math.max(0, ...segments, ...checkpoints);
    await this.openSegment(last + 1);
  }

  private async openSegment(n: number): Promise<void> {
    this.fh = await open(join(this.opts.dir, pad(n)), 'a');
    this.segment = n;
    this.segmentSize = 0;
  }

  /** Enqueues framed records (written by the next group commit). */
  append(records: Buffer): void {
    if (this.closed) throw new Error('WAL is closed');
    this.queue.push(records);
  }

  /** Resolves when everything appended so far is durable per the fsync policy. */
  commit(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('WAL is closed'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      void this.kick();
    });
  }

  /**
   * Closes the current segment at this point of the record order: everything appended before the
   * call ends up in segments ≤ the returned number, everything after in later ones. Checkpoints
   * snapshot memory and cut in the same tick, so a checkpoint plus later segments never overlap.
   */
  cut(): Promise<number> {
    return new Promise((resolve) => {
      this.queue.push({ cut: resolve });
      this.waiters.push({ resolve: () => {}, reject: () => {} });
      void this.kick();
    });
  }

  private async kick(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0 || this.waiters.length > 0) {
        const items = this.queue;
        const waiters = this.waiters;
        this.queue = [];
        this.waiters = [];
        try {
          await this.writeItems(items);
          if (this.opts.fsync === 'always') await this.sync();
          if (this.opts.fsync === 'batch') {
            this.awaitingSync.push(...waiters);
            this.scheduleSync();
          } else for (const w of waiters) w.resolve();
        } catch (err) {
          this.failure = err;
          this.opts.logger.error(`WAL write failed: ${(err as Error).message}`);
          for (const w of waiters) w.reject(err);
          // The failed write may have left a partial record; replay stops reading a file there, so
          // later records must go to a fresh segment to stay readable.
          await this.abandonSegment().catch((e: Error) =>
            this.opts.logger.error(`WAL could not start a new segment after a failure: ${e.message}`),
          );
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeItems(items: Item[]): Promise<void> {
    let batch: Buffer[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      let bytes = 0;
      for (const b of batch) bytes += b.length;
      await this.fh!.writev(batch);
      this.segmentSize += bytes;
      batch = [];
    };
    for (const item of items) {
      if (Buffer.isBuffer(item)) {
        batch.push(item);
        continue;
      }
      await flush();
      const closed = this.segment;
      await this.rotate();
      item.cut(closed);
    }
    await flush();
    if (this.segmentSize >= this.opts.segmentBytes) await this.rotate();
  }

  private async rotate(): Promise<void> {
    const old = this.fh!;
    await this.sync();
    await this.openSegment(this.segment + 1);
    await old.close();
  }

  /** Moves to a new segment without trusting the old file (no sync; close errors ignored). */
  private async abandonSegment(): Promise<void> {
    const old = this.fh!;
    await this.openSegment(this.segment + 1);
    await old.close().catch(() => {});
  }

  /**
   * 'batch': at most one fdatasync per `batchIntervalMs`, started as soon as that allows (not a
   * full interval after the first write), and never two at once; writes that land while one runs
   * wait for the next. Idle → a push waits for one sync; busy → one sync per interval serves all.
   */
  private scheduleSync(): void {
    if (this.syncTimer || this.batchSyncing) return;
    const delay = Math.max(0, this.lastBatchSync + this.opts.batchIntervalMs - performance.now());
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      const waiting = this.awaitingSync;
      this.awaitingSync = [];
      this.batchSyncing = true;
      this.lastBatchSync = performance.now();
      this.sync()
        .then(
          () => {
            for (const w of waiting) w.resolve();
          },
          (err) => {
            this.opts.logger.error(`WAL fsync failed: ${(err as Error).message}`);
            for (const w of waiting) w.reject(err);
          },
        )
        .finally(() => {
          this.batchSyncing = false;
          if (!this.closed && this.awaitingSync.length > 0) this.scheduleSync();
        });
    }, delay);
  }

  private async sync(): Promise<void> {
    const start = performance.now();
    await this.fh!.datasync();
    this.opts.onSync?.((performance.now() - start) / 1000);
  }

  /** The last write error, if any (the ingester reports itself unhealthy). */
  lastFailure(): unknown {
    return this.failure;
  }

  currentSegment(): number {
    return this.segment;
  }

  /** Flushes everything queued, syncs and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.commit();
    this.closed = true;
    if (this.syncTimer) {
      clearTimeout(this.syncTimer);
      this.syncTimer = undefined;
    }
    await this.sync();
    for (const w of this.awaitingSync) w.resolve();
    this.awaitingSync = [];
    await this.fh!.close();
    // An empty last segment (typical right after a final checkpoint) would only cost a file read.
    if (this.segmentSize === 0) await rm(segmentPath(this.opts.dir, this.segment), { force: true });
    await rm(join(this.opts.dir, LOCK_FILE), { force: true });
  }
}

const LOCK_FILE = 'LOCK';

/**
 * Two live processes must never share a WAL directory (their segments would interleave). The lock
 * file holds the owner's pid; a lock whose process is gone (crash) is taken over. The same pid is
 * accepted, which covers a restarted container reusing its pid and in-process restarts in tests.
 * Taken before replay: replay truncates torn tails, which must never touch a live writer's segment.
 */
export async function lockDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const held = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(held, 10);
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
    throw new Error(
      `WAL directory ${dir} is in use by process ${pid}; two ingesters must never share a WAL directory (remove ${path} only if that process is not an ingester)`,
    );
  }
  await writeFile(path, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function listDir(dir: string): Promise<{ segments: number[]; checkpoints: number[] }> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const segments: number[] = [];
  const checkpoints: number[] = [];
  for (const n of names) {
    const s = SEGMENT_RE.exec(n);
    if (s) segments.push(Number(s[1]));
    const c = CHECKPOINT_RE.exec(n);
    if (c) checkpoints.push(Number(c[1]));
  }
  segments.sort((a, b) => a - b);
  checkpoints.sort((a, b) => a - b);
  return { segments, checkpoints };
}

export const segmentPath = (dir: string, n: number) => join(dir, pad(n));
export const checkpointPath = (dir: string, n: number) => join(dir, `checkpoint.${pad(n)}`);

/**
 * Reads every valid record of a file in order. At the first torn or corrupt record the file is
 * truncated there (with a log line) and reading stops; the caller carries on with later files.
 */
export async function readRecords(
  path: string,
  logger: WalLogger,
  onRecord: (body: Buffer) => void,
): Promise<{ records: number; truncatedBytes: number }> {
  const file = await readFile(path);
  let off = 0;
  let records = 0;
  for (;;) {
    const f = readFrame(file, off);
    if (f.kind === 'end') return { records, truncatedBytes: 0 };
    if (f.kind === 'bad') {
      const dropped = file.length - off;
      logger.warn(`WAL file ${path}: ${f.reason} at offset ${off}; truncating ${dropped} bytes and replaying the rest`);
      await truncate(path, off);
      return { records, truncatedBytes: dropped };
    }
    onRecord(f.body);
    records++;
    off = f.next;
  }
}
