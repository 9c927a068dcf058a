/**
 * Long-term storage as the server flags chose it: the embedded store (`--dev`), Bigtable
 * (`--bigtable-*`) or AWS (`--dynamodb-*` + `--s3-*`). One opener for both compositions, so a single
 * process and a split-mode cluster name their tables alike: the chunk table `<table>`, and one table
 * per coordination purpose, `<table>_ring`, `<table>_ha_tracker`, `<table>_alertmanager`.
 */
import { join } from 'node:path';
import { BigtableKV } from '../../data-plane/storage/bigtable/index.js';
import {
  type AwsCredentials,
  chunkSchemaLayout,
  DynamoKV,
  singlePartitionLayout,
} from '../../data-plane/storage/dynamodb/index.js';
import { EmbeddedKV } from '../../data-plane/storage/embedded/index.js';
import type { SortedKV } from '../../data-plane/storage/kv/index.js';
import { S3BlobStore } from '../../data-plane/storage/s3/index.js';

export interface AwsStorageConfig {
  kind: 'aws';
  dynamodbTable: string;
  /** undefined = the AWS SDK's chain (AWS_REGION, the shared config). */
  dynamodbRegion?: string;
  dynamodbEndpoint?: string;
  s3Bucket: string;
  s3Region?: string;
  s3Endpoint?: string;
  /** Path-style S3 addressing (MinIO, Ceph, …); default: on when an endpoint is given. */
  s3PathStyle?: boolean;
  /** Create missing tables and the bucket (`--storage-create`). */
  create: boolean;
  /** Partition-key shards of the chunk table (fixed at creation). */
  shards?: number;
  /** Chunk rows up to this size stay in DynamoDB; larger ones go to S3. */
  inlineMaxBytes?: number;
  /** Static credentials; undefined = the AWS SDK's standard chain (env, shared config, instance role). */
  credentials?: AwsCredentials;
}

export type StorageConfig =
  | { kind: 'embedded' }
  | { kind: 'bigtable'; projectId: string; instanceId: string; tableId: string; emulatorHost?: string }
  | AwsStorageConfig;

/** What a table is for: `''` the chunks, otherwise a coordination purpose. */
export type StoragePurpose = '' | 'ring' | 'ha_tracker' | 'alertmanager';

/**
 * A sorted KV for one purpose: its own directory (embedded), or its own table (Bigtable, DynamoDB).
 * The DynamoDB chunk table keeps large chunk bodies in the S3 bucket.
 */
export async function openStorageKV(
  storage: StorageConfig,
  dataDir: string,
  purpose: StoragePurpose,
): Promise<SortedKV> {
  switch (storage.kind) {
    case 'embedded':
      return EmbeddedKV.open({ dir: join(dataDir, purpose === '' ? 'chunks' : purpose) });
    case 'bigtable':
      return BigtableKV.open({
        projectId: storage.projectId,
        instanceId: storage.instanceId,
        tableId: purpose === '' ? storage.tableId : `${storage.tableId}_${purpose}`,
        ...(storage.emulatorHost ? { apiEndpoint: storage.emulatorHost } : {}),
      });
    case 'aws': {
      const common = {
        ...(storage.dynamodbRegion ? { region: storage.dynamodbRegion } : {}),
        ...(storage.dynamodbEndpoint ? { endpoint: storage.dynamodbEndpoint } : {}),
        ...(storage.credentials ? { credentials: storage.credentials } : {}),
        create: storage.create,
      };
      if (purpose !== '')
        return DynamoKV.open({
          ...common,
          tableName: `${storage.dynamodbTable}_${purpose}`,
          layout: singlePartitionLayout,
          shards: 1,
        });
      const blobs = await S3BlobStore.open({
        bucket: storage.s3Bucket,
        ...(storage.s3Region ? { region: storage.s3Region } : {}),
        ...(storage.s3Endpoint ? { endpoint: storage.s3Endpoint } : {}),
        forcePathStyle: storage.s3PathStyle ?? storage.s3Endpoint !== undefined,
        ...(storage.credentials ? { credentials: storage.credentials } : {}),
        create: storage.create,
      });
      try {
        return await DynamoKV.open({
          ...common,
          tableName: storage.dynamodbTable,
          layout: chunkSchemaLayout,
          blobs,
          ...(storage.shards !== undefined ? { shards: storage.shards } : {}),
          ...(storage.inlineMaxBytes !== undefined ? { inlineMaxBytes: storage.inlineMaxBytes } : {}),
        });
      } catch (err) {
        await blobs.close();
        throw err;
      }
    }
  }
}

/** A one-line description for the start-up log (no secrets). */
export function describeStorage(storage: StorageConfig): string {
  switch (storage.kind) {
    case 'embedded':
      return 'embedded store';
    case 'bigtable':
      return `Bigtable ${storage.projectId}/${storage.instanceId}/${storage.tableId}${storage.emulatorHost ? ` (emulator ${storage.emulatorHost})` : ''}`;
    case 'aws':
      return `DynamoDB table ${storage.dynamodbTable}${storage.dynamodbEndpoint ? ` at ${storage.dynamodbEndpoint}` : ''} + S3 bucket ${storage.s3Bucket}${storage.s3Endpoint ? ` at ${storage.s3Endpoint}` : ''}`;
  }
}
