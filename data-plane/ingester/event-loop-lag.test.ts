import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EventLoopLagMonitor } from './event-loop-lag.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps the thread busy for `ms`, as a synchronous flush slice would. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

async function bucketCounts(registry: Registry): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const text = await registry.metrics();
  for (const m of text.matchAll(/^cortex_ingester_event_loop_lag_seconds_(?:bucket\{le="([^"]+)"\}|count) (\S+)$/gm)) {
    out.set(m[1] ?? 'count', Number(m[2]));
  }
  return out;
}

describe('EventLoopLagMonitor', () => {
  it('records a blocked loop as one late tick on /metrics', async () => {
    const registry = new Registry();
    const mon = new EventLoopLagMonitor(registry, 5);
    mon.start();
    await sleep(30);
    block(120);
    await sleep(30);
    mon.stop();
    const c = await bucketCounts(registry);
    // A 120 ms block delays the tick due during it by at least 120 - 5 ms: above the 0.1 s bound.
    expect(c.get('count')).toBeGreaterThan(1);
    expect(c.get('0.1')).toBeLessThan(c.get('count')!);
    expect(c.get('+Inf')).toBe(c.get('count'));
  });

  it('stops sampling when stopped', async () => {
    const registry = new Registry();
    const mon = new EventLoopLagMonitor(registry, 5);
    mon.start();
    mon.start();
    await sleep(20);
    mon.stop();
    const before = (await bucketCounts(registry)).get('count')!;
    await sleep(30);
    expect((await bucketCounts(registry)).get('count')).toBe(before);
    expect(before).toBeGreaterThan(0);
  });
});
