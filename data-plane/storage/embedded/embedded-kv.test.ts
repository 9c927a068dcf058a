import { appendFile, mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSortedKVConformance } from '../kv/sorted-kv.conformance.js';
import { EmbeddedKV } from './index.js';

async function tempDir(): Promise<string> {
  return await mkdtemp(join(tmpdir(), 'embedded-kv-'));
}

runSortedKVConformance('embedded', async () => {
  const dir = await tempDir();
  const fx = {
    kv: await EmbeddedKV.open({ dir }),
    reopen: async () => {
      await fx.kv.close();
      fx.kv = await EmbeddedKV.open({ dir });
      return fx.kv;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  return fx;
});

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);
const keys = async (kv: EmbeddedKV) => (await kv.scan({})).map((e) => new TextDecoder().decode(e.key));
/** Opens, lists the keys and closes again. */
const keysAfterOpen = async (dir: string) => {
  const kv = await EmbeddedKV.open({ dir });
  try {
    return await keys(kv);
  } finally {
    await kv.close();
  }
};

describe('EmbeddedKV durability', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const fresh = async () => {
    const d = await tempDir();
    dirs.push(d);
    return d;
  };

  const tornCases = [
    { name: 'half a header', cut: 3 },
    { name: 'header without payload', cut: 8 },
    { name: 'payload missing its last byte', cut: -1 },
  ];
  it.each(tornCases)('drops a torn last batch: $name', async ({ cut }) => {
    const dir = await fresh();
    const kv = await EmbeddedKV.open({ dir });
    await kv.put([{ key: b('a'), value: b('1') }]);
    const before = kv.logBytes;
    await kv.put([
      { key: b('b'), value: b('2') },
      { key: b('c'), value: b('3') },
    ]);
    const after = kv.logBytes;
    await kv.close();
    await truncate(join(dir, 'kv.log'), cut > 0 ? before + cut : after + cut);
    const again = await EmbeddedKV.open({ dir });
    // All or nothing: the torn batch leaves neither b nor c behind.
    expect(await keys(again)).toEqual(['a']);
    expect((await stat(join(dir, 'kv.log'))).size).toBe(before);
    await again.put([{ key: b('d'), value: b('4') }]);
    await again.close();
    expect(await keysAfterOpen(dir)).toEqual(['a', 'd']);
  });

  it('stops at a corrupt record and keeps the good prefix', async () => {
    const dir = await fresh();
    const kv = await EmbeddedKV.open({ dir });
    await kv.put([{ key: b('a'), value: b('1') }]);
    await kv.close();
    await appendFile(join(dir, 'kv.log'), new Uint8Array([4, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9]));
    expect(await keysAfterOpen(dir)).toEqual(['a']);
  });

  it('opens an empty or missing log', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'kv.log'), new Uint8Array(0));
    expect(await keysAfterOpen(dir)).toEqual([]);
    expect(await keysAfterOpen(join(dir, 'sub'))).toEqual([]);
  });

  it('compacts when garbage dominates, keeping live data', async () => {
    const dir = await fresh();
    const kv = await EmbeddedKV.open({ dir, compactMinBytes: 1000, compactRatio: 2 });
    const value = new Uint8Array(100);
    for (let round = 0; round < 30; round++) {
      await kv.put([
        { key: b('x'), value },
        { key: b(`r${round % 3}`), value },
      ]);
    }
    await kv.deleteRange({ prefix: b('r2') });
    // 60 puts of ~100 bytes were written; only 3 keys are live, so the log must have been rewritten.
    expect(kv.logBytes).toBeLessThan(1000);
    expect(await keys(kv)).toEqual(['r0', 'r1', 'x']);
    await kv.close();
    expect(await keysAfterOpen(dir)).toEqual(['r0', 'r1', 'x']);
  });

  it('deletes many single keys, re-adds some, and replays the same state', async () => {
    const dir = await fresh();
    const kv = await EmbeddedKV.open({ dir });
    const key = (i: number) => b(`k${String(i).padStart(5, '0')}`);
    await kv.put(Array.from({ length: 3000 }, (_, i) => ({ key: key(i), value: b(String(i)) })));
    // Enough single-key deletes to make the in-memory index rebuild its sorted array.
    await kv.deleteKeys(Array.from({ length: 2500 }, (_, i) => key(i)));
    await kv.put([0, 7, 2499].map((i) => ({ key: key(i), value: b('again') })));
    const want = [0, 7, 2499, ...Array.from({ length: 500 }, (_, i) => 2500 + i)].map(
      (i) => `k${String(i).padStart(5, '0')}`,
    );
    expect(await keys(kv)).toEqual(want);
    expect(await kv.scan({ start: key(1), end: key(2500) })).toHaveLength(2);
    await kv.close();
    expect(await keysAfterOpen(dir)).toEqual(want);
  });

  it('keeps a directory to one open store', async () => {
    const dir = await fresh();
    const kv = await EmbeddedKV.open({ dir });
    await expect(EmbeddedKV.open({ dir })).rejects.toMatchObject({ kind: 'conflict' });
    await kv.close();
    // A live foreign process holding the lock (pid 1 always exists) keeps others out.
    await writeFile(join(dir, 'LOCK'), '1');
    await expect(EmbeddedKV.open({ dir })).rejects.toMatchObject({ kind: 'conflict' });
    // A lock left by a process that is gone is taken over.
    await writeFile(join(dir, 'LOCK'), String(2 ** 22 + 12345));
    const again = await EmbeddedKV.open({ dir });
    await again.close();
  });

  it('rejects calls after close', async () => {
    const kv = await EmbeddedKV.open({ dir: await fresh() });
    await kv.close();
    await expect(kv.get(b('a'))).rejects.toMatchObject({ kind: 'internal' });
    await expect(kv.put([{ key: b('a'), value: b('1') }])).rejects.toMatchObject({ kind: 'internal' });
  });
});

