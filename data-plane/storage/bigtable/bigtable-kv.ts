import { Bigtable, type Table } from '@google-cloud/bigtable';
import { UnavailableError } from '../../model/index.js';
import type { CallOptions } from '../interface.js';
import {
  assertKey,
  compareBytes,
  type KeyRange,
  type KVEntry,
  latin1String,
  type ScanOptions,
  type SortedKV,
  throwIfAborted,
  toBounds,
} from '../kv/index.js';
import { ALREADY_EXISTS, grpcCode, NOT_FOUND, toCortexError } from './errors.js';
import { type CellChunk, RowAssembler } from './row-assembler.js';

export interface BigtableKVOptions {
  projectId: string;
  instanceId: string;
  tableId: string;
  /**
   * `host:port` of a Bigtable emulator (plaintext, no credentials). Passed here rather than through
   * `BIGTABLE_EMULATOR_HOST`: the data plane never reads the environment; the edges decide.
   */
  apiEndpoint?: string;
  /** Create the table and its column family when missing (default true; needs admin rights). */
  createTable?: boolean;
  /** Client-side retries of a failed RPC before `unavailable` is thrown (default 3). */
  maxRetries?: number;
  /** Per-RPC timeout in ms (default 30 s). */
  timeoutMs?: number;
  /**
   * Delete prefixes with the admin DropRowRange call (default true): one call however many rows.
   * Set false where the service account has no table-admin rights; prefixes are then scanned and
   * deleted row by row.
   */
  dropRowRange?: boolean;
}

/** The one column family and column; every key is a row holding its value in one cell. */
const FAMILY = 'f';
const COLUMN = 'v';
/**
 * Every cell is written at the same fixed version (1 ms, in µs) so a rewrite (a second replica,
 * a retry) replaces the cell instead of stacking versions: puts stay idempotent at 1x storage.
 */
const CELL_TS = 1000;
/** Rows per MutateRows call; Bigtable caps a request at 100,000 mutations. */
const MUTATE_BATCH = 10_000;
const DELETE_PAGE = 10_000;
/**
 * Row keys or ranges per ReadRows request. A request carries its row set, and gRPC caps messages
 * (4 MiB by default), so a select over a million series is split into several reads.
 */
const READ_SET_BATCH = 5_000;

/** A row range as the ReadRows request takes it. */
interface BigtableRange {
  startKeyClosed?: Buffer;
  endKeyOpen?: Buffer;
}

/** gRPC codes after which a read is repeated: DEADLINE_EXCEEDED, ABORTED, INTERNAL, UNAVAILABLE. */
const RETRY_READ = new Set([4, 10, 13, 14]);

/**
 * SortedKV over one Bigtable table: key = row key, value = the single cell `f:v`. Reads are
 * ReadRows over row ranges or key sets (one request for many ranges), writes are MutateRows
 * batches, prefix deletes use DropRowRange, and compare-and-set is CheckAndMutateRow.
 *
 * This folder is the only place that imports `@google-cloud/bigtable`.
 */
