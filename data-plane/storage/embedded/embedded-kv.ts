import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readFile, rename, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError, UnavailableError } from '../../model/index.js';
import type { CallOptions } from '../interface.js';
import {
  assertKey,
  type Bounds,
  bytesEqual,
  compareBytes,
  type KeyRange,
  type KVEntry,
  latin1String,
  type ScanOptions,
  type SortedKV,
  throwIfAborted,
  toBounds,
} from '../kv/index.js';
import { lockDir } from './dir-lock.js';
import { decodeLog, encodeRecord, type LogOp, OP_DELETE_KEY, OP_DELETE_RANGE, OP_PUT } from './log-format.js';
import { MemTable } from './mem-table.js';
import { ReadTurns } from './read-turn.js';

export interface EmbeddedKVOptions {
  /** Directory holding the log (`kv.log`); created if missing. A `LOCK` file keeps it to one process. */
  dir: string;
  /** fdatasync after every write batch (default true). Tests and benchmarks may turn it off. */
  sync?: boolean;
  /** Rewrite the log when it is this many times the live data (default 2)… */
  compactRatio?: number;
  /** …and at least this large (default 64 MiB), so small stores never rewrite. */
  compactMinBytes?: number;
  /** Reads may hold a turn of the event loop this long before other work gets one (default 5 ms; see ReadTurns). */
  readSliceMs?: number;
}

const LOG = 'kv.log';
const EMPTY = new Uint8Array(0);
/** Keys or ranges read between two looks at whether other requests are due a turn (ReadTurns). */
const READ_BATCH = 256;

/**
 * The `--dev` SortedKV: an append-only log on local disk replayed into an in-memory sorted index on
 * open. Each write batch is one checksummed record, fsynced before the call resolves; a torn tail
 * left by a crash is cut off on open. The log is rewritten with only live entries on open and when
 * it grows past `compactRatio` × live bytes. All data is held in memory, which suits development
 * volumes (about 10 MB per 1,000 series per day), not production.
 */
export class EmbeddedKV implements SortedKV {
  private readonly mem = new MemTable();
  private fh: FileHandle | undefined;
  private fileBytes = 0;
  private unlock: (() => Promise<void>) | undefined;
  /** Set when a failed append may have left the log in an unknown state; writes then fail. */
  private broken: unknown;
  /** Serializes appends, compaction and compare-and-set. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Lets other requests in between reads. */
  private readonly turns: ReadTurns;

  private constructor(private readonly opts: Required<EmbeddedKVOptions>) {
    this.turns = new ReadTurns(opts.readSliceMs);
  }

  /** Opens (or creates) the store in `opts.dir`, replaying and compacting its log. */
  static async open(options: EmbeddedKVOptions): Promise<EmbeddedKV> {
    const kv = new EmbeddedKV({ sync: true, compactRatio: 2, compactMinBytes: 64 << 20, readSliceMs: 5, ...options });
    try {
      await kv.load();
    } catch (err) {
      await kv.fh?.close();
      await kv.unlock?.();
      throw err;
    }
    return kv;
  }

  /** Bytes in the log file now (tests and the storage benchmark). */
  get logBytes(): number {
    return this.fileBytes;
  }

  private get path(): string {
    return join(this.opts.dir, LOG);
  }

