import { DynamoKV, type DynamoKVOptions } from '../../data-plane/storage/dynamodb/index.js';
import { S3BlobStore, type S3BlobStoreOptions } from '../../data-plane/storage/s3/index.js';
import { uniqueTableId } from '../fixtures/storage/emulator.js';
import { EMULATOR_AWS_CREDENTIALS } from './services.js';

/** A conformance fixture: the open store, a reopen on the same table, and a cleanup that closes it. */
export interface DynamoKVFixture {
  kv: DynamoKV;
  reopen(): Promise<DynamoKV>;
  cleanup(): Promise<void>;
}

/** Options for a DynamoKV on dynalite (static emulator credentials, a region, the endpoint). */
export function dynaliteOptions(endpoint: string, tableName: string): DynamoKVOptions {
  return { tableName, endpoint, region: 'us-east-1', credentials: EMULATOR_AWS_CREDENTIALS, create: true };
}

/** Options for an S3BlobStore on s3rver (path-style, its fixed credentials); the bucket is created. */
export function s3rverOptions(endpoint: string, bucket: string): S3BlobStoreOptions {
  return {
    bucket,
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: EMULATOR_AWS_CREDENTIALS,
    create: true,
  };
}

let seq = 0;
/** A bucket name no other test uses (3–63 lowercase letters, digits and dashes). */
export function uniqueBucket(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq++}`.toLowerCase().slice(0, 63);
}

/**
 * A DynamoKV on a table of its own on dynalite, with chunk bodies on s3rver when `s3` is given.
 * `reopen` closes it and opens a new client on the same table and bucket.
 */
export async function openDynamoKVFixture(
  endpoint: string,
  tablePrefix: string,
  options: Partial<DynamoKVOptions> & { s3?: string; bucket?: string; s3Options?: Partial<S3BlobStoreOptions> } = {},
): Promise<DynamoKVFixture> {
  const { s3, bucket: givenBucket, s3Options, ...rest } = options;
  const tableName = uniqueTableId(tablePrefix);
  const bucket = givenBucket ?? uniqueBucket(tablePrefix);
  const open = async () =>
    DynamoKV.open({
      ...dynaliteOptions(endpoint, tableName),
      ...(s3 ? { blobs: await S3BlobStore.open({ ...s3rverOptions(s3, bucket), ...s3Options }) } : {}),
      ...rest,
    });
  const fx: DynamoKVFixture = {
    kv: await open(),
    reopen: async () => {
      await fx.kv.close();
      fx.kv = await open();
      return fx.kv;
    },
    cleanup: () => fx.kv.close(),
  };
  return fx;
}
