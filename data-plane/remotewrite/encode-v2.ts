import type { Labels, MetricMetadata } from '../model/index.js';
import { type EncodableWriteRequest, writeHistogram } from './encode-v1.js';
import { WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-reader.js';
import { ProtoWriter } from './proto-writer.js';

const METRIC_TYPE_NUMBERS: Record<MetricMetadata['type'], number> = {
  unknown: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  gaugehistogram: 4,
  summary: 5,
  info: 6,
  stateset: 7,
};

/**
 * Encodes an `io.prometheus.write.v2.Request` (remote write 2.0): a symbols table (`symbols[0] = ""`)
 * plus series that reference it. Metadata entries are attached to the series of the same metric name.
 * For tests, the benchmark and senders that speak 2.0.
 */
export function encodeWriteRequestV2(req: EncodableWriteRequest): Uint8Array {
  const table = new Map<string, number>([['', 0]]);
  const symbols: string[] = [''];
  const ref = (s: string): number => {
    let i = table.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      table.set(s, i);
    }
    return i;
  };
  const meta = new Map<string, MetricMetadata>();
  for (const m of req.metadata ?? []) meta.set(m.metricFamilyName, m);

  const body = new ProtoWriter();
  for (const ts of req.timeseries) {
    body.tag(5, WIRE_LEN);
    const m = body.begin();
    const flat = flatOf(ts.labels);
    writeRefs(body, 1, flat, ref);
    for (const s of ts.samples ?? []) {
      body.tag(2, WIRE_LEN);
      const sm = body.begin();
      body.tag(1, WIRE_I64);
      body.double(s.v);
      body.tag(2, WIRE_VARINT);
      body.int64(s.t);
      body.finish(sm);
    }
    for (const h of ts.histograms ?? []) {
      body.tag(3, WIRE_LEN);
      const hm = body.begin();
      writeHistogram(body, h.t, h.h, h.integer ?? false);
      body.finish(hm);
    }
    for (const e of ts.exemplars ?? []) {
      body.tag(4, WIRE_LEN);
      const em = body.begin();
      writeRefs(body, 1, flatOf(e.labels), ref);
      body.tag(2, WIRE_I64);
      body.double(e.v);
      body.tag(3, WIRE_VARINT);
      body.int64(e.t);
      body.finish(em);
    }
    let name = '';
    for (let i = 0; i < flat.length; i += 2) if (flat[i] === '__name__') name = flat[i + 1]!;
    const md = meta.get(name);
    if (md !== undefined) {
      body.tag(5, WIRE_LEN);
      const mm = body.begin();
      body.tag(1, WIRE_VARINT);
      body.uint32(METRIC_TYPE_NUMBERS[md.type]);
      body.tag(3, WIRE_VARINT);
      body.uint32(ref(md.help));
      body.tag(4, WIRE_VARINT);
      body.uint32(ref(md.unit));
      body.finish(mm);
    }
    body.finish(m);
  }
  const out = new ProtoWriter();
  for (const s of symbols) {
    out.tag(4, WIRE_LEN);
    out.string(s);
  }
  const head = out.finishAll();
  const tail = body.finishAll();
  const all = new Uint8Array(head.length + tail.length);
  all.set(head);
  all.set(tail, head.length);
  return all;
}

function flatOf(labels: Labels | readonly string[]): readonly string[] {
  return Array.isArray(labels) ? (labels as readonly string[]) : (labels as Labels).flat;
}

function writeRefs(w: ProtoWriter, field: number, flat: readonly string[], ref: (s: string) => number): void {
  if (flat.length === 0) return;
  w.tag(field, WIRE_LEN);
  const m = w.begin();
  for (const s of flat) w.uint32(ref(s));
  w.finish(m);
}
