/**
 * Native histograms end to end beside a real Prometheus 2.42 (`--enable-feature=native-histograms`):
 * the same remote-write 1.0 requests (integer, float and gauge histograms with zero, negative and
 * changing buckets and a counter reset, plus float series with tied values) go to both, and the same
 * queries answer the same — from the head, after kill -9 (WAL replay) and after a graceful stop
 * (flushed to the chunk store) — down to the API's histogram JSON.
 *
 * 2.42 is older than the Prometheus the engine follows (3.x, whose upstream PromQL scripts all pass
 * in test/conformance); where the two differ the data or the queries here avoid the difference:
 * - ranges are left-closed in 2.42, left-open in 3.x: no evaluation time falls on a sample;
 * - 3.x's rate stops extrapolating at a histogram counter's zero point, 2.42 does not: counts start
 *   high, so the zero point is never inside the extrapolated interval;
 * - histogram_quantile/histogram_fraction interpolate linearly inside a bucket in 2.42, exponentially
 *   in 3.x: quantiles are asked of data whose answers fall on bucket boundaries (e2e_nh_even), or are
 *   0 and 1, and fractions are taken between bucket boundaries;
 * - 2.42 returns a histogram unchanged by `* scalar` and `/ scalar`, and 0 for last_over_time of
 *   histograms; histogram_avg/stddev/stdvar do not exist in 2.42: those are left out;
 * - 2.42 sums without Kahan compensation: numbers are compared to 1e-9 relative.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, ensureBuilt, runCli, startDevServer } from '../helpers/cortexctl.js';
import { prometheusAvailable, type RunningPrometheus, startPrometheus } from '../helpers/prometheus.js';
import {
  type FixtureHistogram,
  type FixtureSeries,
  remoteWriteBody,
  remoteWriteHeaders,
} from '../helpers/remote-write.js';

const available = prometheusAvailable();

const STEP_MS = 15_000;
const POINTS = 120;
// On a 15 s boundary, 31 minutes back: everything written is recent for both.
const T0 = Math.floor((Date.now() - 31 * 60_000) / STEP_MS) * STEP_MS;
const LAST = T0 + (POINTS - 1) * STEP_MS;

/** A deterministic pseudo-random sequence (LCG), so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** Spans for sorted bucket indices (gaps become offsets). */
function spansOf(indices: number[]): { offset: number; length: number }[] {
  const spans: { offset: number; length: number }[] = [];
  let prev = 0;
  for (const [k, idx] of indices.entries()) {
    if (k > 0 && idx === prev + 1) spans[spans.length - 1]!.length++;
    else spans.push({ offset: k === 0 ? idx : idx - prev - 1, length: 1 });
    prev = idx;
  }
  return spans;
}

interface Shape {
  schema: number;
  /** Bucket indices present at step i. */
  positive: (i: number) => number[];
  negative?: (i: number) => number[];
  zero?: boolean;
  /** Step at which the counter starts over. */
  resetAt?: number;
  gauge?: boolean;
  float?: boolean;
}

