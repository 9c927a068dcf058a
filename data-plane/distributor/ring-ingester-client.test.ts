import { describe, expect, it } from 'vitest';
import { Labels, type TenantId, UnavailableError, type WriteRequest } from '../model/index.js';
import { generateTokens, type InstanceDesc, Ring, type RingDesc } from '../ring/index.js';
import { InMemoryIngesterClient } from './memory-ingester.js';
import { RingIngesterClient } from './ring-ingester-client.js';

const T = 'tenant-a' as TenantId;

function cluster(n: number, rf = 3) {
  const desc: RingDesc = { instances: {} };
  const clients = new Map<string, InMemoryIngesterClient>();
  const taken = new Set<number>();
  for (let i = 0; i < n; i++) {
    const tokens = generateTokens(32, taken).sort((a, b) => a - b);
    for (const t of tokens) taken.add(t);
    const id = `ing-${i}`;
    desc.instances[id] = {
      id,
      addr: `http://127.0.0.1:${9000 + i}`,
      zone: '',
      state: 'ACTIVE',
      tokens,
      heartbeatMs: Date.now(),
      registeredMs: Date.now(),
    };
    clients.set(id, new InMemoryIngesterClient());
  }
  const ring = new Ring({ replicationFactor: rf }, desc);
  const client = new RingIngesterClient({
    ring,
    clientFor: (inst: InstanceDesc) => clients.get(inst.id)!,
    shardSize: () => 0,
  });
  return { ring, clients, client };
}

function req(nSeries: number, t: number): WriteRequest {
  return {
    timeseries: Array.from({ length: nSeries }, (_, k) => ({
      labels: Labels.fromObject({ __name__: 'm', k: String(k) }),
      samples: [{ t, v: k }],
      histograms: [],
      exemplars: [],
    })),
    metadata: [{ metricFamilyName: 'm', type: 'gauge', help: '', unit: '' }],
  };
}

describe('RingIngesterClient', () => {
  it('writes every series to RF replicas and counts each sample once', async () => {
    const { clients, client } = cluster(4);
    const out = await client.push(T, req(50, 1000));
    expect(out).toMatchObject({ samplesAppended: 50, errors: [] });
    let copies = 0;
    for (const c of clients.values()) copies += c.seriesCount(T);
    expect(copies).toBe(150);
  });

  it('keeps writing with one replica down, fails with 5xx when a quorum is lost', async () => {
    const { clients, client } = cluster(3);
    clients.get('ing-1')!.unavailable = true;
    expect((await client.push(T, req(20, 1000))).samplesAppended).toBe(20);
    clients.get('ing-2')!.unavailable = true;
    await expect(client.push(T, req(20, 2000))).rejects.toBeInstanceOf(UnavailableError);
  });

  it('reports a per-series rejection once, not once per replica', async () => {
    const { client } = cluster(3);
    await client.push(T, req(3, 5000));
    const out = await client.push(T, req(3, 1000));
    expect(out.errors).toHaveLength(3);
    expect(out.samplesAppended).toBe(0);
  });

  it('fails fast when the ring has too few healthy ingesters', async () => {
    const { client } = cluster(1);
    await expect(client.push(T, req(1, 1))).rejects.toBeInstanceOf(UnavailableError);
  });
});
