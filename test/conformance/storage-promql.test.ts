/**
 * The upstream PromQL test scripts run against the real chunk store (embedded KV, and Bigtable on
 * the emulator when it is installed) instead of the in-memory storage: loads become 120-sample XOR
 * chunks written through `put`, and every eval reads them back through the store's index and merge
 * iterator. Native histograms are stored as float histogram chunks (encoding 3) and read back the
 * same way. Evals skipped for the engine (promqltest/skips.ts) are skipped here too; every other
 * eval must pass. (An earlier list of histogram evals skipped only over the store is gone: with
 * histogram chunks every one of them passes.)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import { parseScript, ScriptRunner, skipReason } from '../../data-plane/promql/promqltest/index.js';
import { BigtableKV } from '../../data-plane/storage/bigtable/index.js';
import { KVChunkStore } from '../../data-plane/storage/chunkstore/index.js';
import { EmbeddedKV } from '../../data-plane/storage/embedded/index.js';
import type { SortedKV } from '../../data-plane/storage/kv/index.js';
import { ChunkStoreStorage } from '../fixtures/storage/chunk-store-storage.js';
import { uniqueTableId } from '../fixtures/storage/emulator.js';
import { requireService } from '../helpers/require-service.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = resolve(repoRoot, '../shared/promql-tests/testdata');
const present = existsSync(dir);
if (!present) console.warn(`\n!!! PromQL test files not found at ${dir}: the chunk-store PromQL run is SKIPPED !!!\n`);

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

const files = present
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.test'))
      .sort()
  : [];

describe.skipIf(!present).each(backends)('promql scripts over the chunk store: $name', ({ kv: openKV }) => {
  const kv = openKV();
  opened.push(kv);
  const store = kv.then((k) => new KVChunkStore({ kv: k }));
  for (const file of files) {
    describe(file, () => {
      const commands = parseScript(readFileSync(resolve(dir, file), 'utf8'));
      const runner = new ScriptRunner(commands, () => new ChunkStoreStorage(store));
      commands.forEach((c, i) => {
        if (c.kind !== 'eval') return;
        const name = `line ${c.line}: ${c.expr}`;
        const reason = skipReason(file, c.line);
        if (reason) {
          it.skip(`${name} (skipped: ${reason})`, () => {});
          return;
        }
        it(name, async () => {
          await runner.runEval(i);
        });
      });
    });
  }
});
