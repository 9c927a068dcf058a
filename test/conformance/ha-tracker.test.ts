import { describe } from 'vitest';
import { runHaTrackerConformance } from '../../data-plane/distributor/ha-tracker.conformance.js';
import { KVHaTrackerStore } from '../../data-plane/distributor/index.js';
import { BigtableKV } from '../../data-plane/storage/bigtable/index.js';
import { DynamoKV, singlePartitionLayout } from '../../data-plane/storage/dynamodb/index.js';
import { uniqueTableId } from '../fixtures/storage/emulator.js';
import { dynaliteOptions } from '../helpers/aws-kv.js';
import { requireService } from '../helpers/require-service.js';

const emulator = requireService('bigtableEmulator');

describe.skipIf(!emulator)('HA tracker on Bigtable (CheckAndMutateRow) on the emulator', () => {
  runHaTrackerConformance('bigtable', async () => {
    // Each distributor opens its own BigtableKV on the `<table>_ha` table, as separate processes would.
    const opts = { projectId: 'test', instanceId: 'test', tableId: uniqueTableId('ha'), apiEndpoint: emulator! };
    const opened: BigtableKV[] = [];
    const connect = async () => {
      const kv = await BigtableKV.open(opts);
      opened.push(kv);
      return new KVHaTrackerStore(kv);
    };
    return {
      store: await connect(),
      connect,
      cleanup: async () => {
        await Promise.all(opened.map((kv) => kv.close()));
      },
    };
  });
});

const dynamodb = requireService('dynamodbEndpoint');

describe.skipIf(!dynamodb)('HA tracker on DynamoDB (conditional PutItem) on dynalite', () => {
  runHaTrackerConformance('dynamodb', async () => {
    const opts = { ...dynaliteOptions(dynamodb!, uniqueTableId('ha')), layout: singlePartitionLayout, shards: 1 };
    const opened: DynamoKV[] = [];
    const connect = async () => {
      const kv = await DynamoKV.open(opts);
      opened.push(kv);
      return new KVHaTrackerStore(kv);
    };
    return {
      store: await connect(),
      connect,
      cleanup: async () => {
        await Promise.all(opened.map((kv) => kv.close()));
      },
    };
  });
});
