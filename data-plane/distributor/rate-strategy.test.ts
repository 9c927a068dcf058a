import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BadDataError, LimitExceededError, type TenantId } from '../model/index.js';
import { Ring } from '../ring/index.js';
import type { InstanceDesc, InstanceState, RingDesc } from '../ring/types.js';
import { Overrides, StaticTenantLimitsSource } from '../validation/index.js';
import {
  createIngestionRateStrategy,
  Distributor,
  GlobalIngestionRateStrategy,
  InMemoryIngesterClient,
  LocalIngestionRateStrategy,
  TenantRateLimiter,
} from './index.js';

const t = 'acme' as TenantId;
const limits = { ingestionRate: () => 9_000, ingestionBurstSize: () => 50_000 };

function inst(id: string, state: InstanceState, heartbeatMs: number): InstanceDesc {
  return { id, addr: `http://127.0.0.1/${id}`, zone: '', state, tokens: [], heartbeatMs, registeredMs: 0 };
}

function ringOf(now: () => number, ...insts: InstanceDesc[]): Ring {
  const desc: RingDesc = { instances: Object.fromEntries(insts.map((i) => [i.id, i])) };
  return new Ring({ heartbeatTimeoutMs: 60_000, now }, desc);
}

describe('ingestion rate strategies', () => {
  it('local: every distributor enforces the whole rate', () => {
    const s = new LocalIngestionRateStrategy(limits);
    expect(s.name).toBe('local');
    expect(s.limit(t)).toBe(9_000);
    expect(s.burst(t)).toBe(50_000);
  });

  // Which instances count: [description, instances, expected divisor].
  const cases: [string, InstanceDesc[], number][] = [
    ['empty ring (this distributor not joined yet)', [], 1],
    ['one active', [inst('d1', 'ACTIVE', 1_000_000)], 1],
    ['three active', ['d1', 'd2', 'd3'].map((id) => inst(id, 'ACTIVE', 1_000_000)), 3],
    [
      'joining, leaving, pending and left do not count',
      [
        inst('d1', 'ACTIVE', 1_000_000),
        inst('d2', 'JOINING', 1_000_000),
        inst('d3', 'LEAVING', 1_000_000),
        inst('d4', 'PENDING', 1_000_000),
        inst('d5', 'LEFT', 1_000_000),
        inst('d6', 'ACTIVE', 1_000_000),
      ],
      2,
    ],
    [
      'a heartbeat older than the timeout does not count',
      [inst('d1', 'ACTIVE', 1_000_000), inst('d2', 'ACTIVE', 1_000_000 - 60_001), inst('d3', 'ACTIVE', 940_000)],
      2,
    ],
    ['every member dead: the whole rate, not nothing', [inst('d1', 'ACTIVE', 0), inst('d2', 'ACTIVE', 0)], 1],
  ];
  for (const [name, insts, n] of cases) {
    it(`global: ${name} → rate / ${n}`, () => {
      const now = () => 1_000_000;
      const s = new GlobalIngestionRateStrategy({ limits, ring: ringOf(now, ...insts), now });
      expect(s.name).toBe('global');
      expect(s.healthyDistributors()).toBe(n);
      expect(s.limit(t)).toBeCloseTo(9_000 / n, 9);
      expect(s.burst(t)).toBe(50_000);
    });
  }

  it('global: follows the ring as it changes, recounting at most once per refresh interval', () => {
    let now = 1_000_000;
    const ring = ringOf(() => now, inst('d1', 'ACTIVE', now));
    let describes = 0;
    const view = {
      describe: () => {
        describes++;
        return ring.describe();
      },
      isHealthy: (i: InstanceDesc, at: number) => ring.isHealthy(i, at),
    };
    const s = new GlobalIngestionRateStrategy({ limits, ring: view, now: () => now, refreshMs: 1_000 });
    expect(s.limit(t)).toBe(9_000);
    ring.update({
      instances: {
        d1: inst('d1', 'ACTIVE', now),
        d2: inst('d2', 'ACTIVE', now),
        d3: inst('d3', 'ACTIVE', now),
      },
    });
    for (let i = 0; i < 100; i++) expect(s.limit(t)).toBe(9_000); // within the refresh interval
    expect(describes).toBe(1);
    now += 1_000;
    expect(s.limit(t)).toBe(3_000);
    // d3 stops heartbeating: a minute later it no longer counts.
    ring.update({
      instances: {
        d1: inst('d1', 'ACTIVE', now + 60_000),
        d2: inst('d2', 'ACTIVE', now + 60_000),
        d3: inst('d3', 'ACTIVE', now),
      },
    });
    now += 60_001;
    expect(s.limit(t)).toBe(4_500);
    expect(describes).toBe(3);
  });

  it('global: limit changes apply at once', () => {
    const now = () => 0;
    let rate = 100;
    const s = new GlobalIngestionRateStrategy({
      limits: { ingestionRate: () => rate, ingestionBurstSize: () => 10 },
      ring: ringOf(now, inst('a', 'ACTIVE', 0), inst('b', 'ACTIVE', 0)),
      now,
    });
    expect(s.limit(t)).toBe(50);
    rate = 1_000;
    expect(s.limit(t)).toBe(500);
  });

  it('global: two distributors together admit the tenant rate; local: twice it', () => {
    let now = 0;
    // Heartbeats that stay fresh for the whole run.
    const ring = ringOf(() => now, inst('d1', 'ACTIVE', 100_000), inst('d2', 'ACTIVE', 100_000));
    const lim = { ingestionRate: () => 1_000, ingestionBurstSize: () => 1_000 };
    const run = (name: 'local' | 'global') => {
      const dists = [0, 1].map(() => ({
        strategy: createIngestionRateStrategy(name, lim, ring, { now: () => now }),
        bucket: new TenantRateLimiter({ now: () => now }),
      }));
      // Both buckets start full (the burst is not divided), then 100 s of requests of 100 samples,
      // alternating between the distributors every 10 ms: 20,000 samples/s offered.
      let admitted = 0;
      for (now = 0; now < 100_000; now += 10) {
        for (const d of dists) {
          if (d.bucket.tryTake(t, 100, d.strategy.limit(t), d.strategy.burst(t)).ok) admitted += 100;
        }
      }
      return admitted;
    };
    // At most 2 full bursts + 100 s × 1,000/s.
    const global = run('global');
    expect(global).toBeLessThanOrEqual(2_000 + 100_000);
    expect(global).toBeGreaterThanOrEqual(100_000);
    const local = run('local');
    expect(local).toBeGreaterThanOrEqual(200_000);
  });

  it('createIngestionRateStrategy picks by name and insists on a ring for global', () => {
    expect(createIngestionRateStrategy('local', limits).name).toBe('local');
    const now = () => 0;
    expect(createIngestionRateStrategy('global', limits, ringOf(now), { now }).name).toBe('global');
    expect(() => createIngestionRateStrategy('global', limits)).toThrow(BadDataError);
  });
});

