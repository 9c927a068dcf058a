import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedKV } from '../storage/embedded/index.js';
import { decodeRing, encodeRing } from './codec.js';
import { memoryRingKV, type RingKV, RingStore } from './store.js';
import type { InstanceDesc } from './types.js';

const inst = (id: string, tokens: number[] = []): InstanceDesc => ({
  id,
  addr: `http://${id}`,
  zone: '',
  state: 'ACTIVE',
  tokens,
  heartbeatMs: 1,
  registeredMs: 1,
});

describe('RingStore', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const embedded = async (): Promise<RingKV> => {
    const dir = await mkdtemp(join(tmpdir(), 'ring-store-'));
    const kv = await EmbeddedKV.open({ dir });
    cleanups.push(async () => {
      await kv.close();
      await rm(dir, { recursive: true, force: true });
    });
    return kv;
  };

  it.each([
    { name: 'embedded', make: embedded },
    { name: 'memory', make: async () => memoryRingKV() },
  ])('$name: concurrent updates all land (compare-and-set)', async ({ make }) => {
    const store = new RingStore(await make(), { backoffMs: 1, maxCasRetries: 100 });
    expect(await store.get('ingester')).toEqual({ instances: {} });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.cas('ingester', (d) => {
          d.instances[`i${i}`] = inst(`i${i}`, [i]);
          return d;
        }),
      ),
    );
    const desc = await store.get('ingester');
    expect(Object.keys(desc.instances).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `i${i}`).sort());
    // Rings are separate rows; a prefix keeps them apart from other keys.
    expect(await store.get('ruler')).toEqual({ instances: {} });
  });

  it('no change means no write', async () => {
    let writes = 0;
    const kv = memoryRingKV();
    const counting: RingKV = {
      get: (k, o) => kv.get(k, o),
      checkAndPut: (...a) => {
        writes++;
        return kv.checkAndPut(...a);
      },
    };
    const store = new RingStore(counting);
    await store.cas('r', () => undefined);
    await store.cas('r', (d) => {
      d.instances.a = inst('a');
      return d;
    });
    await store.cas('r', (d) => d);
    expect(writes).toBe(1);
  });

  it('gives up with UnavailableError after maxCasRetries lost races', async () => {
    const kv: RingKV = { get: async () => undefined, checkAndPut: async () => false };
    const store = new RingStore(kv, { maxCasRetries: 3, sleep: async () => {} });
    await expect(store.cas('r', (d) => d)).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('keyPrefix namespaces the rows', async () => {
    const kv = memoryRingKV();
    const a = new RingStore(kv, { keyPrefix: 'a/' });
    const b = new RingStore(kv, { keyPrefix: 'b/' });
    await a.cas('r', (d) => {
      d.instances.x = inst('x');
      return d;
    });
    expect(Object.keys((await b.get('r')).instances)).toEqual([]);
    expect(Object.keys((await a.get('r')).instances)).toEqual(['x']);
  });
});

describe('ring codec', () => {
  it('round-trips and sorts tokens', () => {
    const d = { instances: { b: inst('b', [3, 1, 2]), a: inst('a', [9]) } };
    const back = decodeRing(encodeRing(d));
    expect(back.instances.b?.tokens).toEqual([1, 2, 3]);
    expect(back.instances.a).toEqual(inst('a', [9]));
  });

  it.each([
    { name: 'garbage', bytes: 'not json' },
    { name: 'null', bytes: 'null' },
    { name: 'bad instances', bytes: '{"instances":[1]}' },
  ])('decodes $name as an empty ring', ({ bytes }) => {
    expect(decodeRing(new TextEncoder().encode(bytes))).toEqual({ instances: {} });
  });

  it('drops malformed instances, keeps the rest, and a __proto__ id stays data', () => {
    const text =
      '{"instances":{"ok":{"state":"ACTIVE","tokens":[1]},"bad":{"state":"NOPE","tokens":[]},' +
      '"neg":{"state":"ACTIVE","tokens":[-1]},"__proto__":{"state":"ACTIVE","tokens":[5]}}}';
    const d = decodeRing(new TextEncoder().encode(text));
    expect(Object.keys(d.instances).sort()).toEqual(['__proto__', 'ok']);
    const proto = '__proto__';
    expect(d.instances[proto]?.tokens).toEqual([5]);
  });
});
