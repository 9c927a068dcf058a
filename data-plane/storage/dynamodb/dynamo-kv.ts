import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type ConsumedCapacity,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { BadDataError, InternalError, UnavailableError } from '../../model/index.js';
import { awsErrorName, awsToCortexError } from '../aws-errors.js';
import { mapLimit } from '../chunkstore/map-limit.js';
import type { CallOptions } from '../interface.js';
import {
  assertKey,
  type BlobStore,
  type Bounds,
  compareBytes,
  type KeyRange,
  type KVEntry,
  prefixEnd,
  type ScanOptions,
  type SortedKV,
  startsWith,
  throwIfAborted,
  toBounds,
} from '../kv/index.js';
import { chunkSchemaLayout, type KeyLayout, LAYOUTS } from './layout.js';

/** Static credentials; without them the SDK's default chain is used (env, shared config, instance role). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface DynamoKVOptions {
  tableName: string;
  /** AWS region; undefined = the SDK's default chain (AWS_REGION, the shared config). */
  region?: string;
  /** An endpoint URL (dynalite, DynamoDB Local, a VPC endpoint); undefined = the region's. */
  endpoint?: string;
  credentials?: AwsCredentials;
  /** How keys map to partition and sort keys (default: the chunk schema's). */
  layout?: KeyLayout;
  /**
   * Partition-key shards per partition prefix, fixed when the table is first opened (stored in the
   * table; a later open uses the stored count). Default 4.
   */
  shards?: number;
  /** Create the table (on-demand billing) when it is missing (default false: a clear error instead). */
  create?: boolean;
  /** Where values larger than `inlineMaxBytes` go (S3); the row then holds the object's name. Owned: closed with the store. */
  blobs?: BlobStore;
  /** Values up to this size stay in the item (default 1 KiB; DynamoDB caps an item at 400 KB). */
  inlineMaxBytes?: number;
  /** Object reads and writes in flight per call (default 16). */
  blobConcurrency?: number;
  /** Query calls in flight per `scanMany` (default 32): a query's series ranges are read in parallel. */
  readConcurrency?: number;
  /** Strongly consistent reads (default true: a tombstone or ring update is seen at once). */
  consistentRead?: boolean;
  /** SDK attempts per request, throttling and 5xx included, with exponential backoff (default 8). */
  maxAttempts?: number;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** How long this process trusts that a partition is in the directory (default 10 min). */
  directoryTtlMs?: number;
}

/** Requests, capacity and bytes this store spent: what the provider bills. */
export interface DynamoKVStats {
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  itemsWritten: number;
  itemsRead: number;
  /** Keys and inline values (or object names) of items written and read: about what DynamoDB bills by. */
  bytesWritten: number;
  bytesRead: number;
  blobPuts: number;
  blobGets: number;
  blobDeletes: number;
  blobBytesWritten: number;
  blobBytesRead: number;
}

// --- item layout -------------------------------------------------------------------------------------
const ATTR_PK = 'p';
const ATTR_SK = 's';
const ATTR_VALUE = 'v';
const ATTR_OBJECT = 'o';
const ATTR_LONG_KEY = 'k';
const DATA_PK = 0x64; // 'd'
const DIR_PK = new TextEncoder().encode('#dir');
const META_PK = new TextEncoder().encode('#meta');
const META_SK = new Uint8Array([0]);

/** Sort keys are capped at 1,024 bytes; a rest longer than this is stored as its first 1,000 bytes + a hash. */
const LONG_REST = 1000;
const LONG_HASH = 16;
/** Partition prefixes are capped so the directory's sort key fits. */
const MAX_PARTITION = 1000;
/** The largest value kept in an item when there is no blob store (400 KB item limit, keys and names included). */
const MAX_INLINE = 390 * 1024;
const BATCH_GET = 100;
const BATCH_WRITE = 25;
const WRITES_IN_FLIGHT = 8;
const DELETE_PAGE = 5_000;

const hex = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('hex');
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function fnv1a(u: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i]!, 0x01000193) >>> 0;
  return h;
}

interface Split {
  /** Partition prefix. */
  p: Uint8Array;
  /** The rest. */
  r: Uint8Array;
}

interface Item {
  key: Uint8Array;
  value?: Uint8Array;
  object?: string;
}

