/**
 * Split mode on AWS storage (issue #26): control plane, a gateway+distributor, three ingesters
 * (RF 3), a querier+query-frontend and a ruler, each its own `cortexctl server --target=…` process,
 * with the index and rings in DynamoDB (dynalite) and chunk bodies in S3 (s3rver), tables and
 * bucket created on first start (`--storage-create`). Data is written, flushed, read back from the
 * store alone (ingesters restarted without their WAL), recorded by the ruler, deleted by selector,
 * and purged with its tenant, objects included.
 */
import { rmSync } from 'node:fs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { ensureBuilt, runCli } from '../helpers/cortexctl.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';
import { requireService } from '../helpers/require-service.js';
import { EMULATOR_AWS_CREDENTIALS } from '../helpers/services.js';

const pgUrl = requireService('pgUrl');
const dynamodb = requireService('dynamodbEndpoint');
const s3 = requireService('s3Endpoint');

const TENANT = 'aws-team';
const SERIES = 20;
const SAMPLES = 240;

describe.skipIf(!pgUrl || !dynamodb || !s3)('split mode on DynamoDB + S3 (dynalite + s3rver)', () => {
  let c: Cluster;
  let token: string;
  let ddb: DynamoDBClient;
  let s3c: S3Client;
  // Samples 15 s apart ending a minute ago, so a 1-hour range query covers them all.
  const t0 = Date.now() - 60_000 - SAMPLES * 15_000;
  const tEnd = t0 + (SAMPLES - 1) * 15_000;

  const tableItems = async (table: string): Promise<number> => {
    let n = 0;
    let start: Record<string, never> | undefined;
    do {
      const out = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, Select: 'COUNT' }));
      n += out.Count ?? 0;
      start = out.LastEvaluatedKey as typeof start;
    } while (start);
    return n;
  };
  const objects = async (): Promise<number> => {
    let n = 0;
    let token: string | undefined;
    do {
      const out = await s3c.send(new ListObjectsV2Command({ Bucket: c.bucket!, ContinuationToken: token }));
      n += out.KeyCount ?? 0;
      token = out.NextContinuationToken;
    } while (token);
    return n;
  };
  const query = async (q: string, tMs: number) => {
    const res = await fetch(
      `${c.gatewayUrl}/prometheus/api/v1/query?query=${encodeURIComponent(q)}&time=${((tMs + 500) / 1000).toFixed(3)}`,
      { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) },
    );
    const json = (await res.json()) as {
      data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return { status: res.status, json, value: json.data?.result[0]?.value[1] };
  };
  const flushAll = async () => {
    for (const ing of c.ingesters) {
      const res = await fetch(`${ing.url}/internal/ingester/flush`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.clusterSecret}` },
        signal: AbortSignal.timeout(60_000),
      });
      expect(res.status, await res.text()).toBe(204);
    }
  };

  beforeAll(async () => {
    const aws = { region: 'us-east-1', credentials: EMULATOR_AWS_CREDENTIALS };
    ddb = new DynamoDBClient({ ...aws, endpoint: dynamodb! });
    s3c = new S3Client({ ...aws, endpoint: s3!, forcePathStyle: true });
    c = await startCluster({
      pgUrl: pgUrl!,
      // Chunk rows over 64 bytes go to S3 (all of this test's chunks), the index stays in DynamoDB.
      aws: { dynamodbEndpoint: dynamodb!, s3Endpoint: s3!, inlineMaxBytes: 64 },
      ingesters: 3,
      processes: [
        { name: 'gateway', targets: ['gateway', 'distributor'] },
        { name: 'querier', targets: ['querier', 'query-frontend'] },
        { name: 'ruler', targets: ['ruler'] },
      ],
    });
    await c.waitForIngesters(3);
    token = await c.tenantToken(TENANT, ['metrics:write', 'metrics:read', 'rules:write', 'rules:read']);
  }, 240_000);

  afterAll(async () => {
    await c?.stop();
    ddb?.destroy();
    s3c?.destroy();
  }, 120_000);

  it('writes an hour of samples through the gateway and queries them', async () => {
    for (let off = 0; off < SAMPLES; off += 60) {
      const body = remoteWriteBody(
        Array.from({ length: SERIES }, (_, k) => ({
          labels: { __name__: 'aws_test_metric', series: String(k), job: 'aws' },
          samples: Array.from({ length: 60 }, (_, i) => ({ timestamp: t0 + (off + i) * 15_000, value: off + i + k })),
        })),
      );
      const res = await fetch(`${c.gatewayUrl}/api/v1/push`, {
        method: 'POST',
        headers: remoteWriteHeaders(token),
        body,
        signal: AbortSignal.timeout(30_000),
      });
      expect(res.status, await res.text()).toBeLessThan(300);
    }
    const n = await query('sum(count_over_time(aws_test_metric[2h]))', tEnd);
    expect(n.status, JSON.stringify(n.json)).toBe(200);
    expect(n.value).toBe(String(SERIES * SAMPLES));
  });

  it('flushes to DynamoDB and S3, and answers from the store alone once the ingesters lost their WAL', async () => {
    await flushAll();
    const rows = await tableItems(c.table);
    const objs = await objects();
    console.log(`after flush: ${rows} DynamoDB items in ${c.table}, ${objs} S3 objects in ${c.bucket}`);
    // Every series' chunks are on S3 (RF 3 writes each chunk once: content-derived names).
    expect(objs).toBeGreaterThanOrEqual(SERIES);
    expect(rows).toBeGreaterThan(SERIES);
    // Restart every ingester empty: stop (flush, leave), drop its data dir, start again.
    for (const ing of c.ingesters) {
      expect(await c.kill(ing.name, 'SIGTERM')).toBe(0);
      rmSync(ing.dataDir, { recursive: true, force: true });
      await c.restart(ing.name);
    }
    await c.waitForIngesters(3);
    const n = await query('sum(count_over_time(aws_test_metric[2h]))', tEnd);
    expect(n.status, JSON.stringify(n.json)).toBe(200);
    expect(n.value).toBe(String(SERIES * SAMPLES));
    const sum = await query('sum(aws_test_metric)', tEnd);
    expect(sum.value).toBe(String(SERIES * (SAMPLES - 1) + (SERIES * (SERIES - 1)) / 2));
    // three graceful ingester restarts against the emulators: about 60 s on a loaded 2-core machine
  }, 180_000);

  it('the ruler evaluates a recording rule over the stored data and writes the result back', async () => {
    const put = await fetch(`${c.gatewayUrl}/prometheus/config/v1/rules/aws`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
      body: 'name: recording\ninterval: 1s\nrules:\n  - record: aws:count\n    expr: count(count_over_time(aws_test_metric[2h]))\n',
    });
    expect(put.status, await put.text()).toBe(202);
    const deadline = Date.now() + 45_000;
    for (;;) {
      const r = await query('aws:count', Date.now());
      if (r.value !== undefined) {
        expect(r.value).toBe(String(SERIES));
        break;
      }
      if (Date.now() > deadline)
        throw new Error(`no recorded series: ${JSON.stringify(r.json)}\n${c.output().slice(-4000)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  });

  it('operator delete-series hides the deleted series at once', async () => {
    const del = await c.admin('POST', `/tenants/${TENANT}/delete-series`, { match: ['aws_test_metric{series="3"}'] });
    expect(del.status, JSON.stringify(del.json)).toBe(200);
    const n = await query('count(count_over_time(aws_test_metric[2h]))', tEnd);
    expect(n.value).toBe(String(SERIES - 1));
  });

  it('deleting the tenant purges its rows from DynamoDB and its chunk objects from S3', async () => {
    const before = await objects();
    expect(before).toBeGreaterThan(0);
    const del = await c.admin('DELETE', `/tenants/${TENANT}`);
    expect(del.status, JSON.stringify(del.json)).toBeLessThan(300);
    // Housekeeping on the control plane carries out pending purges every 30 s.
    const deadline = Date.now() + 90_000;
    let left = { objects: before, rows: 0 };
    for (;;) {
      // Ingesters may still flush what the ruler wrote before the purge; wait for both to settle at zero.
      left = { objects: await objects(), rows: await tableItems(c.table) };
      // The table keeps its metadata row (and nothing of the tenant).
      if (left.objects === 0 && left.rows <= 1) break;
      if (Date.now() > deadline) throw new Error(`purge left ${JSON.stringify(left)}\n${c.output().slice(-4000)}`);
      await new Promise((res) => setTimeout(res, 1000));
    }
    expect(left.objects).toBe(0);
  }, 120_000);
});

