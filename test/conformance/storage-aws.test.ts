import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChunkStoreConformance } from '../../data-plane/storage/chunkstore/chunk-store.conformance.js';
import { singlePartitionLayout } from '../../data-plane/storage/dynamodb/index.js';
import { compareBytes } from '../../data-plane/storage/kv/index.js';
import { runSortedKVConformance } from '../../data-plane/storage/kv/sorted-kv.conformance.js';
import { openDynamoKVFixture, uniqueBucket } from '../helpers/aws-kv.js';
import { DYNAMO_THROTTLE, dynamoOp, type FaultProxy, S3_SLOWDOWN, startFaultProxy } from '../helpers/fault-proxy.js';
import { requireService } from '../helpers/require-service.js';
import { EMULATOR_AWS_CREDENTIALS } from '../helpers/services.js';

const dynamodb = requireService('dynamodbEndpoint');
const s3 = requireService('s3Endpoint');

describe.skipIf(!dynamodb)('DynamoDB SortedKV on dynalite', () => {
  runSortedKVConformance('dynamodb (chunk layout, 4 shards)', () => openDynamoKVFixture(dynamodb!, 'kv'));
  runSortedKVConformance('dynamodb (single partition)', () =>
    openDynamoKVFixture(dynamodb!, 'kv1', { layout: singlePartitionLayout, shards: 1 }),
  );
});

describe.skipIf(!dynamodb || !s3)('DynamoDB SortedKV with values on S3 (dynalite + s3rver)', () => {
  runSortedKVConformance('dynamodb + s3 (inline up to 16 B)', () =>
    openDynamoKVFixture(dynamodb!, 'kvs3', { s3: s3!, inlineMaxBytes: 16 }),
  );
});

describe.skipIf(!dynamodb || !s3)('chunk store on DynamoDB + S3 (dynalite + s3rver)', () => {
  runChunkStoreConformance('dynamodb + s3', () =>
    openDynamoKVFixture(dynamodb!, 'chunks', { s3: s3!, inlineMaxBytes: 64 }),
  );
});

