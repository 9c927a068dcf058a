import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BigtableKV } from '../../data-plane/storage/bigtable/index.js';
import { runSortedKVConformance } from '../../data-plane/storage/kv/sorted-kv.conformance.js';
import { type RestartableEmulator, startEmulatorOnPort } from '../fixtures/storage/emulator.js';
import { openBigtableKVFixture } from '../helpers/bigtable-kv.js';
import { requireService } from '../helpers/require-service.js';
import { freePort } from '../helpers/services.js';

const emulator = requireService('bigtableEmulator');

describe.skipIf(!emulator)('Bigtable SortedKV on the emulator', () => {
  runSortedKVConformance('bigtable', () => openBigtableKVFixture(emulator!, 'kv'));
});

describe.skipIf(!emulator)('Bigtable SortedKV with row sets larger than one request', () => {
  it('splits getMany and scanMany into several ReadRows and merges them in key order', async () => {
    const { kv } = await openBigtableKVFixture(emulator!, 'kv-big');
    try {
      const key = (i: number) => new TextEncoder().encode(`k${String(i).padStart(6, '0')}`);
      const n = 12_000;
      await kv.put(Array.from({ length: n }, (_, i) => ({ key: key(i), value: new Uint8Array([i & 0xff]) })));
      const asked = Array.from({ length: n + 1 }, (_, i) => key(n - i));
      const got = await kv.getMany(asked);
      expect(got[0]).toBeUndefined();
      expect(got.slice(1).map((v) => v?.[0])).toEqual(asked.slice(1).map((_, i) => (n - 1 - i) & 0xff));
      // Ranges in reverse order, each twice, across three requests.
      const ranges = Array.from({ length: n }, (_, i) => ({ prefix: key(n - 1 - (i % (n / 2))) }));
      const scanned = await kv.scanMany(ranges, { keysOnly: true });
      expect(scanned.map((e) => new TextDecoder().decode(e.key))).toEqual(
        Array.from({ length: n / 2 }, (_, i) => `k${String(n / 2 + i).padStart(6, '0')}`),
      );
      expect(await kv.scanMany(ranges, { limit: 3 })).toHaveLength(3);
    } finally {
      await kv.close();
    }
  });
});

describe.skipIf(!emulator)('Bigtable SortedKV without admin prefix deletes', () => {
  // Service accounts without table-admin rights delete prefixes row by row.
  runSortedKVConformance('bigtable (dropRowRange off)', () =>
    openBigtableKVFixture(emulator!, 'kv-nodrop', { dropRowRange: false }),
  );
});

describe.skipIf(!emulator)('Bigtable SortedKV when the server goes away', () => {
  let emu: RestartableEmulator;
  beforeAll(async () => {
    emu = await startEmulatorOnPort(await freePort());
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('put rejects with kind unavailable while the emulator is down and succeeds on retry after', async () => {
    const kv = await BigtableKV.open({
      projectId: 'test',
      instanceId: 'test',
      tableId: 'outage',
      apiEndpoint: emu.address,
      maxRetries: 1,
      timeoutMs: 5_000,
    });
    try {
      const entry = { key: new Uint8Array([1, 2, 3]), value: new Uint8Array([9]) };
      await kv.put([entry]);
      await emu.stop();
      const err = await kv.put([entry]).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'UnavailableError', kind: 'unavailable' });
      await emu.start();
      // The restarted emulator is empty: the store recreates its table and a retried put lands. The
      // gRPC channel may still be in its reconnect backoff, so retry as the flush loop does (bounded).
      for (let attempt = 0; ; attempt++) {
        try {
          await kv.put([entry]);
          break;
        } catch (e) {
          expect(e).toMatchObject({ kind: 'unavailable' });
          if (attempt >= 40) throw e;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      expect([...((await kv.get(entry.key)) ?? [])]).toEqual([9]);
    } finally {
      await kv.close();
    }
  });
});