/** A series of cumulative histograms following `shape`; counts start high (see rate below). */
function histogramSeries(seed: number, shape: Shape): FixtureHistogram[] {
  const r = rng(seed);
  const pos = new Map<number, number>();
  const neg = new Map<number, number>();
  let zero = 0;
  let sum = 0;
  const out: FixtureHistogram[] = [];
  const grow = (m: Map<number, number>, indices: number[], start: number) => {
    for (const idx of indices) {
      const inc = shape.gauge ? Math.floor(r() * 9) - 4 : Math.floor(r() * 7);
      const frac = shape.float ? Math.round(r() * 100) / 8 : 0;
      const next = (m.get(idx) ?? start) + inc + frac;
      m.set(idx, Math.max(0, next));
    }
  };
  for (let i = 0; i < POINTS; i++) {
    if (i === shape.resetAt) {
      pos.clear();
      neg.clear();
      zero = 0;
      sum = 0;
    }
    const start = i === 0 ? 500 : 0;
    const pIdx = shape.positive(i);
    const nIdx = shape.negative?.(i) ?? [];
    grow(pos, pIdx, start);
    grow(neg, nIdx, start);
    if (shape.zero) zero += i === 0 ? 300 : Math.floor(r() * 5);
    const positiveCounts = pIdx.map((k) => pos.get(k)!);
    const negativeCounts = nIdx.map((k) => neg.get(k)!);
    const count = zero + positiveCounts.reduce((a, b) => a + b, 0) + negativeCounts.reduce((a, b) => a + b, 0);
    sum += shape.gauge ? r() * 10 - 5 : r() * 40;
    out.push({
      timestamp: T0 + i * STEP_MS,
      schema: shape.schema,
      count,
      sum,
      zeroThreshold: shape.zero ? 0.001 : 0,
      zeroCount: zero,
      positiveSpans: spansOf(pIdx),
      positiveCounts,
      negativeSpans: spansOf(nIdx),
      negativeCounts,
      resetHint: shape.gauge ? 3 : 0,
      float: shape.float,
    });
  }
  return out;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);

const SERIES: FixtureSeries[] = [
  {
    labels: { __name__: 'e2e_nh_seconds', instance: 'a', job: 'nh' },
    samples: [],
    histograms: histogramSeries(1, { schema: 0, positive: () => range(-2, 4), zero: true }),
  },
  {
    labels: { __name__: 'e2e_nh_seconds', instance: 'b', job: 'nh' },
    samples: [],
    histograms: histogramSeries(2, {
      schema: 3,
      positive: () => [...range(1, 5), ...range(9, 12), 20],
      negative: () => range(2, 4),
      zero: true,
      resetAt: 70,
    }),
  },
  {
    labels: { __name__: 'e2e_nh_seconds', instance: 'c', job: 'nh' },
    samples: [],
    // New buckets appear every 30 steps (a layout change inside a chunk).
    histograms: histogramSeries(3, { schema: 1, positive: (i) => range(0, 2 + Math.floor(i / 30) * 2) }),
  },
  {
    labels: { __name__: 'e2e_nh_gauge', instance: 'a', job: 'nh' },
    samples: [],
    histograms: histogramSeries(4, { schema: 2, positive: () => range(3, 8), gauge: true, zero: true }),
  },
  {
    labels: { __name__: 'e2e_nh_gauge', instance: 'b', job: 'nh' },
    samples: [],
    histograms: histogramSeries(5, { schema: 2, positive: () => range(4, 9), gauge: true }),
  },
  {
    labels: { __name__: 'e2e_nh_float', instance: 'a', job: 'nh' },
    samples: [],
    histograms: histogramSeries(6, { schema: 1, positive: () => range(-1, 3), zero: true, float: true }),
  },
  // Every bucket grows by the same count each step, so the quantiles asked of it below fall on
  // bucket boundaries, where 2.42's linear and 3.x's exponential interpolation agree.
  ...['a', 'b'].map((instance, n) => ({
    labels: { __name__: 'e2e_nh_even', instance, job: 'nh' },
    samples: [],
    histograms: range(0, POINTS - 1).map(
      (i): FixtureHistogram => ({
        timestamp: T0 + i * STEP_MS,
        schema: n,
        count: 4 * (1000 + 6 * i),
        sum: 3000 + 17.5 * i,
        positiveSpans: [{ offset: 0, length: 4 }],
        positiveCounts: [0, 1, 2, 3].map(() => 1000 + 6 * i),
      }),
    ),
  })),
  // Float series with tied values, written in label order, for the order of topk/bottomk/sort.
  ...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k, n) => ({
    labels: { __name__: 'e2e_tie', k },
    samples: range(0, POINTS - 1).map((i) => ({
      value: [3, 1, 3, 2, 3, 1, 2][n]! + (i % 2),
      timestamp: T0 + i * STEP_MS,
    })),
  })),
];