/**
 * SortedKV over one DynamoDB table (see layout.ts and docs/storage.md): a key's partition prefix
 * (tenant + day bucket for chunk rows) and a shard of its rest form the partition key, the rest the
 * sort key. Point reads are BatchGetItem (100 keys a request), writes BatchWriteItem (25 items) with
 * the unprocessed items retried with backoff, ranges are Query calls (one per shard, merged in order),
 * and a range crossing partitions reads a directory of partitions kept in the table. Values over
 * `inlineMaxBytes` live in a BlobStore (S3) under content-derived names. `checkAndPut` is a
 * conditional PutItem.
 *
 * This folder is the only place that imports `@aws-sdk/client-dynamodb`.
 */
export class DynamoKV implements SortedKV {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly layout: KeyLayout;
  private shards: number;
  private readonly blobs: BlobStore | undefined;
  private readonly inlineMax: number;
  private readonly blobConcurrency: number;
  private readonly readConcurrency: number;
  private readonly consistent: boolean;
  private readonly dirTtlMs: number;
  private readonly maxAttempts: number;
  /** Partition prefixes (hex) this process wrote to the directory, with when. */
  private readonly known = new Map<string, number>();
  private closed = false;
  private readonly counters: DynamoKVStats = emptyStats();

  private constructor(private readonly opts: DynamoKVOptions) {
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.client = new DynamoDBClient({
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      maxAttempts: this.maxAttempts,
      requestHandler: { requestTimeout: opts.timeoutMs ?? 30_000, connectionTimeout: 5_000 },
    });
    this.table = opts.tableName;
    this.layout = opts.layout ?? chunkSchemaLayout;
    this.shards = opts.shards ?? 4;
    this.blobs = opts.blobs;
    this.inlineMax = Math.min(opts.inlineMaxBytes ?? 1024, MAX_INLINE);
    this.blobConcurrency = opts.blobConcurrency ?? 16;
    this.readConcurrency = opts.readConcurrency ?? 32;
    this.consistent = opts.consistentRead ?? true;
    this.dirTtlMs = opts.directoryTtlMs ?? 600_000;
    if (!Number.isInteger(this.shards) || this.shards < 1 || this.shards > 256)
      throw new BadDataError('dynamodb shards must be an integer in [1, 256]');
  }

  /**
   * Opens the table: checks it exists (creating it when `create`), and reads or writes the table's
   * layout and shard count. Fails with one clear error when the table is missing or the credentials
   * are refused.
   */
  static async open(opts: DynamoKVOptions): Promise<DynamoKV> {
    const kv = new DynamoKV(opts);
    try {
      await kv.ensureTable();
      await kv.loadMeta();
    } catch (err) {
      kv.client.destroy();
      throw err;
    }
    return kv;
  }

  /** What this store has spent since it was opened (or the last reset). */
  stats(reset = false): DynamoKVStats {
    const out = structuredClone(this.counters);
    if (reset) Object.assign(this.counters, emptyStats());
    return out;
  }

  // --- table and metadata ------------------------------------------------------------------------------

  private where(): string {
    return `dynamodb table ${this.table}${this.opts.region ? ` in ${this.opts.region}` : ''}${
      this.opts.endpoint ? ` at ${this.opts.endpoint}` : ''
    }`;
  }

  private async ensureTable(): Promise<void> {
    const status = await this.describe();
    if (status === 'ACTIVE') return;
    if (status === undefined) {
      if (!this.opts.create)
        throw new InternalError(
          `${this.where()} does not exist: create it (partition key "p" binary, sort key "s" binary) or start with --storage-create`,
        );
      try {
        await this.send('CreateTable', undefined, () =>
          this.client.send(
            new CreateTableCommand({
              TableName: this.table,
              BillingMode: 'PAY_PER_REQUEST',
              AttributeDefinitions: [
                { AttributeName: ATTR_PK, AttributeType: 'B' },
                { AttributeName: ATTR_SK, AttributeType: 'B' },
              ],
              KeySchema: [
                { AttributeName: ATTR_PK, KeyType: 'HASH' },
                { AttributeName: ATTR_SK, KeyType: 'RANGE' },
              ],
            }),
          ),
        );
      } catch (err) {
        // Another process created it first.
        if (awsErrorName((err as { cause?: unknown }).cause ?? err) !== 'ResourceInUseException') throw err;
      }
    }
    const deadline = Date.now() + 120_000;
    for (let wait = 20; (await this.describe()) !== 'ACTIVE'; wait = Math.min(wait * 2, 1_000)) {
      if (Date.now() > deadline) throw new UnavailableError(`${this.where()} did not become ACTIVE within 120 s`);
      await sleep(wait);
    }
  }

