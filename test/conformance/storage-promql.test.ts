/**
 * The upstream PromQL test scripts run against the real chunk store (embedded KV, and Bigtable on
 * the emulator when it is installed) instead of the in-memory storage: loads become 120-sample XOR
 * chunks written through `put`, and every eval reads them back through the store's index and merge
 * iterator. Evals skipped for the engine
 * (promqltest/skips.ts) are skipped here too. Histogram samples are dropped on load (chunkenc has no
 * histogram encoding yet); the evals that then cannot pass are listed in
 * test/fixtures/storage/promql-histogram-skips.ts. Every other eval, including float-only evals in
 * scripts that also load histograms, must pass.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import { type Command, parseScript, ScriptRunner, skipReason } from '../../data-plane/promql/promqltest/index.js';
import { BigtableKV } from '../../data-plane/storage/bigtable/index.js';
import { KVChunkStore } from '../../data-plane/storage/chunkstore/index.js';
import { EmbeddedKV } from '../../data-plane/storage/embedded/index.js';
import type { SortedKV } from '../../data-plane/storage/kv/index.js';
import { ChunkStoreStorage } from '../fixtures/storage/chunk-store-storage.js';
import { uniqueTableId } from '../fixtures/storage/emulator.js';
import { HISTOGRAM_EVALS } from '../fixtures/storage/promql-histogram-skips.js';
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

const HISTOGRAMS = 'native histogram samples: the chunk store has no histogram chunk encoding yet';

/** For each command index, whether the data loaded since the last `clear` holds histograms. */
function histogramData(commands: Command[]): boolean[] {
  let seen = false;
  return commands.map((c) => {
    if (c.kind === 'clear') seen = false;
    if (
      c.kind === 'load' &&
      (c.nhcb || c.series.some((s) => s.values.some((v) => v !== undefined && v !== null && 'h' in v)))
    ) {
      seen = true;
    }
    return seen;
  });
}

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
      const hist = histogramData(commands);
      // Histogram samples are dropped on load; every eval that could see them is skipped below.
      const runner = new ScriptRunner(commands, () => new ChunkStoreStorage(store, { dropHistograms: true }));
      commands.forEach((c, i) => {
        if (c.kind !== 'eval') return;
        const name = `line ${c.line}: ${c.expr}`;
        const reason =
          skipReason(file, c.line) ?? (hist[i] && HISTOGRAM_EVALS.get(file)?.has(c.line) ? HISTOGRAMS : undefined);
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
