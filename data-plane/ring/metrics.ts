import { Gauge, type Registry } from 'prom-client';
import type { RingView } from './status.js';
import type { InstanceState } from './types.js';

const STATES: readonly (InstanceState | 'Unhealthy')[] = [
  'ACTIVE',
  'LEAVING',
  'PENDING',
  'JOINING',
  'LEFT',
  'Unhealthy',
];

/**
 * Cortex's ring metrics, computed on scrape from the rings this process knows:
 * `cortex_ring_members{name,state}` (state `Unhealthy` for heartbeats older than the timeout),
 * `cortex_ring_oldest_member_timestamp{name,state}` (seconds; 0 without members) and
 * `cortex_ring_tokens_total{name}`.
 */
export function registerRingMetrics(
  registry: Registry,
  rings: () => readonly RingView[],
  now: () => number = Date.now,
): void {
  const snapshot = () => {
    const nowMs = now();
    return rings().map((r) => {
      const members = new Map<string, number>();
      const oldest = new Map<string, number>();
      let tokens = 0;
      for (const inst of Object.values(r.describe().instances)) {
        const unhealthy = inst.state === 'LEFT' || nowMs - inst.heartbeatMs > r.heartbeatTimeoutMs;
        const state = unhealthy ? 'Unhealthy' : inst.state;
        members.set(state, (members.get(state) ?? 0) + 1);
        const o = oldest.get(state);
        if (o === undefined || inst.heartbeatMs < o) oldest.set(state, inst.heartbeatMs);
        tokens += inst.tokens.length;
      }
      return { name: r.name, members, oldest, tokens };
    });
  };
  new Gauge({
    name: 'cortex_ring_members',
    help: 'Number of members in the ring, by state.',
    labelNames: ['name', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of snapshot()) for (const s of STATES) this.set({ name: r.name, state: s }, r.members.get(s) ?? 0);
    },
  });
  new Gauge({
    name: 'cortex_ring_oldest_member_timestamp',
    help: 'Timestamp (seconds) of the oldest heartbeat among the ring members in each state.',
    labelNames: ['name', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of snapshot()) {
        for (const s of STATES) this.set({ name: r.name, state: s }, (r.oldest.get(s) ?? 0) / 1000);
      }
    },
  });
  new Gauge({
    name: 'cortex_ring_tokens_total',
    help: 'Number of tokens in the ring.',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of snapshot()) this.set({ name: r.name }, r.tokens);
    },
  });
}
