import { describe, expect, it } from 'vitest';
import { Labels, Matcher, parseTenantId, queryTenantFor, type TenantId } from '../model/index.js';
import { MemoryStorage } from '../storage/memory/index.js';
import type { QuerierLimits } from './limits.js';
import { type EngineCallOptions, type QueryEngineCore, TenantQuerier } from './tenant-querier.js';

const [A, B, C] = ['a', 'b', 'c'].map(parseTenantId) as [TenantId, TenantId, TenantId];

/** An "engine" that selects every `up` series and reports what it saw and the limits it was given. */
const engine: QueryEngineCore<{ tenants: string[]; opts: EngineCallOptions }> = {
  async instantQuery(q, _query, t, opts = {}) {
    const series = await q.querier(0, t).select(true, undefined, [new Matcher('=', '__name__', 'up')]);
    return { tenants: series.map((s) => s.labels.get('__tenant_id__') || '(own)'), opts };
  },
  async rangeQuery() {
    throw new Error('unused');
  },
};

function storage(n: number): MemoryStorage {
  const m = new MemoryStorage();
  const app = m.appender();
  for (let i = 0; i < n; i++) app.append(Labels.fromObject({ __name__: 'up', i: String(i) }), 1000, 1);
  void app.commit();
  return m;
}

const perTenant: Record<string, { series: number; samples: number; queriers: number }> = {
  a: { series: 0, samples: 1000, queriers: 0 },
  b: { series: 2, samples: 50, queriers: 3 },
  c: { series: 10, samples: 0, queriers: 2 },
};
const limits: QuerierLimits = {
  maxQueryLengthMs: () => 0,
  maxQueryLookbackMs: () => 0,
  maxSamplesPerQuery: (t) => perTenant[t]!.samples,
  maxFetchedSeriesPerQuery: (t) => perTenant[t]!.series,
  maxFetchedChunkBytesPerQuery: () => 0,
  maxSubquerySteps: () => 0,
  maxQueriersPerTenant: (t) => perTenant[t]!.queriers,
  querySharding: () => 1,
  retentionPeriodMs: () => 0,
};

describe('TenantQuerier, federated', () => {
  const data: Record<string, MemoryStorage> = { a: storage(1), b: storage(3), c: storage(2) };
  const querier = new TenantQuerier({ engine, source: (t) => data[t]!, limits });

  it('reads one tenant as before: its own series, its own limits, no tenant label', async () => {
    const r = await querier.instantQuery(A, 'up', 2000);
    expect(r.tenants).toEqual(['(own)']);
    expect(r.opts).toMatchObject({ maxSamples: 1000, queueKey: 'a', maxWorkers: 0 });
  });

  it('holds the whole query to the smallest positive limit of its tenants', async () => {
    const r = await querier.instantQuery(queryTenantFor([C, A]), 'up', 2000);
    expect(r.tenants).toEqual(['a', 'c', 'c']);
    // a: 1000 samples, c: 0 (unlimited) → 1000; queriers a 0, c 2 → 2; the queue is the set's
    expect(r.opts).toMatchObject({ maxSamples: 1000, queueKey: 'a|c', maxWorkers: 2 });
  });

  it("fails with a tenant's own limit when its part exceeds it, naming the tenant", async () => {
    await expect(querier.instantQuery(queryTenantFor([A, B]), 'up', 2000)).rejects.toThrow(
      /^tenant b: the query exceeded the maximum number of series \(limit: 2\)/,
    );
  });

  it('applies the smallest series limit to the whole federated query', async () => {
    // a: 1 series of its limit 2, c: 2 of its 10; together 3, over the smallest limit (2)
    const tight = new TenantQuerier({
      engine,
      source: (t) => data[t]!,
      limits: { ...limits, maxFetchedSeriesPerQuery: (t) => (t === 'a' ? 2 : 10) },
    });
    await expect(tight.instantQuery(queryTenantFor([A, C]), 'up', 2000)).rejects.toThrow(
      /^the query exceeded the maximum number of series \(limit: 2\)/,
    );
  });
});