  private async describe(): Promise<string | undefined> {
    try {
      const out = await this.client.send(new DescribeTableCommand({ TableName: this.table }));
      this.count('DescribeTable');
      return out.Table?.TableStatus ?? 'ACTIVE';
    } catch (err) {
      if (awsErrorName(err) === 'ResourceNotFoundException') return undefined;
      throw awsToCortexError(`${this.where()}: DescribeTable`, err);
    }
  }

  /** The layout and shard count are the table's: a mismatch would make every key unreachable. */
  private async loadMeta(): Promise<void> {
    const key = { [ATTR_PK]: { B: META_PK }, [ATTR_SK]: { B: META_SK } };
    const read = async () => {
      const out = await this.send('GetItem', undefined, () =>
        this.client.send(new GetItemCommand({ TableName: this.table, Key: key, ConsistentRead: true })),
      );
      return out.Item;
    };
    let item = await read();
    if (item === undefined) {
      try {
        await this.send('PutItem', undefined, () =>
          this.client.send(
            new PutItemCommand({
              TableName: this.table,
              Item: { ...key, layout: { S: this.layout.name }, shards: { N: String(this.shards) } },
              ConditionExpression: 'attribute_not_exists(p)',
            }),
          ),
        );
      } catch (err) {
        if (awsErrorName((err as { cause?: unknown }).cause ?? err) !== 'ConditionalCheckFailedException') throw err;
      }
      item = await read();
    }
    const layout = item?.layout?.S;
    const shards = Number(item?.shards?.N);
    if (layout !== this.layout.name || !LAYOUTS[layout])
      throw new InternalError(
        `${this.where()} holds keys in layout "${layout}", not "${this.layout.name}": use another table for this purpose`,
      );
    if (!Number.isInteger(shards) || shards < 1) throw new InternalError(`${this.where()}: bad shard count ${shards}`);
    this.shards = shards;
  }

  // --- plumbing ----------------------------------------------------------------------------------------

  private count(op: string, cap?: ConsumedCapacity | ConsumedCapacity[]): void {
    this.counters.requests[op] = (this.counters.requests[op] ?? 0) + 1;
    const read = op === 'Query' || op === 'BatchGetItem' || op === 'GetItem';
    for (const c of Array.isArray(cap) ? cap : cap ? [cap] : []) {
      if (read) this.counters.readUnits += c.CapacityUnits ?? 0;
      else this.counters.writeUnits += c.CapacityUnits ?? 0;
    }
  }

