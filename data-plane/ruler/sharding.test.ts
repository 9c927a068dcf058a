import { describe, expect, it, vi } from 'vitest';
import { parseTenantId, type QueryTenant } from '../model/index.js';
import type { InstanceDesc, ReadRing, ReplicationSet, RingDesc, RingOperation } from '../ring/types.js';
import { MemoryRuleBackend } from './memory-backend.js';
import { Ruler } from './ruler.js';
import { groupToken, ringSharding } from './sharding.js';
import { StaticRuleGroupSource } from './source.js';
import type { RulerLimits } from './types.js';

const MIN = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MIN);
const TIMEOUT = 60_000;

/** A minimal ring (RF 1 for ownership) so the ruler's side is tested without the ring package. */
class FakeRing implements ReadRing {
  readonly replicationFactor = 1;
  readonly instances = new Map<string, InstanceDesc>();
  constructor(private readonly now: () => number) {}
  add(id: string, tokens: number[]): void {
    const t = this.now();
    this.instances.set(id, { id, addr: '', zone: '', state: 'ACTIVE', tokens, heartbeatMs: t, registeredMs: t });
  }
  isHealthy(inst: InstanceDesc, nowMs: number): boolean {
    return inst.state !== 'LEFT' && nowMs - inst.heartbeatMs <= TIMEOUT;
  }
  get(hash: number, _op: RingOperation): ReplicationSet {
    const usable = [...this.instances.values()].filter((i) => i.state === 'ACTIVE' && this.isHealthy(i, this.now()));
    const toks = usable.flatMap((i) => i.tokens.map((t) => ({ t, i }))).sort((a, b) => a.t - b.t);
    if (toks.length === 0) throw new Error('empty ring');
    const owner = (toks.find((x) => x.t >= hash) ?? toks[0]!).i;
    return { instances: [owner], maxErrors: 0 };
  }
  owners(hash: number, n: number, nowMs = this.now()): InstanceDesc[] {
    const usable = [...this.instances.values()].filter((i) => i.state === 'ACTIVE' && this.isHealthy(i, nowMs));
    const toks = usable.flatMap((i) => i.tokens.map((t) => ({ t, i }))).sort((a, b) => a.t - b.t);
    const start = toks.findIndex((x) => x.t >= hash);
    const walk = start < 0 ? toks : [...toks.slice(start), ...toks.slice(0, start)];
    return [...new Set(walk.map((x) => x.i))].slice(0, n);
  }
  all(): ReplicationSet {
    return { instances: [...this.instances.values()], maxErrors: 0 };
  }
  shuffleShard(): ReadRing {
    return this;
  }
  describe(): RingDesc {
    return { instances: Object.fromEntries(this.instances) };
  }
}

const noLimits: RulerLimits = { get: () => 0 };

function cluster(ids: string[], groups = 30) {
  const clock = { t: T0, now: () => clock.t };
  const ring = new FakeRing(clock.now);
  // Evenly spread tokens so every ruler owns some groups.
  ids.forEach((id, k) => {
    ring.add(
      id,
      [0, 1, 2, 3].map((j) => Math.floor(((j * ids.length + k) / (4 * ids.length)) * 2 ** 32)),
    );
  });
  /** Instances whose lifecycler still heart-beats. */
  const beating = new Set(ids);
  const T = parseTenantId('t');
  const source = new StaticRuleGroupSource();
  source.set(
    T,
    Array.from({ length: groups }, (_, i) => ({
      namespace: `ns${i % 3}`,
      group: { name: `g${i}`, rules: [{ record: `r:g${i}`, expr: `vector(${i})` }] },
    })),
  );
  const backend = new MemoryRuleBackend();
  /** Evaluations per `expr@ts`. */
  const evals = new Map<string, number>();
  const rulers = new Map<string, Ruler>();
  for (const id of ids) {
    rulers.set(
      id,
      new Ruler({
        source,
        query: async (tenant: QueryTenant, q: string, t: number) => {
          evals.set(`${q}@${t}`, (evals.get(`${q}@${t}`) ?? 0) + 1);
          return backend.query(tenant, q, t);
        },
        writer: backend,
        limits: noLimits,
        clock,
        ring: { ring, instanceId: id },
      }),
    );
  }
  /** Every live ruler syncs and runs what is due at `t` (what their timers do, in lock step). */
  const step = async (t: number) => {
    clock.t = t;
    for (const id of beating) {
      const inst = ring.instances.get(id);
      if (inst) inst.heartbeatMs = t;
    }
    for (const r of rulers.values()) r.sync();
    await Promise.all([...rulers.values()].map((r) => r.evaluateDue(t)));
  };
  return { clock, ring, rulers, evals, step, T, groups, beating };
}

