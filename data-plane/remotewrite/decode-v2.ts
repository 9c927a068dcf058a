import type { MetricMetadata, Sample } from '../model/index.js';
import { readHistogram } from './decode-v1.js';
import { ProtoReader, protoError, WIRE_I64, WIRE_LEN, WIRE_VARINT, wrongWireType } from './proto-reader.js';
import type { WireExemplar, WireHistogramSample, WireSeries, WireWriteRequest } from './types.js';

const METRIC_TYPES: readonly MetricMetadata['type'][] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];

/**
 * Decodes an `io.prometheus.write.v2.Request` (remote write 2.0, shared/protocols/REMOTE_WRITE.md §2)
 * into the same wire model as 1.0. Every string is decoded once, from the symbols table; series
 * labels are then references to those strings. Per-series metadata becomes one `MetricMetadata` per
 * metric family. Start timestamps are read and ignored (the model has no place for them yet).
 */
export function decodeWriteRequestV2(buf: Uint8Array): WireWriteRequest {
  const r = new ProtoReader(buf);
  // Pass 1: the symbols table (protobuf lets fields interleave, so it may follow the series).
  const symbols: string[] = [];
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 4) {
      if (wt !== WIRE_LEN) throw wrongWireType('Request', 'symbols', wt, WIRE_LEN);
      symbols.push(r.string('symbol'));
    } else {
      if (field === 0) throw protoError('field number 0 is not allowed');
      r.skip(wt, field);
    }
  }
  if (symbols.length > 0 && symbols[0] !== '') {
    throw protoError(`symbols[0] must be the empty string, got ${JSON.stringify(symbols[0]).slice(0, 80)}`);
  }
  // Pass 2: the series.
  r.pos = 0;
  const timeseries: WireSeries[] = [];
  const metadata = new Map<string, MetricMetadata>();
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 5) {
      if (wt !== WIRE_LEN) throw wrongWireType('Request', 'timeseries', wt, WIRE_LEN);
      timeseries.push(readSeries(r, r.lenEnd(), symbols, metadata));
    } else {
      r.skip(wt, field);
    }
  }
  return { timeseries, metadata: [...metadata.values()] };
}

function symbol(symbols: readonly string[], ref: number, what: string): string {
  const s = symbols[ref];
  if (s === undefined) throw protoError(`${what} references symbol ${ref}, but the table has ${symbols.length}`);
  return s;
}

/** labels_refs (packed or not) → flat `[name, value, …]` strings from the symbols table. */
function readRefs(r: ProtoReader, wt: number, message: string, out: number[]): void {
  if (wt === WIRE_VARINT) {
    out.push(r.uint32());
    return;
  }
  if (wt !== WIRE_LEN) throw wrongWireType(message, 'labels_refs', wt, WIRE_LEN);
  const stop = r.lenEnd();
  const parentEnd = r.end;
  r.end = stop;
  while (r.pos < stop) out.push(r.uint32());
  r.end = parentEnd;
}

function resolveLabels(refs: number[], symbols: readonly string[], what: string): string[] {
  if (refs.length % 2 !== 0) throw protoError(`${what} has an odd number of labels_refs (${refs.length})`);
  const flat: string[] = new Array(refs.length);
  for (let i = 0; i < refs.length; i++) flat[i] = symbol(symbols, refs[i]!, what);
  return flat;
}

function readSeries(
  r: ProtoReader,
  stop: number,
  symbols: readonly string[],
  metadata: Map<string, MetricMetadata>,
): WireSeries {
  const parentEnd = r.end;
  r.end = stop;
  const refs: number[] = [];
  const samples: Sample[] = [];
  const histograms: WireHistogramSample[] = [];
  const exemplars: WireExemplar[] = [];
  let meta: { type: number; help: number; unit: number } | undefined;
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1:
        readRefs(r, wt, 'TimeSeries', refs);
        break;
      case 2:
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'samples', wt, WIRE_LEN);
        samples.push(readSample(r, r.lenEnd()));
        break;
      case 3:
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'histograms', wt, WIRE_LEN);
        histograms.push(readHistogram(r, r.lenEnd()));
        break;
      case 4:
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'exemplars', wt, WIRE_LEN);
        exemplars.push(readExemplar(r, r.lenEnd(), symbols));
        break;
      case 5:
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'metadata', wt, WIRE_LEN);
        meta = readMetadata(r, r.lenEnd());
        break;
      default:
        if (field === 0) throw protoError('field number 0 is not allowed');
        r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  const labels = resolveLabels(refs, symbols, 'TimeSeries');
  if (meta !== undefined && (meta.type !== 0 || meta.help !== 0 || meta.unit !== 0)) {
    let name = '';
    for (let i = 0; i < labels.length; i += 2) if (labels[i] === '__name__') name = labels[i + 1]!;
    if (name !== '' && !metadata.has(name)) {
      metadata.set(name, {
        metricFamilyName: name,
        type: METRIC_TYPES[meta.type] ?? 'unknown',
        help: symbol(symbols, meta.help, 'Metadata.help_ref'),
        unit: symbol(symbols, meta.unit, 'Metadata.unit_ref'),
      });
    }
  }
  return { labels, samples, histograms, exemplars };
}

function readSample(r: ProtoReader, stop: number): Sample {
  const parentEnd = r.end;
  r.end = stop;
  let v = 0;
  let t = 0;
  while (r.pos < stop) {
    const tag = r.uint32();
    if (tag === 0x09) v = r.double();
    else if (tag === 0x10) t = r.int64();
    else if (tag === 0x18)
      r.int64(); // start_timestamp: not stored yet
    else {
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 1) throw wrongWireType('Sample', 'value', wt, WIRE_I64);
      if (field === 2 || field === 3) throw wrongWireType('Sample', 'timestamp', wt, WIRE_VARINT);
      if (field === 0) throw protoError('field number 0 is not allowed');
      r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  return { t, v };
}

function readExemplar(r: ProtoReader, stop: number, symbols: readonly string[]): WireExemplar {
  const parentEnd = r.end;
  r.end = stop;
  const refs: number[] = [];
  let v = 0;
  let t = 0;
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) readRefs(r, wt, 'Exemplar', refs);
    else if (field === 2) {
      if (wt !== WIRE_I64) throw wrongWireType('Exemplar', 'value', wt, WIRE_I64);
      v = r.double();
    } else if (field === 3) {
      if (wt !== WIRE_VARINT) throw wrongWireType('Exemplar', 'timestamp', wt, WIRE_VARINT);
      t = r.int64();
    } else {
      if (field === 0) throw protoError('field number 0 is not allowed');
      r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  return { labels: resolveLabels(refs, symbols, 'Exemplar'), t, v };
}

function readMetadata(r: ProtoReader, stop: number): { type: number; help: number; unit: number } {
  const parentEnd = r.end;
  r.end = stop;
  const m = { type: 0, help: 0, unit: 0 };
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 || field === 3 || field === 4) {
      if (wt !== WIRE_VARINT) {
        throw wrongWireType('Metadata', field === 1 ? 'type' : field === 3 ? 'help_ref' : 'unit_ref', wt, WIRE_VARINT);
      }
      const n = r.uint32();
      if (field === 1) m.type = n;
      else if (field === 3) m.help = n;
      else m.unit = n;
    } else {
      if (field === 0) throw protoError('field number 0 is not allowed');
      r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  return m;
}
