import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ingester } from '../ingester/index.js';
import { lbls, limits, ManualClock, T1, T2 } from '../ingester/testing.js';
import { BadDataError, Labels, Matcher, UnavailableError } from '../model/index.js';
import { ValueType } from '../storage/index.js';
import { ClusterAuth } from './internal-auth.js';
import { decodeReadRequest, decodeSeriesSet, encodeReadRequest, encodeSeriesSet } from './internal-codec.js';
import { internalIngesterRoutes } from './internal-ingester.js';
import { RemoteIngester } from './internal-ingester-client.js';

const SECRET = 'internal-test-secret-0123456789';
const NOW = 1_700_000_000_000;

describe('internal codec', () => {
  it('round-trips a read request with matchers and hints, timestamps exact', () => {
    const q = {
      mint: -5,
      maxt: 2 ** 52 + 1,
      matchers: [new Matcher('=', '__name__', 'up'), new Matcher('=~', 'job', 'a|b'), new Matcher('!~', 'x', '')],
      hints: { start: 1, end: 2, step: 15_000, func: 'rate', range: 300_000, grouping: ['job'], by: true },
    };
    const back = decodeReadRequest(encodeReadRequest(q));
    expect(back.mint).toBe(q.mint);
    expect(back.maxt).toBe(q.maxt);
    expect(back.matchers.map((m) => m.toString())).toEqual(q.matchers.map((m) => m.toString()));
    expect(back.hints).toEqual(q.hints);
  });

  it('rejects garbage', () => {
    expect(() => decodeReadRequest(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(BadDataError);
    expect(() => decodeReadRequest(new Uint8Array())).toThrow(/without a query/);
  });

  it('round-trips series with floats, histograms and special values', () => {
    const h = {
      count: 3,
      sum: 1.5,
      schema: 0,
      zeroThreshold: 0.001,
      zeroCount: 1,
      positiveSpans: [{ offset: 0, length: 1 }],
      positiveBuckets: [2],
      negativeSpans: [],
      negativeBuckets: [],
      counterResetHint: 'unknown' as const,
    };
    const pts = [
      { t: 1, v: 1 },
      { t: 3, v: Number.POSITIVE_INFINITY },
    ];
    const s = {
      labels: lbls({ __name__: 'm', a: '\u00e9' }),
      iterator() {
        const all = [
          { t: 1, v: 1 },
          { t: 2, h },
          { t: 3, v: Number.POSITIVE_INFINITY },
        ];
        let i = -1;
        return {
          next: () => (++i < all.length ? (all[i]!.h ? ValueType.Histogram : ValueType.Float) : ValueType.None),
          seek: () => ValueType.None,
          atT: () => all[i]!.t,
          atV: () => all[i]!.v ?? 0,
          atHistogram: () => all[i]!.h!,
        };
      },
    };
    const [back] = decodeSeriesSet(encodeSeriesSet([s]));
    expect(back!.labels.equals(s.labels)).toBe(true);
    const it = back!.iterator();
    expect(it.next()).toBe(ValueType.Float);
    expect([it.atT(), it.atV()]).toEqual([pts[0]!.t, pts[0]!.v]);
    expect(it.next()).toBe(ValueType.Histogram);
    expect(it.atHistogram().count).toBe(3);
    expect(it.next()).toBe(ValueType.Float);
    expect(it.atV()).toBe(Number.POSITIVE_INFINITY);
    expect(it.next()).toBe(ValueType.None);
  });
});

describe('internal ingester API over HTTP', () => {
  let app: FastifyInstance;
  let ing: Ingester;
  let url: string;
  const auth = new ClusterAuth(SECRET);

  beforeAll(async () => {
    ing = new Ingester({ limits: limits({ maxGlobalExemplarsPerUser: 100 }), clock: new ManualClock(NOW) });
    await ing.start();
    app = Fastify({ logger: false });
    await internalIngesterRoutes(app, { backend: ing, auth });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const a = app.server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(async () => {
    await app.close();
    await ing.stop();
  });

  it('pushes, reports per-series errors, and reads back only the tenant’s series', async () => {
    const c = new RemoteIngester({ url, auth });
    const labels = lbls({ __name__: 'up', job: 'a' });
    const out = await c.push(T1, {
      timeseries: [
        {
          labels,
          samples: [
            { t: NOW - 1000, v: 1 },
            { t: NOW, v: 2 },
          ],
          histograms: [],
          exemplars: [{ labels: lbls({ trace_id: 'abc' }), t: NOW, v: 2 }],
        },
      ],
      metadata: [{ metricFamilyName: 'up', type: 'gauge', help: 'h', unit: '' }],
    });
    expect(out).toMatchObject({ samplesAppended: 2, errors: [] });
    const ooo = await c.push(T1, {
      timeseries: [{ labels, samples: [{ t: NOW - 5000, v: 0 }], histograms: [], exemplars: [] }],
      metadata: [],
    });
    expect(ooo.errors).toHaveLength(1);
    expect(ooo.errors[0]!.error).toBeInstanceOf(BadDataError);
    expect(ooo.errors[0]!.labels.equals(labels)).toBe(true);

    const q = c.queryable(T1).querier(NOW - 10_000, NOW);
    const got = await q.select(true, undefined, [new Matcher('=', '__name__', 'up')]);
    expect(got.map((s) => s.labels.toString())).toEqual([labels.toString()]);
    const it = got[0]!.iterator();
    const samples: number[][] = [];
    while (it.next() !== ValueType.None) samples.push([it.atT(), it.atV()]);
    expect(samples).toEqual([
      [NOW - 1000, 1],
      [NOW, 2],
    ]);
    expect(await q.labelNames([])).toEqual(['__name__', 'job']);
    expect(await q.labelValues('job', [new Matcher('=', '__name__', 'up')])).toEqual(['a']);
    expect(
      await c
        .queryable(T2)
        .querier(0, NOW)
        .select(true, undefined, [new Matcher('=', '__name__', 'up')]),
    ).toEqual([]);
    expect((await c.metadata(T1)).map((m) => m.metricFamilyName)).toEqual(['up']);
    const ex = await c.exemplars(T1, [[new Matcher('=', '__name__', 'up')]], 0, NOW);
    expect(ex[0]!.exemplars[0]!.labels.equals(Labels.fromObject({ trace_id: 'abc' }))).toBe(true);
    expect((await c.stats(T1)).numSeries).toBe(1);
    await c.flush();
  });

  it('refuses calls without the cluster secret (401), even with X-Scope-OrgID', async () => {
    for (const headers of <Record<string, string>[]>[
      { 'x-scope-orgid': T1 },
      { 'x-scope-orgid': T1, authorization: 'Bearer some-tenant-token' },
      { 'x-scope-orgid': T1, authorization: `Bearer ${SECRET}x` },
    ]) {
      const res = await fetch(`${url}/internal/ingester/stats`, { headers });
      expect(res.status).toBe(401);
    }
    const wrong = new RemoteIngester({ url, auth: new ClusterAuth('another-secret-0123456789') });
    await expect(wrong.stats(T1)).rejects.toThrow();
    const bad = await fetch(`${url}/internal/ingester/stats`, {
      headers: { ...auth.headers(), 'x-scope-orgid': '../etc' },
    });
    expect(bad.status).toBe(400);
  });

  it('maps an unreachable ingester to UnavailableError', async () => {
    const c = new RemoteIngester({ url: 'http://127.0.0.1:1', auth, pushTimeoutMs: 2000 });
    await expect(c.push(T1, { timeseries: [], metadata: [] })).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe('a remote ingester that never answers', () => {
  it('is given up at the read timeout when the caller passes its own signal, also after a garbage collection', async () => {
    // Node's own timeout signal combined with a caller's is lost at a GC unless something else holds
    // it; the read must time out whatever its frame happens to keep (data-plane/model/timeout-signal.ts)
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as AddressInfo).port;
      const c = new RemoteIngester({
        url: `http://127.0.0.1:${port}`,
        auth: new ClusterAuth(SECRET),
        readTimeoutMs: 100,
      });
      const read = c.select(T1, NOW - 1000, NOW, undefined, [new Matcher('=', '__name__', 'up')], {
        signal: new AbortController().signal,
      });
      gc();
      await expect(read).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
