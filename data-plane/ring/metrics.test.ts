import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { emptyRing } from './codec.js';
import { registerRingMetrics } from './metrics.js';

describe('ring metrics', () => {
  it('counts members by state (Unhealthy derived) and tokens, on every scrape', async () => {
    const d = emptyRing();
    const add = (id: string, state: 'ACTIVE' | 'LEAVING', heartbeatMs: number) => {
      d.instances[id] = {
        id,
        addr: '',
        zone: '',
        state,
        tokens: [1, 2, 3].map((t) => t + id.length * 10),
        heartbeatMs,
        registeredMs: 0,
      };
    };
    add('a', 'ACTIVE', 100_000);
    add('bb', 'ACTIVE', 5_000);
    add('ccc', 'LEAVING', 99_000);
    const reg = new Registry();
    registerRingMetrics(
      reg,
      () => [{ name: 'ingester', replicationFactor: 3, heartbeatTimeoutMs: 60_000, describe: () => d }],
      () => 100_000,
    );
    const text = await reg.metrics();
    expect(text).toContain('cortex_ring_members{name="ingester",state="ACTIVE"} 1');
    expect(text).toContain('cortex_ring_members{name="ingester",state="Unhealthy"} 1');
    expect(text).toContain('cortex_ring_members{name="ingester",state="LEAVING"} 1');
    expect(text).toContain('cortex_ring_members{name="ingester",state="JOINING"} 0');
    expect(text).toContain('cortex_ring_oldest_member_timestamp{name="ingester",state="LEAVING"} 99');
    expect(text).toContain('cortex_ring_tokens_total{name="ingester"} 9');
    delete d.instances.a;
    expect(await reg.metrics()).toContain('cortex_ring_members{name="ingester",state="ACTIVE"} 0');
  });
});
