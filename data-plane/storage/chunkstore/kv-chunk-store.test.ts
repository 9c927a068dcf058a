import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedKV } from '../embedded/index.js';
import { runChunkStoreConformance } from './chunk-store.conformance.js';

runChunkStoreConformance('embedded', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chunkstore-'));
  const fx = {
    kv: await EmbeddedKV.open({ dir, sync: false }),
    reopen: async () => {
      await fx.kv.close();
      fx.kv = await EmbeddedKV.open({ dir, sync: false });
      return fx.kv;
    },
    cleanup: async () => {
      await fx.kv.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fx;
});
