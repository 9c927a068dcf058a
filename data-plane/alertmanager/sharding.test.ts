import { describe, expect, it } from 'vitest';
import { LimitExceededError, parseTenantId, type TenantId, UnavailableError } from '../model/index.js';
import { Ring, tenantHash } from '../ring/index.js';
import type { InstanceDesc, RingDesc } from '../ring/types.js';
import { AlertmanagerApi } from './api.js';
import { MultitenantAlertmanager } from './multitenant.js';
import type { AlertmanagerPeers, PeerCall } from './peers.js';
import { ManualScheduler } from './scheduler.js';

const T = parseTenantId('acme');
const START = Date.parse('2026-11-26T10:00:00Z');

function inst(id: string, tokens: number[], heartbeatMs = START): InstanceDesc {
  return { id, addr: `http://${id}`, zone: '', state: 'ACTIVE', tokens, heartbeatMs, registeredMs: 0 };
}

/** An instance `self` of a sharded Alertmanager over a ring the test edits; peers are scripted. */
async function setup(self: string, rf: number) {
  const sched = new ManualScheduler(START);
  const ring = new Ring({ replicationFactor: rf, heartbeatTimeoutMs: 60_000, now: () => sched.now() });
  const calls: { to: string; call: PeerCall }[] = [];
  const fail = new Map<string, Error>();
  const peers: AlertmanagerPeers = {
    async call(i: InstanceDesc, _t: TenantId, call: PeerCall) {
      calls.push({ to: i.id, call });
      const e = fail.get(i.id);
      if (e) throw e;
      return call.op === 'api' ? [] : null;
    },
  };
  const am = new MultitenantAlertmanager({
    fetchConfigs: async () => ({ revision: 1, tenants: {} }),
    externalUrl: 'http://am.example/alertmanager',
    clock: sched,
    scheduler: sched,
    sharding: { ring, instanceId: self, replicationFactor: rf, peers },
  });
  const api = new AlertmanagerApi(am, { version: 'test', now: () => sched.now() });
  return { am, api, ring, sched, calls, fail };
}

const threeInstances = (): RingDesc => ({
  instances: {
    a: inst('a', [1_000_000_000]),
    b: inst('b', [2_000_000_000]),
    c: inst('c', [3_000_000_000]),
  },
});

describe('sharded MultitenantAlertmanager', () => {
  it('answers 503 while the ring is empty, and serves as soon as it is read (no stale empty view)', async () => {
    const { am, api, ring } = await setup('a', 3);
    await am.start();
    await expect(api.getAlerts(T, {})).rejects.toBeInstanceOf(UnavailableError);
    ring.update(threeInstances());
    expect(await api.getAlerts(T, {})).toEqual([]);
    expect(am.runningTenants()).toEqual([T]);
    am.stop();
  });

  it('orders replicas by the ring; a non-replica forwards reads to the first replica that answers', async () => {
    const { am, api, ring, calls, fail } = await setup('c', 2);
    // The tenant's hash decides the first token clockwise; instance tokens follow it in order.
    const h = tenantHash(T);
    ring.update({
      instances: {
        a: inst('a', [(h + 10) >>> 0]),
        b: inst('b', [(h + 20) >>> 0]),
        c: inst('c', [(h + 30) >>> 0]),
      },
    });
    await am.start();
    expect(am.replicas(T).instances.map((i) => i.id)).toEqual(['a', 'b']);
    expect(am.owns(T)).toBe(false);
    expect(am.position(T)).toBe(2);
    fail.set('a', new UnavailableError('a is down'));
    expect(await api.getSilences(T, {})).toEqual([]);
    expect(calls.map((c) => c.to)).toEqual(['a', 'b']);
    expect(am.runningTenants()).toEqual([]);
    am.stop();
  });

  it('delivers posted alerts to every replica; fails past the quorum, with a replica client error when there is one', async () => {
    const { am, api, ring, calls, fail } = await setup('a', 3);
    ring.update(threeInstances());
    await am.start();
    const alerts = [{ labels: { alertname: 'A' } }];
    await api.postAlerts(T, alerts);
    expect(calls.map((c) => [c.to, c.call.op]).sort()).toEqual([
      ['b', 'receiveAlerts'],
      ['c', 'receiveAlerts'],
    ]);
    expect((await am.tenant(T)).listAlerts()).toHaveLength(1);
    // RF 3 tolerates one failed replica…
    fail.set('b', new UnavailableError('b is down'));
    await api.postAlerts(T, alerts);
    // …not two; a replica's own refusal is what the client sees.
    fail.set('c', new LimitExceededError('too many alerts'));
    await expect(api.postAlerts(T, alerts)).rejects.toBeInstanceOf(LimitExceededError);
    fail.set('c', new UnavailableError('c is down'));
    await expect(api.postAlerts(T, alerts)).rejects.toThrow(/alerts reached 1 of 3 replicas/);
    // Invalid alerts fail here, before any replica is called.
    calls.length = 0;
    await expect(api.postAlerts(T, [{ labels: {} }])).rejects.toThrow(/at least one label pair/);
    expect(calls).toEqual([]);
    am.stop();
  });

  it('a dead instance leaves the view at the next ring check: its tenants move on', async () => {
    const { am, ring, sched } = await setup('a', 2);
    const h = tenantHash(T);
    const desc = (bHeartbeat: number): RingDesc => ({
      instances: {
        b: inst('b', [(h + 10) >>> 0], bHeartbeat),
        c: inst('c', [(h + 20) >>> 0], sched.now()),
        a: inst('a', [(h + 30) >>> 0], sched.now()),
      },
    });
    ring.update(desc(START));
    await am.start();
    expect(am.owns(T)).toBe(false);
    await sched.advance(120_000);
    ring.update(desc(START)); // b stopped heartbeating two minutes ago
    await am.checkRing();
    expect(am.replicas(T).instances.map((i) => i.id)).toEqual(['c', 'a']);
    expect(am.position(T)).toBe(1);
    am.stop();
  });
});