describe('AWS storage flags and start-up errors', () => {
  beforeAll(() => ensureBuilt(), 300_000);
  const base = [
    'server',
    '--target=ingester',
    '--port',
    '19998',
    '--cluster-secret',
    'x'.repeat(20),
    '--control-plane-url',
    'http://127.0.0.1:1',
  ];
  const oneLine = (s: string) => s.replace(/\s*›?\s+/g, ' ');

  it('exits 2 when the DynamoDB table or the S3 bucket is not named, or both stores are', async () => {
    const noBucket = await runCli([...base, '--dynamodb-table', 'cortex']);
    expect(noBucket.code).toBe(2);
    expect(oneLine(noBucket.stderr)).toMatch(/--s3-bucket is required with --dynamodb-table/);
    const noTable = await runCli([...base, '--s3-bucket', 'chunks']);
    expect(noTable.code).toBe(2);
    expect(oneLine(noTable.stderr)).toMatch(/--dynamodb-table is required with --s3-bucket/);
    const both = await runCli([...base, '--s3-bucket', 'b', '--dynamodb-table', 't', '--bigtable-project', 'p']);
    expect(both.code).toBe(2);
    expect(oneLine(both.stderr)).toMatch(/choose one store/);
    const badUrl = await runCli([
      ...base,
      '--s3-bucket',
      'b',
      '--dynamodb-table',
      't',
      '--s3-endpoint',
      'localhost:9000',
    ]);
    expect(badUrl.code).toBe(2);
    expect(oneLine(badUrl.stderr)).toMatch(/--s3-endpoint must be an http\(s\):\/\/ URL/);
  });

  describe.skipIf(!dynamodb || !s3)('against dynalite and s3rver', () => {
    const aws = (table: string) => [
      '--dynamodb-table',
      table,
      '--dynamodb-region',
      'us-east-1',
      '--dynamodb-endpoint',
      dynamodb!,
      '--s3-bucket',
      table.replace(/_/g, '-'),
      '--s3-region',
      'us-east-1',
      '--s3-endpoint',
      s3!,
    ];
    const good = {
      AWS_ACCESS_KEY_ID: EMULATOR_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_AWS_CREDENTIALS.secretAccessKey,
    };

    it('a missing table without --storage-create: exit 1 with one line saying what is missing', async () => {
      const r = await runCli([...base, ...aws(`missing_${Date.now()}`)], good);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toMatch(
        /cannot start: dynamodb table missing_\d+_ring .* does not exist: create it .* or start with --storage-create/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it('credentials the store refuses: exit 1 with one line naming the credential chain', async () => {
      const r = await runCli([...base, ...aws(`badcreds_${Date.now()}`), '--storage-create'], {
        AWS_ACCESS_KEY_ID: 'WRONG',
        AWS_SECRET_ACCESS_KEY: 'WRONG',
      });
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toMatch(/cannot start: s3 bucket .* access denied .* credentials were refused/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });
});