describe.skipIf(!dynamodb || !s3)('DynamoDB + S3 specifics (dynalite + s3rver)', () => {
  const enc = new TextEncoder();
  const tenantDay = (tenant: string, bucket = 20_000) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(bucket + 2 ** 31);
    return Buffer.concat([Buffer.from(`${tenant}\0`), b]);
  };
  const key = (...parts: (Uint8Array | string)[]) =>
    new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))));
  const sid = (i: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(Math.imul(i + 1, 2654435761) >>> 0, 4);
    return b;
  };
  const listObjects = async (fx: { bucket: string }) => {
    const c = new S3Client({ ...s3rverClient(), endpoint: s3! });
    try {
      const out = await c.send(new ListObjectsV2Command({ Bucket: fx.bucket }));
      return (out.Contents ?? []).map((o) => o.Key!);
    } finally {
      c.destroy();
    }
  };
  const s3rverClient = () => ({ region: 'us-east-1', forcePathStyle: true, credentials: EMULATOR_AWS_CREDENTIALS });

  it('orders rests longer than DynamoDB sort keys allow (hashed groups re-sorted by the full key)', async () => {
    const fx = await openDynamoKVFixture(dynamodb!, 'long');
    try {
      const p = tenantDay('acme');
      const long = 'v'.repeat(1500);
      // Keys sharing their first 1,000 rest bytes land in one hashed group; order must still be exact.
      const rests = [`p${long}a`, `p${long}b`, `p${long}`, `p${long}ab`, `p${'v'.repeat(999)}`, `p${long}\u0000`, 'q'];
      await fx.kv.put(rests.map((r) => ({ key: key(p, r), value: enc.encode(r.slice(-3)) })));
      const want = rests.map((r) => key(p, r)).sort(compareBytes);
      const got = await fx.kv.scan({ prefix: p });
      expect(got.map((e) => Buffer.from(e.key).toString('hex'))).toEqual(
        want.map((k) => Buffer.from(k).toString('hex')),
      );
      // Limits, bounds inside a group, point reads and deletes of long keys.
      expect((await fx.kv.scan({ prefix: p }, { limit: 3 })).map((e) => Buffer.from(e.key).toString('hex'))).toEqual(
        want.slice(0, 3).map((k) => Buffer.from(k).toString('hex')),
      );
      const inner = await fx.kv.scan({ start: key(p, `p${long}a`), end: key(p, `p${long}b`) });
      expect(inner.map((e) => Buffer.from(e.key).toString('latin1').slice(-2))).toEqual(['va', 'ab']);
      expect(new TextDecoder().decode(await fx.kv.get(key(p, `p${long}ab`)))).toBe('vab');
      await fx.kv.deleteKeys([key(p, `p${long}a`)]);
      expect(await fx.kv.get(key(p, `p${long}a`))).toBeUndefined();
      expect(await fx.kv.scan({ prefix: p }, { keysOnly: true })).toHaveLength(rests.length - 1);
    } finally {
      await fx.cleanup();
    }
  });

  it("reads one series' chunk range with one Query, and a posting prefix with one Query per shard", async () => {
    const fx = await openDynamoKVFixture(dynamodb!, 'shards', { shards: 4 });
    try {
      const p = tenantDay('big-tenant');
      const entries = [];
      for (let s = 0; s < 50; s++) {
        for (let c = 0; c < 4; c++)
          entries.push({ key: key(p, 'c', sid(s), Buffer.from([0, 0, 0, c])), value: enc.encode(`${s}/${c}`) });
        entries.push({ key: key(p, 'p', 'job\0node\0', sid(s)), value: new Uint8Array(0) });
      }
      await fx.kv.put(entries);
      fx.kv.stats(true);
      const one = await fx.kv.scan({ prefix: key(p, 'c', sid(7)) });
      expect(one.map((e) => new TextDecoder().decode(e.value))).toEqual(['7/0', '7/1', '7/2', '7/3']);
      expect(fx.kv.stats(true).requests.Query).toBe(1);
      const postings = await fx.kv.scan({ prefix: key(p, 'p', 'job\0node\0') });
      expect(postings).toHaveLength(50);
      expect(fx.kv.stats(true).requests.Query).toBe(4);
      // Writes spread over the 4 shards of the partition (no single hot partition key).
      const scan = await new DynamoDBClient({ ...s3rverClient(), endpoint: dynamodb! }).send(
        new ScanCommand({ TableName: (fx.kv as unknown as { table: string }).table }),
      );
      const pks = new Set((scan.Items ?? []).map((i) => Buffer.from(i.p!.B!).toString('hex')));
      // 4 data shards + the directory + the metadata row.
      expect(pks.size).toBe(6);
    } finally {
      await fx.cleanup();
    }
  });

  it('writes a chunk once however many replicas flush it, and deletes remove row and object', async () => {
    const fx = await openDynamoKVFixture(dynamodb!, 'objs', {
      s3: s3!,
      inlineMaxBytes: 32,
      bucket: uniqueBucket('objs'),
    });
    const bucket = (fx.kv as unknown as { blobs: { opts: { bucket: string } } }).blobs.opts.bucket;
    try {
      const p = tenantDay('acme');
      const big = new Uint8Array(4096).map((_, i) => i & 0xff);
      const k1 = key(p, 'c', sid(1), Buffer.from([0, 0, 0, 1]));
      const k2 = key(p, 'c', sid(2), Buffer.from([0, 0, 0, 1]));
      for (let replica = 0; replica < 3; replica++) await fx.kv.put([{ key: k1, value: big }]);
      await fx.kv.put([{ key: k2, value: big }]);
      expect(await listObjects({ bucket })).toHaveLength(2);
      expect(Buffer.from((await fx.kv.get(k1))!).equals(Buffer.from(big))).toBe(true);
      await fx.kv.deleteKeys([k1]);
      expect(await listObjects({ bucket })).toHaveLength(1);
      await fx.kv.deleteRange({ prefix: p });
      expect(await listObjects({ bucket })).toHaveLength(0);
    } finally {
      await fx.cleanup();
    }
  });

  it('a chunk whose object is missing is an error that names the object, never a gap', async () => {
    const fx = await openDynamoKVFixture(dynamodb!, 'gone', {
      s3: s3!,
      inlineMaxBytes: 32,
      bucket: uniqueBucket('gone'),
    });
    const bucket = (fx.kv as unknown as { blobs: { opts: { bucket: string } } }).blobs.opts.bucket;
    try {
      const p = tenantDay('acme');
      const k = key(p, 'c', sid(1), Buffer.from([0, 0, 0, 1]));
      await fx.kv.put([{ key: k, value: new Uint8Array(100).fill(7) }]);
      const [name] = await listObjects({ bucket });
      const c = new S3Client({ ...s3rverClient(), endpoint: s3! });
      await c.send(new DeleteObjectCommand({ Bucket: bucket, Key: name! }));
      c.destroy();
      const err = await fx.kv.scan({ prefix: p }).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'internal' });
      expect(String((err as Error).message)).toContain(`s3://${bucket}/${name}`);
      await expect(fx.kv.get(k)).rejects.toMatchObject({ kind: 'internal' });
      // Keys alone (the index) still read.
      expect(await fx.kv.scan({ prefix: p }, { keysOnly: true })).toHaveLength(1);
    } finally {
      await fx.cleanup();
    }
  });

  describe('throttling', () => {
    let ddbProxy: FaultProxy;
    let s3Proxy: FaultProxy;
    beforeAll(async () => {
      ddbProxy = await startFaultProxy(dynamodb!);
      s3Proxy = await startFaultProxy(s3!);
    });
    afterAll(async () => {
      await ddbProxy.close();
      await s3Proxy.close();
    });
    const entry = (i: number) => ({ key: key(tenantDay('t'), 'c', sid(i)), value: new Uint8Array(200).fill(i) });

    it('retries ProvisionedThroughputExceededException and unprocessed items with backoff', async () => {
      const fx = await openDynamoKVFixture(ddbProxy.url, 'throttle');
      try {
        let throttled = 0;
        let unprocessed = 0;
        ddbProxy.rule = ({ headers, body }) => {
          if (dynamoOp(headers) !== 'BatchWriteItem') return undefined;
          if (throttled < 3) {
            throttled++;
            return DYNAMO_THROTTLE;
          }
          if (unprocessed < 2) {
            unprocessed++;
            const req = JSON.parse(body.toString()) as { RequestItems: object };
            return {
              status: 200,
              headers: { 'content-type': 'application/x-amz-json-1.0' },
              body: JSON.stringify({ UnprocessedItems: req.RequestItems }),
            };
          }
          return undefined;
        };
        const entries = Array.from({ length: 10 }, (_, i) => entry(i));
        await fx.kv.put(entries);
        expect(throttled).toBe(3);
        expect(unprocessed).toBe(2);
        expect(await fx.kv.scan({ prefix: tenantDay('t') }, { keysOnly: true })).toHaveLength(10);
      } finally {
        ddbProxy.rule = undefined;
        await fx.cleanup();
      }
    });

    it('surfaces throttling as unavailable (a 5xx) only after the retry budget', async () => {
      const fx = await openDynamoKVFixture(ddbProxy.url, 'throttle2', { maxAttempts: 3 });
      try {
        let calls = 0;
        ddbProxy.rule = ({ headers }) => {
          if (dynamoOp(headers) !== 'BatchWriteItem') return undefined;
          calls++;
          return DYNAMO_THROTTLE;
        };
        const err = await fx.kv.put([entry(1)]).catch((e: unknown) => e);
        expect(err).toMatchObject({ kind: 'unavailable' });
        expect(String((err as Error).message)).toMatch(/throttled after retries/);
        expect(calls).toBe(3);
      } finally {
        ddbProxy.rule = undefined;
        await fx.cleanup();
      }
    });

    it('retries S3 SlowDown with backoff; a store that keeps slowing down is unavailable', async () => {
      const fx = await openDynamoKVFixture(dynamodb!, 'slowdown', {
        s3: s3Proxy.url,
        inlineMaxBytes: 32,
        s3Options: { maxAttempts: 4 },
      });
      try {
        let slowed = 0;
        let limit = 2;
        s3Proxy.rule = ({ method }) => {
          if (method !== 'PUT' || slowed >= limit) return undefined;
          slowed++;
          return S3_SLOWDOWN;
        };
        await fx.kv.put([entry(1)]);
        expect(slowed).toBe(2);
        expect((await fx.kv.get(entry(1).key))?.length).toBe(200);
        limit = Number.POSITIVE_INFINITY;
        await expect(fx.kv.put([entry(2)])).rejects.toMatchObject({ kind: 'unavailable' });
        // Nothing points to the object that never landed.
        expect(await fx.kv.get(entry(2).key)).toBeUndefined();
      } finally {
        s3Proxy.rule = undefined;
        await fx.cleanup();
      }
    }, 120_000);
  });
});