/** Instant queries compared at a few times (the last point, mid-way, just after the reset). */
const INSTANT = [
  'e2e_nh_seconds',
  'e2e_nh_gauge',
  'e2e_nh_float',
  'rate(e2e_nh_seconds[5m])',
  'rate(e2e_nh_float[5m])',
  'increase(e2e_nh_seconds[10m])',
  'sum(rate(e2e_nh_seconds[5m]))',
  'sum by (instance) (rate(e2e_nh_seconds[5m]))',
  'sum(e2e_nh_gauge)',
  'histogram_count(rate(e2e_nh_seconds[5m]))',
  'histogram_sum(rate(e2e_nh_seconds[5m]))',
  'histogram_count(e2e_nh_gauge)',
  'histogram_sum(e2e_nh_float)',
  'histogram_quantile(1, sum(rate(e2e_nh_seconds[5m])))',
  'histogram_quantile(0, rate(e2e_nh_seconds[5m]))',
  'histogram_quantile(1, e2e_nh_gauge)',
  'histogram_fraction(0, 4, rate(e2e_nh_seconds[5m]))',
  'histogram_quantile(0.5, rate(e2e_nh_even[5m]))',
  'histogram_quantile(0.625, sum(rate(e2e_nh_even[5m])))',
  'histogram_quantile(0.25, sum by (job) (e2e_nh_even))',
  'histogram_fraction(0, 2, sum(rate(e2e_nh_even[5m])))',
  'histogram_count(sum(rate(e2e_nh_even[5m])))',
  'count_over_time(e2e_nh_seconds[10m])',
  'count(e2e_nh_seconds)',
  'topk(3, e2e_tie)',
  'bottomk(3, e2e_tie)',
  'topk(2, e2e_tie) by (__name__)',
  'sort(e2e_tie)',
  'sort_desc(e2e_tie)',
];

/** Queries whose answer depends on order; the others are compared as sets of series. */
const ORDERED = /^(topk|bottomk|sort)/;

const RANGE = [
  'e2e_nh_seconds',
  'histogram_count(rate(e2e_nh_seconds[5m]))',
  'sum(rate(e2e_nh_seconds[5m]))',
  'e2e_nh_gauge',
  'histogram_quantile(0.875, sum(rate(e2e_nh_even[5m])))',
];

// Between samples: a range ending on a sample's timestamp is left-closed in 2.42, left-open in 3.x.
const TIMES = [LAST + 7_000, T0 + 60 * STEP_MS + 7_000, T0 + 72 * STEP_MS + 3_000];

interface ApiBody {
  status: string;
  data: { resultType: string; result: { metric: Record<string, string> }[] };
  error?: string;
}

