/**
 * The upstream PromQL test scripts run against the real chunk store (embedded KV, and Bigtable on
 * the emulator when it is installed) instead of the in-memory storage: loads become 120-sample XOR
 * chunks written through `put`, and every eval reads them back through the store's index and merge
 * iterator. Native histograms are stored as histogram chunks and read back the same way; series
 * with start timestamps go into the chunk encodings that keep them (XOR2, HistogramST,
 * FloatHistogramST). Every eval must pass.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { ScriptRunner } from '../../data-plane/promql/promqltest/index.js';
import { BigtableKV } from '../../data-plane/storage/bigtable/index.js';
import { KVChunkStore } from '../../data-plane/storage/chunkstore/index.js';
import { EmbeddedKV } from '../../data-plane/storage/embedded/index.js';
import type { SortedKV } from '../../data-plane/storage/kv/index.js';
import { ChunkStoreStorage } from '../fixtures/storage/chunk-store-storage.js';
import { uniqueTableId } from '../fixtures/storage/emulator.js';
import { describeScripts, SCRIPT_DIR, scriptsPresent } from '../helpers/promql-scripts.js';
import { requireService } from '../helpers/require-service.js';

if (!scriptsPresent) {
  console.warn(`\n!!! PromQL test files not found at ${SCRIPT_DIR}: the chunk-store PromQL run is SKIPPED !!!\n`);
}

const emulator = requireService('bigtableEmulator');
const dataDir = mkdtempSync(join(tmpdir(), 'storage-promql-'));

/** One store per backend, shared by every script (each storage instance is its own tenant). */
const backends: { name: string; kv: () => Promise<SortedKV> }[] = [
  { name: 'embedded', kv: () => EmbeddedKV.open({ dir: dataDir, sync: false }) },
  ...(emulator
    ? [
        {
          name: 'bigtable',
          kv: () =>
            BigtableKV.open({
              projectId: 'test',
              instanceId: 'test',
              tableId: uniqueTableId('promql'),
              apiEndpoint: emulator,
            }),
        },
      ]
    : []),
];
const opened: Promise<SortedKV>[] = [];

afterAll(async () => {
  for (const kv of opened) await (await kv).close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!scriptsPresent).each(backends)('promql scripts over the chunk store: $name', ({ kv: openKV }) => {
  const kv = openKV();
  opened.push(kv);
  const store = kv.then((k) => new KVChunkStore({ kv: k }));
  describeScripts((commands) => new ScriptRunner(commands, () => new ChunkStoreStorage(store)));
});
