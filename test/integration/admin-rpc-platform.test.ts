/**
 * AdminService on the whole platform as `cortexctl server --dev` composes it: native gRPC on its own
 * port beside the HTTP port, GetUsage from the data plane's ingesters, DeleteSeries audited.
 */
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminService } from '../../gen/cortex/admin/v1/admin_pb.js';
import { ROOT_TOKEN, startPlatform, type TestPlatform } from '../helpers/platform.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';

describe('admin RPC on the platform', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startPlatform({ grpcPort: 0 });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('serves gRPC on its own port; GetUsage counts the active series against the limit', async () => {
    const address = p.server.grpcAddress!;
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    const client = createClient(AdminService, createGrpcTransport({ baseUrl: `http://${address}` }));
    const headers = { authorization: `Bearer ${ROOT_TOKEN}` };
    const token = await p.tenantToken('usage-a', ['metrics:write']);
    await client.setLimits(
      { tenantId: 'usage-a', limits: { max_global_series_per_user: { kind: { case: 'number', value: 5000 } } } },
      { headers },
    );
    const now = Date.now();
    const series = [0, 1, 2].map((i) => ({
      labels: { __name__: 'up', job: 'api', instance: `i${i}` },
      samples: [{ value: 1, timestamp: now }],
    }));
    const push = await fetch(`${p.url}/api/v1/push`, {
      method: 'POST',
      headers: remoteWriteHeaders(token),
      body: remoteWriteBody(series),
    });
    expect(push.status).toBe(204);

    const usage = await client.getUsage({ tenantId: 'usage-a' }, { headers });
    expect(usage.current?.activeSeries).toBe(3n);
    expect(usage.maxActiveSeries).toBe(5000n);
    expect(usage.ingestionRateLimit).toBeGreaterThan(0);
    // REST answers from the same service.
    const rest = await p.admin('GET', '/tenants/usage-a/usage');
    expect(rest.json).toMatchObject({ tenantId: 'usage-a', current: { activeSeries: 3 }, maxActiveSeries: 5000 });

    const deleted = await client.deleteSeries({ tenantId: 'usage-a', matchers: ['up{instance="i0"}'] }, { headers });
    expect(deleted.selectors).toEqual(['{__name__="up",instance="i0"}']);
    const audit = await client.listAuditEvents({ tenantId: 'usage-a', action: 'tenant.delete_series' }, { headers });
    expect(audit.auditEvents).toHaveLength(1);
  });
});
