/**
 * Usage metering end to end in one process (issue #23 part 2): remote writes through the gateway,
 * counted at the distributor once acknowledged, delivered to the control plane's Postgres, reported
 * through the admin REST API, the RPC (`cortexctl usage`) and idempotent on re-delivery. Runs on a
 * real PostgreSQL when global setup started one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Usage from '../../cli/commands/usage.js';
import { prepareCommands, runCommand } from '../../cli/testing/index.js';
import type { TenantId } from '../../data-plane/model/index.js';
import { ROOT_TOKEN, startPlatform, type TestPlatform } from '../helpers/platform.js';
import { type FixtureSeries, remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';
import { requireService } from '../helpers/require-service.js';
import { createDatabase } from './control-plane/harness.js';

beforeAll(prepareCommands, 120_000);

let db: { url: string; drop(): Promise<void> } | undefined;
let p: TestPlatform;

beforeAll(async () => {
  const pgUrl = requireService('pgUrl');
  db = pgUrl ? await createDatabase(pgUrl) : undefined;
  p = await startPlatform({ ...(db ? { postgresUrl: db.url } : {}), usageFlushIntervalMs: 200 });
}, 60_000);

afterAll(async () => {
  await p?.close();
  await db?.drop();
});

const today = () => new Date().toISOString().slice(0, 10);

/**
 * A report's counters without the active series ones: those are sampled at the end of every minute,
 * and a minute may end during a test (they have their own test below).
 */
function writeCounters(t: Record<string, number>): Record<string, number> {
  const { active_series_minutes: _m, active_series_max: _x, ...rest } = t;
  return rest;
}

async function push(token: string, series: FixtureSeries[]) {
  const body = remoteWriteBody(series);
  const res = await fetch(`${p.url}/api/v1/push`, { method: 'POST', headers: remoteWriteHeaders(token), body });
  await res.text();
  return { status: res.status, bytes: body.length };
}

async function report(tenant: string, by = 'minute') {
  return p.admin('GET', `/tenants/${tenant}/usage/report?from=${today()}&to=${today()}&by=${by}`);
}

