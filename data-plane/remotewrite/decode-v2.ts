import { BadDataError, type MetricMetadata, type Sample } from '../model/index.js';
import { lastHistogramStart, readHistogram } from './decode-v1.js';
import { ProtoReader, protoError, WIRE_I64, WIRE_LEN, WIRE_VARINT, wrongWireType } from './proto-reader.js';
import type { WireExemplar, WireHistogramSample, WireRejection, WireSeries, WireWriteRequest } from './types.js';

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
 * metric family. Start timestamps (`Sample.start_timestamp`, `Histogram.start_timestamp`, and the
 * drafts' per-series `created_timestamp`) older than their point land in `createdTimestamps`; the
 * distributor passes them on only when the tenant has created-timestamp zero ingestion on.
 *
 * The symbols table is checked as the spec requires: a non-empty `symbols[0]` refuses the request; a
 * series whose label refs are odd in number or point outside the table (or whose metadata refs do)
 * is dropped and reported in `rejected`, naming the series; an exemplar with bad refs likewise.
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
  const rejected: WireRejection[] = [];
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 5) {
      if (wt !== WIRE_LEN) throw wrongWireType('Request', 'timeseries', wt, WIRE_LEN);
      const ts = readSeries(r, r.lenEnd(), symbols, metadata, rejected);
      if (ts !== undefined) timeseries.push(ts);
    } else {
      r.skip(wt, field);
    }
  }
  const out: WireWriteRequest = { timeseries, metadata: [...metadata.values()] };
  if (rejected.length > 0) out.rejected = rejected;
  return out;
}

const SYMBOL_REF_ID = 'err-cortex-invalid-symbol-ref';

function symbolError(message: string): BadDataError {
  return new BadDataError(`${message} (${SYMBOL_REF_ID})`, { id: SYMBOL_REF_ID });
}

/** `{__name__="up", job=<ref 99>}`: the labels as far as they resolve, for error messages. */
function describeRefs(refs: readonly number[], symbols: readonly string[]): string {
  const show = (ref: number | undefined) =>
    ref === undefined ? '<missing>' : ref < symbols.length ? JSON.stringify(symbols[ref]) : `<ref ${ref}>`;
  const parts: string[] = [];
  for (let i = 0; i < refs.length && parts.length < 30; i += 2) {
    const n = refs[i]!;
    const name = n < symbols.length ? symbols[n]! : `<ref ${n}>`;
    parts.push(`${name}=${show(refs[i + 1])}`);
  }
  return `{${parts.join(', ')}}`.slice(0, 400);
}