export class BigtableKV implements SortedKV {
  private readonly client: Bigtable;
  private readonly table: Table;
  private readonly timeoutMs: number;
  private ready: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: BigtableKVOptions) {
    // metricsEnabled:false — client-side metrics would export to Cloud Monitoring on their own.
    this.client = new Bigtable({
      projectId: opts.projectId,
      // With an emulator endpoint, naming the universe stops the auth library from probing the GCE
      // metadata server for it (a warning and a wasted round trip on every start).
      ...(opts.apiEndpoint === undefined ? {} : { apiEndpoint: opts.apiEndpoint, universeDomain: 'googleapis.com' }),
      metricsEnabled: false,
    } as ConstructorParameters<typeof Bigtable>[0]);
    this.table = this.client.instance(opts.instanceId).table(opts.tableId);
    this.table.maxRetries = opts.maxRetries ?? 3;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** Creates the client and (by default) the table; resolves once the table is usable. */
  static async open(opts: BigtableKVOptions): Promise<BigtableKV> {
    const kv = new BigtableKV(opts);
    await kv.ensureTable();
    return kv;
  }

  private ensureTable(): Promise<void> {
    if (this.opts.createTable === false) return Promise.resolve();
    this.ready ??= (async () => {
      try {
        const [exists] = await this.table.exists({ timeout: this.timeoutMs });
        if (!exists) await this.table.create({ families: [{ name: FAMILY, rule: { versions: 1 } }] } as never);
      } catch (err) {
        if (grpcCode(err) !== ALREADY_EXISTS) throw toCortexError('create table', err);
      }
    })().catch((err) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  /**
   * Runs `fn`, mapping errors to kinds. A NOT_FOUND means the table vanished (an emulator restart,
   * an operator drop): it is recreated once and the call repeated, which is safe as all writes are
   * idempotent.
   */
  private async call<T>(op: string, opts: CallOptions | undefined, fn: () => Promise<T>): Promise<T> {
    throwIfAborted(opts);
    if (this.closed) throw new UnavailableError(`bigtable ${op}: client closed`);
    await this.ensureTable();
    try {
      return await fn();
    } catch (err) {
      if (grpcCode(err) !== NOT_FOUND || this.opts.createTable === false) throw toCortexError(op, err);
      this.ready = undefined;
      await this.ensureTable();
      try {
        return await fn();
      } catch (err2) {
        throw toCortexError(op, err2);
      }
    }
  }

  private gax() {
    return { timeout: this.timeoutMs };
  }

  async put(entries: readonly KVEntry[], opts?: CallOptions): Promise<void> {
    for (const e of entries) assertKey(e.key);
    if (entries.length === 0) return;
    await this.call('put', opts, async () => {
      for (let i = 0; i < entries.length; i += MUTATE_BATCH) {
        throwIfAborted(opts);
        const batch = entries.slice(i, i + MUTATE_BATCH).map((e) => ({
          key: toBuffer(e.key),
          data: { [FAMILY]: { [COLUMN]: { value: toBuffer(e.value), timestamp: CELL_TS } } },
          method: 'insert',
        }));
        await this.table.mutate(batch as never, { gaxOptions: this.gax() });
      }
    });
  }

  async get(key: Uint8Array, opts?: CallOptions): Promise<Uint8Array | undefined> {
    return (await this.getMany([key], opts))[0];
  }

  async getMany(keys: readonly Uint8Array[], opts?: CallOptions): Promise<(Uint8Array | undefined)[]> {
    for (const k of keys) assertKey(k);
    if (keys.length === 0) return [];
    const rows: { key: Buffer; value: Buffer }[] = [];
    for (let i = 0; i < keys.length; i += READ_SET_BATCH) {
      const batch = keys.slice(i, i + READ_SET_BATCH).map(toBuffer);
      rows.push(...(await this.call('read', opts, () => this.read({ keys: batch }, opts))));
    }
    const byKey = new Map<string, Uint8Array>();
    for (const r of rows) byKey.set(latin1String(r.key), r.value);
    return keys.map((k) => byKey.get(latin1String(k)));
  }

  async scan(range: KeyRange, opts?: ScanOptions): Promise<KVEntry[]> {
    return this.scanMany([range], opts);
  }

  async scanMany(ranges: readonly KeyRange[], opts?: ScanOptions): Promise<KVEntry[]> {
    const bt: BigtableRange[] = [];
    for (const r of ranges) {
      const b = toBounds(r);
      if (b.empty) continue;
      const one: BigtableRange = {};
      if (b.start !== undefined) one.startKeyClosed = toBuffer(b.start);
      if (b.end !== undefined) one.endKeyOpen = toBuffer(b.end);
      bt.push(one);
    }
    // No ranges at all would make the client scan the whole table.
    if (bt.length === 0) return [];
    const limit = opts?.limit || undefined;
    const rows: { key: Buffer; value: Buffer }[] = [];
    for (let i = 0; i < bt.length; i += READ_SET_BATCH) {
      const batch = bt.slice(i, i + READ_SET_BATCH);
      rows.push(
        ...(await this.call('read', opts, () => this.read({ ranges: batch, limit, keysOnly: opts?.keysOnly }, opts))),
      );
    }
    // Rows of separate requests may interleave in key order; one request's are already sorted.
    if (bt.length > READ_SET_BATCH) rows.sort((a, b) => Buffer.compare(a.key, b.key));
    // Bigtable returns each row once and in order; dedupe anyway so overlapping ranges never repeat.
    const out: KVEntry[] = [];
    for (const r of rows) {
      const last = out[out.length - 1];
      if (last !== undefined && compareBytes(last.key, r.key) >= 0) continue;
      out.push(r);
    }
    return limit !== undefined && out.length > limit ? out.slice(0, limit) : out;
  }

  /**
   * One ReadRows call, its response chunks assembled into rows here: each row has the one cell
   * `f:v`, so no filter is needed except to strip values. The client's `createReadStream` made a
   * transform stream, a chunk-merging state machine and a `Row` object per row, which was two
   * thirds of a select's time against the emulator. A transient failure repeats the whole read
   * (reads have no side effects), up to `maxRetries` times.
   */
  private async read(
    req: { keys?: Buffer[]; ranges?: BigtableRange[]; limit?: number | undefined; keysOnly?: boolean | undefined },
    opts: CallOptions | undefined,
  ): Promise<{ key: Buffer; value: Buffer }[]> {
    const reqOpts = {
      tableName: this.table.name,
      rows: { rowKeys: req.keys ?? [], rowRanges: req.ranges ?? [] },
      ...(req.keysOnly ? { filter: { stripValueTransformer: true } } : {}),
      ...(req.limit ? { rowsLimit: req.limit } : {}),
    };
    const retries = this.opts.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.readOnce(reqOpts, opts);
      } catch (err) {
        const code = grpcCode(err);
        if (attempt >= retries || code === undefined || !RETRY_READ.has(code)) throw err;
        throwIfAborted(opts);
        await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * 2 ** attempt)));
      }
    }
  }

  private readOnce(reqOpts: object, opts: CallOptions | undefined): Promise<{ key: Buffer; value: Buffer }[]> {
    const stream = this.client.request({
      client: 'BigtableClient',
      method: 'readRows',
      reqOpts,
      gaxOpts: this.gax(),
    } as never) as unknown as NodeJS.ReadableStream & { abort?: () => void; destroy?: () => void };
    return new Promise((resolve, reject) => {
      const rows = new RowAssembler(FAMILY, COLUMN);
      const onAbort = () => {
        stream.abort?.();
        stream.destroy?.();
        reject(toCortexError('read', { code: 1 }));
      };
      opts?.signal?.addEventListener('abort', onAbort, { once: true });
      stream
        .on('data', (res: { chunks?: CellChunk[] }) => rows.add(res.chunks ?? []))
        .on('error', (err: unknown) => {
          opts?.signal?.removeEventListener('abort', onAbort);
          reject(err);
        })
        .on('end', () => {
          opts?.signal?.removeEventListener('abort', onAbort);
          resolve(rows.out);
        });
    });
  }

  async deleteKeys(keys: readonly Uint8Array[], opts?: CallOptions): Promise<void> {
    if (keys.length === 0) return;
    await this.call('delete', opts, async () => {
      for (let i = 0; i < keys.length; i += MUTATE_BATCH) {
        const batch = keys.slice(i, i + MUTATE_BATCH).map((k) => ({ key: toBuffer(k), method: 'delete' }));
        await this.table.mutate(batch as never, { gaxOptions: this.gax() });
      }
    });
  }

  async deleteRange(range: KeyRange, opts?: CallOptions): Promise<void> {
    const b = toBounds(range);
    if (b.empty) return;
    const p = range.prefix;
    const pure = p !== undefined && p.length > 0 && range.start === undefined && range.end === undefined;
    if (pure && this.opts.dropRowRange !== false) {
      // DropRowRange: one admin call, no matter how many rows (tenant purge, retention).
      await this.call('drop row range', opts, () => this.table.deleteRows(toBuffer(p!) as never, this.gax()));
      return;
    }
    for (;;) {
      const page = await this.scan(range, { ...opts, keysOnly: true, limit: DELETE_PAGE });
      if (page.length === 0) return;
      await this.deleteKeys(
        page.map((e) => e.key),
        opts,
      );
      if (page.length < DELETE_PAGE) return;
    }
  }

  async checkAndPut(
    key: Uint8Array,
    expected: Uint8Array | undefined,
    value: Uint8Array,
    opts?: CallOptions,
  ): Promise<boolean> {
    assertKey(key);
    const put = [
      { method: 'insert', data: { [FAMILY]: { [COLUMN]: { value: toBuffer(value), timestamp: CELL_TS } } } },
    ];
    // An exact byte match is a closed value range [expected, expected]; a regex filter would need
    // escaping and is interpreted as UTF-8 by some servers.
    const predicate: object[] = [{ family: FAMILY }, { column: COLUMN }];
    if (expected !== undefined) predicate.push({ value: { start: toBuffer(expected), end: toBuffer(expected) } });
    const config =
      expected === undefined ? { onNoMatch: put, gaxOptions: this.gax() } : { onMatch: put, gaxOptions: this.gax() };
    const [matched] = await this.call('check and mutate', opts, () =>
      this.table.row(toBuffer(key) as never).filter(predicate as never, config as never),
    );
    return expected === undefined ? !matched : Boolean(matched);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
