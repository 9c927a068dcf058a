import type { FloatHistogram } from '../data-plane/model/index.js';
import {
  encodeWriteRequest,
  encodeWriteRequestV2,
  snappyDecode,
  snappyEncode,
} from '../data-plane/remotewrite/index.js';

/**
 * node_exporter-shaped remote-write load: ~10 labels per series, ~1,000 series per host, 2,000 series
 * per request. Each request body is encoded once with fixed-width placeholder timestamps and
 * snappy-compressed once with every timestamp and value byte kept as a literal (never inside, nor the
 * source of, a copy); every round patches those bytes straight into a copy of the compressed body, so
 * the generator costs almost no CPU and leaves the box to the server under test.
 */
export interface Batch {
  raw: Uint8Array;
  /** Byte offsets of each series' 6-byte timestamp varint and 8-byte double in `raw`. */
  tsOffsets: number[];
  valueOffsets: number[];
  /** Snappy body of `raw`, and where the same timestamp and value bytes sit in it. */
  packed: Uint8Array;
  packedTs: Int32Array;
  packedValues: Int32Array;
  samples: number;
  /** Encodes the whole body itself (the native-histogram load) instead of patching `packed`. */
  render?: (t: number, round: number) => Uint8Array;
}

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1'];
const TEAMS = ['platform', 'payments', 'search', 'ml'];

export function hostSeries(host: number): string[][] {
  const region = REGIONS[host % REGIONS.length]!;
  const common = [
    ['az', `${region}${'abc'[host % 3]}`],
    ['cluster', `k8s-${host % 7}`],
    ['env', host % 5 === 0 ? 'staging' : 'prod'],
    ['instance', `host-${host}.${region}.internal.example.com:9100`],
    ['job', 'node'],
    ['region', region],
    ['team', TEAMS[host % TEAMS.length]!],
  ];
  const out: string[][] = [];
  const add = (name: string, extra: string[][]) => {
    const pairs = [['__name__', name], ...common, ...extra].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    out.push(pairs.flat());
  };
  const modes = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
  for (let cpu = 0; cpu < 64; cpu++)
    for (const mode of modes)
      add('node_cpu_seconds_total', [
        ['cpu', String(cpu)],
        ['mode', mode],
      ]);
  const fsMetrics = [
    'node_filesystem_avail_bytes',
    'node_filesystem_size_bytes',
    'node_filesystem_files_free',
    'node_filesystem_files',
  ];
  for (let d = 0; d < 16; d++) {
    for (const m of fsMetrics)
      add(m, [
        ['device', `/dev/nvme${d}n1`],
        ['fstype', 'ext4'],
        ['mountpoint', `/data/${d}`],
      ]);
  }
  const netMetrics = [
    'node_network_receive_bytes_total',
    'node_network_transmit_bytes_total',
    'node_network_receive_packets_total',
    'node_network_transmit_packets_total',
  ];
  for (let d = 0; d < 48; d++) for (const m of netMetrics) add(m, [['device', `eth${d}`]]);
  for (let i = 0; i < 232; i++) add(`node_memory_metric_${i}_bytes`, []);
  return out; // 512 + 64 + 192 + 232 = 1000 series
}

