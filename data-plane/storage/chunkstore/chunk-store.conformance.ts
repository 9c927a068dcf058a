/**
 * One behavioural suite for the chunk store over every SortedKV (Cortex `forAllFixtures` style):
 * embedded as a unit test, Bigtable on the emulator in test/conformance. The suite wraps the store's
 * KV in a RecordingKV so it can prove what a query touched.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Labels, Matcher, parseTenantId, type TenantId } from '../../model/index.js';
import { growingFloatSink } from '../float-sink.js';
import type { Series, StoredChunk } from '../interface.js';
import { type KVEntry, RecordingKV, type SortedKV, startsWith } from '../kv/index.js';
import { cut, drain, makeSeries, type TestSeries, within } from './chunk-store.fixtures.js';
import { applyRetention, DAY_MS, KVChunkStore } from './index.js';

export interface ChunkStoreKVFixture {
  kv: SortedKV;
  /** Closes the KV and opens it again over the same data. */
  reopen?: () => Promise<SortedKV>;
  cleanup?: () => Promise<void>;
}

const D = Date.UTC(2026, 10, 20);
const MIN = 60_000;
const A = parseTenantId('team-a');
const B = parseTenantId('team-a2');

/** Six hours of 1-minute samples around midnight D, so chunks cross a bucket boundary. */
function dataset(): TestSeries[] {
  const from = D - 3 * 3600_000;
  const to = D + 3 * 3600_000;
  return [
    makeSeries({ __name__: 'up', job: 'node', instance: 'a' }, 1, from, to, MIN),
    makeSeries({ __name__: 'up', job: 'node', instance: 'b' }, 2, from, to, MIN),
    makeSeries({ __name__: 'up', job: 'api', instance: 'a' }, 3, from, to, MIN),
    makeSeries({ __name__: 'http_requests_total', job: 'api', code: '200' }, 4, from, to, MIN),
    makeSeries({ __name__: 'http_requests_total', job: 'api', code: '500' }, 5, from, to, MIN),
  ];
}

const m = (s: string): Matcher[] =>
  s.split(',').map((part) => {
    const r = /^(\w+)(=~|!~|!=|=)"(.*)"$/.exec(part.trim())!;
    return new Matcher(r[2] as '=', r[1]!, r[3]!);
  });

const latin = (k: Uint8Array) => Buffer.from(k).toString('latin1');