describe('ruler sharding over a ring', () => {
  it('hashes groups to 32-bit tokens (FNV-1a with separators)', () => {
    expect(groupToken('t', 'ns', 'g')).toBe(groupToken('t', 'ns', 'g'));
    expect(groupToken('t', 'a', 'bc')).not.toBe(groupToken('t', 'ab', 'c'));
    const tok = groupToken('tenant', 'namespace', 'group');
    expect(Number.isInteger(tok) && tok >= 0 && tok < 2 ** 32).toBe(true);
  });

  it('an empty ring owns nothing', () => {
    const ring = new FakeRing(() => T0);
    expect(ringSharding({ ring, instanceId: 'a' }).owns(parseTenantId('t'), 'ns', 'g')).toBe(false);
  });

  it.each([2, 3])('%i rulers split the groups: each group evaluated exactly once per interval', async (n) => {
    const ids = Array.from({ length: n }, (_, i) => `ruler-${i}`);
    const c = cluster(ids);
    await c.step(T0);
    const owned = ids.map((id) => c.rulers.get(id)!.groups(c.T).length);
    expect(owned.reduce((a, b) => a + b, 0)).toBe(c.groups);
    for (const k of owned) expect(k).toBeGreaterThan(0);
    for (let t = T0; t <= T0 + 5 * MIN; t += 5_000) await c.step(t);
    // Slots (T0, T0+5m]: 5 per group, each exactly once across the rulers.
    expect(c.evals.size).toBe(5 * c.groups);
    expect([...c.evals.values()].every((v) => v === 1)).toBe(true);
  });

  it('moves the groups of a ruler that leaves or dies, with no double evaluation', async () => {
    const c = cluster(['a', 'b', 'c']);
    for (let t = T0; t <= T0 + 3 * MIN; t += 5_000) await c.step(t);
    const ofA = c.rulers
      .get('a')!
      .groups(c.T)
      .map((g) => g.cfg.name);
    expect(ofA.length).toBeGreaterThan(0);
    // `a` leaves the ring (clean shutdown): the others take its groups at their next sync.
    c.ring.instances.delete('a');
    c.rulers.get('a')!.stop();
    c.rulers.delete('a');
    for (let t = T0 + 3 * MIN + 5_000; t <= T0 + 6 * MIN; t += 5_000) await c.step(t);
    const taken = [...c.rulers.values()].flatMap((r) => r.groups(c.T).map((g) => g.cfg.name));
    expect(taken.sort()).toEqual(Array.from({ length: c.groups }, (_, i) => `g${i}`).sort());
    // `b` dies: it keeps running, but stops heart-beating; after the timeout `c` owns everything.
    const deadAt = T0 + 6 * MIN;
    c.beating.delete('b');
    for (let t = deadAt + 5_000; t <= deadAt + 4 * MIN; t += 5_000) await c.step(t);
    expect(c.rulers.get('b')!.groups(c.T)).toEqual([]);
    expect(c.rulers.get('c')!.groups(c.T)).toHaveLength(c.groups);
    expect([...c.evals.values()].every((v) => v === 1)).toBe(true);
    // Every group ran in the last interval (its new owner took over).
    const last = deadAt + 4 * MIN;
    for (const g of c.rulers.get('c')!.groups(c.T)) expect(g.lastEvaluation).toBeGreaterThan(last - MIN);
  });

  it('checks ownership on every tick, before the next sync', async () => {
    const c = cluster(['a', 'b']);
    await c.step(T0);
    const a = c.rulers.get('a')!;
    const mine = a.groups(c.T).length;
    expect(mine).toBeGreaterThan(0);
    // `b` takes every token; `a` evaluates nothing even without a sync in between.
    c.ring.instances.get('a')!.state = 'LEAVING';
    await a.evaluateDue(T0 + 2 * MIN);
    expect(c.evals.size).toBe(0);
    expect(a.groups(c.T)).toEqual([]);
  });
});

