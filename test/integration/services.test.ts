import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireService } from '../helpers/require-service.js';
import { waitForPort } from '../helpers/services.js';

const pgUrl = requireService('pgUrl');
const bigtable = requireService('bigtableEmulator');
const dynamodb = requireService('dynamodbEndpoint');
const s3 = requireService('s3Endpoint');

describe.skipIf(!pgUrl)('real PostgreSQL from global setup', () => {
  it('answers a query', async () => {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      const r = await client.query<{ v: string }>('select version() as v');
      expect(r.rows[0]?.v).toMatch(/^PostgreSQL 1\d/);
    } finally {
      await client.end();
    }
  });
});

describe.skipIf(!bigtable)('Bigtable emulator from global setup', () => {
  it('listens', async () => {
    const port = Number(bigtable!.split(':')[1]);
    await expect(waitForPort(port, 2000)).resolves.toBeUndefined();
  });
});

describe.each([
  ['dynalite (DynamoDB)', dynamodb],
  ['s3rver (S3)', s3],
])('%s from global setup', (_name, url) => {
  it.skipIf(!url)('listens on loopback', async () => {
    const u = new URL(url!);
    expect(u.hostname).toBe('127.0.0.1');
    await expect(waitForPort(Number(u.port), 2000)).resolves.toBeUndefined();
  });
});
