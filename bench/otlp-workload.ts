import { ProtoWriter } from '../data-plane/remotewrite/index.js';
import { type Batch, hostSeries } from './ingest-workload.js';

/**
 * The float load of `buildBatches` as OTLP/HTTP protobuf requests (`bench:ingest -- --otlp`), so OTLP
 * and remote write can be compared on the same series: one resource per host (`service.name` = job,
 * `service.instance.id` = instance, which the translator turns back into `job` and `instance`), one
 * metric per name, one data point per series with the other labels as attributes. Names ending in
 * `_total` are monotonic cumulative sums, the rest gauges; under the default translation strategy
 * every point lands on the series remote write would have written. Bodies are sent uncompressed (an
 * OTel Collector with `compression: none`); each round patches the fixed64 timestamps and doubles in
 * place, so the generator costs almost no CPU.
 */
export function buildOtlpBatches(activeSeries: number, perRequest: number): Batch[] {
  const hostsPerRequest = Math.max(1, Math.round(perRequest / 1000));
  const batches: Batch[] = [];
  let made = 0;
  for (let host = 0; made < activeSeries; host += hostsPerRequest) {
    const hosts: string[][][] = [];
    for (let h = host; h < host + hostsPerRequest && made < activeSeries; h++) {
      const series = hostSeries(h).slice(0, activeSeries - made);
      made += series.length;
      hosts.push(series);
    }
    batches.push(batchOf(hosts));
  }
  return batches;
}

// Placeholders whose 8 bytes cannot occur in ASCII label text: found again after encoding.
const T_MAGIC = 0xf1f2f3f4f5f6f7f8n;
const V_MAGIC = 0xe1e2e3e4e5e6e7e8n;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

function batchOf(hosts: string[][][]): Batch {
  const w = new ProtoWriter(1 << 20);
  let samples = 0;
  for (const series of hosts) {
    const byName = new Map<string, string[][]>();
    let job = '';
    let instance = '';
    for (const flat of series) {
      let name = '';
      const attrs: string[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const k = flat[i]!;
        const v = flat[i + 1]!;
        if (k === '__name__') name = v;
        else if (k === 'job') job = v;
        else if (k === 'instance') instance = v;
        else attrs.push(k, v);
      }
      const list = byName.get(name) ?? [];
      list.push(attrs);
      byName.set(name, list);
      samples++;
    }
    w.tag(1, WIRE_LEN); // ExportMetricsServiceRequest.resource_metrics
    const rm = w.begin();
    w.tag(1, WIRE_LEN); // ResourceMetrics.resource
    const res = w.begin();
    keyValue(w, 1, 'service.name', job);
    keyValue(w, 1, 'service.instance.id', instance);
    w.finish(res);
    w.tag(2, WIRE_LEN); // ResourceMetrics.scope_metrics
    const sm = w.begin();
    for (const [name, points] of byName) {
      w.tag(2, WIRE_LEN); // ScopeMetrics.metrics
      const m = w.begin();
      w.tag(1, WIRE_LEN);
      w.string(name);
      const counter = name.endsWith('_total');
      w.tag(counter ? 7 : 5, WIRE_LEN); // Metric.sum / Metric.gauge
      const data = w.begin();
      for (const attrs of points) {
        w.tag(1, WIRE_LEN); // data_points
        const dp = w.begin();
        for (let i = 0; i < attrs.length; i += 2) keyValue(w, 7, attrs[i]!, attrs[i + 1]!);
        w.tag(3, WIRE_FIXED64); // time_unix_nano
        fixed64(w, T_MAGIC);
        w.tag(4, WIRE_FIXED64); // as_double
        fixed64(w, V_MAGIC);
        w.finish(dp);
      }
      if (counter) {
        w.tag(2, 0); // aggregation_temporality = CUMULATIVE
        w.uint32(2);
        w.tag(3, 0); // is_monotonic
        w.uint32(1);
      }
      w.finish(data);
      w.finish(m);
    }
    w.finish(sm);
    w.finish(rm);
  }
  const raw = w.finishAll();
  const tsOffsets: number[] = [];
  const valueOffsets: number[] = [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i + 8 <= raw.length; i++) {
    const x = view.getBigUint64(i, true);
    if (x === T_MAGIC) tsOffsets.push(i);
    else if (x === V_MAGIC) valueOffsets.push(i);
    else continue;
    i += 7;
  }
  if (tsOffsets.length !== samples || valueOffsets.length !== samples)
    throw new Error('otlp workload: offsets not found');
  const render = (t: number, round = 0): Uint8Array => {
    const out = raw.slice();
    const v = new DataView(out.buffer);
    const nanos = BigInt(t) * 1_000_000n;
    for (let i = 0; i < tsOffsets.length; i++) {
      v.setBigUint64(tsOffsets[i]!, nanos, true);
      v.setFloat64(valueOffsets[i]!, round * 15 + (i % 97), true);
    }
    return out;
  };
  return {
    raw,
    tsOffsets,
    valueOffsets,
    packed: raw,
    packedTs: Int32Array.from(tsOffsets),
    packedValues: Int32Array.from(valueOffsets),
    samples,
    render,
  };
}

function keyValue(w: ProtoWriter, field: number, key: string, value: string): void {
  w.tag(field, WIRE_LEN);
  const kv = w.begin();
  w.tag(1, WIRE_LEN);
  w.string(key);
  w.tag(2, WIRE_LEN); // AnyValue
  const any = w.begin();
  w.tag(1, WIRE_LEN); // string_value
  w.string(value);
  w.finish(any);
  w.finish(kv);
}

const scratch = new DataView(new ArrayBuffer(8));
function fixed64(w: ProtoWriter, x: bigint): void {
  scratch.setBigUint64(0, x, true);
  w.double(scratch.getFloat64(0, true));
}
