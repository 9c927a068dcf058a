/**
 * Wire formats of the internal ingester read path (querier → ingester), protobuf throughout:
 *
 * - request: Prometheus remote-read `ReadRequest` with one `Query` (start/end ms, label matchers,
 *   read hints), field numbers as in prometheus/prompb/remote.proto;
 * - response: the matching series as a remote-write `WriteRequest` (`TimeSeries` with float samples
 *   and native histograms, exactly remote-read's `QueryResult.timeseries` message), snappy-compressed,
 *   so it reuses the hand-written remote-write encoder and decoder.
 */
import { type FloatHistogram, type HistogramSample, Labels, Matcher, type Sample } from '../model/index.js';
import {
  decodeWriteRequest,
  encodeWriteRequest,
  ProtoWriter,
  snappyDecode,
  snappyEncode,
} from '../remotewrite/index.js';
import { ProtoReader, protoError, WIRE_LEN, WIRE_VARINT } from '../remotewrite/proto-reader.js';
import { type SelectHints, type Series, ValueType } from '../storage/index.js';

/** One select against an ingester. */
export interface ReadQuery {
  mint: number;
  maxt: number;
  matchers: readonly Matcher[];
  hints?: SelectHints | undefined;
}

/** Largest decompressed internal body accepted (a read answer or a push). */
export const MAX_DECODED_BYTES = 512 << 20;

const MATCH_TYPES = ['=', '!=', '=~', '!~'] as const;

/** Encodes a remote-read `ReadRequest{queries: [query]}`. */
export function encodeReadRequest(q: ReadQuery): Uint8Array {
  const w = new ProtoWriter(256);
  w.tag(1, WIRE_LEN);
  const qm = w.begin();
  w.tag(1, WIRE_VARINT);
  w.int64(q.mint);
  w.tag(2, WIRE_VARINT);
  w.int64(q.maxt);
  for (const m of q.matchers) {
    w.tag(3, WIRE_LEN);
    const mm = w.begin();
    w.tag(1, WIRE_VARINT);
    w.uint32(MATCH_TYPES.indexOf(m.type));
    w.tag(2, WIRE_LEN);
    w.string(m.name);
    w.tag(3, WIRE_LEN);
    w.string(m.value);
    w.finish(mm);
  }
  const h = q.hints;
  if (h) {
    w.tag(4, WIRE_LEN);
    const hm = w.begin();
    if (h.step !== undefined) {
      w.tag(1, WIRE_VARINT);
      w.int64(h.step);
    }
    if (h.func !== undefined) {
      w.tag(2, WIRE_LEN);
      w.string(h.func);
    }
    w.tag(3, WIRE_VARINT);
    w.int64(h.start);
    w.tag(4, WIRE_VARINT);
    w.int64(h.end);
    for (const g of h.grouping ?? []) {
      w.tag(5, WIRE_LEN);
      w.string(g);
    }
    if (h.by !== undefined) {
      w.tag(6, WIRE_VARINT);
      w.uint32(h.by ? 1 : 0);
    }
    if (h.range !== undefined) {
      w.tag(7, WIRE_VARINT);
      w.int64(h.range);
    }
    w.finish(hm);
  }
  w.finish(qm);
  return w.finishAll();
}

/** Runs `body` with the reader bounded to a length-delimited sub-message. */
function sub<T>(r: ProtoReader, body: (stop: number) => T): T {
  const stop = r.lenEnd();
  const saved = r.end;
  r.end = stop;
  try {
    return body(stop);
  } finally {
    r.pos = stop;
    r.end = saved;
  }
}

/** Decodes what `encodeReadRequest` wrote (exactly one query; matchers are compiled here). */
export function decodeReadRequest(buf: Uint8Array): ReadQuery {
  const r = new ProtoReader(buf);
  let query: ReadQuery | undefined;
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1 || (tag & 7) !== WIRE_LEN) {
      r.skip(tag & 7, tag >>> 3);
      continue;
    }
    if (query) throw protoError('ReadRequest carries more than one query');
    query = sub(r, () => readQuery(r));
  }
  if (!query) throw protoError('ReadRequest without a query');
  return query;
}

