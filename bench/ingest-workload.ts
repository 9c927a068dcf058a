import { encodeWriteRequest, encodeWriteRequestV2, snappyEncode } from '../data-plane/remotewrite/index.js';

/**
 * node_exporter-shaped remote-write load: ~10 labels per series, ~1,000 series per host, 2,000 series
 * per request. Each request body is encoded once with fixed-width placeholder timestamps; every round
 * patches timestamp and value bytes in place and re-compresses, so the generator costs little CPU.
 */
export interface Batch {
  raw: Uint8Array;
  /** Byte offsets of each series' 6-byte timestamp varint and 8-byte double. */
  tsOffsets: number[];
  valueOffsets: number[];
  samples: number;
}

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1'];
const TEAMS = ['platform', 'payments', 'search', 'ml'];

function hostSeries(host: number): string[][] {
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
    batches.push({ raw, tsOffsets, valueOffsets, samples: pending.length });
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

/** Patches every sample of a batch to timestamp `t` (ms) and fresh values, then snappy-compresses it. */
export function renderBatch(b: Batch, t: number, round: number): Uint8Array {
  const raw = b.raw;
  for (let i = 0; i < b.tsOffsets.length; i++) {
    let v = t;
    const o = b.tsOffsets[i]!;
    for (let k = 0; k < 5; k++) {
      raw[o + k] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    raw[o + 5] = v;
    f64[0] = round * 15 + (i % 97);
    raw.set(f64b, b.valueOffsets[i]!);
  }
  return snappyEncode(raw);
}