/** Builds `activeSeries` series split into requests of `perRequest` series. */
export function buildBatches(activeSeries: number, perRequest: number, version: 1 | 2 = 1): Batch[] {
  const batches: Batch[] = [];
  let pending: string[][] = [];
  const placeholderT = 2 ** 41; // any ms timestamp of 2026 is a 6-byte varint, like this one
  const flush = () => {
    if (pending.length === 0) return;
    const req = { timeseries: pending.map((labels) => ({ labels, samples: [{ t: placeholderT, v: 1.5 }] })) };
    // Both versions encode a Sample as field 2 of the series with the same inner tags.
    const raw = version === 2 ? encodeWriteRequestV2(req) : encodeWriteRequest(req);
    const tsOffsets: number[] = [];
    const valueOffsets: number[] = [];
    // Find each Sample {0x09 <8 bytes> 0x10 <6-byte varint>} in order; label bytes cannot contain
    // this exact pattern with our generated ASCII values.
    for (let i = 0; i + 16 < raw.length; i++) {
      if (raw[i] === 0x12 && raw[i + 1] === 16 && raw[i + 2] === 0x09 && raw[i + 11] === 0x10) {
        valueOffsets.push(i + 3);
        tsOffsets.push(i + 12);
        i += 16;
      }
    }
    if (tsOffsets.length !== pending.length) throw new Error('workload: sample offsets not found');
    const mask = new Uint8Array(raw.length);
    for (const o of valueOffsets) mask.fill(1, o, o + 8);
    for (const o of tsOffsets) mask.fill(1, o, o + 6);
    for (const o of valueOffsets) mask[o] = VALUE_START;
    for (const o of tsOffsets) mask[o] = TS_START;
    const { packed, ts, values } = compressKeepingLiterals(raw, mask, pending.length);
    const check = snappyDecode(packed, 1 << 30);
    if (check.length !== raw.length || check.some((b, i) => b !== raw[i])) throw new Error('workload: snappy mismatch');
    batches.push({ raw, tsOffsets, valueOffsets, packed, packedTs: ts, packedValues: values, samples: pending.length });
    pending = [];
  };
  for (let host = 0, made = 0; made < activeSeries; host++) {
    for (const s of hostSeries(host)) {
      if (made === activeSeries) break;
      pending.push(s);
      made++;
      if (pending.length === perRequest) flush();
    }
  }
  flush();
  return batches;
}

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

/**
 * The native-histogram load (`--histograms`): the same label sets, each series an integer histogram
 * as a client library exposes one (schema 3, 20 buckets in two spans, a zero bucket) whose buckets
 * all grow on every round. Bodies are encoded per request (nothing to patch: the bucket deltas move),
 * so the load generator works harder than for floats; the server's CPU per sample is what to read.
 */
export function buildHistogramBatches(activeSeries: number, perRequest: number, version: 1 | 2 = 1): Batch[] {
  const batches: Batch[] = [];
  let pending: string[][] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const labels = pending;
    const first = batches.reduce((n, b) => n + b.samples, 0);
    let round = 0;
    const render = (t: number) => {
      const k = round++;
      const timeseries = labels.map((l, i) => ({
        labels: l,
        histograms: [{ t, h: histogramAt(first + i, k), integer: true }],
      }));
      const raw = version === 2 ? encodeWriteRequestV2({ timeseries }) : encodeWriteRequest({ timeseries });
      return snappyEncode(raw);
    };
    const none = new Int32Array(0);
    const empty = new Uint8Array(0);
    batches.push({
      raw: empty,
      tsOffsets: [],
      valueOffsets: [],
      packed: empty,
      packedTs: none,
      packedValues: none,
      samples: labels.length,
      render,
    });
    pending = [];
  };
  for (let host = 0, made = 0; made < activeSeries; host++) {
    for (const s of hostSeries(host)) {
      if (made === activeSeries) break;
      pending.push(s);
      made++;
      if (pending.length === perRequest) flush();
    }
  }
  flush();
  return batches;
}

const HIST_SPANS = [
  { offset: -4, length: 12 },
  { offset: 4, length: 8 },
];

/** Series `s`'s histogram after `k` rounds: cumulative, every bucket a little higher each round. */
function histogramAt(s: number, k: number): FloatHistogram {
  const positiveBuckets: number[] = [];
  for (let j = 0; j < 20; j++) positiveBuckets.push((s % 13) + j + k * (1 + ((j + s) % 4)));
  const zeroCount = 3 + k;
  return {
    schema: 3,
    zeroThreshold: 2.938735877055719e-39,
    zeroCount,
    count: zeroCount + positiveBuckets.reduce((a, b) => a + b, 0),
    sum: k * 1.25 + s,
    positiveSpans: HIST_SPANS,
    positiveBuckets,
    negativeSpans: [],
    negativeBuckets: [],
    counterResetHint: 'unknown',
  };
}