function readQuery(r: ProtoReader): ReadQuery {
  let mint = 0;
  let maxt = 0;
  const matchers: Matcher[] = [];
  let hints: SelectHints | undefined;
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === WIRE_VARINT) mint = r.int64();
    else if (field === 2 && wt === WIRE_VARINT) maxt = r.int64();
    else if (field === 3 && wt === WIRE_LEN) matchers.push(sub(r, () => readMatcher(r)));
    else if (field === 4 && wt === WIRE_LEN) hints = sub(r, () => readHints(r));
    else r.skip(wt, field);
  }
  return { mint, maxt, matchers, ...(hints ? { hints } : {}) };
}

function readMatcher(r: ProtoReader): Matcher {
  let type = 0;
  let name = '';
  let value = '';
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === WIRE_VARINT) type = r.uint32();
    else if (field === 2 && wt === WIRE_LEN) name = r.string('matcher name');
    else if (field === 3 && wt === WIRE_LEN) value = r.string('matcher value');
    else r.skip(wt, field);
  }
  const mt = MATCH_TYPES[type];
  if (mt === undefined) throw protoError(`unknown matcher type ${type}`);
  return new Matcher(mt, name, value);
}

function readHints(r: ProtoReader): SelectHints {
  const h: SelectHints = { start: 0, end: 0 };
  const grouping: string[] = [];
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === WIRE_VARINT) h.step = r.int64();
    else if (field === 2 && wt === WIRE_LEN) h.func = r.string('hint func');
    else if (field === 3 && wt === WIRE_VARINT) h.start = r.int64();
    else if (field === 4 && wt === WIRE_VARINT) h.end = r.int64();
    else if (field === 5 && wt === WIRE_LEN) grouping.push(r.string('hint grouping'));
    else if (field === 6 && wt === WIRE_VARINT) h.by = r.uint32() !== 0;
    else if (field === 7 && wt === WIRE_VARINT) h.range = r.int64();
    else r.skip(wt, field);
  }
  if (grouping.length > 0) h.grouping = grouping;
  return h;
}

/** Reads every sample of the series (within the querier's range) and encodes them, snappy-compressed. */
export function encodeSeriesSet(series: readonly Series[]): Uint8Array {
  const timeseries = series.map((s) => {
    const samples: Sample[] = [];
    const histograms: (HistogramSample & { integer: boolean })[] = [];
    const it = s.iterator();
    for (let vt = it.next(); vt !== ValueType.None; vt = it.next()) {
      if (vt === ValueType.Float) samples.push({ t: it.atT(), v: it.atV() });
      else histograms.push({ t: it.atT(), h: it.atHistogram(), integer: false });
    }
    return { labels: s.labels, samples, histograms };
  });
  return snappyEncode(encodeWriteRequest({ timeseries }));
}

/** Decodes `encodeSeriesSet`'s output into in-memory series (labels as sent: sorted, unique). */
export function decodeSeriesSet(body: Uint8Array): Series[] {
  const wire = decodeWriteRequest(snappyDecode(body, MAX_DECODED_BYTES));
  return wire.timeseries.map((ts) => {
    return pointSeries(Labels.fromSortedFlat(ts.labels), ts.samples, ts.histograms);
  });
}

/** A series holding floats and/or histograms (a series may change type over time). */
function pointSeries(labels: Labels, floats: Sample[], hists: { t: number; h: FloatHistogram }[]): Series {
  type Point = { t: number; v?: number; h?: FloatHistogram };
  const points: Point[] = [...floats.map((s) => ({ t: s.t, v: s.v })), ...hists.map((h) => ({ t: h.t, h: h.h }))];
  points.sort((a, b) => a.t - b.t);
  return {
    labels,
    iterator() {
      let i = -1;
      const at = () => points[i]!;
      const kind = (): ValueType =>
        i >= points.length ? ValueType.None : at().h !== undefined ? ValueType.Histogram : ValueType.Float;
      return {
        next() {
          if (i < points.length) i++;
          return kind();
        },
        seek(t: number) {
          if (i < 0) i = 0;
          while (i < points.length && at().t < t) i++;
          return kind();
        },
        atT: () => at().t,
        atV: () => at().v ?? Number.NaN,
        atHistogram: () => at().h!,
      };
    },
  };
}
