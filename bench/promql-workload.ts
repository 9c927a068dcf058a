/**
 * Exporter-shaped data for the query benchmark (`bench/promql.ts`), as remote-write 1.0 bodies.
 *
 * Each host runs one application target and one node_exporter target (81 series per host):
 *
 * | target | series |
 * |---|---|
 * | app (`job` one of 8 services, `instance` `10.x.y.z:8080`) | `http_requests_total{method,code}` (4 × 5 counters), `http_request_duration_seconds_bucket{method,le}` (2 methods × 11 buckets) + `_sum` + `_count`, `up` |
 * | node (`job="node"`, `instance` `10.x.y.z:9100`) | `node_cpu_seconds_total{cpu,mode}` (4 CPUs × 8 modes), `node_memory_MemAvailable_bytes`, `up` |
 *
 * Every target is scraped every 15 s at its own offset within the interval (as Prometheus spreads
 * targets), so samples never sit exactly on the 15 s grid the queries are evaluated on. Some
 * application targets restart (their counters reset) and some are down for 2.5 minutes (`up` 0,
 * a staleness marker on every other series of the target, then nothing until it is back).
 *
 * Requests hold a few hosts over a window of consecutive scrapes (4,050 samples by default), and
 * the sender writes window after window across all series, so every sample is younger than the
 * newest sample seen by more than a few minutes at most (Prometheus 2.42 rejects samples older
 * than its head's newest minus 1 h). After the history, `renderScrapes` continues every series one
 * scrape at a time in real time (the bench keeps scraping while it queries). The bodies are encoded by hand: label bytes once per series,
 * samples with their exact value bits (staleness markers are a NaN payload), then snappy.
 */
import type { FloatHistogram } from '../data-plane/model/index.js';
import { encodeWriteRequest, snappyEncode } from '../data-plane/remotewrite/index.js';

export const SCRAPE_MS = 15_000;
export const SERIES_PER_HOST = 81;

const APP_JOBS = ['api', 'web', 'checkout', 'search', 'auth', 'cart', 'payments', 'catalog'];
const CLUSTERS = ['eu-west-1', 'us-east-1'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const METHOD_WEIGHT = [1, 0.3, 0.1, 0.05];
const CODES = ['200', '201', '400', '404', '500'];
const CODE_WEIGHT = [0.9, 0.05, 0.02, 0.025, 0.005];
const HIST_METHODS = ['GET', 'POST'];
const LE = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const LE_STR = [...LE.map((x) => String(x)), '+Inf'];
const CPU_MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
const CPUS = 4;

/** Deterministic PRNG so every run (and every re-ingest) produces the same bytes. */
function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26), for the latency buckets. */
function normCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

const enc = new TextEncoder();