/** Why `refs` cannot be resolved (odd count, a ref outside the table), or undefined when they can. */
function refsProblem(refs: readonly number[], symbols: readonly string[]): string | undefined {
  if (refs.length % 2 !== 0) return `has an odd number of labels_refs (${refs.length})`;
  for (let i = 0; i < refs.length; i++) {
    if (refs[i]! >= symbols.length) {
      return `has labels_refs[${i}] = ${refs[i]} outside the symbols table (${symbols.length} symbols)`;
    }
  }
  return undefined;
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

/** Resolves refs already checked by `refsProblem`. */
function resolveLabels(refs: number[], symbols: readonly string[]): string[] {
  const flat: string[] = new Array(refs.length);
  for (let i = 0; i < refs.length; i++) flat[i] = symbols[refs[i]!]!;
  return flat;
}

function readSeries(
  r: ProtoReader,
  stop: number,
  symbols: readonly string[],
  metadata: Map<string, MetricMetadata>,
  rejected: WireRejection[],
): WireSeries | undefined {
  const parentEnd = r.end;
  r.end = stop;
  const refs: number[] = [];
  const samples: Sample[] = [];
  const histograms: WireHistogramSample[] = [];
  const exemplarRefs: { refs: number[]; t: number; v: number }[] = [];
  let meta: { type: number; help: number; unit: number } | undefined;
  let created: number[] | undefined;
  let seriesCreated = 0;
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1:
        readRefs(r, wt, 'TimeSeries', refs);
        break;
      case 2: {
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'samples', wt, WIRE_LEN);
        const s = readSample(r, r.lenEnd());
        samples.push(s);
        if (lastSampleStart !== 0 && lastSampleStart < s.t) (created ??= []).push(lastSampleStart);
        break;
      }
      case 3: {
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'histograms', wt, WIRE_LEN);
        const h = readHistogram(r, r.lenEnd());
        histograms.push(h);
        if (lastHistogramStart !== 0 && lastHistogramStart < h.t) (created ??= []).push(lastHistogramStart);
        break;
      }
      case 4:
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'exemplars', wt, WIRE_LEN);
        exemplarRefs.push(readExemplar(r, r.lenEnd()));
        break;
      case 5:
        if (wt !== WIRE_LEN) throw wrongWireType('TimeSeries', 'metadata', wt, WIRE_LEN);
        meta = readMetadata(r, r.lenEnd());
        break;
      case 6:
        // created_timestamp of the 2.0 drafts Prometheus 3.0-3.4 sent (one per series; now reserved).
        if (wt !== WIRE_VARINT) throw wrongWireType('TimeSeries', 'created_timestamp', wt, WIRE_VARINT);
        seriesCreated = r.int64();
        break;
      default:
        if (field === 0) throw protoError('field number 0 is not allowed');
        r.skip(wt, field);
    }
  }
  r.end = parentEnd;
  const dropped = samples.length + histograms.length;
  const problem =
    refsProblem(refs, symbols) ??
    (meta !== undefined && meta.help >= symbols.length
      ? `has metadata help_ref ${meta.help} outside the symbols table (${symbols.length} symbols)`
      : meta !== undefined && meta.unit >= symbols.length
        ? `has metadata unit_ref ${meta.unit} outside the symbols table (${symbols.length} symbols)`
        : undefined);
  if (problem !== undefined) {
    rejected.push({ error: symbolError(`series ${describeRefs(refs, symbols)} ${problem}`), dropped });
    return undefined;
  }
  const labels = resolveLabels(refs, symbols);
  if (meta !== undefined && (meta.type !== 0 || meta.help !== 0 || meta.unit !== 0)) {
    let name = '';
    for (let i = 0; i < labels.length; i += 2) if (labels[i] === '__name__') name = labels[i + 1]!;
    if (name !== '' && !metadata.has(name)) {
      metadata.set(name, {
        metricFamilyName: name,
        type: METRIC_TYPES[meta.type] ?? 'unknown',
        help: symbols[meta.help]!,
        unit: symbols[meta.unit]!,
      });
    }
  }
  const exemplars: WireExemplar[] = [];
  for (const e of exemplarRefs) {
    const bad = refsProblem(e.refs, symbols);
    if (bad === undefined) exemplars.push({ labels: resolveLabels(e.refs, symbols), t: e.t, v: e.v });
    else {
      const msg = `exemplar ${describeRefs(e.refs, symbols)} of series ${describeRefs(refs, symbols)} ${bad}`;
      rejected.push({ error: symbolError(msg), dropped: 0 });
    }
  }
  if (seriesCreated !== 0) {
    const first = samples[0]?.t ?? histograms[0]?.t;
    if (first !== undefined && seriesCreated < first) (created ??= []).unshift(seriesCreated);
  }
  if (created !== undefined) return { labels, samples, histograms, exemplars, createdTimestamps: created };
  return { labels, samples, histograms, exemplars };
}

/** The `start_timestamp` of the sample `readSample` read last (0: none), kept out of the Sample. */
let lastSampleStart = 0;

function readSample(r: ProtoReader, stop: number): Sample {
  const parentEnd = r.end;
  r.end = stop;
  let v = 0;
  let t = 0;
  lastSampleStart = 0;
  while (r.pos < stop) {
    const tag = r.uint32();
    if (tag === 0x09) v = r.double();
    else if (tag === 0x10) t = r.int64();
    else if (tag === 0x18) lastSampleStart = r.int64();
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

function readExemplar(r: ProtoReader, stop: number): { refs: number[]; t: number; v: number } {
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
  return { refs, t, v };
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
