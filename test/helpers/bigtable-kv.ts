import { BigtableKV, type BigtableKVOptions } from '../../data-plane/storage/bigtable/index.js';
import { uniqueTableId } from '../fixtures/storage/emulator.js';

/** A conformance fixture: the open store, a reopen on the same table, and a cleanup that closes it. */
export interface BigtableKVFixture {
  kv: BigtableKV;
  reopen(): Promise<BigtableKV>;
  cleanup(): Promise<void>;
}

/**
 * A BigtableKV on a table of its own on the emulator. `reopen` closes it and opens a new client on
 * the same table (the data lives in the server, not in the client); closing is idempotent.
 */
export async function openBigtableKVFixture(
  emulator: string,
  tablePrefix: string,
  options: Partial<BigtableKVOptions> = {},
): Promise<BigtableKVFixture> {
  const opts: BigtableKVOptions = {
    projectId: 'test',
    instanceId: 'test',
    tableId: uniqueTableId(tablePrefix),
    apiEndpoint: emulator,
    ...options,
  };
  const fx: BigtableKVFixture = {
    kv: await BigtableKV.open(opts),
    reopen: async () => {
      await fx.kv.close();
      fx.kv = await BigtableKV.open(opts);
      return fx.kv;
    },
    cleanup: () => fx.kv.close(),
  };
  return fx;
}