  /** One SDK call: aborts, closed checks, error mapping and accounting. */
  private async send<T extends object>(op: string, opts: CallOptions | undefined, fn: () => Promise<T>): Promise<T> {
    throwIfAborted(opts);
    if (this.closed) throw new UnavailableError(`${this.where()}: ${op} on a closed store`);
    try {
      const out = await fn();
      this.count(op, (out as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity);
      return out;
    } catch (err) {
      this.count(op);
      if (awsErrorName(err) === 'ResourceNotFoundException')
        throw new InternalError(`${this.where()} is gone (${op}): recreate it or restart with --storage-create`, {
          cause: err,
        });
      throwIfAborted(opts);
      throw awsToCortexError(`${this.where()}: ${op}`, err);
    }
  }

  private sdkOpts(opts: CallOptions | undefined) {
    return opts?.signal ? { abortSignal: opts.signal } : {};
  }

  private split(key: Uint8Array): Split {
    const n = this.layout.partitionLength(key);
    if (n === undefined) return { p: key, r: new Uint8Array(0) };
    return { p: key.subarray(0, n), r: key.subarray(n) };
  }

  private shardOf(rest: Uint8Array): number {
    if (this.shards === 1) return 0;
    const u = this.layout.shardUnitLength(rest);
    return fnv1a(u === undefined || u > rest.length ? rest : rest.subarray(0, u)) % this.shards;
  }

  private pk(p: Uint8Array, shard: number): Uint8Array {
    const out = new Uint8Array(p.length + 2);
    out[0] = DATA_PK;
    out.set(p, 1);
    out[p.length + 1] = shard;
    return out;
  }

  /** Sort key of a rest: `0x00 ‖ rest`, or for a long rest `0x00 ‖ rest[:1000] ‖ sha256(rest)[:16]`. */
  private sk(rest: Uint8Array): Uint8Array {
    if (rest.length <= LONG_REST) return concat(new Uint8Array([0]), rest);
    const h = createHash('sha256').update(rest).digest().subarray(0, LONG_HASH);
    return concat(new Uint8Array([0]), rest.subarray(0, LONG_REST), h);
  }

  private itemKey(key: Uint8Array): Record<string, AttributeValue> {
    assertKey(key);
    const { p, r } = this.split(key);
    if (p.length > MAX_PARTITION)
      throw new BadDataError(
        `key too long for DynamoDB: its partition prefix is ${p.length} bytes (max ${MAX_PARTITION})`,
      );
    return { [ATTR_PK]: { B: this.pk(p, this.shardOf(r)) }, [ATTR_SK]: { B: this.sk(r) } };
  }

  /** The full key of a stored item: the partition prefix from `p`, the rest from `s` (or `k` when long). */
  private keyOf(item: Record<string, AttributeValue>): Uint8Array {
    const pk = item[ATTR_PK]!.B!;
    const p = pk.subarray(1, pk.length - 1);
    const long = item[ATTR_LONG_KEY]?.B;
    const r = long ?? item[ATTR_SK]!.B!.subarray(1);
    return concat(p, r);
  }

  private async resolveValues(items: Item[], opts: CallOptions | undefined): Promise<void> {
    const need = items.filter((i) => i.object !== undefined);
    if (need.length === 0) return;
    const blobs = this.blobs;
    if (!blobs)
      throw new InternalError(
        `${this.where()}: a row points to object ${need[0]!.object} but no blob store (S3) is configured`,
      );
    await mapLimit(need, this.blobConcurrency, async (i) => {
      const data = await blobs.get(i.object!, opts);
      this.counters.blobGets++;
      this.counters.blobBytesRead += data.length;
      const want = i.object!.slice(i.object!.lastIndexOf('/') + 1);
      if (objectHash(i.key, data) !== want)
        throw new InternalError(
          `chunk object ${blobs.location}/${i.object} does not hold the bytes its row was written with`,
        );
      i.value = data;
    });
  }

  private toItem(raw: Record<string, AttributeValue>): Item {
    const key = this.keyOf(raw);
    const o = raw[ATTR_OBJECT]?.S;
    if (o !== undefined) return { key, object: o };
    return { key, value: raw[ATTR_VALUE]?.B ?? new Uint8Array(0) };
  }

  // --- directory of partitions -------------------------------------------------------------------------

  /** Directory writes for the partitions of `keys` this process has not registered lately. */
  private directoryWrites(parts: Iterable<Uint8Array>): { req: WriteRequest; id: string }[] {
    const now = Date.now();
    const out: { req: WriteRequest; id: string }[] = [];
    for (const p of parts) {
      // An empty prefix is the only partition there is (singlePartitionLayout): no directory needed.
      if (p.length === 0) continue;
      const id = hex(p);
      const at = this.known.get(id);
      if (at !== undefined && now - at < this.dirTtlMs) continue;
      out.push({
        id,
        req: { PutRequest: { Item: { [ATTR_PK]: { B: DIR_PK }, [ATTR_SK]: { B: concat(new Uint8Array([0]), p) } } } },
      });
    }
    return out;
  }

  /** Whether `p` is a complete partition prefix (every key starting with it is in it). */
  private complete(p: Uint8Array): boolean {
    return this.layout.partitionLength(p) === p.length;
  }

  /**
   * The partitions whose keys may lie in `b`, in key order. A range inside one partition (the usual
   * case: one tenant's day) needs no directory read.
   */
  private async partitionsFor(b: Bounds, opts: CallOptions | undefined): Promise<Uint8Array[]> {
    const start = b.start ?? new Uint8Array(0);
    const n = this.layout.partitionLength(start);
    if (n !== undefined) {
      const p = start.subarray(0, n);
      const pe = prefixEnd(p);
      if (pe === undefined || (b.end !== undefined && compareBytes(b.end, pe) <= 0)) return [p];
    }
    // Across partitions: the directory, from the partition holding `start` up to `end`.
    const lo = n !== undefined ? start.subarray(0, n) : start;
    const zero = new Uint8Array([0]);
    const input: QueryCommandInput = {
      TableName: this.table,
      ConsistentRead: this.consistent,
      ReturnConsumedCapacity: 'TOTAL',
      KeyConditionExpression: b.end === undefined ? 'p = :p AND s >= :lo' : 'p = :p AND s BETWEEN :lo AND :hi',
      ExpressionAttributeValues: {
        ':p': { B: DIR_PK },
        ':lo': { B: concat(zero, lo.subarray(0, MAX_PARTITION + 1)) },
        ...(b.end === undefined ? {} : { ':hi': { B: concat(zero, b.end.subarray(0, MAX_PARTITION + 1)) } }),
      },
    };
    const out: Uint8Array[] = [];
    for await (const raw of this.queryPages(input, opts)) {
      const p = raw[ATTR_SK]!.B!.subarray(1);
      // Overlap: the partition's first key is below `end`, its last at or above `start`.
      if (b.end !== undefined && compareBytes(p, b.end) >= 0) continue;
      if (this.complete(p)) {
        const pe = prefixEnd(p);
        if (pe !== undefined && compareBytes(pe, start) <= 0) continue;
      } else if (compareBytes(p, start) < 0) continue;
      out.push(p);
    }
    return out;
  }

  private async *queryPages(
    input: QueryCommandInput,
    opts: CallOptions | undefined,
  ): AsyncGenerator<Record<string, AttributeValue>> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.send('Query', opts, () =>
        this.client.send(
          new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
          this.sdkOpts(opts),
        ),
      );
      for (const it of out.Items ?? []) {
        this.counters.itemsRead++;
        yield it;
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  // --- reads -------------------------------------------------------------------------------------------

  async get(key: Uint8Array, opts?: CallOptions): Promise<Uint8Array | undefined> {
    return (await this.getMany([key], opts))[0];
  }

  async getMany(keys: readonly Uint8Array[], opts?: CallOptions): Promise<(Uint8Array | undefined)[]> {
    const ks = keys.map((k) => this.itemKey(k));
    const found = await this.batchGet(ks, opts, false);
    const items: Item[] = [...found.values()];
    await this.resolveValues(items, opts);
    return keys.map((k, i) => {
      const it = found.get(itemId(ks[i]!));
      return it !== undefined && compareBytes(it.key, k) === 0 ? it.value : undefined;
    });
  }

  /** BatchGetItem in requests of 100 unique keys, unprocessed keys retried with backoff. */
  private async batchGet(
    ks: Record<string, AttributeValue>[],
    opts: CallOptions | undefined,
    objectsOnly: boolean,
  ): Promise<Map<string, Item>> {
    const unique = new Map<string, Record<string, AttributeValue>>();
    for (const k of ks) unique.set(itemId(k), k);
    const all = [...unique.values()];
    const found = new Map<string, Item>();
    const batches: Record<string, AttributeValue>[][] = [];
    for (let i = 0; i < all.length; i += BATCH_GET) batches.push(all.slice(i, i + BATCH_GET));
    await mapLimit(batches, WRITES_IN_FLIGHT, async (batch) => {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await this.backoff(attempt, 'BatchGetItem', opts);
        const out: BatchGetItemCommandOutput = await this.send('BatchGetItem', opts, () =>
          this.client.send(
            new BatchGetItemCommand({
              ReturnConsumedCapacity: 'TOTAL',
              RequestItems: {
                [this.table]: {
                  Keys: pending,
                  ConsistentRead: this.consistent,
                  ...(objectsOnly ? { ProjectionExpression: 'p, s, k, o' } : {}),
                },
              },
            }),
            this.sdkOpts(opts),
          ),
        );
        for (const raw of out.Responses?.[this.table] ?? []) {
          this.counters.itemsRead++;
          const it = this.toItem(raw);
          this.counters.bytesRead += it.key.length + (it.value?.length ?? 0);
          found.set(itemId(raw), it);
        }
        pending = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    });
    return found;
  }

  async scan(range: KeyRange, opts?: ScanOptions): Promise<KVEntry[]> {
    return this.scanMany([range], opts);
  }

  async scanMany(ranges: readonly KeyRange[], opts?: ScanOptions): Promise<KVEntry[]> {
    throwIfAborted(opts);
    const limit = opts?.limit || Number.POSITIVE_INFINITY;
    const bounds = ranges.map(toBounds).filter((b) => !b.empty);
    const parts = await mapLimit(bounds, this.readConcurrency, (b) => this.scanItems(b, limit, opts, !!opts?.keysOnly));
    let items = parts.flat();
    if (parts.length > 1) {
      items.sort((x, y) => compareBytes(x.key, y.key));
      items = items.filter((it, i) => i === 0 || compareBytes(items[i - 1]!.key, it.key) !== 0);
    }
    if (items.length > limit) items = items.slice(0, limit);
    if (!opts?.keysOnly) await this.resolveValues(items, opts);
    return items.map((it) => ({ key: it.key, value: opts?.keysOnly ? new Uint8Array(0) : it.value! }));
  }

  /**
   * The items of one range in key order (values of blob rows not fetched yet). `keysOnly` reads the
   * keys and object names but no values.
   */
  private async scanItems(b: Bounds, limit: number, opts: CallOptions | undefined, keysOnly: boolean): Promise<Item[]> {
    const out: Item[] = [];
    for (const p of await this.partitionsFor(b, opts)) {
      if (out.length >= limit) break;
      const rs = b.start !== undefined && compareBytes(b.start, p) > 0 ? b.start.subarray(p.length) : undefined;
      const re = b.end !== undefined && startsWith(b.end, p) ? b.end.subarray(p.length) : undefined;
      out.push(...(await this.queryPartition(p, rs, re, limit - out.length, opts, keysOnly)));
    }
    return out;
  }

  /** The shards a rest range `[rs, re)` can touch: one when the range stays inside one shard unit. */
  private shardsFor(rs: Uint8Array | undefined, re: Uint8Array | undefined): number[] {
    if (this.shards === 1) return [0];
    if (rs !== undefined) {
      const u = this.layout.shardUnitLength(rs);
      if (u !== undefined && u <= rs.length) {
        const unit = rs.subarray(0, u);
        const ue = prefixEnd(unit);
        if (ue === undefined || (re !== undefined && compareBytes(re, ue) <= 0)) return [fnv1a(unit) % this.shards];
      }
    }
    return Array.from({ length: this.shards }, (_, i) => i);
  }

  private async queryPartition(
    p: Uint8Array,
    rs: Uint8Array | undefined,
    re: Uint8Array | undefined,
    limit: number,
    opts: CallOptions | undefined,
    keysOnly: boolean,
  ): Promise<Item[]> {
    const shards = this.shardsFor(rs, re);
    const lists = await Promise.all(shards.map((s) => this.queryShard(p, s, rs, re, limit, opts, keysOnly)));
    if (lists.length === 1) return lists[0]!;
    const all = lists.flat().sort((x, y) => compareBytes(x.key, y.key));
    return all.length > limit ? all.slice(0, limit) : all;
  }

  /**
   * One Query over one shard: sort-key bounds from the rest bounds (widened to whole hashed groups
   * for long rests), then the exact range and order on the full keys.
   */
  private async queryShard(
    p: Uint8Array,
    shard: number,
    rs: Uint8Array | undefined,
    re: Uint8Array | undefined,
    limit: number,
    opts: CallOptions | undefined,
    keysOnly: boolean,
  ): Promise<Item[]> {
    const zero = new Uint8Array([0]);
    const lo = rs === undefined ? undefined : concat(zero, rs.subarray(0, LONG_REST));
    const hi =
      re === undefined
        ? undefined
        : re.length <= LONG_REST
          ? concat(zero, re)
          : prefixEnd(concat(zero, re.subarray(0, LONG_REST)));
    const values: Record<string, AttributeValue> = { ':p': { B: this.pk(p, shard) } };
    let cond = 'p = :p';
    if (lo !== undefined && hi !== undefined) {
      cond += ' AND s BETWEEN :lo AND :hi';
      values[':lo'] = { B: lo };
      values[':hi'] = { B: hi };
    } else if (lo !== undefined) {
      cond += ' AND s >= :lo';
      values[':lo'] = { B: lo };
    } else if (hi !== undefined) {
      cond += ' AND s < :hi';
      values[':hi'] = { B: hi };
    }
    const input: QueryCommandInput = {
      TableName: this.table,
      ConsistentRead: this.consistent,
      ReturnConsumedCapacity: 'TOTAL',
      KeyConditionExpression: cond,
      ExpressionAttributeValues: values,
      // Keys and object names only: the index, or what a delete must remove.
      ...(keysOnly ? { ProjectionExpression: 'p, s, k, o' } : {}),
      ...(Number.isFinite(limit) ? { Limit: Math.min(limit + 1, 1000) } : {}),
    };
    const start = rs === undefined ? undefined : concat(p, rs);
    const end = re === undefined ? undefined : concat(p, re);
    const out: Item[] = [];
    let long = false;
    /** The hashed group the last item belongs to: reading stops only between groups. */
    let lastGroup: Uint8Array | undefined;
    for await (const raw of this.queryPages(input, opts)) {
      const sk = raw[ATTR_SK]!.B!;
      const group = sk.length > LONG_REST + 1 ? sk.subarray(0, LONG_REST + 1) : undefined;
      if (
        out.length >= limit &&
        (lastGroup === undefined || group === undefined || compareBytes(group, lastGroup) !== 0)
      )
        break;
      lastGroup = group;
      if (group !== undefined) long = true;
      const it = this.toItem(raw);
      if (start !== undefined && compareBytes(it.key, start) < 0) continue;
      if (end !== undefined && compareBytes(it.key, end) >= 0) continue;
      this.counters.bytesRead += it.key.length + (it.value?.length ?? 0);
      out.push(it);
    }
    if (long) out.sort((x, y) => compareBytes(x.key, y.key));
    return out.length > limit ? out.slice(0, limit) : out;
  }

  // --- writes ------------------------------------------------------------------------------------------

  async put(entries: readonly KVEntry[], opts?: CallOptions): Promise<void> {
    for (const e of entries) assertKey(e.key);
    throwIfAborted(opts);
    if (entries.length === 0) return;
    // A later entry for the same key wins (BatchWriteItem refuses duplicate keys in one request).
    const byKey = new Map<string, KVEntry>();
    for (const e of entries) byKey.set(hex(e.key), e);
    const uniq = [...byKey.values()];
    const parts = new Map<string, Uint8Array>();
    const items = uniq.map((e) => {
      const { p, r } = this.split(e.key);
      parts.set(hex(p), p);
      return { e, key: this.itemKey(e.key), p, r };
    });
    const big = items.filter((i) => i.e.value.length > this.inlineMax);
    if (big.length > 0 && !this.blobs && big.some((i) => i.e.value.length > MAX_INLINE))
      throw new BadDataError(`${this.where()}: a value of ${big[0]!.e.value.length} bytes needs a blob store (S3)`);
    const objects = new Map<KVEntry, string>();
    if (this.blobs) {
      const blobs = this.blobs;
      // Objects first: a row never points to an object that is not there yet.
      await mapLimit(big, this.blobConcurrency, async (i) => {
        // Under the partition's prefix (a tenant's day), capped to keep S3 keys under 1,024 bytes.
        const name = `${hex(i.p).slice(0, 256)}/${objectHash(i.e.key, i.e.value)}`;
        await blobs.put(name, i.e.value, opts);
        this.counters.blobPuts++;
        this.counters.blobBytesWritten += i.e.value.length;
        objects.set(i.e, name);
      });
    }
    const dir = this.directoryWrites(parts.values());
    const reqs: WriteRequest[] = dir.map((d) => d.req);
    for (const { e, key, r } of items) {
      const item: Record<string, AttributeValue> = { ...key };
      if (r.length > LONG_REST) item[ATTR_LONG_KEY] = { B: r };
      const o = objects.get(e);
      if (o !== undefined) item[ATTR_OBJECT] = { S: o };
      else item[ATTR_VALUE] = { B: e.value };
      this.counters.bytesWritten += e.key.length + (o === undefined ? e.value.length : o.length);
      reqs.push({ PutRequest: { Item: item } });
    }
    await this.batchWrite(reqs, opts);
    const now = Date.now();
    for (const d of dir) this.known.set(d.id, now);
  }

  /** BatchWriteItem in requests of 25, a few in flight, unprocessed items retried with backoff. */
  private async batchWrite(reqs: WriteRequest[], opts: CallOptions | undefined): Promise<void> {
    const batches: WriteRequest[][] = [];
    for (let i = 0; i < reqs.length; i += BATCH_WRITE) batches.push(reqs.slice(i, i + BATCH_WRITE));
    await mapLimit(batches, WRITES_IN_FLIGHT, async (batch) => {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await this.backoff(attempt, 'BatchWriteItem', opts);
        const out = await this.send('BatchWriteItem', opts, () =>
          this.client.send(
            new BatchWriteItemCommand({ RequestItems: { [this.table]: pending }, ReturnConsumedCapacity: 'TOTAL' }),
            this.sdkOpts(opts),
          ),
        );
        const left = out.UnprocessedItems?.[this.table] ?? [];
        this.counters.itemsWritten += pending.length - left.length;
        pending = left;
      }
    });
  }

  /** Exponential backoff with jitter between retries of unprocessed items; gives up after the budget. */
  private async backoff(attempt: number, op: string, opts: CallOptions | undefined): Promise<void> {
    if (attempt >= this.maxAttempts * 2)
      throw new UnavailableError(`${this.where()}: ${op} left items unprocessed after ${attempt} attempts (throttled)`);
    await sleep(Math.min(5_000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2), opts);
    throwIfAborted(opts);
  }

  async deleteKeys(keys: readonly Uint8Array[], opts?: CallOptions): Promise<void> {
    throwIfAborted(opts);
    if (keys.length === 0) return;
    const ks = keys.map((k) => this.itemKey(k));
    // Learn which rows point to objects (one BatchGetItem per 100) only when objects can exist.
    const objects: string[] = [];
    if (this.blobs)
      for (const it of (await this.batchGet(ks, opts, true)).values()) if (it.object) objects.push(it.object);
    await this.deleteItems(ks, objects, opts);
  }

  /** Deletes rows, then the objects they pointed to (a failure leaves an orphan object, never a dangling row). */
  private async deleteItems(
    ks: Record<string, AttributeValue>[],
    objects: string[],
    opts: CallOptions | undefined,
  ): Promise<void> {
    const unique = new Map<string, Record<string, AttributeValue>>();
    for (const k of ks) unique.set(itemId(k), k);
    await this.batchWrite(
      [...unique.values()].map((k) => ({ DeleteRequest: { Key: k } })),
      opts,
    );
    if (objects.length > 0 && this.blobs) {
      await this.blobs.delete(objects, opts);
      this.counters.blobDeletes += objects.length;
    }
  }

  async deleteRange(range: KeyRange, opts?: CallOptions): Promise<void> {
    throwIfAborted(opts);
    const b = toBounds(range);
    if (b.empty) return;
    for (;;) {
      const page = await this.scanItems(b, DELETE_PAGE, opts, true);
      if (page.length === 0) break;
      const objects = page.flatMap((it) => (it.object ? [it.object] : []));
      await this.deleteItems(
        page.map((it) => this.itemKey(it.key)),
        objects,
        opts,
      );
      if (page.length < DELETE_PAGE) break;
    }
    // Directory entries of partitions the range covered whole (retention's buckets, a tenant purge).
    const gone = (await this.partitionsFor(b, opts)).filter((p) => {
      if (b.start !== undefined && compareBytes(b.start, p) > 0) return false;
      if (b.end === undefined) return true;
      if (!this.complete(p)) return compareBytes(p, b.end) < 0;
      const pe = prefixEnd(p);
      return pe !== undefined && compareBytes(pe, b.end) <= 0;
    });
    if (gone.length === 0) return;
    for (const p of gone) this.known.delete(hex(p));
    await this.batchWrite(
      gone.map((p) => ({
        DeleteRequest: { Key: { [ATTR_PK]: { B: DIR_PK }, [ATTR_SK]: { B: concat(new Uint8Array([0]), p) } } },
      })),
      opts,
    );
  }

  async checkAndPut(
    key: Uint8Array,
    expected: Uint8Array | undefined,
    value: Uint8Array,
    opts?: CallOptions,
  ): Promise<boolean> {
    const k = this.itemKey(key);
    if (value.length > MAX_INLINE)
      throw new BadDataError(`checkAndPut values are kept in the item: ${value.length} bytes is over ${MAX_INLINE}`);
    const { p, r } = this.split(key);
    const dir = this.directoryWrites([p]);
    if (dir.length > 0) {
      await this.batchWrite(
        dir.map((d) => d.req),
        opts,
      );
      for (const d of dir) this.known.set(d.id, Date.now());
    }
    const item: Record<string, AttributeValue> = { ...k, [ATTR_VALUE]: { B: value } };
    if (r.length > LONG_REST) item[ATTR_LONG_KEY] = { B: r };
    try {
      await this.send('PutItem', opts, () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: item,
            ReturnConsumedCapacity: 'TOTAL',
            ...(expected === undefined
              ? { ConditionExpression: 'attribute_not_exists(p)' }
              : { ConditionExpression: 'v = :e', ExpressionAttributeValues: { ':e': { B: expected } } }),
          }),
          this.sdkOpts(opts),
        ),
      );
      return true;
    } catch (err) {
      if (awsErrorName((err as { cause?: unknown }).cause) === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    await this.blobs?.close();
  }
}

/** Content-derived object name: replicas writing the same row write the same object. */
function objectHash(key: Uint8Array, value: Uint8Array): string {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(key.length);
  return createHash('sha256').update(len).update(key).update(value).digest('hex');
}

function itemId(k: Record<string, AttributeValue>): string {
  return `${hex(k[ATTR_PK]!.B!)}:${hex(k[ATTR_SK]!.B!)}`;
}

function emptyStats(): DynamoKVStats {
  return {
    requests: {},
    readUnits: 0,
    writeUnits: 0,
    itemsWritten: 0,
    itemsRead: 0,
    bytesWritten: 0,
    bytesRead: 0,
    blobPuts: 0,
    blobGets: 0,
    blobDeletes: 0,
    blobBytesWritten: 0,
    blobBytesRead: 0,
  };
}

function sleep(ms: number, opts?: CallOptions): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      opts?.signal?.removeEventListener('abort', done);
      resolve();
    }
    opts?.signal?.addEventListener('abort', done, { once: true });
  });
}