export function runChunkStoreConformance(name: string, factory: () => Promise<ChunkStoreKVFixture>): void {
  describe(`ChunkStore conformance: ${name}`, () => {
    let fx: ChunkStoreKVFixture;
    let rec: RecordingKV;
    let store: KVChunkStore;
    const data = dataset();
    const chunksOf = (series: TestSeries[] = data, perChunk = 120): StoredChunk[] =>
      series.flatMap((s) => cut(s, perChunk));

    beforeEach(async () => {
      fx = await factory();
      rec = new RecordingKV(fx.kv);
      store = new KVChunkStore({ kv: rec });
    });
    afterEach(async () => {
      await store.close();
      await fx.cleanup?.();
    });

    async function select(tenant: TenantId, matchers: Matcher[], mint: number, maxt: number, s = store) {
      const q = s.queryable(tenant).querier(mint, maxt);
      const out = await q.select(true, undefined, matchers);
      const res = out.map((x) => ({ labels: x.labels.toString(), samples: drain(x.iterator()) }));
      // every series that reads floats into arrays reads exactly what its iterator gives
      for (const [k, x] of out.entries()) {
        const read = readFloats(x, mint, maxt);
        if (read !== undefined) expect(read, `readFloats of ${res[k]!.labels}`).toEqual(res[k]!.samples);
        // and one that hands its chunks over hands exactly what encodedChunks lists, in mint order
        if (x.copyChunks) expect(copiedChunks(x), `copyChunks of ${res[k]!.labels}`).toEqual(listedChunks(x));
      }
      q.close();
      return res;
    }
    const expected = (series: TestSeries[], mint: number, maxt: number) =>
      series
        .map((s) => ({ ls: s.labels, labels: s.labels.toString(), samples: within(s.samples, mint, maxt) }))
        .filter((s) => s.samples.length > 0)
        .sort((a, b) => Labels.compare(a.ls, b.ls))
        .map(({ labels, samples }) => ({ labels, samples }));
    const allRows = async (): Promise<KVEntry[]> => fx.kv.scan({});

    const ranges = [
      { name: 'everything', mint: D - DAY_MS, maxt: D + DAY_MS },
      { name: 'the first day only', mint: D - DAY_MS, maxt: D - 1 },
      { name: 'the second day only (chunk started the day before)', mint: D, maxt: D + DAY_MS - 1 },
      { name: 'a few minutes across midnight', mint: D - 2 * MIN - 1, maxt: D + 3 * MIN },
      { name: 'a single millisecond with a sample', mint: D + 60 * MIN, maxt: D + 60 * MIN },
      { name: 'before any data', mint: D - 3 * DAY_MS, maxt: D - 2 * DAY_MS },
    ];
    it.each(ranges)('select returns exactly the stored samples: $name', async ({ mint, maxt }) => {
      await store.put(A, chunksOf());
      const up = data.filter((s) => s.labels.get('__name__') === 'up');
      expect(await select(A, m('__name__="up"'), mint, maxt)).toEqual(expected(up, mint, maxt));
    });

    const matcherCases = [
      { name: 'equality', q: 'job="node"', want: ['up{instance="a", job="node"}', 'up{instance="b", job="node"}'] },
      { name: 'regex', q: 'job=~"no.*"', want: ['up{instance="a", job="node"}', 'up{instance="b", job="node"}'] },
      { name: 'name and not-equal', q: '__name__="up",instance!="a"', want: ['up{instance="b", job="node"}'] },
      {
        name: 'regex alternation and negative regex',
        q: '__name__=~"up|http.*",job!~"api"',
        want: ['up{instance="a", job="node"}', 'up{instance="b", job="node"}'],
      },
      {
        name: 'regex on a label only some series have',
        q: 'code=~"5.."',
        want: ['http_requests_total{code="500", job="api"}'],
      },
      { name: 'empty matcher selects absent labels', q: 'job="api",code=""', want: ['up{instance="a", job="api"}'] },
      { name: 'no such value', q: 'job="nope"', want: [] },
      { name: 'no such label', q: 'nolabel=~".+"', want: [] },
    ];
    it.each(matcherCases)('matchers: $name', async ({ q, want }) => {
      await store.put(A, chunksOf());
      const got = await select(A, m(q), D - DAY_MS, D + DAY_MS);
      expect(got.map((s) => s.labels)).toEqual(want);
    });

    it('wide ranges read only the buckets that exist', async () => {
      await store.put(A, chunksOf());
      await store.put(B, chunksOf());
      const q = store.queryable(A).querier(-8.64e15, 8.64e15);
      rec.reset();
      expect(await q.labelNames([])).toEqual(['__name__', 'code', 'instance', 'job']);
      // Discovery costs one limit-1 read per existing bucket (two) plus one that finds none.
      const probes = rec.accesses.filter((a) => a.op === 'scan' && a.ranges.length === 1 && a.keys.length <= 1);
      expect(rec.accesses.length).toBeLessThan(10);
      expect(probes.length).toBeGreaterThanOrEqual(3);
      const wide = await select(A, m('job="node"'), -8.64e15, 8.64e15);
      expect(wide).toEqual(expected(data.slice(0, 2), D - DAY_MS, D + DAY_MS));
      expect(await store.buckets(A, -(2 ** 31), 2 ** 31 - 2)).toEqual([
        store.schema.bucketOf(D) - 1,
        store.schema.bucketOf(D),
      ]);
    });

    it('rejects selects without a matcher that selects a non-empty value', async () => {
      await store.put(A, chunksOf());
      const q = store.queryable(A).querier(D - DAY_MS, D);
      await expect(q.select(false, undefined, m('job!="x"'))).rejects.toMatchObject({ kind: 'bad_data' });
    });

    it('label names and values come from the index alone', async () => {
      await store.put(A, chunksOf());
      const q = store.queryable(A).querier(D - DAY_MS, D + DAY_MS);
      rec.reset();
      expect(await q.labelNames([])).toEqual(['__name__', 'code', 'instance', 'job']);
      expect(await q.labelValues('job', [])).toEqual(['api', 'node']);
      expect(await q.labelValues('instance', m('job="api"'))).toEqual(['a']);
      expect(await q.labelNames(m('__name__="http_requests_total"'))).toEqual(['__name__', 'code', 'job']);
      expect(await q.labelValues('job', [], { limit: 1 })).toEqual(['api']);
      // No chunk row was read: chunk keys have type byte 'c' right after tenant and bucket.
      const chunkType = 0x63;
      for (const a of rec.accesses) for (const k of a.keys) expect(k[A.length + 5]).not.toBe(chunkType);
      const later = store.queryable(A).querier(D + 2 * DAY_MS, D + 3 * DAY_MS);
      expect(await later.labelNames([])).toEqual([]);
    });

    it('stores a chunk once however many replicas flush it (1x storage)', async () => {
      await store.put(A, chunksOf());
      const once = await allRows();
      // Fresh stores model other replicas: their write-dedupe caches are empty.
      for (let i = 0; i < 2; i++) await new KVChunkStore({ kv: fx.kv }).put(A, chunksOf());
      const thrice = await allRows();
      expect(thrice.length).toBe(once.length);
      const bytes = (es: KVEntry[]) => es.reduce((n, e) => n + e.key.length + e.value.length, 0);
      expect(bytes(thrice)).toBe(bytes(once));
      expect(await select(A, m('job="node"'), D - DAY_MS, D + DAY_MS)).toEqual(
        expected(data.slice(0, 2), D - DAY_MS, D + DAY_MS),
      );
    });

    it('merges chunks that replicas cut at different samples, dropping duplicate timestamps', async () => {
      const s = data[0]!;
      await store.put(A, cut(s, 120));
      await store.put(A, cut(s, 120, 45));
      await store.put(A, cut(s, 200, 7));
      expect(await select(A, m('instance="a",job="node"'), D - DAY_MS, D + DAY_MS)).toEqual(
        expected([s], D - DAY_MS, D + DAY_MS),
      );
      // overlapping chunks are left to the iterator's merge
      const [x] = await store
        .queryable(A)
        .querier(D - DAY_MS, D + DAY_MS)
        .select(true, undefined, m('instance="a",job="node"'));
      expect(readFloats(x!, D - DAY_MS, D + DAY_MS)).toBeUndefined();
    });

    it('keys of two tenants never interleave, and a query of one tenant never reads the other', async () => {
      await store.put(A, chunksOf());
      await store.put(B, chunksOf(data.slice(2)));
      const owners = (await allRows()).map((e) => latin(e.key).slice(0, latin(e.key).indexOf('\0')));
      const runs = owners.filter((o, i) => i === 0 || owners[i - 1] !== o);
      expect(runs).toEqual([A, B]);

      rec.reset();
      const qb = store.queryable(B).querier(D - DAY_MS, D + DAY_MS);
      expect((await qb.select(true, undefined, m('job=~".+"'))).length).toBe(3);
      await qb.labelNames([]);
      await qb.labelValues('instance', m('job="node"'));
      expect(await select(B, m('job="node"'), D - DAY_MS, D + DAY_MS)).toEqual([]);
      const pb = store.schema.tenantPrefix(B);
      expect(rec.accesses.length).toBeGreaterThan(0);
      for (const a of rec.accesses) {
        for (const k of a.keys) expect(startsWith(k, pb)).toBe(true);
        for (const r of a.ranges) {
          expect(r.start !== undefined && startsWith(r.start, pb)).toBe(true);
          // The end may be the first key after B's prefix, never beyond it.
          expect(r.end !== undefined && latin(r.end) <= latin(pb).slice(0, -1) + '\x01').toBe(true);
        }
      }
    });

    it('deleteTenant removes every row of that tenant and nothing else', async () => {
      await store.put(A, chunksOf());
      await store.put(B, chunksOf());
      const bRows = (await allRows())
        .filter((e) => startsWith(e.key, store.schema.tenantPrefix(B)))
        .map((e) => latin(e.key));
      await store.deleteTenant(A);
      expect((await allRows()).map((e) => latin(e.key))).toEqual(bRows);
      expect(await select(A, m('job=~".+"'), D - DAY_MS, D + DAY_MS)).toEqual([]);
      // The tenant can write again: the index write-dedupe cache was dropped with the rows.
      await store.put(A, chunksOf(data.slice(0, 1)));
      expect(await select(A, m('job="node"'), D - DAY_MS, D + DAY_MS)).toHaveLength(1);
    });

    it('retention drops whole buckets older than the period and nothing newer', async () => {
      const three = data
        .slice(0, 2)
        .map((s) => makeSeries(s.labels.toObject(), 9, D - DAY_MS, D + 2 * DAY_MS - 1, 10 * MIN));
      await store.put(
        A,
        three.flatMap((s) => cut(s, 36)),
      );
      await store.put(
        B,
        three.flatMap((s) => cut(s, 36)),
      );
      const before = await allRows();
      const bucketOfRow = (e: KVEntry) => store.schema.bucketOfKey(A, e.key);
      const day = store.schema.bucketOf(D);
      const deleted = await applyRetention(store, {
        tenantId: A,
        retentionMs: DAY_MS,
        clock: { now: () => D + DAY_MS + 3600_000 },
      });
      expect(deleted).toEqual([day - 1]);
      const after = await allRows();
      const isA = (e: KVEntry) => startsWith(e.key, store.schema.tenantPrefix(A));
      const want = before.filter((e) => !isA(e) || bucketOfRow(e) >= day).map((e) => latin(e.key));
      expect(after.map((e) => latin(e.key))).toEqual(want);
      // 6-hour chunks start at D−1d, so none crosses midnight D: everything from D on survives.
      expect(await select(A, m('job="node"'), D, D + 2 * DAY_MS)).toEqual(expected(three, D, D + 2 * DAY_MS));
      expect(await select(A, m('job="node"'), D - DAY_MS, D - 1)).toEqual([]);
      expect(await applyRetention(store, { tenantId: A, retentionMs: 0, clock: { now: () => D * 2 } })).toEqual([]);
    });

    it('delete series hides samples at once and purge removes the rows later', async () => {
      await store.put(A, chunksOf(data, 60));
      const target = data[1]!;
      const cutFrom = D - 3 * 3600_000; // the series' first sample
      const cutTo = D + 30 * MIN;
      await store.deleteSeries(A, m('instance="b"'), cutFrom, cutTo);
      const hide = (s: TestSeries): TestSeries =>
        s === target ? { ...s, samples: s.samples.filter(([t]) => t < cutFrom || t > cutTo) } : s;
      const want = expected(data.map(hide), D - DAY_MS, D + DAY_MS);
      expect(await select(A, m('job=~".+"'), D - DAY_MS, D + DAY_MS)).toEqual(want);

      const rowsBefore = (await allRows()).length;
      const stats = await store.purgeDeleted(A);
      // 60-sample chunks from D-3h: the chunks wholly inside [D-3h, D+30m] are D-3h..D-2h..D-1h..D-1m, D..D+59m
      // is partial. So three data chunks go; the tombstone stays in the bucket of D for the partial one.
      expect(stats.chunksDeleted).toBe(3);
      expect(stats.tombstonesKept).toBe(1);
      expect(stats.tombstonesRemoved).toBe(1);
      expect(stats.seriesDeleted).toBe(1);
      expect((await allRows()).length).toBeLessThan(rowsBefore);
      expect(await select(A, m('job=~".+"'), D - DAY_MS, D + DAY_MS)).toEqual(want);
      expect((await store.purgeDeleted(A)).chunksDeleted).toBe(0);

      await store.deleteSeries(A, m('instance="b"'), D - DAY_MS, D + DAY_MS);
      expect((await store.purgeDeleted(A)).tombstonesKept).toBe(0);
      const left = await select(A, m('job=~".+"'), D - DAY_MS, D + DAY_MS);
      expect(left.map((s) => s.labels)).not.toContain('up{instance="b", job="node"}');
      const q = store.queryable(A).querier(D - DAY_MS, D + DAY_MS);
      expect(await q.labelValues('instance', m('job="node"'))).toEqual(['a']);
    });

    it('a tombstone placed with alsoAt in a bucket without rows hides chunks written there later', async () => {
      await store.deleteSeries(B, m('instance="b"'), D - DAY_MS, D + DAY_MS, {
        alsoAt: [D + 3600_000, D + 9 * DAY_MS],
      });
      // Only the bucket of D got it (the other time is outside the range); no other bucket exists.
      expect(await store.buckets(B, D - 10 * DAY_MS, D + 10 * DAY_MS)).toEqual([store.schema.bucketOf(D)]);
      await store.put(B, chunksOf(data, 60));
      const got = (await select(B, m('job=~".+"'), D, D + DAY_MS)).filter((s) => s.samples.length > 0);
      expect(got).toEqual(
        expected(
          data.filter((s) => s !== data[1]),
          D,
          D + DAY_MS,
        ),
      );
    });

    it('writes index rows once per series and bucket; later flushes write only chunk rows', async () => {
      const [first, ...rest] = chunksOf(data, 60);
      await store.put(A, [first!]);
      rec.reset();
      await store.put(
        A,
        rest.filter((c) => c.labels.equals(first!.labels)),
      );
      const types = new Set(rec.accesses.flatMap((a) => a.keys.map((k) => String.fromCharCode(k[A.length + 5]!))));
      // The first chunk's series was indexed in its bucket; the later chunks reach the next bucket,
      // which needs that series' index rows once; newer samples raise the tenant's flushed-through mark.
      expect([...types].sort()).toEqual(['c', 'l', 'm', 'p', 's', 'v']);
      rec.reset();
      await store.put(
        A,
        rest.filter((c) => c.labels.equals(first!.labels)),
      );
      const again = new Set(rec.accesses.flatMap((a) => a.keys.map((k) => String.fromCharCode(k[A.length + 5]!))));
      expect([...again]).toEqual(['c']);
      const count = async (c: { get(): Promise<{ values: { value: number }[] }> }) =>
        (await c.get()).values.reduce((n, v) => n + v.value, 0);
      const series = rest.filter((c) => c.labels.equals(first!.labels));
      expect(await count(store.metrics.storedChunks)).toBe(1 + 2 * series.length);
      const indexed = await count(store.metrics.indexEntriesWritten);
      await store.put(A, series);
      expect(await count(store.metrics.indexEntriesWritten)).toBe(indexed);
    });

    it("remembers per tenant what was flushed before this store's first write, by anyone", async () => {
      const newest = (cs: StoredChunk[]) => Math.max(...cs.map((c) => c.maxt));
      const first = chunksOf(data.slice(0, 1));
      expect(await store.flushedBeforeStart(A)).toBeUndefined();
      await store.put(A, first);
      // This store's own writes never move what it reports: they were not before it started.
      await store.put(A, chunksOf());
      expect(await store.flushedBeforeStart(A)).toBeUndefined();
      // A later process finds (at least, by the 15-minute headroom) the newest sample time anyone
      // flushed, for that tenant only.
      const headroom = 15 * 60_000;
      const later = new KVChunkStore({ kv: fx.kv });
      expect(await later.flushedBeforeStart(A)).toBe(newest(chunksOf()) + headroom);
      expect(await later.flushedBeforeStart(B)).toBeUndefined();
      // Older chunks never lower the mark, whichever store object writes them.
      await later.put(A, first);
      expect(await new KVChunkStore({ kv: fx.kv }).flushedBeforeStart(A)).toBe(newest(chunksOf()) + headroom);
      // Data flushed by a version that kept no mark: nothing can be assumed.
      await fx.kv.deleteKeys([later.schema.metaKey(A, 'flushed-through')]);
      expect(await new KVChunkStore({ kv: fx.kv }).flushedBeforeStart(A)).toBe(Number.POSITIVE_INFINITY);
      // A purged tenant starts over.
      await later.deleteTenant(A);
      expect(await new KVChunkStore({ kv: fx.kv }).flushedBeforeStart(A)).toBeUndefined();
    });

    it('narrows reads to the select hints, never beyond the querier range', async () => {
      await store.put(A, chunksOf());
      const q = store.queryable(A).querier(D - 30 * MIN, D + 30 * MIN);
      const hinted = await q.select(true, { start: D - 10 * MIN, end: D + DAY_MS }, m('job="node"'));
      const got = hinted.map((x) => ({ labels: x.labels.toString(), samples: drain(x.iterator()) }));
      expect(got).toEqual(expected(data.slice(0, 2), D - 10 * MIN, D + 30 * MIN));
    });

    it('an aborted signal rejects reads and writes with kind canceled', async () => {
      const ac = new AbortController();
      ac.abort();
      await expect(store.put(A, chunksOf(), { signal: ac.signal })).rejects.toMatchObject({ kind: 'canceled' });
      const q = store.queryable(A).querier(D - DAY_MS, D + DAY_MS);
      await expect(q.select(true, undefined, m('job="node"'), { signal: ac.signal })).rejects.toMatchObject({
        kind: 'canceled',
      });
    });

    it('rejects tenant IDs that could escape their key prefix', async () => {
      const evil = 'a\u0000b' as TenantId;
      await expect(store.put(evil, chunksOf(data.slice(0, 1)))).rejects.toMatchObject({ kind: 'bad_data' });
      expect(() => store.queryable(evil)).toThrow(/invalid tenant ID/);
      await expect(store.deleteTenant('' as TenantId)).rejects.toMatchObject({ kind: 'bad_data' });
      expect(await allRows()).toEqual([]);
    });

    it('rejects malformed chunks without writing anything', async () => {
      const good = chunksOf(data.slice(0, 1));
      const bad = [...good, { ...good[0]!, mint: 10, maxt: 5 }];
      await expect(store.put(A, bad)).rejects.toMatchObject({ kind: 'bad_data' });
      expect(await allRows()).toEqual([]);
    });

    it('keeps everything across a reopen', async (ctx) => {
      if (!fx.reopen) ctx.skip();
      await store.put(A, chunksOf());
      const kv = await fx.reopen!();
      store = new KVChunkStore({ kv });
      expect(await select(A, m('job=~".+"'), D - DAY_MS, D + DAY_MS)).toEqual(expected(data, D - DAY_MS, D + DAY_MS));
    });
  });
}

/** A series' floats in [mint, maxt] through `readFloats`; undefined when it has none or refuses (-1). */
function readFloats(s: Series, mint: number, maxt: number): [number, number][] | undefined {
  if (!s.readFloats) return undefined;
  const sink = growingFloatSink();
  const n = s.readFloats(mint, maxt, false, sink);
  return n < 0 ? undefined : sink.samples();
}

/** What `copyChunks` hands over (bytes copied during the call), or undefined when it declines. */
function copiedChunks(s: Series): { data: number[]; mint: number; maxt: number }[] | undefined {
  const out: { data: number[]; mint: number; maxt: number }[] = [];
  const ok = s.copyChunks!({
    chunk: (data, length, mint, maxt) => out.push({ data: [...data.subarray(0, length)], mint, maxt }),
  });
  return ok ? out : undefined;
}

/** `encodedChunks` in mint order, in the shape `copiedChunks` gives. */
function listedChunks(s: Series): { data: number[]; mint: number; maxt: number }[] | undefined {
  const xs = s.encodedChunks?.();
  if (xs === undefined) return undefined;
  return [...xs].sort((a, b) => a.mint - b.mint).map((c) => ({ data: [...c.data], mint: c.mint, maxt: c.maxt }));
}
