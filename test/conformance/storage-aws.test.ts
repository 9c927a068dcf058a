import { describe } from 'vitest';
import { runChunkStoreConformance } from '../../data-plane/storage/chunkstore/chunk-store.conformance.js';
import { singlePartitionLayout } from '../../data-plane/storage/dynamodb/index.js';
import { runSortedKVConformance } from '../../data-plane/storage/kv/sorted-kv.conformance.js';
import { openDynamoKVFixture } from '../helpers/aws-kv.js';
import { requireService } from '../helpers/require-service.js';

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