describe('sharded rulers on their own timers', () => {
  it('run each slot once while a ruler leaves mid-way', async () => {
    vi.useFakeTimers({ now: T0 });
    const stops: (() => void)[] = [];
    try {
      const ring = new FakeRing(() => Date.now());
      for (const [k, id] of ['a', 'b'].entries()) {
        ring.add(
          id,
          [0, 1, 2, 3].map((j) => Math.floor(((j * 2 + k) / 8) * 2 ** 32)),
        );
        ring.instances.get(id)!.heartbeatMs = Number.MAX_SAFE_INTEGER; // always fresh
      }
      const T = parseTenantId('t');
      const source = new StaticRuleGroupSource();
      source.set(
        T,
        Array.from({ length: 12 }, (_, i) => ({
          namespace: 'ns',
          group: { name: `g${i}`, interval: '10s', rules: [{ record: `r:g${i}`, expr: `vector(${i})` }] },
        })),
      );
      const backend = new MemoryRuleBackend();
      const evals = new Map<string, number>();
      const rulers = ['a', 'b'].map((id) => {
        const r = new Ruler({
          source,
          query: async (tenant: QueryTenant, q: string, t: number) => {
            evals.set(`${q}@${t}`, (evals.get(`${q}@${t}`) ?? 0) + 1);
            return backend.query(tenant, q, t);
          },
          writer: backend,
          limits: noLimits,
          clock: { now: () => Date.now() },
          ring: { ring, instanceId: id },
        });
        r.start();
        stops.push(() => r.stop());
        return r;
      });
      await vi.advanceTimersByTimeAsync(60_000);
      expect(rulers[0]!.groups(T).length).toBeGreaterThan(0);
      expect(rulers[1]!.groups(T).length).toBeGreaterThan(0);
      // `a` leaves the ring but its process keeps its timers: `b` takes over within a sync.
      ring.instances.delete('a');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(rulers[0]!.groups(T)).toEqual([]);
      expect(rulers[1]!.groups(T)).toHaveLength(12);
      expect([...evals.values()].every((v) => v === 1)).toBe(true);
      // 12 groups × 12 slots in two minutes, less at most one slot per moved group.
      expect(evals.size).toBeGreaterThanOrEqual(12 * 12 - 12);
    } finally {
      for (const stop of stops) stop();
      vi.useRealTimers();
    }
  });
});

describe('ruler_max_rule_evaluation_concurrency_per_tenant', () => {
  it('is read from the limits on every use', async () => {
    let limit = 1;
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const T = parseTenantId('t');
    const source = new StaticRuleGroupSource();
    source.set(
      T,
      Array.from({ length: 6 }, (_, i) => ({
        namespace: 'ns',
        group: { name: `g${i}`, rules: [{ record: 'a:b', expr: '1' }] },
      })),
    );
    const ruler = new Ruler({
      source,
      query: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => release.push(r));
        running--;
        return { type: 'vector', samples: [] };
      },
      writer: { write: async () => {} },
      limits: { get: (_t, k) => (k === 'ruler_max_rule_evaluation_concurrency_per_tenant' ? limit : 0) },
    });
    ruler.sync();
    const drain = async (done: Promise<void>) => {
      for (let i = 0; i < 6; i++) {
        await expect.poll(() => release.length).toBeGreaterThan(0);
        release.shift()!();
      }
      await done;
    };
    await drain(ruler.evaluateAll(T0));
    expect(peak).toBe(1);
    limit = 3;
    peak = 0;
    const done = ruler.evaluateAll(T0 + MIN);
    await expect.poll(() => release.length).toBe(3);
    expect(peak).toBe(3);
    await drain(done);
  });
});
