import { describe } from 'vitest';
import { runChunkStoreConformance } from '../../data-plane/storage/chunkstore/chunk-store.conformance.js';
import { openBigtableKVFixture } from '../helpers/bigtable-kv.js';
import { requireService } from '../helpers/require-service.js';

const emulator = requireService('bigtableEmulator');

describe.skipIf(!emulator)('chunk store on Bigtable (emulator)', () => {
  runChunkStoreConformance('bigtable', () => openBigtableKVFixture(emulator!, 'chunks'));
});
