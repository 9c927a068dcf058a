/**
 * Every registered fuzz target against one in-process platform (real control plane on PGlite, real
 * HTTP), bounded: BOUNDED_RUNS inputs per target from a fixed seed. `npm run fuzz -- --target NAME
 * --runs N` runs one target long (see docs/fuzzing.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';
import { closeClients, type FuzzContext, ONLY, runsFor, runTarget, SEED, TARGETS } from './harness.js';
import './targets/index.js';

const TENANT_SCOPES = ['metrics:read', 'metrics:write', 'rules:read', 'rules:write', 'alerts:read', 'alerts:write'];
const CANARY = 'canary_secret_7f3a';

let platform: TestPlatform;
let ctx: FuzzContext;

beforeAll(async () => {
  platform = await startPlatform();
  const token = await platform.tenantToken('fuzz', TENANT_SCOPES);
  const canaryToken = await platform.tenantToken('canary', TENANT_SCOPES);
  ctx = {
    platform,
    token,
    tenant: 'fuzz',
    canaryToken,
    canaryMark: CANARY,
    stallReport: () => queryState(platform),
    // a concurrent lane's own tenant, so its writes and read-backs never meet another lane's
    lane: async (i) => ({ ...ctx, tenant: `fuzz-${i}`, token: await platform.tenantToken(`fuzz-${i}`, TENANT_SCOPES) }),
    rotate: async (tenant, retired) => {
      const next = { ...ctx, tenant, token: await platform.tenantToken(tenant, TENANT_SCOPES) };
      // a rotated tenant is deleted when its lane moves on (its series are purged from memory and
      // the store); the lanes' first tenants hold the data other targets query, and stay
      if (/-r\d+$/.test(retired)) {
        const del = await platform.admin('DELETE', `/tenants/${retired}`);
        if (del.status >= 300) throw new Error(`deleting rotated tenant ${retired}: ${del.status}`);
      }
      return next;
    },
  };
  const now = Date.now();
  // the fuzzed tenant's data, and the canary tenant's data, config and rules that must never leak
  for (const [tok, labels] of [
    [token, { __name__: 'http_requests_total', job: 'api', instance: 'a:9090' }],
    [token, { __name__: 'up', job: 'api', instance: 'a:9090' }],
    [canaryToken, { __name__: 'up', job: CANARY, secret: CANARY }],
    [canaryToken, { __name__: CANARY, job: 'api' }],
  ] as const) {
    const res = await fetch(`${platform.url}/api/v1/push`, {
      method: 'POST',
      headers: remoteWriteHeaders(tok),
      body: remoteWriteBody([
        { labels, samples: Array.from({ length: 20 }, (_, i) => ({ value: i, timestamp: now - (20 - i) * 15_000 })) },
      ]),
    });
    expect(res.status, await res.text()).toBe(204);
  }
  const rules = await fetch(`${platform.url}/prometheus/config/v1/rules/${CANARY}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${canaryToken}`, 'content-type': 'application/yaml' },
    body: `name: ${CANARY}\nrules:\n  - record: ${CANARY}:sum\n    expr: sum(up)\n`,
  });
  expect(rules.status, await rules.text()).toBe(202);
  const am = await fetch(`${platform.url}/api/v1/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${canaryToken}`, 'content-type': 'application/yaml' },
    body: `route:\n  receiver: ${CANARY}\nreceivers:\n  - name: ${CANARY}\n`,
  });
  expect(am.status, await am.text()).toBe(201);
}, 120_000);
afterAll(async () => {
  closeClients();
  await platform?.close();
});

/** The query path's queues and workers, read from their private fields: what a stalled query waits on. */
function queryState(p: TestPlatform): string {
  const dp = p.server.dataPlane as unknown as {
    frontend: { opts: { queue: { running: number; runningBy: Map<string, number>; queues: Map<string, unknown[]> } } };
    evalPool?: { slots: { job?: { opts: { key: string } } }[]; queues: Map<string, unknown[]> };
  };
  const q = dp.frontend.opts.queue;
  const pool = dp.evalPool;
  return JSON.stringify({
    frontendRunning: q.running,
    frontendRunningBy: Object.fromEntries(q.runningBy),
    frontendQueued: Object.fromEntries([...q.queues].map(([k, v]) => [k, v.length])),
    poolBusy: pool?.slots.map((s) => s.job?.opts.key ?? null),
    poolQueued: pool ? Object.fromEntries([...pool.queues].map(([k, v]) => [k, v.length])) : undefined,
  });
}

describe(`interface fuzzing (seed ${SEED})`, () => {
  for (const target of TARGETS) {
    const run = ONLY === undefined || ONLY.length === 0 || ONLY.includes(target.name) ? it : it.skip;
    run(
      `${target.name}: ${target.surface}`,
      async () => {
        const summary = await runTarget(ctx, target);
        console.log(`fuzz ${target.name}: seed ${SEED}, ${runsFor(target)} inputs asked, ${summary}`);
      },
      // generous: an input takes a few ms; vitest must not cut a long `npm run fuzz` run short
      120_000 + runsFor(target) * 100,
    );
  }
  it('knows the target asked for', () => {
    for (const name of ONLY ?? []) expect(TARGETS.map((t) => t.name)).toContain(name);
  });
});
