import { describe } from 'vitest';
import { BigtableKV } from '../../data-plane/storage/bigtable/index.js';
import { runChunkStoreConformance } from '../../data-plane/storage/chunkstore/chunk-store.conformance.js';
import { uniqueTableId } from '../fixtures/storage/emulator.js';
import { requireService } from '../helpers/require-service.js';

const emulator = requireService('bigtableEmulator');

describe.skipIf(!emulator)('chunk store on Bigtable (emulator)', () => {
  runChunkStoreConformance('bigtable', async () => {
    const opts = { projectId: 'test', instanceId: 'test', tableId: uniqueTableId('chunks'), apiEndpoint: emulator! };
    const fx = {
      kv: await BigtableKV.open(opts),
      reopen: async () => {
        await fx.kv.close();
        fx.kv = await BigtableKV.open(opts);
        return fx.kv;
      },
      cleanup: async () => {
        await fx.kv.close();
      },
    };
    return fx;
  });
});
