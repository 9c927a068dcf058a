import { describe, expect, it } from 'vitest';
import { BadDataError, type TenantId } from '../model/index.js';
import { HaTracker, type HaTrackerStore, InMemoryHaTrackerStore, type ReplicaDesc } from './index.js';

const t = 'acme' as TenantId;

function tracker(store: HaTrackerStore = new InMemoryHaTrackerStore(), updateTimeoutMs = 15_000) {
  const clock = { now: () => 0 };
  return { h: new HaTracker({ store, clock, updateTimeoutMs }), clock, store };
}

describe('HaTracker', () => {
  // Steps of one scenario: at time `at`, replica `replica` sends; expected decision.
  const scenario: { at: number; replica: string; accepted: boolean; failover?: boolean }[] = [
    { at: 0, replica: 'a', accepted: true },
    { at: 1_000, replica: 'b', accepted: false },
    { at: 10_000, replica: 'a', accepted: true },
    { at: 20_000, replica: 'a', accepted: true }, // refreshes receivedAt to 20 s (older than 15 s)
    { at: 49_999, replica: 'b', accepted: false },
    { at: 50_000, replica: 'b', accepted: true, failover: true },
    { at: 50_001, replica: 'a', accepted: false },
    { at: 79_999, replica: 'c', accepted: false },
  ];
  it('follows the election scenario step by step', async () => {
    const { h, clock } = tracker();
    for (const step of scenario) {
      clock.now = () => step.at;
      const d = await h.checkReplica(t, 'prom', step.replica, 30_000, 0);
      expect({ at: step.at, accepted: d.accepted }).toEqual({ at: step.at, accepted: step.accepted });
      if (d.accepted) expect(d.failover).toBe(step.failover ?? false);
    }
  });

  it('keeps clusters and tenants apart', async () => {
    const { h } = tracker();
    await h.checkReplica(t, 'c1', 'a', 30_000, 0);
    expect((await h.checkReplica(t, 'c2', 'b', 30_000, 0)).accepted).toBe(true);
    expect((await h.checkReplica('other' as TenantId, 'c1', 'b', 30_000, 0)).accepted).toBe(true);
    expect((await h.checkReplica(t, 'c1', 'b', 30_000, 0)).accepted).toBe(false);
  });

  it('treats a __proto__ cluster name as data', async () => {
    const { h } = tracker();
    await h.checkReplica(t, '__proto__', 'a', 30_000, 0);
    expect(await h.checkReplica(t, '__proto__', 'b', 30_000, 0)).toEqual({ accepted: false, elected: 'a' });
  });

  it('enforces the cluster limit only for new clusters', async () => {
    const { h } = tracker();
    await h.checkReplica(t, 'c1', 'a', 30_000, 1);
    await expect(h.checkReplica(t, 'c1', 'a', 30_000, 1)).resolves.toMatchObject({ accepted: true });
    await expect(h.checkReplica(t, 'c2', 'a', 30_000, 1)).rejects.toThrow(BadDataError);
  });

  it('forgets clusters silent for 30 minutes, so they stop counting against the limit', async () => {
    const { h, clock } = tracker();
    await h.checkReplica(t, 'old', 'a', 30_000, 1);
    clock.now = () => 30 * 60_000 - 1;
    await expect(h.checkReplica(t, 'new', 'a', 30_000, 1)).rejects.toThrow(BadDataError);
    clock.now = () => 30 * 60_000 + 1;
    await expect(h.checkReplica(t, 'new', 'a', 30_000, 1)).resolves.toMatchObject({ accepted: true });
  });

  it('retries when it loses a compare-and-swap race and respects the winner', async () => {
    const inner = new InMemoryHaTrackerStore();
    let raced = false;
    // Another distributor elects replica "b" between our read and our write.
    const racing: HaTrackerStore = {
      get: (tn, c) => inner.get(tn, c),
      clusterCount: (tn) => inner.clusterCount(tn),
      removeStale: (tn, before) => inner.removeStale(tn, before),
      async compareAndSwap(tn, c, prev: ReplicaDesc | undefined, next) {
        if (!raced) {
          raced = true;
          await inner.compareAndSwap(tn, c, undefined, { replica: 'b', receivedAt: 0 });
        }
        return inner.compareAndSwap(tn, c, prev, next);
      },
    };
    const { h } = tracker(racing);
    expect(await h.checkReplica(t, 'prom', 'a', 30_000, 0)).toEqual({ accepted: false, elected: 'b' });
  });

  it('compareAndSwap in memory only writes over the expected value', async () => {
    const s = new InMemoryHaTrackerStore();
    expect(await s.compareAndSwap(t, 'c', undefined, { replica: 'a', receivedAt: 1 })).toBe(true);
    expect(await s.compareAndSwap(t, 'c', undefined, { replica: 'b', receivedAt: 2 })).toBe(false);
    expect(await s.compareAndSwap(t, 'c', { replica: 'a', receivedAt: 0 }, { replica: 'b', receivedAt: 2 })).toBe(
      false,
    );
    expect(await s.compareAndSwap(t, 'c', { replica: 'a', receivedAt: 1 }, { replica: 'b', receivedAt: 2 })).toBe(true);
    expect(await s.get(t, 'c')).toEqual({ replica: 'b', receivedAt: 2 });
  });
});