/** Polls the report until `samples` reaches the expected total (delivery runs every 200 ms). */
async function settled(tenant: string, samples: number) {
  for (let i = 0; ; i++) {
    const r = await report(tenant);
    if ((r.json.totals?.samples ?? 0) >= samples || i === 100) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('usage metering', () => {
  it('reports exactly what the remote-write responses acknowledged, per tenant', async () => {
    const token = await p.tenantToken('billed', ['metrics:write', 'metrics:read']);
    const other = await p.tenantToken('unbilled', ['metrics:write']);
    const t0 = Date.now() - 60_000;
    const acked = { samples: 0, histograms: 0, exemplars: 0, request_bytes: 0, discarded: 0 };
    for (let req = 0; req < 5; req++) {
      const series: FixtureSeries[] = [];
      for (let s = 0; s < 10; s++) {
        series.push({
          labels: { __name__: 'requests_total', job: 'api', instance: `i${s}` },
          samples: [0, 1, 2].map((k) => ({ value: k, timestamp: t0 + req * 1_000 + k * 100 })),
          ...(s === 0
            ? { exemplars: [{ labels: { trace_id: `t${req}` }, value: 1, timestamp: t0 + req * 1_000 }] }
            : {}),
        });
      }
      if (req === 0) {
        series.push({
          labels: { __name__: 'latency_seconds', job: 'api' },
          samples: [],
          histograms: [1, 2].map((k) => ({
            timestamp: t0 + k,
            schema: 0,
            count: k,
            sum: k,
            positiveSpans: [{ offset: 0, length: 1 }],
            positiveCounts: [k],
          })),
        });
      }
      const r = await push(token, series);
      expect(r.status).toBe(204);
      acked.samples += 30;
      acked.exemplars += 1;
      acked.histograms += req === 0 ? 2 : 0;
      acked.request_bytes += r.bytes;
    }
    // A partial write: the invalid series (4 samples) is dropped, the valid one (1 sample) is stored.
    const partial = await push(token, [
      { labels: { __name__: 'ok_total', job: 'api' }, samples: [{ value: 1, timestamp: t0 }] },
      {
        labels: { __name__: 'bad_total', 'bad-name': 'x' },
        samples: [1, 2, 3, 4].map((k) => ({ value: k, timestamp: t0 + k })),
      },
    ]);
    expect(partial.status).toBe(400);
    acked.samples += 1;
    acked.discarded += 4;
    acked.request_bytes += partial.bytes;
    // Another tenant's writes never show in this tenant's report.
    expect(
      (await push(other, [{ labels: { __name__: 'x', job: 'y' }, samples: [{ value: 1, timestamp: t0 }] }])).status,
    ).toBe(204);

    const r = await settled('billed', acked.samples);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(writeCounters(r.json.totals)).toEqual({
      samples: acked.samples,
      histograms: acked.histograms,
      exemplars: acked.exemplars,
      request_bytes: acked.request_bytes,
      'discarded_samples:err-cortex-label-invalid': acked.discarded,
    });
    // The roll-ups hold the same totals.
    for (const by of ['hour', 'day']) {
      expect(writeCounters((await report('billed', by)).json.totals)).toEqual(writeCounters(r.json.totals));
    }
    expect(writeCounters((await settled('unbilled', 1)).json.totals)).toEqual({
      samples: 1,
      request_bytes: expect.any(Number),
    });

    // cortexctl usage over the RPC: the same figures, as CSV and JSON.
    const env = { CORTEXCTL_ADDRESS: p.url, CORTEXCTL_TOKEN: ROOT_TOKEN, CORTEXCTL_CONTEXT: undefined, NO_COLOR: '1' };
    const csv = await runCommand(Usage, ['--tenant', 'billed', '--from', today(), '--to', today(), '-o', 'csv'], env);
    expect(csv.exitCode, csv.stderr).toBe(0);
    const [header, row] = csv.stdout.trimEnd().split('\n');
    const cols = header!.split(',');
    expect(cols.slice(0, 5)).toEqual(['start', 'samples', 'histograms', 'exemplars', 'request_bytes']);
    const cells = Object.fromEntries(cols.map((c, i) => [c, row!.split(',')[i]]));
    expect(cells).toMatchObject({
      start: `${today()}T00:00:00.000Z`,
      samples: String(acked.samples),
      histograms: String(acked.histograms),
      exemplars: String(acked.exemplars),
      request_bytes: String(acked.request_bytes),
      'discarded_samples:err-cortex-label-invalid': String(acked.discarded),
    });
    const json = await runCommand(Usage, ['--tenant', 'billed', '--from', 'now-1h', '--by', 'hour', '-o', 'json'], env);
    expect(writeCounters(JSON.parse(json.stdout).totals)).toEqual(writeCounters(r.json.totals));
    const table = await runCommand(Usage, ['--tenant', 'billed', '--from', today()], env);
    expect(table.stdout).toMatch(new RegExp(`^TOTAL\\s+${acked.samples}\\s+${acked.histograms}\\s`, 'm'));

    // The tenant reads its own usage with a metrics:read token, and only its own.
    const self = async (tok: string) => {
      const res = await fetch(`${p.url}/prometheus/api/v1/usage_report?from=${today()}&to=${today()}&by=hour`, {
        headers: { authorization: `Bearer ${tok}` },
      });
      return { status: res.status, json: (await res.json()) as { status: string; data: { totals: object } } };
    };
    const mine = await self(token);
    expect(mine.status).toBe(200);
    expect(writeCounters(mine.json.data.totals as Record<string, number>)).toEqual(writeCounters(r.json.totals));
    expect((await self(other)).status).toBe(403); // metrics:write only
    const otherRead = await p.tenantToken('unbilled', ['metrics:read']);
    expect(writeCounters((await self(otherRead)).json.data.totals as Record<string, number>)).toEqual({
      samples: 1,
      request_bytes: expect.any(Number),
    });
  });

  it('meters queries and the samples they loaded, bytes stored and active series, each once; splits them by cost attribution labels', async () => {
    const tenant = 'reader';
    const token = await p.tenantToken(tenant, ['metrics:write', 'metrics:read']);
    // Cost attribution by `team`, two combinations kept apart (per hour): the rest is __overflow__.
    const lim = await p.admin('PATCH', `/tenants/${tenant}/limits`, {
      cost_attribution_labels: ['team'],
      max_cost_attribution_cardinality: 2,
    });
    expect(lim.status, JSON.stringify(lim.json)).toBe(200);
    const bad = await p.admin('PATCH', `/tenants/${tenant}/limits`, { cost_attribution_labels: ['__name__'] });
    expect(bad.status).toBe(400);
    const dp = p.server.dataPlane;
    for (let i = 0; i < 100 && dp.overrides.costAttributionLabels(tenant as TenantId).length === 0; i++) {
      await new Promise((res) => setTimeout(res, 100));
    }
    const t0 = Date.now() - 120_000;
    const teams = ['a', 'a', 'a', 'b', 'b', 'c', undefined];
    const series: FixtureSeries[] = teams.map((team, i) => ({
      labels: { __name__: 'up', job: 'node', instance: `n${i}`, ...(team ? { team } : {}) },
      samples: [0, 1, 2].map((k) => ({ value: k, timestamp: t0 + k * 15_000 })),
    }));
    expect((await push(token, series)).status).toBe(204);

    // Every answered query counts once, with the samples its answer says it loaded; a refused one not at all.
    let queries = 0;
    let loaded = 0;
    const q = async (path: string) => {
      const res = await fetch(`${p.url}/prometheus/api/v1/${path}&stats=all`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as { data?: { stats?: { samples: { totalQueryableSamples: number } } } };
      if (res.status !== 200) return res.status;
      queries++;
      loaded += body.data!.stats!.samples.totalQueryableSamples;
      return res.status;
    };
    const end = Math.floor(Date.now() / 1000);
    expect(await q(`query?query=${encodeURIComponent('sum(up)')}&time=${end}`)).toBe(200);
    expect(await q(`query?query=${encodeURIComponent('count_over_time(up[5m])')}&time=${end}`)).toBe(200);
    expect(await q(`query_range?query=up&start=${end - 300}&end=${end}&step=15`)).toBe(200);
    expect(await q(`query?query=${encodeURIComponent('sum(')}`)).toBe(400);
    expect(loaded).toBeGreaterThan(0);

    // Chunks flushed to the store count their data bytes, as the store's own counter does.
    await dp.ingester.flush();
    const stored = (await dp.registry.getSingleMetric('cortex_chunk_store_stored_chunk_bytes_total')!.get()).values
      .filter((v) => v.labels.user === tenant)
      .reduce((n, v) => n + v.value, 0);
    expect(stored).toBeGreaterThan(0);

    // The minute in progress is sampled on stop: the 7 series, in this minute's bucket.
    await dp.activeSeriesMeter!.stop();
    await dp.usageShipper!.flush();
    const r = await report(tenant);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.totals).toMatchObject({ queries, query_samples: loaded, stored_bytes: stored, active_series_max: 7 });
    const sampled = r.json.buckets.filter((b: { counters: object }) => 'active_series_minutes' in b.counters);
    const bucket = sampled.at(-1); // the minute the stop sampled (an earlier one may have ended meanwhile)
    expect(bucket?.counters).toMatchObject({ active_series_minutes: 7, active_series_max: 7 });
    expect(bucket?.activeSeriesAvg).toBe(7);
    // An hour averages its minutes: the rest of this hour had none of this tenant's series.
    const hour = (await report(tenant, 'hour')).json;
    expect(hour.totals.active_series_max).toBe(7);
    expect(hour.buckets[0].activeSeriesAvg).toBe(Math.round((hour.totals.active_series_minutes / 60) * 1000) / 1000);

    // The split adds up to the tenant's figures: a and b apart, c and the series without team past the cap.
    const overflow = { team: '__overflow__' };
    expect(r.json.attribution.map((x: { labels: object; counters: object }) => [x.labels, x.counters])).toEqual([
      [overflow, { samples: 6, active_series_minutes: 2, active_series_max: 2 }],
      [{ team: 'a' }, { samples: 9, active_series_minutes: 3, active_series_max: 3 }],
      [{ team: 'b' }, { samples: 6, active_series_minutes: 2, active_series_max: 2 }],
    ]);
    expect(r.json.totals.samples).toBe(21);
    expect(Object.keys(r.json.totals).some((k) => k.includes('{'))).toBe(false);
    expect(bucket.attribution).toHaveLength(3);
    // The CLI table lists the combinations under the totals.
    const env = { CORTEXCTL_ADDRESS: p.url, CORTEXCTL_TOKEN: ROOT_TOKEN, CORTEXCTL_CONTEXT: undefined, NO_COLOR: '1' };
    const table = await runCommand(Usage, ['--tenant', tenant, '--from', today()], env);
    expect(table.stdout).toMatch(/^TEAM\s+SAMPLES\s+ACTIVE_SERIES_MAX\s+ACTIVE_SERIES_AVG$/m);
    expect(table.stdout).toMatch(/^__overflow__\s+6\s+2\s/m);
  });

  it('applies a re-delivered batch once', async () => {
    await p.tenantToken('direct', ['metrics:read']);
    const minuteMs = Math.floor(Date.now() / 60_000) * 60_000;
    const batch = {
      source: 'test-source',
      seq: 7,
      rows: [{ tenantId: 'direct', minuteMs, counters: { samples: 42 } }],
    };
    const send = () =>
      fetch(`${p.url}/internal/v1/usage`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-cluster-secret-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      }).then(async (r) => ({ status: r.status, json: await r.json() }));
    expect(await send()).toEqual({ status: 200, json: { applied: true } });
    expect(await send()).toEqual({ status: 200, json: { applied: false } });
    expect((await report('direct')).json.totals).toEqual({ samples: 42 });
    // What a split-mode querier relays to the tenant (cluster secret only).
    const internalReport = await fetch(`${p.url}/internal/v1/usage/direct/report?from=${today()}&to=${today()}`, {
      headers: { authorization: 'Bearer test-cluster-secret-0123456789' },
    });
    expect(((await internalReport.json()) as { totals: object }).totals).toEqual({ samples: 42 });
    expect((await fetch(`${p.url}/internal/v1/usage/direct/report?from=${today()}&to=${today()}`)).status).toBe(401);
  });

  it.each([
    { name: 'unknown resolution', q: `from=${'2026-12-01'}&to=2026-12-02&by=week`, err: /by: must be one of/ },
    { name: 'end before start', q: 'from=2026-12-02&to=2026-12-01', err: /to: must be after from/ },
    // found by the admin-rpc fuzz target: rounding the end up to a day made it year 10000 (a 500 from SQL)
    {
      name: 'a range within the last day of year 9999',
      q: 'from=9999-12-31T23:59:59Z&to=9999-12-31T23:59:59Z',
      err: /to: must be after from/,
    },
    { name: 'not a date', q: 'from=yesterday&to=2026-12-01', err: /from: "yesterday" is not a date/ },
    { name: 'too many buckets', q: 'from=2000-01-01&to=2026-12-01&by=minute', err: /more than 50000 minute buckets/ },
  ])('answers 400 for $name', async ({ q, err }) => {
    const r = await p.admin('GET', `/tenants/billed/usage/report?${q}`);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(err);
  });

  it('refuses malformed batches with 400', async () => {
    const post = (body: unknown) =>
      fetch(`${p.url}/internal/v1/usage`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-cluster-secret-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.status);
    const row = { tenantId: 'direct', minuteMs: 60_000, counters: { samples: 1 } };
    expect(await post({ source: 's', seq: 1, rows: [{ ...row, minuteMs: 60_001 }] })).toBe(400);
    expect(await post({ source: 's', seq: 1, rows: [{ ...row, tenantId: 'a/b' }] })).toBe(400);
    expect(await post({ source: 's', seq: 1, rows: [{ ...row, counters: { 'DROP TABLE': 1 } }] })).toBe(400);
    expect(await post({ source: 's', seq: 1, rows: [{ ...row, counters: { samples: -1 } }] })).toBe(400);
    expect(await post({ source: 's p', seq: 1, rows: [row] })).toBe(400);
    // Cost attribution keys: quoted values, label names, counters that may carry one; maxima are derived.
    const counter = (k: string) => post({ source: 's', seq: 1, rows: [{ ...row, counters: { [k]: 1 } }] });
    expect(await counter('samples{team=a}')).toBe(400);
    expect(await counter('samples{te-am="a"}')).toBe(400);
    expect(await counter('samples{team="a",}')).toBe(400);
    expect(await counter('exemplars{team="a"}')).toBe(400);
    expect(await counter('active_series_max{team="a"}')).toBe(400);
    expect(await counter('active_series_max')).toBe(400);
  });
});
