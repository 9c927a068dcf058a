export { type AwsCredentials, DynamoKV, type DynamoKVOptions, type DynamoKVStats } from './dynamo-kv.js';
export { chunkSchemaLayout, type KeyLayout, singlePartitionLayout } from './layout.js';
