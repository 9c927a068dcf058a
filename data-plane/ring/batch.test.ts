import { describe, expect, it } from 'vitest';
import { doBatch } from './batch.js';
import type { InstanceDesc, ReplicationSet } from './types.js';

const inst = (id: string): InstanceDesc => ({
  id,
  addr: id,
  zone: '',
  state: 'ACTIVE',
  tokens: [],
  heartbeatMs: 0,
  registeredMs: 0,
});
const set = (idList: string[], maxErrors: number): ReplicationSet => ({ instances: idList.map(inst), maxErrors });

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('doBatch', () => {
  it.each([
    { name: 'all replicas succeed', fail: [] as string[], ok: [true, true] },
    { name: 'one failed replica is tolerated', fail: ['b'], ok: [true, true] },
    { name: 'two failed replicas fail items that have both', fail: ['b', 'c'], ok: [false, true] },
    { name: 'everything down', fail: ['a', 'b', 'c', 'd'], ok: [false, false] },
  ])('$name', async ({ fail, ok }) => {
    const calls: [string, number[]][] = [];
    const res = await doBatch([set(['a', 'b', 'c'], 1), set(['a', 'd', 'e'], 1)], async (i, items) => {
      calls.push([i.id, items]);
      if (fail.includes(i.id)) throw new Error(`down: ${i.id}`);
    });
    expect(res.outcomes.map((o) => o.ok)).toEqual(ok);
    expect(res.failed).toEqual(ok.flatMap((x, i) => (x ? [] : [i])));
    // One call per instance, with all of its items.
    expect(new Map(calls)).toEqual(
      new Map([
        ['a', [0, 1]],
        ['b', [0]],
        ['c', [0]],
        ['d', [1]],
        ['e', [1]],
      ]),
    );
    for (const o of res.outcomes) if (!o.ok) expect(String(o.error)).toMatch(/down/);
    await res.settled;
  });

  it('resolves at quorum without waiting for (or canceling) a straggler', async () => {
    const slow = deferred();
    let slowDone = false;
    const res = await doBatch([set(['a', 'b', 'c'], 1)], async (i) => {
      if (i.id === 'c') {
        await slow.promise;
        slowDone = true;
      }
    });
    expect(res.outcomes).toEqual([{ ok: true }]);
    expect(slowDone).toBe(false);
    slow.resolve();
    await res.settled;
    expect(slowDone).toBe(true);
  });

  it('fails as soon as more than maxErrors replicas failed', async () => {
    const slow = deferred();
    const res = await doBatch([set(['a', 'b', 'c'], 1)], async (i) => {
      if (i.id === 'a') await slow.promise;
      else throw new Error(`x${i.id}`);
    });
    expect(res.outcomes[0]).toMatchObject({ ok: false });
    slow.resolve();
    await res.settled;
  });

  it('a synchronous throw in send counts as that replica failing', async () => {
    const res = await doBatch([set(['a'], 0)], (() => {
      throw new Error('sync');
    }) as never);
    expect(res.outcomes[0]).toMatchObject({ ok: false });
  });

  it('empty input and empty sets', async () => {
    expect((await doBatch([], async () => {})).outcomes).toEqual([]);
    const res = await doBatch([set([], 0)], async () => {});
    expect(res.outcomes[0]).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
  });

  it('abort fails undecided items with CanceledError; calls already sent still complete', async () => {
    const slow = deferred();
    const ac = new AbortController();
    const p = doBatch(
      [set(['a'], 0)],
      async () => {
        await slow.promise;
      },
      { signal: ac.signal },
    );
    ac.abort();
    const res = await p;
    expect(res.outcomes[0]).toMatchObject({ ok: false, error: { kind: 'canceled' } });
    slow.resolve();
    await res.settled;
  });
});
