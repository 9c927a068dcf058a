import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedKV } from '../storage/embedded/index.js';
import { runRingConformance } from './ring.conformance.js';
import { memoryRingKV } from './store.js';

runRingConformance('embedded', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ring-conf-'));
  const kv = await EmbeddedKV.open({ dir });
  return {
    kv,
    cleanup: async () => {
      await kv.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

runRingConformance('memory', async () => ({ kv: memoryRingKV(), cleanup: async () => {} }));
