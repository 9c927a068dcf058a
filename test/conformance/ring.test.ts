import { describe } from 'vitest';
import { runRingConformance } from '../../data-plane/ring/ring.conformance.js';
import { BigtableKV } from '../../data-plane/storage/bigtable/index.js';
import { DynamoKV, singlePartitionLayout } from '../../data-plane/storage/dynamodb/index.js';
import { uniqueTableId } from '../fixtures/storage/emulator.js';
import { dynaliteOptions } from '../helpers/aws-kv.js';
import { requireService } from '../helpers/require-service.js';

const emulator = requireService('bigtableEmulator');

describe.skipIf(!emulator)('ring on Bigtable (CheckAndMutateRow) on the emulator', () => {
  runRingConformance('bigtable', async () => {
    // Every member and client opens its own BigtableKV, as separate processes would.
    const opts = { projectId: 'test', instanceId: 'test', tableId: uniqueTableId('ring'), apiEndpoint: emulator! };
    const opened: BigtableKV[] = [];
    const connect = async () => {
      const kv = await BigtableKV.open(opts);
      opened.push(kv);
      return kv;
    };
    return {
      kv: await connect(),
      connect,
      cleanup: async () => {
        await Promise.all(opened.map((kv) => kv.close()));
      },
    };
  });
});

const dynamodb = requireService('dynamodbEndpoint');

describe.skipIf(!dynamodb)('ring on DynamoDB (conditional PutItem) on dynalite', () => {
  runRingConformance('dynamodb', async () => {
    // Every member and client opens its own DynamoKV, as separate processes would.
    const opts = {
      ...dynaliteOptions(dynamodb!, uniqueTableId('ring')),
      layout: singlePartitionLayout,
      shards: 1,
    };
    const opened: DynamoKV[] = [];
    const connect = async () => {
      const kv = await DynamoKV.open(opts);
      opened.push(kv);
      return kv;
    };
    return {
      kv: await connect(),
      connect,
      cleanup: async () => {
        await Promise.all(opened.map((kv) => kv.close()));
      },
    };
  });
});