/** Patches every sample of a batch to timestamp `t` (ms) and fresh values in a copy of its snappy body. */
export function renderBatch(b: Batch, t: number, round: number): Uint8Array {
  if (b.render) return b.render(t, round);
  const out = b.packed.slice();
  const ts = b.packedTs;
  const vs = b.packedValues;
  // The timestamp varint is the same for every series of the request: build it once.
  const tb = new Uint8Array(6);
  let v = t;
  for (let k = 0; k < 5; k++) {
    tb[k] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  tb[5] = v;
  for (let i = 0; i < ts.length; i++) {
    out.set(tb, ts[i]!);
    f64[0] = round * 15 + (i % 97);
    out.set(f64b, vs[i]!);
  }
  return out;
}

const VALUE_START = 2;
const TS_START = 3;
const BLOCK = 1 << 16;
const HASH_BITS = 14;

/**
 * Snappy block compression (greedy 4-byte hash matching per 64 KiB block) in which bytes marked in
 * `mask` are only ever emitted as literals and never used as a copy source, so they can be patched in
 * the compressed body. Returns where each VALUE_START / TS_START byte landed, in order.
 */
function compressKeepingLiterals(
  src: Uint8Array,
  mask: Uint8Array,
  samples: number,
): { packed: Uint8Array; ts: Int32Array; values: Int32Array } {
  const out = new Uint8Array(32 + src.length + Math.ceil(src.length / 6));
  const ts = new Int32Array(samples);
  const values = new Int32Array(samples);
  let nTs = 0;
  let nValues = 0;
  let d = 0;
  let n = src.length;
  while (n >= 0x80) {
    out[d++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[d++] = n;
  const literal = (from: number, to: number) => {
    const len = to - from - 1;
    if (len < 60) out[d++] = len << 2;
    else if (len < 0x100) {
      out[d++] = 60 << 2;
      out[d++] = len;
    } else {
      out[d++] = 61 << 2;
      out[d++] = len & 0xff;
      out[d++] = len >>> 8;
    }
    for (let k = from; k < to; k++) {
      if (mask[k] === VALUE_START) values[nValues++] = d;
      else if (mask[k] === TS_START) ts[nTs++] = d;
      out[d++] = src[k]!;
    }
  };
  const copy = (offset: number, len: number) => {
    while (len > 0) {
      const l = len > 64 ? (len - 64 < 4 ? 60 : 64) : len;
      out[d++] = 2 | ((l - 1) << 2);
      out[d++] = offset & 0xff;
      out[d++] = offset >>> 8;
      len -= l;
    }
  };
  const stable4 = (i: number) => (mask[i]! | mask[i + 1]! | mask[i + 2]! | mask[i + 3]!) === 0;
  const load32 = (i: number) => src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);
  const hash = (u: number) => Math.imul(u, 0x1e35a7bd) >>> (32 - HASH_BITS);
  const table = new Int32Array(1 << HASH_BITS);
  for (let start = 0, stop = 0; start < src.length; start = stop) {
    stop = Math.min(start + BLOCK, src.length);
    // Never split a patched field across blocks (its bytes must stay in one literal).
    while (stop < src.length && mask[stop] === 1) stop--;
    table.fill(-1);
    let nextEmit = start;
    let i = start;
    while (i <= stop - 4) {
      if (!stable4(i)) {
        i++;
        continue;
      }
      const cur = load32(i);
      const h = hash(cur);
      const cand = table[h]!;
      table[h] = i;
      if (cand < start || load32(cand) !== cur) {
        i++;
        continue;
      }
      if (i > nextEmit) literal(nextEmit, i);
      let m = i + 4;
      let c = cand + 4;
      while (m < stop && src[m] === src[c] && mask[m] === 0 && mask[c] === 0) {
        m++;
        c++;
      }
      copy(i - cand, m - i);
      i = m;
      nextEmit = m;
    }
    if (nextEmit < stop) literal(nextEmit, stop);
  }
  if (nTs !== samples || nValues !== samples) throw new Error('workload: a sample byte was not kept as a literal');
  return { packed: out.slice(0, d), ts, values };
}
