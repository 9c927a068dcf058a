import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BadDataError, isStaleNaN, Labels, LimitExceededError, STALE_NAN, type TenantId } from '../model/index.js';
import {
  decodeColumns,
  decodeWriteRequest,
  type EncodableSeries,
  encodeWriteRequest,
  SeriesCache,
  snappyDecode,
  snappyEncode,
  type WireSeries,
  type WireWriteRequest,
  wireFromColumns,
} from '../remotewrite/index.js';
import { type Limits, Overrides, StaticTenantLimitsSource } from '../validation/index.js';
import { createPushHandler, Distributor, InMemoryIngesterClient } from './index.js';

const tenant = 'acme' as TenantId;

class TestClock {
  t = Date.UTC(2026, 10, 26, 12);
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

function setup(limits: Partial<Limits> = {}) {
  const clock = new TestClock();
  const source = new StaticTenantLimitsSource(new Map([[tenant, limits]]));
  const ingester = new InMemoryIngesterClient();
  const registry = new Registry();
  const d = new Distributor({ limits: new Overrides(source), ingester, registry, clock });
  return { d, clock, ingester, registry, source };
}

function series(labels: string[], t: number, n = 1): WireSeries {
  return {
    labels,
    samples: Array.from({ length: n }, (_, i) => ({ t: t - (n - 1 - i), v: i })),
    histograms: [],
    exemplars: [],
  };
}

const req = (...timeseries: WireSeries[]): WireWriteRequest => ({ timeseries, metadata: [] });

describe('Distributor rate limiting', () => {
  it('allows a burst, then refills at the ingestion rate', async () => {
    const { d, clock } = setup({ ingestion_rate: 10, ingestion_burst_size: 20 });
    await d.push(tenant, req(series(['__name__', 'a'], clock.now(), 20)));
    await expect(d.push(tenant, req(series(['__name__', 'a'], clock.now() + 1)))).rejects.toThrow(LimitExceededError);
    clock.advance(500); // 5 tokens back
    await d.push(tenant, req(series(['__name__', 'a'], clock.now(), 5)));
    const err = await d.push(tenant, req(series(['__name__', 'a'], clock.now() + 1, 4))).catch((e) => e);
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(err.retryAfterSeconds).toBe(1);
    expect(err.id).toBe('err-cortex-tenant-ingestion-rate-limited');
  });

  it('says so when one request is larger than the burst', async () => {
    const { d, clock } = setup({ ingestion_rate: 10, ingestion_burst_size: 5 });
    const err = await d.push(tenant, req(series(['__name__', 'a'], clock.now(), 6))).catch((e) => e);
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(err.message).toContain('more than the burst size of 5');
    expect(err.retryAfterSeconds).toBe(1);
  });

  it('reads the limits on every call', async () => {
    const { d, clock, source } = setup({ ingestion_rate: 1, ingestion_burst_size: 1 });
    await expect(d.push(tenant, req(series(['__name__', 'a'], clock.now(), 2)))).rejects.toThrow(LimitExceededError);
    source.replace(new Map([[tenant, { ingestion_rate: 1000, ingestion_burst_size: 1000 }]]));
    clock.advance(1000);
    await expect(d.push(tenant, req(series(['__name__', 'a'], clock.now(), 2)))).resolves.toMatchObject({
      samplesWritten: 2,
    });
  });

  it('does not let invalid series consume the rate budget', async () => {
    const { d, clock } = setup({ ingestion_rate: 1, ingestion_burst_size: 2 });
    const r = await d.push(
      tenant,
      req(series(['job', 'no-name'], clock.now(), 50), series(['__name__', 'a'], clock.now(), 2)),
    );
    expect(r.samplesWritten).toBe(2);
    expect(r.errors).toHaveLength(1);
  });

  it('counts rate-limited samples as discarded', async () => {
    const { d, clock, registry } = setup({ ingestion_rate: 1, ingestion_burst_size: 1 });
    await d.push(tenant, req(series(['__name__', 'a'], clock.now(), 3))).catch(() => undefined);
    expect(await registry.metrics()).toContain(
      'cortex_discarded_samples_total{reason="err-cortex-tenant-ingestion-rate-limited",user="acme"} 3',
    );
  });

  it('keeps tenants apart', async () => {
    const { d, clock } = setup({ ingestion_rate: 1, ingestion_burst_size: 1 });
    await d.push(tenant, req(series(['__name__', 'a'], clock.now())));
    await expect(d.push('other' as TenantId, req(series(['__name__', 'a'], clock.now())))).resolves.toBeDefined();
  });
});

describe('Distributor HA deduplication', () => {
  const ha = { accept_ha_samples: 1, ha_tracker_failover_timeout: 30_000 };
  const from = (replica: string, t: number, metric = 'up') =>
    req(series(['__name__', metric, '__replica__', replica, 'cluster', 'prom'], t));

  it('elects the first replica, rejects the other, strips the replica label', async () => {
    const { d, clock, ingester } = setup(ha);
    expect((await d.push(tenant, from('a', clock.now()))).deduplicated).toBeUndefined();
    const r = await d.push(tenant, from('b', clock.now()));
    expect(r.deduplicated).toEqual({ cluster: 'prom', replica: 'b', elected: 'a' });
    expect(r.samplesWritten).toBe(0);
    const stored = [...(ingester.tenants.get(tenant)?.values() ?? [])];
    expect(stored.map((s) => s.labels.toString())).toEqual(['up{cluster="prom"}']);
  });

  it('fails over once the elected replica has been silent for the failover timeout', async () => {
    const { d, clock, registry } = setup(ha);
    await d.push(tenant, from('a', clock.now()));
    clock.advance(29_999);
    expect((await d.push(tenant, from('b', clock.now()))).deduplicated?.elected).toBe('a');
    clock.advance(2);
    expect((await d.push(tenant, from('b', clock.now()))).deduplicated).toBeUndefined();
    expect((await d.push(tenant, from('a', clock.now()))).deduplicated?.elected).toBe('b');
    expect(await registry.metrics()).toContain(
      'cortex_ha_tracker_elected_replica_changes_total{user="acme",cluster="prom"} 1',
    );
    expect(await registry.metrics()).toContain(
      'cortex_distributor_deduped_samples_total{user="acme",cluster="prom"} 2',
    );
  });

  it('keeps the elected replica while it keeps sending (timestamps refreshed)', async () => {
    const { d, clock } = setup(ha);
    await d.push(tenant, from('a', clock.now()));
    for (let i = 0; i < 5; i++) {
      clock.advance(20_000);
      await d.push(tenant, from('a', clock.now()));
      expect((await d.push(tenant, from('b', clock.now()))).deduplicated?.elected).toBe('a');
    }
  });

  it('accepts series without both labels untouched, and ignores HA labels when disabled', async () => {
    const { d, clock, ingester } = setup(ha);
    await d.push(tenant, req(series(['__name__', 'up', 'cluster', 'prom'], clock.now())));
    const off = setup();
    await off.d.push(tenant, from('b', off.clock.now()));
    expect(ingester.seriesCount(tenant)).toBe(1);
    const stored = [...(off.ingester.tenants.get(tenant)?.values() ?? [])];
    expect(stored[0]?.labels.get('__replica__')).toBe('b');
  });

  it('limits the number of HA clusters per tenant', async () => {
    const { d, clock } = setup({ ...ha, ha_max_clusters: 1 });
    await d.push(tenant, from('a', clock.now()));
    const err = await d
      .push(tenant, req(series(['__name__', 'up', '__replica__', 'a', 'cluster', 'other'], clock.now())))
      .catch((e) => e);
    expect(err).toBeInstanceOf(BadDataError);
    expect(err.id).toBe('err-cortex-tenant-too-many-ha-clusters');
  });

  it('answers 202 at the edge for a non-elected replica', async () => {
    const { d, clock } = setup(ha);
    const handler = createPushHandler(d, { maxDecompressedBytes: 1 << 20 });
    const { encodeWriteRequest, snappyEncode } = await import('../remotewrite/index.js');
    const body = (replica: string) =>
      snappyEncode(
        encodeWriteRequest({
          timeseries: [
            { labels: ['__name__', 'up', '__replica__', replica, 'cluster', 'c'], samples: [{ t: clock.now(), v: 1 }] },
          ],
        }),
      );
    const base = { tenantId: tenant, contentType: undefined, contentEncoding: 'snappy', remoteWriteVersion: '0.1.0' };
    expect((await handler({ ...base, body: body('r1') })).status).toBe(204);
    const res = await handler({ ...base, body: body('r2') });
    expect(res.status).toBe(202);
    expect(res.body).toContain('replicas did not match, rejecting sample: replica=r2, elected=r1');
  });
});

describe('Distributor validation and exemplars', () => {
  it('drops exemplars when the tenant has exemplars disabled', async () => {
    const { d, clock } = setup({ max_global_exemplars_per_user: 0 });
    const s = series(['__name__', 'a'], clock.now());
    s.exemplars.push({ labels: ['trace_id', 'x'], t: clock.now(), v: 1 });
    const r = await d.push(tenant, req(s));
    expect(r.exemplarsWritten).toBe(0);
    expect(r.errors).toEqual([]);
  });

  it('passes valid exemplars with sorted labels to the ingester', async () => {
    const { d, clock } = setup();
    const s = series(['__name__', 'a'], clock.now());
    s.exemplars.push({ labels: ['trace_id', 'x', 'span_id', 'y'], t: clock.now(), v: 1 });
    const r = await d.push(tenant, req(s));
    expect(r.exemplarsWritten).toBe(1);
  });

  it('drops only the series with a bad sample, keeping the others', async () => {
    const { d, clock } = setup();
    const r = await d.push(
      tenant,
      req(series(['__name__', 'a'], clock.now()), series(['__name__', 'b'], clock.now() + 3_600_000, 3)),
    );
    expect(r.samplesWritten).toBe(1);
    expect(r.errors.map((e) => [e.error.id, e.dropped])).toEqual([['err-cortex-too-far-in-future', 3]]);
  });

  it('keeps NaN and the stale-marker bits all the way to the ingester', async () => {
    const { d, clock, ingester } = setup();
    const s = series(['__name__', 'a'], clock.now(), 2);
    s.samples[0]!.v = Number.NaN;
    s.samples[1]!.v = STALE_NAN;
    await d.push(tenant, req(s));
    const stored = ingester.samples(tenant, Labels.fromObject({ __name__: 'a' }))!;
    expect(Number.isNaN(stored[0]!.v) && !isStaleNaN(stored[0]!.v)).toBe(true);
    expect(isStaleNaN(stored[1]!.v)).toBe(true);
  });
});

describe('Distributor series memo (decoder cache)', () => {
  const other = 'other' as TenantId;
  const cache = new SeriesCache();
  const body = (t: number, value: string) =>
    snappyEncode(
      encodeWriteRequest({ timeseries: [{ labels: ['__name__', 'm', 'job', value], samples: [{ t, v: 1 }] }] }),
    );
  const push = (d: Distributor, tn: TenantId, raw: Uint8Array) =>
    d.push(tn, decodeWriteRequest(snappyDecode(raw, 1 << 20), { cache }));

  it('reuses validated labels only for the same tenant and label limits', async () => {
    const clock = new TestClock();
    const source = new StaticTenantLimitsSource(
      new Map<TenantId, Partial<Limits>>([
        [tenant, {}],
        [other, { max_label_value_length: 4 }],
      ]),
    );
    const ingester = new InMemoryIngesterClient();
    const d = new Distributor({ limits: new Overrides(source), ingester, registry: new Registry(), clock });
    const value = `memo-${Math.random()}`;
    expect((await push(d, tenant, body(clock.now(), value))).errors).toEqual([]);
    expect((await push(d, tenant, body(clock.now() + 1, value))).errors).toEqual([]);
    // Same bytes, another tenant whose limit the value exceeds: validated again, and rejected.
    const res = await push(d, other, body(clock.now() + 2, value));
    expect(res.samplesWritten).toBe(0);
    expect(res.errors[0]?.error.id).toBe('err-cortex-label-value-too-long');
    // Limits changed for the first tenant: no stale validation either.
    source.replace(
      new Map<TenantId, Partial<Limits>>([
        [tenant, { max_label_value_length: 4 }],
        [other, { max_label_value_length: 4 }],
      ]),
    );
    const again = await push(d, tenant, body(clock.now() + 3, value));
    expect(again.errors[0]?.error.id).toBe('err-cortex-label-value-too-long');
  });

  it('never normalises or strips the HA replica from the cached labels', async () => {
    const { d, clock } = setup({ accept_ha_samples: 1 });
    const raw = () =>
      snappyEncode(
        encodeWriteRequest({
          timeseries: [
            {
              labels: ['job', 'j', '__name__', 'm', '__replica__', 'r1', 'cluster', 'c'],
              samples: [{ t: clock.now(), v: 1 }],
            },
          ],
        }),
      );
    for (let i = 0; i < 3; i++) {
      const wire = decodeWriteRequest(snappyDecode(raw(), 1 << 20), { cache });
      const memo = wire.timeseries[0]!.memo;
      expect((await d.push(tenant, wire)).errors).toEqual([]);
      if (memo) expect(memo.flat).toEqual(['job', 'j', '__name__', 'm', '__replica__', 'r1', 'cluster', 'c']);
      clock.advance(1000);
    }
  });

  it('still checks every timestamp of a memoised series', async () => {
    const { d, clock } = setup();
    const value = `memo-${Math.random()}`;
    await push(d, tenant, body(clock.now(), value));
    const res = await push(d, tenant, body(clock.now() + 60 * 60_000, value));
    expect(res.samplesWritten).toBe(0);
    expect(res.errors[0]?.error.id).toBe('err-cortex-too-far-in-future');
  });
});

describe('Distributor: a request read from columns', () => {
  // Each case pushed twice (the second time from the memo) through two distributors, one given the
  // full decoder's request and one the columnar form: results and stored series must be the same.
  const cases: { name: string; limits?: Partial<Limits>; series: (t: number) => EncodableSeries[] }[] = [
    {
      name: 'valid series, unsorted labels, NaN and the stale marker',
      series: (t) => [
        { labels: ['job', 'j', '__name__', 'm'], samples: [{ t, v: Number.NaN }] },
        {
          labels: ['__name__', 'm', 'job', 'k'],
          samples: [
            { t: t - 1, v: STALE_NAN },
            { t, v: 2 },
          ],
        },
      ],
    },
    {
      name: 'an invalid label value and a sample too far in the future, beside a valid series',
      limits: { max_label_value_length: 8 },
      series: (t) => [
        { labels: ['__name__', 'm', 'job', 'far-too-long-value'], samples: [{ t, v: 1 }] },
        { labels: ['__name__', 'm', 'job', 'future'], samples: [{ t: t + 60 * 60_000, v: 1 }] },
        { labels: ['__name__', 'm', 'job', 'ok'], samples: [{ t, v: 1 }] },
      ],
    },
    {
      name: 'duplicate label names and a series without samples',
      series: (t) => [
        { labels: ['__name__', 'm', 'a', '1', 'a', '2'], samples: [{ t, v: 1 }] },
        { labels: ['__name__', 'empty'], samples: [] },
        { labels: ['__name__', 'n'], samples: [{ t, v: 1 }] },
      ],
    },
    {
      name: 'an HA pair: the replica label stripped, the cached labels untouched',
      limits: { accept_ha_samples: 1 },
      series: (t) => [
        { labels: ['__replica__', 'r1', 'cluster', 'c', '__name__', 'm'], samples: [{ t, v: 1 }] },
        { labels: ['__name__', 'n', '__replica__', 'r1', 'cluster', 'c'], samples: [{ t, v: 2 }] },
      ],
    },
  ];

  it.each(cases)('$name', async (c) => {
    const outcomes = [];
    for (const columnar of [false, true]) {
      const { d, clock, ingester } = setup(c.limits);
      const cache = new SeriesCache();
      const results = [];
      for (let i = 0; i < 2; i++) {
        const raw = encodeWriteRequest({ timeseries: c.series(clock.now()) });
        const cols = columnar ? decodeColumns(raw) : undefined;
        if (columnar) expect(cols).toBeDefined();
        const wire = cols ? wireFromColumns(cols, cache) : decodeWriteRequest(raw, { cache });
        const r = await d.push(tenant, wire);
        results.push({ ...r, errors: r.errors.map((e) => [e.error.id, e.error.message, e.dropped]) });
        clock.advance(15_000);
      }
      const stored = [...(ingester.tenants.get(tenant)?.values() ?? [])].map((s) => ({
        labels: s.labels.toString(),
        samples: s.samples.map((x) => [x.t, Object.is(x.v, Number.NaN) ? 'NaN' : isStaleNaN(x.v) ? 'stale' : x.v]),
      }));
      outcomes.push({ results, stored, cached: cacheContents(cache) });
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[0]!.stored.length).toBeGreaterThan(0);
  });
});

/** The label arrays a cache hands out, as decoded (never normalised or stripped by the distributor). */
function cacheContents(cache: SeriesCache): string[][] {
  const out: string[][] = [];
  for (const memo of (cache as unknown as { map: Map<number, { flat: string[] }> }).map.values())
    out.push([...memo.flat]);
  return out.sort((a, b) => a.join().localeCompare(b.join()));
}
