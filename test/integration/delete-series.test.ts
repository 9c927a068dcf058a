/**
 * Operator delete-series end to end over HTTP: samples pushed by remote write (some already flushed
 * to the chunk store, some still in the ingester) are gone from queries as soon as the admin API
 * call returns, stay gone across a restart, and the housekeeping job then removes the store rows.
 * Bad requests get a precise 400; the call needs an operator credential.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../cli/server/compose.js';
import { Matcher, parseTenantId } from '../../data-plane/model/index.js';
import type { KVChunkStore } from '../../data-plane/storage/chunkstore/index.js';
import { ROOT_TOKEN, startServerIn } from '../helpers/platform.js';
import { remoteWriteBody, remoteWriteHeaders } from '../helpers/remote-write.js';

const ROOT = ROOT_TOKEN;
const dataDir = mkdtempSync(join(tmpdir(), 'delete-series-it-'));
let server: RunningServer;

const start = () => startServerIn(dataDir);

async function admin(method: string, path: string, body?: unknown, token = ROOT) {
  const res = await fetch(`${server.url}/admin/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const tokens = new Map<string, string>();
async function token(tenant: string): Promise<string> {
  if (!tokens.has(tenant)) {
    await admin('POST', '/tenants', { id: tenant });
    const t = await admin('POST', `/tenants/${tenant}/tokens`, { scopes: ['metrics:write', 'metrics:read'] });
    tokens.set(tenant, t.json.token);
  }
  return tokens.get(tenant)!;
}

const STEP = 15_000;
const NOW = Math.floor(Date.now() / STEP) * STEP;
const T0 = NOW - 30 * 60_000;
const times = (from: number, to: number) => {
  const out: number[] = [];
  for (let t = from; t <= to; t += STEP) out.push(t);
  return out;
};

async function push(tenant: string, from: number, to: number) {
  const body = remoteWriteBody(
    ['a', 'b'].map((room) => ({
      labels: { __name__: 'temp', room },
      samples: times(from, to).map((t) => ({ value: t / 1000, timestamp: t })),
    })),
  );
  const r = await fetch(`${server.url}/api/v1/push`, {
    method: 'POST',
    headers: remoteWriteHeaders(await token(tenant)),
    body,
  });
  expect(r.status).toBe(204);
}

/** Raw sample timestamps per room, via the tenant-facing query API (`temp[31m]` at NOW). */
async function samples(tenant: string): Promise<Record<string, number[]>> {
  const q = new URLSearchParams({ query: 'temp[31m]', time: String(NOW / 1000) });
  const r = await fetch(`${server.url}/prometheus/api/v1/query?${q}`, {
    headers: { authorization: `Bearer ${await token(tenant)}` },
  });
  expect(r.status).toBe(200);
  const j = (await r.json()) as { data: { result: { metric: { room: string }; values: [number, string][] }[] } };
  const out: Record<string, number[]> = {};
  for (const s of j.data.result) out[s.metric.room] = s.values.map(([t]) => Math.round(t * 1000));
  return out;
}

/** Points of room a from a range query (through the query frontend and its results cache). */
async function rangePoints(tenant: string): Promise<number> {
  const q = new URLSearchParams({
    query: 'temp{room="a"}',
    start: String((T0 + 60_000) / 1000),
    end: String(NOW / 1000),
    step: '60',
  });
  const r = await fetch(`${server.url}/prometheus/api/v1/query_range?${q}`, {
    headers: { authorization: `Bearer ${await token(tenant)}` },
  });
  expect(r.status).toBe(200);
  const j = (await r.json()) as { data: { result: { values: unknown[] }[] } };
  return j.data.result[0]?.values.length ?? 0;
}

/**
 * Row counts of the tenant in the chunk store by row type (c chunk, s series, t tombstone, …), and
 * the series rows per time bucket: the test's 30 minutes end at the wall clock, so they may straddle
 * a bucket boundary, and a series then has one row in each bucket it has data in.
 */
async function rows(tenant: string): Promise<Record<string, number> & { seriesPerBucket: Map<string, number> }> {
  const store = server.dataPlane.chunkStore as KVChunkStore;
  const prefix = new TextEncoder().encode(`${tenant}\0`);
  const out: Record<string, number> = {};
  const seriesPerBucket = new Map<string, number>();
  for (const { key } of await store.kv.scan({ prefix }, { keysOnly: true })) {
    const type = String.fromCharCode(key[prefix.length + 4]!);
    out[type] = (out[type] ?? 0) + 1;
    if (type === 's') {
      const bucket = Buffer.from(key.subarray(prefix.length, prefix.length + 4)).toString('hex');
      seriesPerBucket.set(bucket, (seriesPerBucket.get(bucket) ?? 0) + 1);
    }
  }
  return Object.assign(out, { seriesPerBucket });
}