  private async load(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    this.unlock = await lockDir(this.opts.dir);
    let file: Uint8Array = EMPTY;
    try {
      file = await readFile(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new UnavailableError('embedded kv: cannot read log', { cause: err });
    }
    const good = decodeLog(file, (o) => this.apply(o));
    if (good < file.length) await truncate(this.path, good);
    this.fileBytes = good;
    if (this.shouldCompact()) await this.compact();
    else this.fh = await open(this.path, 'a');
  }

  private apply(o: LogOp): void {
    if (o.op === OP_PUT) this.mem.put(o.key, o.value);
    else if (o.op === OP_DELETE_KEY) this.mem.delete(o.key);
    else this.mem.deleteRange(toBounds({ start: o.start, end: o.end }));
  }

  private shouldCompact(): boolean {
    return this.fileBytes > this.opts.compactMinBytes && this.fileBytes > this.opts.compactRatio * this.mem.liveBytes;
  }

  /** Writes live entries to a new file, syncs it, and renames it over the log. */
  private async compact(): Promise<void> {
    await this.fh?.close();
    const tmp = `${this.path}.compact`;
    const out = await open(tmp, 'w');
    let bytes = 0;
    try {
      let batch: LogOp[] = [];
      let batchBytes = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        const rec = encodeRecord(batch);
        // writeFile loops until the whole buffer is written (write() may return short).
        await out.writeFile(rec);
        bytes += rec.length;
        batch = [];
        batchBytes = 0;
      };
      for (const [key, value] of this.mem.entries()) {
        batch.push({ op: OP_PUT, key, value });
        batchBytes += key.length + value.length;
        if (batchBytes > 4 << 20) await flush();
      }
      await flush();
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(tmp, this.path);
    await this.syncDir();
    this.fileBytes = bytes;
    this.fh = await open(this.path, 'a');
  }

  private async syncDir(): Promise<void> {
    const d = await open(this.opts.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  /** Appends one record and applies it to memory once durable (readers never see unsynced data). */
  private append(ops: LogOp[]): Promise<void> {
    return this.serialize(async () => {
      await this.appendLocked(ops);
    });
  }

  private async appendLocked(ops: LogOp[]): Promise<void> {
    const fh = this.fh;
    if (fh === undefined) throw new InternalError('embedded kv is closed');
    if (this.broken !== undefined) {
      throw new UnavailableError('embedded kv: an earlier log write could not be made durable; reopen the store', {
        cause: this.broken,
      });
    }
    const rec = encodeRecord(ops);
    let synced = false;
    try {
      // appendFile writes the whole buffer (no short writes), at the end of the file.
      await fh.appendFile(rec);
      if (this.opts.sync) {
        synced = true;
        await fh.datasync();
      }
    } catch (err) {
      await this.recoverFailedAppend(fh, err, synced);
      throw new UnavailableError('embedded kv: log write failed', { cause: err });
    }
    this.fileBytes += rec.length;
    for (const o of ops) this.apply(o);
    if (this.shouldCompact()) await this.compact();
  }

  /**
   * Cuts a partly written record off the log. Replay stops at the first torn record, so anything
   * appended behind one would be lost on the next open. When the cut fails, or fsync itself failed
   * (the kernel may have dropped dirty pages: Postgres's "fsyncgate"), the store refuses further
   * writes until it is reopened and the log replayed.
   */
  private async recoverFailedAppend(fh: FileHandle, err: unknown, inSync: boolean): Promise<void> {
    try {
      await fh.truncate(this.fileBytes);
      if (inSync) this.broken = err;
    } catch {
      this.broken = err;
    }
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async put(entries: readonly KVEntry[], opts?: CallOptions): Promise<void> {
    throwIfAborted(opts);
    if (entries.length === 0) return;
    const ops: LogOp[] = [];
    for (const e of entries) {
      assertKey(e.key);
      // Copy so a caller reusing its buffers cannot change stored data.
      ops.push({ op: OP_PUT, key: e.key.slice(), value: e.value.slice() });
    }
    await this.append(ops);
  }

  /** Gives other requests a turn when reads have held this one long enough; the store may close meanwhile. */
  private async readTurn(opts: CallOptions | undefined): Promise<void> {
    await this.turns.next();
    throwIfAborted(opts);
    this.assertOpen();
  }

  async get(key: Uint8Array, opts?: CallOptions): Promise<Uint8Array | undefined> {
    await this.readTurn(opts);
    return this.mem.get(key);
  }

  async getMany(keys: readonly Uint8Array[], opts?: CallOptions): Promise<(Uint8Array | undefined)[]> {
    await this.readTurn(opts);
    const out: (Uint8Array | undefined)[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      // a tenant's whole series index is one call: other requests get turns within it
      if (i > 0 && i % READ_BATCH === 0) await this.readTurn(opts);
      out[i] = this.mem.get(keys[i]!);
    }
    return out;
  }

  async scan(range: KeyRange, opts?: ScanOptions): Promise<KVEntry[]> {
    return this.scanMany([range], opts);
  }

  async scanMany(ranges: readonly KeyRange[], opts?: ScanOptions): Promise<KVEntry[]> {
    await this.readTurn(opts);
    const limit = opts?.limit ?? 0;
    const keysOnly = opts?.keysOnly === true;
    const bounds = ranges.map(toBounds).filter((b) => !b.empty);
    // The common case (one range per series, postings of several values): ranges that do not overlap
    // are read in start order straight into the answer, already sorted and free of duplicates.
    const ordered = inStartOrder(bounds);
    if (disjoint(ordered)) {
      const out: KVEntry[] = [];
      // one range per series of a bucket: other requests get turns between slices of the call
      for (let i = 0; i < ordered.length; i += READ_BATCH) {
        if (i > 0) await this.readTurn(opts);
        this.mem.scanOrdered(ordered.slice(i, i + READ_BATCH), limit > 0 ? limit - out.length : 0, (key, value) => {
          out.push({ key, value: keysOnly ? EMPTY : value });
        });
        if (limit > 0 && out.length >= limit) break;
      }
      return out;
    }
    const out = new Map<string, KVEntry>();
    for (const b of bounds) {
      this.mem.scan(b, limit, (key, value) => {
        out.set(latin1String(key), { key, value: keysOnly ? EMPTY : value });
      });
    }
    const sorted = [...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
    return limit > 0 ? sorted.slice(0, limit) : sorted;
  }

  async deleteKeys(keys: readonly Uint8Array[], opts?: CallOptions): Promise<void> {
    throwIfAborted(opts);
    if (keys.length === 0) return;
    await this.append(keys.map((k) => ({ op: OP_DELETE_KEY, key: k.slice() })));
  }

  async deleteRange(range: KeyRange, opts?: CallOptions): Promise<void> {
    throwIfAborted(opts);
    const b = toBounds(range);
    if (b.empty) return;
    await this.append([{ op: OP_DELETE_RANGE, start: b.start, end: b.end }]);
  }

  async checkAndPut(
    key: Uint8Array,
    expected: Uint8Array | undefined,
    value: Uint8Array,
    opts?: CallOptions,
  ): Promise<boolean> {
    throwIfAborted(opts);
    assertKey(key);
    return this.serialize(async () => {
      if (!bytesEqual(this.mem.get(key), expected)) return false;
      await this.appendLocked([{ op: OP_PUT, key: key.slice(), value: value.slice() }]);
      return true;
    });
  }

  async close(): Promise<void> {
    await this.serialize(async () => {
      const fh = this.fh;
      this.fh = undefined;
      await fh?.close();
      const unlock = this.unlock;
      this.unlock = undefined;
      await unlock?.();
    });
  }

  private assertOpen(): void {
    if (this.fh === undefined) throw new InternalError('embedded kv is closed');
  }
}

/** Bounds sorted by start (unbounded first), without copying when they already are. */
function inStartOrder(bounds: Bounds[]): Bounds[] {
  const before = (a: Bounds, b: Bounds) =>
    a.start === undefined ? -1 : b.start === undefined ? 1 : compareBytes(a.start, b.start);
  for (let i = 1; i < bounds.length; i++) {
    if (before(bounds[i - 1]!, bounds[i]!) > 0) return [...bounds].sort(before);
  }
  return bounds;
}

/** Whether sorted bounds leave no key in two of them. */
function disjoint(sorted: readonly Bounds[]): boolean {
  for (let i = 1; i < sorted.length; i++) {
    const prevEnd = sorted[i - 1]!.end;
    const start = sorted[i]!.start;
    if (prevEnd === undefined || start === undefined || compareBytes(prevEnd, start) > 0) return false;
  }
  return true;
}
