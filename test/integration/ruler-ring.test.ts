/**
 * Ruler sharding on the real ring: rulers register in a `ruler` ring (Lifecycler + RingStore on the
 * embedded KV), each reads it through its own RingClient, and they share one clock and one storage.
 * Every group must be evaluated exactly once per interval across the rulers, and the groups of a
 * ruler that leaves (clean shutdown) or dies (heartbeat timeout) must move with no double evaluation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTenantId, type QueryTenant } from '../../data-plane/model/index.js';
import { Lifecycler, RingClient, RingStore } from '../../data-plane/ring/index.js';
import { alertsResponse, MemoryRuleBackend, Ruler, StaticRuleGroupSource } from '../../data-plane/ruler/index.js';
import { EmbeddedKV } from '../../data-plane/storage/embedded/index.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const T = parseTenantId('sharded');
const GROUPS = 24;

interface Member {
  lc: Lifecycler;
  ring: RingClient;
  ruler: Ruler;
  beating: boolean;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster(ids: string[], opts: { shardSize?: number } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'ruler-ring-'));
  const kv = await EmbeddedKV.open({ dir });
  cleanups.push(async () => {
    await kv.close();
    await rm(dir, { recursive: true, force: true });
  });
  const clock = { t: T0, now: () => clock.t };
  const store = new RingStore(kv, { backoffMs: 1, maxCasRetries: 200 });
  const source = new StaticRuleGroupSource();
  source.set(T, [
    ...Array.from({ length: GROUPS }, (_, i) => ({
      namespace: `ns${i % 4}`,
      group: { name: `g${i}`, rules: [{ record: `r:g${i}`, expr: `vector(${i})` }] },
    })),
    {
      namespace: 'alerts',
      group: { name: 'slow', rules: [{ alert: 'Slow', expr: 'absent(nothing)', for: '30m' }] },
    },
  ]);
  const backend = new MemoryRuleBackend();
  /** Evaluations per `expr@ts` (recording rules run one query per evaluation). */
  const evals = new Map<string, number>();
  const members = new Map<string, Member>();
  const join_ = async (id: string) => {
    const lc = new Lifecycler({
      store,
      ringName: 'ruler',
      id,
      addr: `http://${id}:9009`,
      numTokens: 32,
      heartbeatPeriodMs: 3_600_000, // heartbeats are driven by `step`
      now: clock.now,
    });
    const ring = new RingClient(store, 'ruler', {
      replicationFactor: 1,
      heartbeatTimeoutMs: MIN,
      pollIntervalMs: 3_600_000, // refreshed by `step`
      now: clock.now,
    });
    const ruler = new Ruler({
      source,
      query: async (tenant: QueryTenant, q: string, t: number) => {
        if (q.startsWith('vector(')) evals.set(`${q}@${t}`, (evals.get(`${q}@${t}`) ?? 0) + 1);
        return backend.query(tenant, q, t);
      },
      writer: backend,
      limits: { get: (_t, key) => (key === 'ruler_tenant_shard_size' ? (opts.shardSize ?? 0) : 0) },
      clock,
      ring: { ring, instanceId: id },
    });
    await lc.start();
    await ring.start();
    cleanups.push(async () => {
      lc.stop();
      ring.stop();
      ruler.stop();
    });
    members.set(id, { lc, ring, ruler, beating: true });
  };
  for (const id of ids) await join_(id);
  /** What the members' timers do, in lock step: heartbeat, ring poll, sync, due evaluations. */
  const step = async (t: number) => {
    clock.t = t;
    for (const m of members.values()) if (m.beating) await m.lc.heartbeat();
    for (const m of members.values()) await m.ring.refresh();
    for (const m of members.values()) m.ruler.sync();
    await Promise.all([...members.values()].map((m) => m.ruler.evaluateDue(t)));
  };
  const run = async (from: number, to: number) => {
    for (let t = from; t <= to; t += 5_000) await step(t);
  };
  const owned = (id: string) =>
    members
      .get(id)!
      .ruler.groups(T)
      .map((g) => g.cfg.name);
  return { clock, members, evals, step, run, owned, join: join_ };
}

const allNames = [...Array.from({ length: GROUPS }, (_, i) => `g${i}`), 'slow'].sort();

