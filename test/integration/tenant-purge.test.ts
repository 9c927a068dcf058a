/**
 * Tenant deletion end to end: the control plane records a purge request, housekeeping removes every
 * row of the tenant from the chunk store and reports completion, and the ID can then be reused.
 * Retention drops day buckets older than the tenant's retention_period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Matcher, parseTenantId } from '../../data-plane/model/index.js';
import type { Series } from '../../data-plane/storage/index.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';

const DAY = 86_400_000;
let p: TestPlatform;

beforeAll(async () => {
  p = await startPlatform();
}, 120_000);
afterAll(() => p?.close());

/** Series in the chunk store alone (not the ingesters). */
async function storedSeries(tenant: string, mint: number, maxt: number): Promise<Series[]> {
  const store = p.server.dataPlane.chunkStore!.queryable(parseTenantId(tenant));
  const q = store.querier(mint, maxt);
  try {
    return await q.select(false, undefined, [new Matcher('=~', '__name__', '.+')]);
  } finally {
    q.close();
  }
}

describe('tenant purge and retention', () => {
  it('purges a deleted tenant’s rows and frees its ID', async () => {
    const token = await p.tenantToken('doomed', ['metrics:write']);
    const keep = await p.tenantToken('keeper', ['metrics:write']);
    const now = Date.now();
    const body = remoteWriteBody([
      { labels: { __name__: 'purge_me', a: 'b' }, samples: [{ value: 1, timestamp: now - 60_000 }] },
    ]);
    for (const t of [token, keep]) {
      const r = await fetch(`${p.url}/api/v1/push`, { method: 'POST', headers: remoteWriteHeaders(t), body });
      expect(r.status).toBe(204);
    }
    await p.server.dataPlane.ingester.flush(true);
    const inStore = async (t: string) => (await storedSeries(t, now - DAY, now)).length;
    expect(await inStore('doomed')).toBe(1);

    expect((await p.admin('DELETE', '/tenants/doomed')).status).toBe(200);
    expect((await p.admin('POST', '/tenants', { id: 'doomed' })).status).toBe(409);
    expect(await p.server.housekeeping.purges()).toEqual(['doomed']);
    expect(await inStore('doomed')).toBe(0);
    expect(await inStore('keeper')).toBe(1);
    expect((await p.admin('POST', '/tenants', { id: 'doomed' })).status).toBe(201);
  });

  it('drops day buckets older than retention_period', async () => {
    const token = await p.tenantToken('short', ['metrics:write']);
    expect(
      (await p.admin('PATCH', '/tenants/short/limits', { retention_period: '2d', reject_old_samples_max_age: '30d' }))
        .status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500));
    const now = Date.now();
    const body = remoteWriteBody([
      { labels: { __name__: 'old_metric' }, samples: [{ value: 1, timestamp: now - 5 * DAY }] },
      { labels: { __name__: 'new_metric' }, samples: [{ value: 1, timestamp: now - 60_000 }] },
    ]);
    expect(
      (await fetch(`${p.url}/api/v1/push`, { method: 'POST', headers: remoteWriteHeaders(token), body })).status,
    ).toBe(204);
    await p.server.dataPlane.ingester.flush(true);
    expect(await p.server.housekeeping.retention()).toBeGreaterThan(0);
    const names = (await storedSeries('short', now - 10 * DAY, now)).map((s) => s.labels.metricName());
    expect(names).not.toContain('old_metric');
    expect(names).toContain('new_metric');
    // Queries hide data past retention at once, including what ingesters still hold in memory.
    const visible = p.server.dataPlane.querier.queryable(parseTenantId('short')).querier(now - 10 * DAY, now);
    const vnames = (await visible.select(false, undefined, [new Matcher('=~', '__name__', '.+')])).map((s) =>
      s.labels.metricName(),
    );
    expect(vnames).toEqual(['new_metric']);
  });
});