describe('EmbeddedKV reads and the event loop', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  /** 2,000 keys, and whether an immediate queued before `read` ran before it resolved. */
  const probe = async (
    readSliceMs: number | undefined,
    read: (kv: EmbeddedKV, ks: Uint8Array[]) => Promise<unknown>,
  ) => {
    const dir = await tempDir();
    dirs.push(dir);
    const kv = await EmbeddedKV.open({ dir, sync: false, ...(readSliceMs === undefined ? {} : { readSliceMs }) });
    const ks = Array.from({ length: 2000 }, (_, i) => b(`k${String(i).padStart(5, '0')}`));
    await kv.put(ks.map((key) => ({ key, value: key })));
    await new Promise((r) => setImmediate(r));
    let turn = false;
    setImmediate(() => {
      turn = true;
    });
    const got = await read(kv, ks);
    const turned = turn;
    await kv.close();
    return { turn: turned, got };
  };

  // The store answers from memory: without turns, a read of a tenant's whole index was one chain of
  // microtasks that kept every other request waiting (seconds for 100,000 series; issue #24).
  it.each([
    { name: 'getMany', read: (kv: EmbeddedKV, ks: Uint8Array[]) => kv.getMany(ks) },
    {
      name: 'scanMany over disjoint ranges',
      read: (kv: EmbeddedKV, ks: Uint8Array[]) =>
        kv.scanMany(ks.map((k) => ({ start: k, end: new Uint8Array([...k, 0]) }))),
    },
  ])('$name gives the event loop a turn once reads have held it past the slice', async ({ read }) => {
    const { turn, got } = await probe(0, read);
    expect(turn).toBe(true);
    expect((got as unknown[]).length).toBe(2000);
  });

  it('a short read holds its turn and answers at once', async () => {
    const { turn, got } = await probe(undefined, (kv, ks) => kv.getMany(ks.slice(0, 10)));
    expect(turn).toBe(false);
    expect((got as Uint8Array[]).map((v) => new TextDecoder().decode(v))).toEqual(
      Array.from({ length: 10 }, (_, i) => `k${String(i).padStart(5, '0')}`),
    );
  });
});
