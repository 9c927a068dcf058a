import { describe, expect, it } from 'vitest';
import { Labels, parseTenantId, UnavailableError } from '../model/index.js';
import type { ChunkStore, StoredChunk } from '../storage/index.js';
import { UsageRecorder } from '../usage/index.js';
import { MeteredChunkStore } from './index.js';

const acme = parseTenantId('acme');
const chunk = (i: number, bytes: number): StoredChunk => ({
  labels: Labels.fromObject({ __name__: 'up', i: String(i) }),
  mint: 0,
  maxt: 1,
  encoding: 1,
  data: new Uint8Array(bytes),
});

/** A store that fails the first `failures` puts. */
function store(failures = 0): ChunkStore {
  let n = 0;
  return {
    put: async () => {
      if (n++ < failures) throw new UnavailableError('store down');
    },
    queryable: () => {
      throw new Error('not used');
    },
    deleteTenant: async () => {},
    close: async () => {},
  };
}

describe('MeteredChunkStore', () => {
  it.each([
    { name: 'every chunk without an owner function (one process)', owner: undefined, want: 60 },
    { name: 'only the chunks of series this replica owns', owner: () => (l: Labels) => l.get('i') !== '1', want: 40 },
    { name: 'nothing when it owns none', owner: () => () => false, want: undefined },
  ])('meters stored_bytes: $name', async ({ owner, want }) => {
    const recorder = new UsageRecorder(() => 60_000);
    const s = new MeteredChunkStore(store(), recorder, owner);
    await s.put(acme, [chunk(0, 10), chunk(1, 20), chunk(2, 30)]);
    expect(recorder.drain()[0]?.counters.stored_bytes).toBe(want);
  });

  it('counts a put only once it succeeded (a failed one is retried and counted then)', async () => {
    const recorder = new UsageRecorder(() => 60_000);
    const s = new MeteredChunkStore(store(1), recorder);
    await expect(s.put(acme, [chunk(0, 10)])).rejects.toBeInstanceOf(UnavailableError);
    expect(recorder.drain()).toEqual([]);
    await s.put(acme, [chunk(0, 10)]);
    expect(recorder.drain()).toEqual([{ tenantId: 'acme', minuteMs: 60_000, counters: { stored_bytes: 10 } }]);
  });
});