async function api(
  base: string,
  token: string | undefined,
  path: string,
  params: Record<string, string>,
): Promise<ApiBody> {
  const u = new URL(`${base}/api/v1/${path}`);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  const res = await fetch(u, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return (await res.json()) as ApiBody;
}

const NUM = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;

/** Equal JSON, numbers in strings equal to 1e-9 relative (2.42 sums without Kahan compensation). */
function close(a: unknown, b: unknown, path: string, diffs: string[]): void {
  if (typeof a === 'string' && typeof b === 'string' && NUM.test(a) && NUM.test(b)) {
    const x = Number(a);
    const y = Number(b);
    if (Math.abs(x - y) > 1e-9 * Math.max(Math.abs(x), Math.abs(y))) diffs.push(`${path}: ${a} != ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) diffs.push(`${path}: length ${a.length} != ${b.length}`);
    for (let k = 0; k < Math.min(a.length, b.length); k++) close(a[k], b[k], `${path}[${k}]`, diffs);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of keys) close(ra[k], rb[k], `${path}.${k}`, diffs);
    return;
  }
  if (a !== b) diffs.push(`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
}

function sameAnswer(q: string, prom: ApiBody, ours: ApiBody): void {
  expect(ours.status, `${q}: ${ours.error}`).toBe('success');
  expect(prom.status, `${q} on Prometheus: ${prom.error}`).toBe('success');
  const sorted = (d: ApiBody['data']) =>
    ORDERED.test(q)
      ? d.result
      : [...d.result].sort((x, y) => (JSON.stringify(x.metric) < JSON.stringify(y.metric) ? -1 : 1));
  expect(ours.data.resultType, q).toBe(prom.data.resultType);
  const diffs: string[] = [];
  close(sorted(prom.data), sorted(ours.data), 'result', diffs);
  expect(
    diffs,
    `${q}\nPrometheus: ${JSON.stringify(prom.data.result)}\nours: ${JSON.stringify(ours.data.result)}`,
  ).toEqual([]);
}

describe.skipIf(!available)('native histograms beside Prometheus 2.42', () => {
  let server: DevServer;
  let prom: RunningPrometheus;
  let token: string;

  beforeAll(async () => {
    ensureBuilt();
    [server, prom] = await Promise.all([
      startDevServer({ keepData: true }),
      startPrometheus('global: {}\n', {
        args: ['--enable-feature=native-histograms', '--web.enable-remote-write-receiver'],
      }),
    ]);
    const env = { CORTEXCTL_ADDRESS: server.url, CORTEXCTL_TOKEN: server.rootToken };
    expect((await runCli(['tenant', 'create', 'nh'], env)).code).toBe(0);
    const tok = await runCli(
      ['token', 'create', '--tenant', 'nh', '--scopes', 'metrics:write,metrics:read', '-o', 'json'],
      env,
    );
    token = JSON.parse(tok.stdout).token as string;

    // The same requests to both: a minute of every series at a time, in time order.
    for (let i = 0; i < POINTS; i += 4) {
      const slice = SERIES.map((s) => ({
        labels: s.labels,
        samples: s.samples.slice(i, i + 4),
        histograms: s.histograms?.slice(i, i + 4),
      }));
      const body = remoteWriteBody(slice);
      for (const [url, tok] of [
        [`${server.url}/api/v1/push`, token],
        [`${prom.url}/api/v1/write`, 'unused'],
      ] as const) {
        const res = await fetch(url, { method: 'POST', headers: remoteWriteHeaders(tok), body });
        expect(res.status, `${url}: ${await res.text()}`).toBe(204);
      }
    }
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    await server?.dispose();
  });

  async function compareAll(stage: string): Promise<void> {
    const ours = `${server.url}/prometheus`;
    for (const q of INSTANT)
      for (const t of TIMES) {
        const params = { query: q, time: String(t / 1000) };
        sameAnswer(
          `${stage}: ${q} @ ${t}`,
          await api(prom.url, undefined, 'query', params),
          await api(ours, token, 'query', params),
        );
      }
    for (const q of RANGE) {
      const params = {
        query: q,
        start: String((T0 + 5 * STEP_MS + 7_000) / 1000),
        end: String((LAST + 7_000) / 1000),
        step: '60',
      };
      sameAnswer(
        `${stage}: range ${q}`,
        await api(prom.url, undefined, 'query_range', params),
        await api(ours, token, 'query_range', params),
      );
    }
  }

  it('answers as Prometheus from the head', async () => {
    await compareAll('head');
  }, 60_000);

  it('answers the same after kill -9 (WAL replay)', async () => {
    expect(await server.stop('SIGKILL')).toBeNull();
    server = await startDevServer({ dataDir: server.dataDir, rootToken: server.rootToken, keepData: true });
    await compareAll('after kill -9');
  }, 120_000);

  it('answers the same after a graceful stop (flushed chunks)', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
    server = await startDevServer({ dataDir: server.dataDir, rootToken: server.rootToken, keepData: false });
    await compareAll('after flush');
  }, 120_000);
});