describe('ruler sharding on the ring (embedded KV)', () => {
  it.each([2, 3])('%i rulers: every group evaluated exactly once per interval', async (n) => {
    const c = await cluster(Array.from({ length: n }, (_, i) => `ruler-${i}`));
    await c.run(T0, T0 + 5 * MIN);
    const per = [...c.members.keys()].map((id) => c.owned(id));
    expect(per.flat().sort()).toEqual(allNames);
    for (const groups of per) expect(groups.length).toBeGreaterThan(0);
    // Slots in [T0, T0+5m]: the first slot at or before T0 is skipped (a previous owner might have
    // run it), then one per minute.
    expect(c.evals.size).toBe(5 * GROUPS);
    expect([...c.evals.values()].every((v) => v === 1)).toBe(true);
  });

  it('a ruler that leaves hands over its groups (alert state restored); one that dies loses them after the heartbeat timeout', async () => {
    const c = await cluster(['a', 'b', 'c']);
    await c.run(T0, T0 + 6 * MIN);
    const slowOwner = [...c.members.keys()].find((id) => c.owned(id).includes('slow'))!;
    const pendingSince = String(alertsResponse(c.members.get(slowOwner)!.ruler, T).alerts[0]!.activeAt);
    expect(alertsResponse(c.members.get(slowOwner)!.ruler, T).alerts[0]!.state).toBe('pending');

    // The owner of 'slow' shuts down cleanly: LEAVING, then unregistered.
    const leaving = c.members.get(slowOwner)!;
    leaving.ruler.stop();
    await leaving.lc.leave();
    c.members.delete(slowOwner);
    await c.run(T0 + 6 * MIN + 5_000, T0 + 10 * MIN);
    const rest = [...c.members.keys()];
    expect(rest.flatMap((id) => c.owned(id)).sort()).toEqual(allNames);
    // The new owner restored the pending alert's progress from ALERTS_FOR_STATE (Prometheus's
    // restore shifts activeAt by the time nobody evaluated it, so `for` keeps counting).
    const newOwner = rest.find((id) => c.owned(id).includes('slow'))!;
    const moved = alertsResponse(c.members.get(newOwner)!.ruler, T).alerts[0]!;
    expect(moved.state).toBe('pending');
    const activeAt = Date.parse(String(moved.activeAt));
    expect(activeAt).toBeLessThan(T0 + 6 * MIN);
    expect(activeAt).toBeGreaterThanOrEqual(Date.parse(pendingSince));

    // One of the two left dies: no more heartbeats, but its process keeps running and syncing.
    const [dead, alive] = rest as [string, string];
    c.members.get(dead)!.beating = false;
    c.members.get(dead)!.lc.stop();
    const deadAt = T0 + 10 * MIN;
    // Before the timeout the dead ruler still owns its groups (nobody else runs them).
    await c.run(deadAt + 5_000, deadAt + 50_000);
    expect(c.owned(dead).length).toBeGreaterThan(0);
    await c.run(deadAt + 55_000, deadAt + 5 * MIN);
    expect(c.owned(dead)).toEqual([]);
    expect(c.owned(alive).sort()).toEqual(allNames);
    for (const g of c.members.get(alive)!.ruler.groups(T)) expect(g.lastEvaluation).toBeGreaterThan(deadAt + 4 * MIN);
    expect([...c.evals.values()].every((v) => v === 1)).toBe(true);
  });

  it('a ruler that joins takes over its share', async () => {
    const c = await cluster(['a']);
    await c.run(T0, T0 + 2 * MIN);
    expect(c.owned('a').sort()).toEqual(allNames);
    await c.join('b');
    await c.run(T0 + 2 * MIN + 5_000, T0 + 5 * MIN);
    expect(c.owned('b').length).toBeGreaterThan(0);
    expect([...c.owned('a'), ...c.owned('b')].sort()).toEqual(allNames);
    expect([...c.evals.values()].every((v) => v === 1)).toBe(true);
  });

  it('ruler_tenant_shard_size = 1 keeps a tenant on one ruler, and moves it whole when that ruler leaves', async () => {
    const c = await cluster(['a', 'b', 'c'], { shardSize: 1 });
    await c.run(T0, T0 + 3 * MIN);
    const holders = [...c.members.keys()].filter((id) => c.owned(id).length > 0);
    expect(holders).toHaveLength(1);
    const [holder] = holders as [string];
    expect(c.owned(holder).sort()).toEqual(allNames);
    const m = c.members.get(holder)!;
    m.ruler.stop();
    await m.lc.leave();
    c.members.delete(holder);
    await c.run(T0 + 3 * MIN + 5_000, T0 + 6 * MIN);
    const next = [...c.members.keys()].filter((id) => c.owned(id).length > 0);
    expect(next).toHaveLength(1);
    expect(c.owned(next[0]!).sort()).toEqual(allNames);
    expect([...c.evals.values()].every((v) => v === 1)).toBe(true);
  });
});