beforeAll(async () => {
  server = await start();
}, 120_000);
afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('operator delete-series', () => {
  const delFrom = NOW - 20 * 60_000;
  const delTo = NOW - 5 * 60_000;
  const all = times(T0, NOW);
  const keptA = all.filter((t) => t < delFrom || t > delTo);

  it('rejects bad requests precisely and needs an operator credential', async () => {
    await token('ops');
    const bad = async (body: unknown) => {
      const r = await admin('POST', '/tenants/ops/delete-series', body);
      expect(r.status).toBe(400);
      return r.json.error.message as string;
    };
    expect(await bad({ match: [] })).toMatch(/match/);
    expect(await bad({})).toMatch(/match/);
    expect(await bad({ match: ['{__name__=~".*"}'] })).toMatch(/matches every series/);
    expect(await bad({ match: ['{__name__=~".+"}'] })).toMatch(/matches every series/);
    expect(await bad({ match: ['{room=""}'] })).toMatch(/matches every series/);
    expect(await bad({ match: ['temp'], start: '200', end: '100' })).toMatch(/start .* is after end/);
    expect(await bad({ match: ['temp'], start: 'yesterday' })).toMatch(/invalid parameter "start"/);
    expect(await bad({ match: ['rate(temp[5m])'] })).toMatch(/series selector/);
    expect((await admin('POST', '/tenants/nobody/delete-series', { match: ['temp'] })).status).toBe(404);
    expect((await admin('POST', '/tenants/ops/delete-series', { match: ['temp'] }, '')).status).toBe(401);
    const tenantToken = await token('ops');
    expect([401, 403]).toContain(
      (await admin('POST', '/tenants/ops/delete-series', { match: ['temp'] }, tenantToken)).status,
    );
  });

  it('hides the data at once, keeps it hidden across a restart, and housekeeping removes the rows', async () => {
    for (const t of ['ops', 'bystander']) await push(t, T0, NOW - 15 * 60_000);
    await server.dataPlane.ingester.flush(true); // the older half is in the chunk store
    for (const t of ['ops', 'bystander']) await push(t, NOW - 15 * 60_000 + STEP, NOW); // the rest in memory
    expect(await samples('ops')).toEqual({ a: all, b: all });
    const before = await rows('ops');
    const rangeBefore = await rangePoints('ops');
    expect(await rangePoints('ops')).toBe(rangeBefore); // cached now

    const r1 = await admin('POST', '/tenants/ops/delete-series', {
      match: ['temp{room="a"}'],
      start: String(delFrom / 1000),
      end: new Date(delTo).toISOString(),
    });
    expect(r1.status).toBe(200);
    expect(r1.json).toMatchObject({
      tenantId: 'ops',
      selectors: ['{__name__="temp",room="a"}'],
      start: new Date(delFrom).toISOString(),
      end: new Date(delTo).toISOString(),
    });
    // Flushed chunks stay in memory for the retain period, so all of the range leaves memory.
    expect(r1.json.samplesRemovedFromMemory).toBe(times(delFrom, delTo).length);
    const r2 = await admin('POST', '/tenants/ops/delete-series', { match: ['temp{room="b"}'] });
    expect(r2.status).toBe(200);
    expect(await samples('ops')).toEqual({ a: keptA });
    expect(await samples('bystander')).toEqual({ a: all, b: all });
    // The results cache was dropped: range queries no longer see the deleted samples either.
    // Each step sees the newest sample of the 5 m before it (Prometheus lookback), if any survived.
    const steps = times(T0 + 60_000, NOW).filter((t) => (t - T0 - 60_000) % 60_000 === 0);
    const expected = steps.filter((t) => keptA.some((x) => x > t - 300_000 && x <= t)).length;
    expect(expected).toBeLessThan(rangeBefore);
    expect(await rangePoints('ops')).toBe(expected);

    // Restart: shutdown flushes what the ingester held; nothing deleted comes back.
    await server.close();
    server = await start();
    expect(await samples('ops')).toEqual({ a: keptA });
    expect(await samples('bystander')).toEqual({ a: all, b: all });

    // Housekeeping removes what the tombstones hide: all of room b, the chunks of room a inside
    // the range; a chunk only partly inside stays with its tombstone.
    const mid = await rows('ops');
    expect(mid.t).toBeGreaterThan(0);
    const pending = await admin('GET', '/tenants/ops/delete-series');
    expect(pending.status).toBe(200);
    expect(pending.json.items.map((d: { selector: string }) => d.selector).sort()).toEqual([
      '{__name__="temp",room="a"}',
      '{__name__="temp",room="b"}',
    ]);
    const st = await server.housekeeping.purgeDeletedSeries();
    expect(st.chunksDeleted).toBeGreaterThan(0);
    expect(st.seriesDeleted).toBeGreaterThan(0);
    const after = await rows('ops');
    // Room b's tombstone is fully applied and gone; room a's may stay for a chunk only partly inside.
    const still = (await admin('GET', '/tenants/ops/delete-series')).json.items.map(
      (d: { selector: string }) => d.selector,
    );
    expect(still).not.toContain('{__name__="temp",room="b"}');
    expect(after.c!).toBeLessThan(mid.c!);
    expect(after.s!).toBeLessThan(mid.s!);
    // Deleting removed no series row before housekeeping (room a may have gained one in a new bucket).
    for (const [bucket, n] of before.seriesPerBucket) expect(mid.seriesPerBucket.get(bucket)).toBe(n);
    const store = (server.dataPlane.chunkStore as KVChunkStore).queryable(parseTenantId('ops'));
    const q = store.querier(T0 - 86_400_000, NOW + 86_400_000);
    const left = await q.select(true, undefined, [new Matcher('=', '__name__', 'temp')]);
    expect(left.map((s) => s.labels.get('room'))).toEqual(['a']);
    expect(await samples('ops')).toEqual({ a: keptA });
    expect(await samples('bystander')).toEqual({ a: all, b: all });
  });
});