function varintLen(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Protobuf `repeated Label labels = 1` of one series, names sorted. */
function encodeLabels(pairs: [string, string][]): Uint8Array {
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const parts: number[] = [];
  const push = (bytes: Uint8Array) => {
    for (const b of bytes) parts.push(b);
  };
  const varint = (n: number) => {
    while (n >= 0x80) {
      parts.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    parts.push(n);
  };
  for (const [name, value] of pairs) {
    const n = enc.encode(name);
    const v = enc.encode(value);
    parts.push(0x0a);
    varint(n.length + v.length + varintLen(n.length) + varintLen(v.length) + 2);
    parts.push(0x0a);
    varint(n.length);
    push(n);
    parts.push(0x12);
    varint(v.length);
    push(v);
  }
  return Uint8Array.from(parts);
}

export interface WorkloadOptions {
  /** Wanted series; rounded up to whole hosts (81 series each). */
  series: number;
  /** Scrapes per series (481 = 2 h at 15 s, both ends included). */
  points: number;
  /** Timestamp (ms) the last scrape interval ends at; samples lie in (end − (points) × 15 s, end). */
  endMs: number;
  /** Hosts per request and scrapes per request. */
  hostsPerRequest: number;
  scrapesPerRequest: number;
  seed?: number;
  /**
   * Application restarts (counters start again from zero), at one host in 13 and when a down
   * target comes back (default true).
   */
  resets?: boolean;
  /**
   * Also expose the request latency as a native histogram per method,
   * `http_request_duration_seconds{method}` (integer, schema 3 as client libraries' default bucket
   * factor 1.1 gives, the same observations as the classic buckets): 2 more series per host.
   */
  nativeHistograms?: boolean;
}

/** The native histogram's name (the classic one's family name, as Prometheus names both). */
export const NATIVE_HISTOGRAM = 'http_request_duration_seconds';
const NATIVE_SCHEMA = 3;

/** One native histogram's cumulative state: bucket index → count, and count and sum. */
interface NativeState {
  buckets: Map<number, number>;
  count: number;
  sum: number;
}

interface HostState {
  rnd: () => number;
  appOffset: number;
  nodeOffset: number;
  traffic: number;
  latencyMedian: number;
  cpuBusy: number;
  memBase: number;
  /** Restart (counter reset) at this scrape, or -1. */
  resetAt: number;
  /** Down from this scrape for 10 scrapes, or -1. */
  downAt: number;
  /** Current value of each of the host's 81 series, in series order. */
  values: Float64Array;
  /** The native histograms, one per HIST_METHODS entry (empty without nativeHistograms). */
  native: NativeState[];
}

/** What one request writes: the body and its sample count (staleness markers included). */
export interface RenderedRequest {
  body: Uint8Array;
  samples: number;
}

/**
 * The series of `hosts` hosts; `render(window, group)` encodes the samples of scrapes
 * `[window × scrapesPerRequest, …)` of host group `group`. Windows must be rendered in order for each
 * group (values are cumulative); groups are independent.
 */
export class Workload {
  readonly hosts: number;
  readonly series: number;
  readonly groups: number;
  readonly windows: number;
  /** Label bytes of every series (host-major, 81 per host). */
  private readonly labels: Uint8Array[] = [];
  private readonly metric: string[] = [];
  /** Flat label pairs of each host's native histograms (host-major, one per HIST_METHODS entry). */
  private readonly nativeLabels: string[][] = [];
  private state: HostState[] = [];
  /** Next scrape each host group renders. */
  private nextScrape: Int32Array;
  /** Per metric name: series and non-stale samples written (for the ingestion check). */
  readonly expected = new Map<string, { series: number; samples: number }>();
  readonly totalSamples: number;

  constructor(readonly opts: WorkloadOptions) {
    this.hosts = Math.max(1, Math.ceil(opts.series / SERIES_PER_HOST));
    this.series = this.hosts * (SERIES_PER_HOST + (opts.nativeHistograms ? HIST_METHODS.length : 0));
    this.groups = Math.ceil(this.hosts / opts.hostsPerRequest);
    this.windows = Math.ceil(opts.points / opts.scrapesPerRequest);
    this.nextScrape = new Int32Array(this.groups);
    for (let h = 0; h < this.hosts; h++) this.addHostSeries(h);
    this.reset();
    // Expected counts, from the same schedule the renderer follows.
    let total = 0;
    for (let h = 0; h < this.hosts; h++) {
      const st = this.state[h]!;
      const downScrapes = st.downAt >= 0 ? Math.max(0, Math.min(10, opts.points - st.downAt)) : 0;
      for (let i = 0; i < SERIES_PER_HOST; i++) {
        const name = this.metric[h * SERIES_PER_HOST + i]!;
        const e = this.expected.get(name) ?? { series: 0, samples: 0 };
        if (h === 0) this.expected.set(name, e);
        e.series++;
        // App series other than `up` skip the down scrapes (the first carries a staleness marker).
        const appSeries = i < APP_SERIES && name !== 'up';
        e.samples += appSeries ? opts.points - downScrapes : opts.points;
        total += appSeries && downScrapes > 0 ? opts.points - downScrapes + 1 : opts.points;
      }
      if (opts.nativeHistograms) {
        const e = this.expected.get(NATIVE_HISTOGRAM) ?? { series: 0, samples: 0 };
        this.expected.set(NATIVE_HISTOGRAM, e);
        e.series += HIST_METHODS.length;
        e.samples += HIST_METHODS.length * (opts.points - downScrapes);
        total += HIST_METHODS.length * (downScrapes > 0 ? opts.points - downScrapes + 1 : opts.points);
      }
    }
    this.totalSamples = total;
  }

  /** Back to the first scrape (re-ingesting into another server produces the same bytes). */
  reset(): void {
    const seed = this.opts.seed ?? 42;
    this.state = [];
    for (let h = 0; h < this.hosts; h++) {
      const rnd = mulberry32(seed * 1_000_003 + h);
      const values = new Float64Array(SERIES_PER_HOST);
      const st: HostState = {
        rnd,
        appOffset: 1 + Math.floor(rnd() * (SCRAPE_MS - 2)),
        nodeOffset: 1 + Math.floor(rnd() * (SCRAPE_MS - 2)),
        traffic: 0.2 + 3 * rnd(),
        latencyMedian: 0.01 + 0.3 * rnd() * rnd(),
        cpuBusy: 0.05 + 0.6 * rnd(),
        memBase: Math.round((2 + 14 * rnd()) * 2 ** 30),
        resetAt: h % 13 === 7 ? Math.floor(this.opts.points / 2) : -1,
        downAt: h % 31 === 11 ? Math.floor((this.opts.points * 2) / 3) : -1,
        values,
        native: this.opts.nativeHistograms
          ? HIST_METHODS.map(() => ({ buckets: new Map<number, number>(), count: 0, sum: 0 }))
          : [],
      };
      // Counters start where a long-running process would be; histograms where 1–5 days of its
      // traffic would have put them (buckets cumulative, +Inf = _count).
      const uptimeScrapes = 6_000 + Math.floor(rnd() * 24_000);
      for (let m = 0, i = 0; m < METHODS.length; m++)
        for (let c = 0; c < CODES.length; c++, i++)
          values[i] = Math.round(requestsPerScrape(st, m, c) * uptimeScrapes * (0.9 + 0.2 * rnd()));
      for (let m = 0; m < HIST_METHODS.length; m++)
        observe(st, m, Math.round(st.traffic * METHOD_WEIGHT[m]! * 40 * (SCRAPE_MS / 1000) * uptimeScrapes), 1);
      for (let i = NODE_START; i < NODE_START + CPUS * CPU_MODES.length; i++) values[i] = Math.round(rnd() * 1e7) / 100;
      this.state.push(st);
    }
    this.nextScrape.fill(0);
  }

  private addHostSeries(h: number): void {
    const job = APP_JOBS[h % APP_JOBS.length]!;
    const ip = `10.${(h >> 16) & 255}.${(h >> 8) & 255}.${h & 255}`;
    const cluster = CLUSTERS[h % CLUSTERS.length]!;
    const app: [string, string][] = [
      ['job', job],
      ['instance', `${ip}:8080`],
      ['cluster', cluster],
    ];
    const node: [string, string][] = [
      ['job', 'node'],
      ['instance', `${ip}:9100`],
      ['cluster', cluster],
    ];
    const add = (name: string, target: [string, string][], extra: [string, string][]) => {
      this.labels.push(encodeLabels([['__name__', name], ...target, ...extra]));
      this.metric.push(name);
    };
    for (const method of METHODS)
      for (const code of CODES)
        add('http_requests_total', app, [
          ['method', method],
          ['code', code],
        ]);
    for (const method of HIST_METHODS) {
      for (const le of LE_STR)
        add('http_request_duration_seconds_bucket', app, [
          ['method', method],
          ['le', le],
        ]);
      add('http_request_duration_seconds_sum', app, [['method', method]]);
      add('http_request_duration_seconds_count', app, [['method', method]]);
      if (this.opts.nativeHistograms) {
        const pairs: [string, string][] = [['__name__', NATIVE_HISTOGRAM], ...app, ['method', method]];
        pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        this.nativeLabels.push(pairs.flat());
      }
    }
    add('up', app, []);
    for (let cpu = 0; cpu < CPUS; cpu++)
      for (const mode of CPU_MODES)
        add('node_cpu_seconds_total', node, [
          ['cpu', String(cpu)],
          ['mode', mode],
        ]);
    add('node_memory_MemAvailable_bytes', node, []);
    add('up', node, []);
  }

  /** Advances host `h` to scrape `k`; returns whether the app target was scraped and whether it is stale. */
  private step(h: number, k: number): 'up' | 'stale' | 'down' {
    const st = this.state[h]!;
    const v = st.values;
    const r = st.rnd;
    let app: 'up' | 'stale' | 'down' = 'up';
    if (st.downAt >= 0 && k >= st.downAt && k < st.downAt + 10) app = k === st.downAt ? 'stale' : 'down';
    // A process that restarts (or comes back after being down) starts its counters from zero.
    const restart = this.opts.resets !== false && (k === st.resetAt || (st.downAt >= 0 && k === st.downAt + 10));
    if (app === 'up') {
      if (restart) {
        for (let i = 0; i < HIST_START + HIST_SERIES; i++) v[i] = 0;
        for (const n of st.native) {
          n.buckets.clear();
          n.count = 0;
          n.sum = 0;
        }
      }
      let i = 0;
      for (let m = 0; m < METHODS.length; m++)
        for (let c = 0; c < CODES.length; c++, i++) {
          v[i]! += Math.round(requestsPerScrape(st, m, c) * (0.7 + 0.6 * r()));
        }
      for (let m = 0; m < HIST_METHODS.length; m++)
        observe(
          st,
          m,
          Math.round(st.traffic * METHOD_WEIGHT[m]! * 40 * (SCRAPE_MS / 1000) * (0.7 + 0.6 * r())),
          0.9 + 0.2 * r(),
        );
      v[APP_UP] = 1;
    } else {
      v[APP_UP] = 0;
    }
    // node_exporter: 15 s of CPU time per CPU per scrape, in hundredths (USER_HZ).
    for (let cpu = 0; cpu < CPUS; cpu++) {
      const busy = Math.min(0.95, st.cpuBusy * (0.6 + 0.8 * r()));
      const share = [0, 0.05, 0.01, 0.01, 0.03, 0.005, 0.3, 0.595];
      let used = 0;
      for (let md = 1; md < CPU_MODES.length; md++) {
        const inc = Math.round((busy * share[md]! * SCRAPE_MS * (0.5 + r())) / 10) / 100;
        used += inc;
        v[NODE_START + cpu * CPU_MODES.length + md]! += inc;
      }
      v[NODE_START + cpu * CPU_MODES.length]! += Math.max(0, Math.round((SCRAPE_MS / 1000 - used) * 100) / 100);
      // keep two decimals exact as node_exporter prints them
      for (let md = 0; md < CPU_MODES.length; md++) {
        const j = NODE_START + cpu * CPU_MODES.length + md;
        v[j] = Math.round(v[j]! * 100) / 100;
      }
    }
    v[NODE_MEM] = st.memBase + 4096 * Math.round((r() - 0.5) * 2 ** 18 + Math.sin(k / 40) * 2 ** 17);
    v[NODE_UP] = 1;
    return app;
  }

  /** Encodes window `w` of host group `g` (must follow window `w − 1` of the same group). */
  render(w: number, g: number): RenderedRequest {
    const { scrapesPerRequest, points } = this.opts;
    const k0 = w * scrapesPerRequest;
    return this.renderScrapes(k0, Math.min(points, k0 + scrapesPerRequest), g);
  }

  /** When every sample of scrape `k` lies in the past (ms): the end of its scrape interval. */
  scrapeDue(k: number): number {
    return this.opts.endMs - this.opts.points * SCRAPE_MS + (k + 1) * SCRAPE_MS;
  }

  /**
   * Encodes scrapes `[k0, k1)` of host group `g`; scrapes past the history (`k ≥ points`) continue the
   * series in real time (the bench's live scrapes while it queries).
   */
  renderScrapes(k0: number, k1: number, g: number): RenderedRequest {
    if (this.nextScrape[g] !== k0) throw new Error(`workload: group ${g} rendered scrape ${k0} out of order`);
    this.nextScrape[g] = k1;
    const { hostsPerRequest, points, endMs } = this.opts;
    const h0 = g * hostsPerRequest;
    const h1 = Math.min(this.hosts, h0 + hostsPerRequest);
    const firstGrid = endMs - points * SCRAPE_MS;
    // per host and scrape: the series values after the scrape and the app state
    const nScrapes = k1 - k0;
    const vals: Float64Array[] = [];
    const states: ('up' | 'stale' | 'down')[] = [];
    const natives: NativeSeries[] = [];
    for (let h = h0; h < h1; h++) {
      const series = this.state[h]!.native.map(
        (_, m): NativeSeries => ({
          labels: this.nativeLabels[h * HIST_METHODS.length + m]!,
          samples: [],
          histograms: [],
        }),
      );
      for (let k = k0; k < k1; k++) {
        const state = this.step(h, k);
        states.push(state);
        vals.push(this.state[h]!.values.slice());
        const t = endMs - points * SCRAPE_MS + k * SCRAPE_MS + this.state[h]!.appOffset;
        for (const [m, n] of this.state[h]!.native.entries()) {
          if (state === 'stale') series[m]!.samples.push({ t, v: STALE_NAN });
          else if (state === 'up') series[m]!.histograms.push({ t, h: nativeSnapshot(n), integer: true });
        }
      }
      natives.push(...series);
    }
    // Size: per series, labels + up to nScrapes samples of ≤ 2 + 9 + 1 + 10 bytes.
    let cap = 0;
    for (let h = h0; h < h1; h++)
      for (let i = 0; i < SERIES_PER_HOST; i++) cap += this.labels[h * SERIES_PER_HOST + i]!.length + 6 + nScrapes * 24;
    const out = new Uint8Array(cap);
    const dv = new DataView(out.buffer);
    let p = 0;
    let samples = 0;
    const varint = (n: number) => {
      while (n >= 0x80) {
        out[p++] = (n % 128) | 0x80;
        n = Math.floor(n / 128);
      }
      out[p++] = n;
    };
    for (let h = h0; h < h1; h++) {
      const st = this.state[h]!;
      const base = (h - h0) * nScrapes;
      for (let i = 0; i < SERIES_PER_HOST; i++) {
        const isApp = i < APP_SERIES;
        const offset = isApp ? st.appOffset : st.nodeOffset;
        const lbl = this.labels[h * SERIES_PER_HOST + i]!;
        // series body: labels, then samples
        let body = lbl.length;
        let n = 0;
        for (let s = 0; s < nScrapes; s++) {
          const state = states[base + s]!;
          if (isApp && i !== APP_UP && state === 'down') continue;
          const t = firstGrid + (k0 + s) * SCRAPE_MS + offset;
          body += 2 + 9 + 1 + varintLen(t);
          n++;
        }
        if (n === 0) continue;
        out[p++] = 0x0a;
        varint(body);
        out.set(lbl, p);
        p += lbl.length;
        for (let s = 0; s < nScrapes; s++) {
          const state = states[base + s]!;
          if (isApp && i !== APP_UP && state === 'down') continue;
          const t = firstGrid + (k0 + s) * SCRAPE_MS + offset;
          out[p++] = 0x12;
          out[p++] = 9 + 1 + varintLen(t);
          out[p++] = 0x09;
          if (isApp && i !== APP_UP && state === 'stale') {
            // Prometheus's staleness marker: NaN with payload 2 (0x7ff0000000000002).
            dv.setUint32(p, 2, true);
            dv.setUint32(p + 4, 0x7ff00000, true);
          } else {
            dv.setFloat64(p, vals[base + s]![i]!, true);
          }
          p += 8;
          out[p++] = 0x10;
          varint(t);
          samples++;
        }
      }
    }
    if (natives.length === 0) return { body: snappyEncode(out.subarray(0, p)), samples };
    // Concatenated `repeated TimeSeries timeseries = 1` fields are one WriteRequest.
    const tail = encodeWriteRequest({ timeseries: natives });
    const all = new Uint8Array(p + tail.length);
    all.set(out.subarray(0, p));
    all.set(tail, p);
    for (const s of natives) samples += s.samples.length + s.histograms.length;
    return { body: snappyEncode(all), samples };
  }
}

interface NativeSeries {
  labels: string[];
  samples: { t: number; v: number }[];
  histograms: { t: number; h: FloatHistogram; integer: boolean }[];
}

/** Prometheus's staleness marker: NaN with payload 2 (0x7ff0000000000002). */
const STALE_NAN = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

/** The histogram a client would expose now: populated buckets only, in spans. */
function nativeSnapshot(n: NativeState): FloatHistogram {
  const idx = [...n.buckets.keys()].filter((i) => n.buckets.get(i)! > 0).sort((a, b) => a - b);
  const positiveSpans: { offset: number; length: number }[] = [];
  const positiveBuckets: number[] = [];
  let prev = 0;
  for (const [k, i] of idx.entries()) {
    if (k > 0 && i === prev + 1) positiveSpans[positiveSpans.length - 1]!.length++;
    else positiveSpans.push({ offset: k === 0 ? i : i - prev - 1, length: 1 });
    positiveBuckets.push(n.buckets.get(i)!);
    prev = i;
  }
  return {
    schema: NATIVE_SCHEMA,
    zeroThreshold: 2.938735877055719e-39,
    zeroCount: 0,
    count: n.count,
    sum: n.sum,
    positiveSpans,
    positiveBuckets,
    negativeSpans: [],
    negativeBuckets: [],
    counterResetHint: 'unknown',
  };
}

/** Mean requests per scrape interval of a host's method and code. */
function requestsPerScrape(st: HostState, m: number, c: number): number {
  return (st.traffic * METHOD_WEIGHT[m]! * CODE_WEIGHT[c]! * 40 * SCRAPE_MS) / 1000;
}

/** Adds `n` requests to histogram `m` of a host (buckets by a log-normal latency, σ = 1). */
function observe(st: HostState, m: number, n: number, sumJitter: number): void {
  const v = st.values;
  const mu = Math.log(st.latencyMedian * (m === 0 ? 1 : 1.8));
  const base = HIST_START + m * (LE.length + 3);
  for (let b = 0; b < LE.length; b++) v[base + b]! += Math.round(n * normCdf(Math.log(LE[b]!) - mu));
  v[base + LE.length]! += n;
  v[base + LE.length + 1]! += n * Math.exp(mu + 0.5) * sumJitter;
  v[base + LE.length + 2]! += n;
  const nat = st.native[m];
  if (!nat) return;
  // The same observations in schema-3 buckets (upper bound 2^(i/8)), rounded per bucket; the count
  // is the sum of the buckets, as an exposition of whole observations has it.
  const lo = Math.floor((mu - 4) * Math.LOG2E * 2 ** NATIVE_SCHEMA);
  const hi = Math.ceil((mu + 4) * Math.LOG2E * 2 ** NATIVE_SCHEMA);
  let added = 0;
  for (let i = lo; i <= hi; i++) {
    const p =
      normCdf(Math.log(2 ** (i / 2 ** NATIVE_SCHEMA)) - mu) -
      normCdf(Math.log(2 ** ((i - 1) / 2 ** NATIVE_SCHEMA)) - mu);
    const c = Math.round(n * p);
    if (c === 0) continue;
    nat.buckets.set(i, (nat.buckets.get(i) ?? 0) + c);
    added += c;
  }
  nat.count += added;
  nat.sum += added * Math.exp(mu + 0.5) * sumJitter;
}

// Series order within a host (see addHostSeries).
const APP_SERIES = METHODS.length * CODES.length + HIST_METHODS.length * (LE.length + 3) + 1; // 47
const HIST_START = METHODS.length * CODES.length;
const HIST_SERIES = HIST_METHODS.length * (LE.length + 3);
const APP_UP = APP_SERIES - 1;
const NODE_START = APP_SERIES;
const NODE_MEM = NODE_START + CPUS * CPU_MODES.length;
const NODE_UP = NODE_MEM + 1;
if (NODE_UP + 1 !== SERIES_PER_HOST) throw new Error('workload: series layout');