describe('Distributor with a rate strategy', () => {
  it('limits a tenant to its share of ingestion_rate (global over 4 distributors)', async () => {
    let now = Date.UTC(2026, 10, 26, 12);
    const clock = { now: () => now };
    const ring = ringOf(clock.now, ...['d1', 'd2', 'd3', 'd4'].map((id) => inst(id, 'ACTIVE', now)));
    const lim = new Overrides(
      new StaticTenantLimitsSource(new Map([[t, { ingestion_rate: 400, ingestion_burst_size: 1_000 }]])),
    );
    const d = new Distributor({
      limits: lim,
      ingester: new InMemoryIngesterClient(),
      registry: new Registry(),
      clock,
      rateStrategy: createIngestionRateStrategy('global', lim, ring, { now: clock.now }),
    });
    const push = (n: number) =>
      d.push(t, {
        timeseries: [
          {
            labels: ['__name__', 'up'],
            samples: Array.from({ length: n }, (_, i) => ({ t: now - n + i, v: i })),
            histograms: [],
            exemplars: [],
          },
        ],
        metadata: [],
      });
    await push(1_000); // the burst is whole
    now += 1_000; // 400 / 4 = 100 tokens back, not 400
    await push(100);
    const err = await push(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceededError);
    expect((err as LimitExceededError).message).toContain('100 samples/s');
  });
});
