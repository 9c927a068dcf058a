import { ProtoReader, protoError, WIRE_I64, WIRE_LEN, WIRE_VARINT } from '../remotewrite/proto-reader.js';
import type {
  ExponentialBuckets,
  ExponentialHistogramPoint,
  HistogramPoint,
  NumberPoint,
  OtlpAttributes,
  OtlpExemplar,
  OtlpMetric,
  OtlpRequest,
  OtlpResourceMetrics,
  OtlpScopeMetrics,
  SummaryPoint,
} from './model.js';

/**
 * Decodes an OTLP `ExportMetricsServiceRequest` (opentelemetry-proto, metrics/v1 and common/v1; field
 * numbers as in the .proto files) by walking the bytes with the remote-write ProtoReader: bounds
 * checked, unknown fields skipped, wrong wire types and truncation raised as `BadDataError`s.
 */
export function decodeOtlpProto(buf: Uint8Array): OtlpRequest {
  const r = new ProtoReader(buf);
  const resourceMetrics: OtlpResourceMetrics[] = [];
  each(r, r.end, (field, wt) => {
    if (field !== 1) return false;
    expect(wt, WIRE_LEN, 'ExportMetricsServiceRequest.resource_metrics');
    resourceMetrics.push(readResourceMetrics(r, r.lenEnd()));
    return true;
  });
  return { resourceMetrics };
}

/** Runs `body` for every field up to `stop` (skipping the fields it returns false for). */
function each(r: ProtoReader, stop: number, body: (field: number, wt: number) => boolean): void {
  const parentEnd = r.end;
  r.end = stop;
  while (r.pos < stop) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 0) throw protoError('field number 0 is not allowed');
    if (!body(field, wt)) r.skip(wt, field);
  }
  r.end = parentEnd;
}

const WIRE_NAMES = ['varint', 'i64', 'len', 'start-group', 'end-group', 'i32', '6', '7'];
function expect(got: number, want: number, what: string): void {
  if (got !== want) throw protoError(`${what} has wire type ${WIRE_NAMES[got]}, expected ${WIRE_NAMES[want]}`);
}

function readResourceMetrics(r: ProtoReader, stop: number): OtlpResourceMetrics {
  const out: OtlpResourceMetrics = { attributes: [], scopeMetrics: [] };
  each(r, stop, (field, wt) => {
    if (field === 1) {
      expect(wt, WIRE_LEN, 'ResourceMetrics.resource');
      each(r, r.lenEnd(), (f, w) => {
        if (f !== 1) return false;
        expect(w, WIRE_LEN, 'Resource.attributes');
        out.attributes.push(readKeyValue(r, r.lenEnd()));
        return true;
      });
      return true;
    }
    if (field === 2) {
      expect(wt, WIRE_LEN, 'ResourceMetrics.scope_metrics');
      out.scopeMetrics.push(readScopeMetrics(r, r.lenEnd()));
      return true;
    }
    return false;
  });
  return out;
}

function readScopeMetrics(r: ProtoReader, stop: number): OtlpScopeMetrics {
  const out: OtlpScopeMetrics = { scopeName: '', scopeVersion: '', metrics: [] };
  each(r, stop, (field, wt) => {
    if (field === 1) {
      expect(wt, WIRE_LEN, 'ScopeMetrics.scope');
      each(r, r.lenEnd(), (f, w) => {
        if (f === 1 || f === 2) {
          expect(w, WIRE_LEN, f === 1 ? 'InstrumentationScope.name' : 'InstrumentationScope.version');
          const s = r.string('instrumentation scope');
          if (f === 1) out.scopeName = s;
          else out.scopeVersion = s;
          return true;
        }
        return false;
      });
      return true;
    }
    if (field === 2) {
      expect(wt, WIRE_LEN, 'ScopeMetrics.metrics');
      out.metrics.push(readMetric(r, r.lenEnd()));
      return true;
    }
    return false;
  });
  return out;
}

function readMetric(r: ProtoReader, stop: number): OtlpMetric {
  const m: OtlpMetric = { name: '', description: '', unit: '', data: { kind: 'none' } };
  each(r, stop, (field, wt) => {
    switch (field) {
      case 1:
      case 2:
      case 3: {
        expect(wt, WIRE_LEN, `Metric.${['name', 'description', 'unit'][field - 1]}`);
        const s = r.string(`metric ${['name', 'description', 'unit'][field - 1]}`);
        if (field === 1) m.name = s;
        else if (field === 2) m.description = s;
        else m.unit = s;
        return true;
      }
      case 5:
        expect(wt, WIRE_LEN, 'Metric.gauge');
        m.data = { kind: 'gauge', points: readNumberPoints(r, r.lenEnd()).points };
        return true;
      case 7: {
        expect(wt, WIRE_LEN, 'Metric.sum');
        const { points, temporality, monotonic } = readNumberPoints(r, r.lenEnd());
        m.data = { kind: 'sum', points, temporality, monotonic };
        return true;
      }
      case 9: {
        expect(wt, WIRE_LEN, 'Metric.histogram');
        const points: HistogramPoint[] = [];
        let temporality = 0;
        each(r, r.lenEnd(), (f, w) => {
          if (f === 1) {
            expect(w, WIRE_LEN, 'Histogram.data_points');
            points.push(readHistogramPoint(r, r.lenEnd()));
          } else if (f === 2) {
            expect(w, WIRE_VARINT, 'Histogram.aggregation_temporality');
            temporality = r.uint32();
          } else return false;
          return true;
        });
        m.data = { kind: 'histogram', points, temporality };
        return true;
      }
      case 10: {
        expect(wt, WIRE_LEN, 'Metric.exponential_histogram');
        const points: ExponentialHistogramPoint[] = [];
        let temporality = 0;
        each(r, r.lenEnd(), (f, w) => {
          if (f === 1) {
            expect(w, WIRE_LEN, 'ExponentialHistogram.data_points');
            points.push(readExpPoint(r, r.lenEnd()));
          } else if (f === 2) {
            expect(w, WIRE_VARINT, 'ExponentialHistogram.aggregation_temporality');
            temporality = r.uint32();
          } else return false;
          return true;
        });
        m.data = { kind: 'exponential_histogram', points, temporality };
        return true;
      }
      case 11: {
        expect(wt, WIRE_LEN, 'Metric.summary');
        const points: SummaryPoint[] = [];
        each(r, r.lenEnd(), (f, w) => {
          if (f !== 1) return false;
          expect(w, WIRE_LEN, 'Summary.data_points');
          points.push(readSummaryPoint(r, r.lenEnd()));
          return true;
        });
        m.data = { kind: 'summary', points };
        return true;
      }
      default:
        return false;
    }
  });
  return m;
}

/** Gauge and Sum share the layout: data_points = 1, aggregation_temporality = 2, is_monotonic = 3. */
function readNumberPoints(r: ProtoReader, stop: number) {
  const points: NumberPoint[] = [];
  let temporality = 0;
  let monotonic = false;
  each(r, stop, (f, w) => {
    if (f === 1) {
      expect(w, WIRE_LEN, 'data_points');
      points.push(readNumberPoint(r, r.lenEnd()));
    } else if (f === 2) {
      expect(w, WIRE_VARINT, 'Sum.aggregation_temporality');
      temporality = r.uint32();
    } else if (f === 3) {
      expect(w, WIRE_VARINT, 'Sum.is_monotonic');
      monotonic = r.uint64() !== 0;
    } else return false;
    return true;
  });
  return { points, temporality, monotonic };
}

/** fixed64 nanoseconds → integer milliseconds, exactly (no detour through an inexact double). */
function fixed64Ms(r: ProtoReader, what: string): number {
  const pos = r.pos;
  if (pos + 8 > r.end) throw protoError(`truncated ${what} at byte ${pos}`);
  const lo = r.view.getUint32(pos, true);
  const hi = r.view.getUint32(pos + 4, true);
  r.pos = pos + 8;
  // hi·2^32 = hi·4294·10^6 + hi·967296, and hi·967296 + lo < 2^53.
  return hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
}

/** fixed64 count (exact below 2^53). */
function fixed64(r: ProtoReader, what: string): number {
  const pos = r.pos;
  if (pos + 8 > r.end) throw protoError(`truncated ${what} at byte ${pos}`);
  r.pos = pos + 8;
  return r.view.getUint32(pos + 4, true) * 4294967296 + r.view.getUint32(pos, true);
}

function sfixed64(r: ProtoReader, what: string): number {
  const pos = r.pos;
  if (pos + 8 > r.end) throw protoError(`truncated ${what} at byte ${pos}`);
  r.pos = pos + 8;
  return r.view.getInt32(pos + 4, true) * 4294967296 + r.view.getUint32(pos, true);
}

function i64(r: ProtoReader, wt: number, what: string, read: () => number): number {
  expect(wt, WIRE_I64, what);
  return read();
}

function readNumberPoint(r: ProtoReader, stop: number): NumberPoint {
  const p: NumberPoint = { attributes: [], startMs: 0, tMs: 0, flags: 0, value: 0, exemplars: [] };
  each(r, stop, (f, w) => {
    switch (f) {
      case 7:
        expect(w, WIRE_LEN, 'NumberDataPoint.attributes');
        p.attributes.push(readKeyValue(r, r.lenEnd()));
        return true;
      case 2:
        p.startMs = i64(r, w, 'NumberDataPoint.start_time_unix_nano', () => fixed64Ms(r, 'start_time_unix_nano'));
        return true;
      case 3:
        p.tMs = i64(r, w, 'NumberDataPoint.time_unix_nano', () => fixed64Ms(r, 'time_unix_nano'));
        return true;
      case 4:
        p.value = i64(r, w, 'NumberDataPoint.as_double', () => r.double());
        return true;
      case 6:
        p.value = i64(r, w, 'NumberDataPoint.as_int', () => sfixed64(r, 'as_int'));
        return true;
      case 5:
        expect(w, WIRE_LEN, 'NumberDataPoint.exemplars');
        p.exemplars.push(readExemplar(r, r.lenEnd()));
        return true;
      case 8:
        expect(w, WIRE_VARINT, 'NumberDataPoint.flags');
        p.flags = r.uint32();
        return true;
      default:
        return false;
    }
  });
  return p;
}

function readHistogramPoint(r: ProtoReader, stop: number): HistogramPoint {
  const p: HistogramPoint = {
    attributes: [],
    startMs: 0,
    tMs: 0,
    flags: 0,
    count: 0,
    sum: undefined,
    bucketCounts: [],
    explicitBounds: [],
    exemplars: [],
  };
  each(r, stop, (f, w) => {
    switch (f) {
      case 9:
        expect(w, WIRE_LEN, 'HistogramDataPoint.attributes');
        p.attributes.push(readKeyValue(r, r.lenEnd()));
        return true;
      case 2:
        p.startMs = i64(r, w, 'HistogramDataPoint.start_time_unix_nano', () => fixed64Ms(r, 'start_time_unix_nano'));
        return true;
      case 3:
        p.tMs = i64(r, w, 'HistogramDataPoint.time_unix_nano', () => fixed64Ms(r, 'time_unix_nano'));
        return true;
      case 4:
        p.count = i64(r, w, 'HistogramDataPoint.count', () => fixed64(r, 'count'));
        return true;
      case 5:
        p.sum = i64(r, w, 'HistogramDataPoint.sum', () => r.double());
        return true;
      case 6:
        readPacked64(r, w, 'HistogramDataPoint.bucket_counts', p.bucketCounts, () => fixed64(r, 'bucket_counts'));
        return true;
      case 7:
        readPacked64(r, w, 'HistogramDataPoint.explicit_bounds', p.explicitBounds, () => r.double());
        return true;
      case 8:
        expect(w, WIRE_LEN, 'HistogramDataPoint.exemplars');
        p.exemplars.push(readExemplar(r, r.lenEnd()));
        return true;
      case 10:
        expect(w, WIRE_VARINT, 'HistogramDataPoint.flags');
        p.flags = r.uint32();
        return true;
      default:
        return false;
    }
  });
  return p;
}

function readExpPoint(r: ProtoReader, stop: number): ExponentialHistogramPoint {
  const p: ExponentialHistogramPoint = {
    attributes: [],
    startMs: 0,
    tMs: 0,
    flags: 0,
    count: 0,
    sum: undefined,
    scale: 0,
    zeroCount: 0,
    zeroThreshold: 0,
    positive: { offset: 0, bucketCounts: [] },
    negative: { offset: 0, bucketCounts: [] },
    exemplars: [],
  };
  each(r, stop, (f, w) => {
    switch (f) {
      case 1:
        expect(w, WIRE_LEN, 'ExponentialHistogramDataPoint.attributes');
        p.attributes.push(readKeyValue(r, r.lenEnd()));
        return true;
      case 2:
        p.startMs = i64(r, w, 'ExponentialHistogramDataPoint.start_time_unix_nano', () =>
          fixed64Ms(r, 'start_time_unix_nano'),
        );
        return true;
      case 3:
        p.tMs = i64(r, w, 'ExponentialHistogramDataPoint.time_unix_nano', () => fixed64Ms(r, 'time_unix_nano'));
        return true;
      case 4:
        p.count = i64(r, w, 'ExponentialHistogramDataPoint.count', () => fixed64(r, 'count'));
        return true;
      case 5:
        p.sum = i64(r, w, 'ExponentialHistogramDataPoint.sum', () => r.double());
        return true;
      case 6:
        expect(w, WIRE_VARINT, 'ExponentialHistogramDataPoint.scale');
        p.scale = r.sint32();
        return true;
      case 7:
        p.zeroCount = i64(r, w, 'ExponentialHistogramDataPoint.zero_count', () => fixed64(r, 'zero_count'));
        return true;
      case 8:
      case 9: {
        expect(
          w,
          WIRE_LEN,
          f === 8 ? 'ExponentialHistogramDataPoint.positive' : 'ExponentialHistogramDataPoint.negative',
        );
        const b: ExponentialBuckets = { offset: 0, bucketCounts: [] };
        each(r, r.lenEnd(), (bf, bw) => {
          if (bf === 1) {
            expect(bw, WIRE_VARINT, 'Buckets.offset');
            b.offset = r.sint32();
          } else if (bf === 2) {
            if (bw === WIRE_VARINT) b.bucketCounts.push(r.uint64());
            else {
              expect(bw, WIRE_LEN, 'Buckets.bucket_counts');
              const end = r.lenEnd();
              const parentEnd = r.end;
              r.end = end;
              while (r.pos < end) b.bucketCounts.push(r.uint64());
              r.end = parentEnd;
            }
          } else return false;
          return true;
        });
        if (f === 8) p.positive = b;
        else p.negative = b;
        return true;
      }
      case 10:
        expect(w, WIRE_VARINT, 'ExponentialHistogramDataPoint.flags');
        p.flags = r.uint32();
        return true;
      case 11:
        expect(w, WIRE_LEN, 'ExponentialHistogramDataPoint.exemplars');
        p.exemplars.push(readExemplar(r, r.lenEnd()));
        return true;
      case 14:
        p.zeroThreshold = i64(r, w, 'ExponentialHistogramDataPoint.zero_threshold', () => r.double());
        return true;
      default:
        return false;
    }
  });
  return p;
}

function readSummaryPoint(r: ProtoReader, stop: number): SummaryPoint {
  const p: SummaryPoint = { attributes: [], startMs: 0, tMs: 0, flags: 0, count: 0, sum: 0, quantiles: [] };
  each(r, stop, (f, w) => {
    switch (f) {
      case 7:
        expect(w, WIRE_LEN, 'SummaryDataPoint.attributes');
        p.attributes.push(readKeyValue(r, r.lenEnd()));
        return true;
      case 2:
        p.startMs = i64(r, w, 'SummaryDataPoint.start_time_unix_nano', () => fixed64Ms(r, 'start_time_unix_nano'));
        return true;
      case 3:
        p.tMs = i64(r, w, 'SummaryDataPoint.time_unix_nano', () => fixed64Ms(r, 'time_unix_nano'));
        return true;
      case 4:
        p.count = i64(r, w, 'SummaryDataPoint.count', () => fixed64(r, 'count'));
        return true;
      case 5:
        p.sum = i64(r, w, 'SummaryDataPoint.sum', () => r.double());
        return true;
      case 6: {
        expect(w, WIRE_LEN, 'SummaryDataPoint.quantile_values');
        const q = { quantile: 0, value: 0 };
        each(r, r.lenEnd(), (qf, qw) => {
          if (qf === 1) q.quantile = i64(r, qw, 'ValueAtQuantile.quantile', () => r.double());
          else if (qf === 2) q.value = i64(r, qw, 'ValueAtQuantile.value', () => r.double());
          else return false;
          return true;
        });
        p.quantiles.push(q);
        return true;
      }
      case 8:
        expect(w, WIRE_VARINT, 'SummaryDataPoint.flags');
        p.flags = r.uint32();
        return true;
      default:
        return false;
    }
  });
  return p;
}

function readExemplar(r: ProtoReader, stop: number): OtlpExemplar {
  const e: OtlpExemplar = { attributes: [], tMs: 0, value: 0, traceId: '', spanId: '' };
  each(r, stop, (f, w) => {
    switch (f) {
      case 7:
        expect(w, WIRE_LEN, 'Exemplar.filtered_attributes');
        e.attributes.push(readKeyValue(r, r.lenEnd()));
        return true;
      case 2:
        e.tMs = i64(r, w, 'Exemplar.time_unix_nano', () => fixed64Ms(r, 'time_unix_nano'));
        return true;
      case 3:
        e.value = i64(r, w, 'Exemplar.as_double', () => r.double());
        return true;
      case 6:
        e.value = i64(r, w, 'Exemplar.as_int', () => sfixed64(r, 'as_int'));
        return true;
      case 4:
      case 5: {
        expect(w, WIRE_LEN, f === 4 ? 'Exemplar.span_id' : 'Exemplar.trace_id');
        const end = r.lenEnd();
        const hex = Buffer.from(r.buf.buffer, r.buf.byteOffset + r.pos, end - r.pos).toString('hex');
        r.pos = end;
        if (f === 4) e.spanId = hex;
        else e.traceId = hex;
        return true;
      }
      default:
        return false;
    }
  });
  return e;
}

/** Repeated fixed64/double: packed (a multiple of 8 bytes) or one element per field. */
function readPacked64(r: ProtoReader, wt: number, what: string, out: number[], read: () => number): void {
  if (wt === WIRE_I64) {
    out.push(read());
    return;
  }
  expect(wt, WIRE_LEN, what);
  const end = r.lenEnd();
  if ((end - r.pos) % 8 !== 0) throw protoError(`packed ${what} at byte ${r.pos} is not a multiple of 8 bytes`);
  const parentEnd = r.end;
  r.end = end;
  while (r.pos < end) out.push(read());
  r.end = parentEnd;
}

function readKeyValue(r: ProtoReader, stop: number): [string, string] {
  const fast = readStringKeyValue(r, stop);
  if (fast !== undefined) return fast;
  let key = '';
  let value = '';
  each(r, stop, (f, w) => {
    if (f === 1) {
      expect(w, WIRE_LEN, 'KeyValue.key');
      key = r.string('attribute key');
    } else if (f === 2) {
      expect(w, WIRE_LEN, 'KeyValue.value');
      value = anyValueString(readAnyValue(r, r.lenEnd()));
    } else return false;
    return true;
  });
  return [key, value];
}

/**
 * The shape every SDK sends, `key` then an AnyValue holding only `string_value`, read without the
 * generic field loop; undefined (and nothing consumed) for any other shape.
 */
function readStringKeyValue(r: ProtoReader, stop: number): [string, string] | undefined {
  const start = r.pos;
  const buf = r.buf;
  if (buf[start] !== 0x0a) return undefined;
  const parentEnd = r.end;
  r.end = stop;
  r.pos = start + 1;
  const key = r.string('attribute key');
  if (r.pos < stop && buf[r.pos] === 0x12) {
    r.pos++;
    const anyEnd = r.lenEnd();
    if (anyEnd === stop && r.pos < anyEnd && buf[r.pos] === 0x0a) {
      r.pos++;
      r.end = anyEnd;
      const value = r.string('attribute value');
      if (r.pos === anyEnd) {
        r.end = parentEnd;
        return [key, value];
      }
    }
  }
  r.pos = start;
  r.end = parentEnd;
  return undefined;
}

/** An AnyValue as a JSON-able value (bytes as base64), before pcommon's AsString rendering. */
type Any = string | boolean | number | null | Any[] | { [k: string]: Any } | { bytes: string };

/**
 * How deep array and kvlist attribute values may nest. The decoders recurse, and a body of a few kB
 * nested ~1,000 levels overflowed the stack (a 503 instead of a 400, found by the OTLP fuzz target);
 * Go's protobuf stops at 10,000 messages, far more than any real attribute holds.
 */
export const MAX_ANY_VALUE_DEPTH = 100;

function readAnyValue(r: ProtoReader, stop: number, depth = 0): Any {
  if (depth > MAX_ANY_VALUE_DEPTH)
    throw protoError(`attribute value nested more than ${MAX_ANY_VALUE_DEPTH} levels deep at byte ${r.pos}`);
  let v: Any = null;
  each(r, stop, (f, w) => {
    switch (f) {
      case 1:
        expect(w, WIRE_LEN, 'AnyValue.string_value');
        v = r.string('attribute value');
        return true;
      case 2:
        expect(w, WIRE_VARINT, 'AnyValue.bool_value');
        v = r.uint64() !== 0;
        return true;
      case 3:
        expect(w, WIRE_VARINT, 'AnyValue.int_value');
        v = r.int64();
        return true;
      case 4:
        v = i64(r, w, 'AnyValue.double_value', () => r.double());
        return true;
      case 5: {
        expect(w, WIRE_LEN, 'AnyValue.array_value');
        const arr: Any[] = [];
        each(r, r.lenEnd(), (af, aw) => {
          if (af !== 1) return false;
          expect(aw, WIRE_LEN, 'ArrayValue.values');
          arr.push(readAnyValue(r, r.lenEnd(), depth + 1));
          return true;
        });
        v = arr;
        return true;
      }
      case 6: {
        expect(w, WIRE_LEN, 'AnyValue.kvlist_value');
        const obj: { [k: string]: Any } = Object.create(null);
        each(r, r.lenEnd(), (kf, kw) => {
          if (kf !== 1) return false;
          expect(kw, WIRE_LEN, 'KeyValueList.values');
          const kvEnd = r.lenEnd();
          let k = '';
          let val: Any = null;
          each(r, kvEnd, (ff, fw) => {
            if (ff === 1) {
              expect(fw, WIRE_LEN, 'KeyValue.key');
              k = r.string('attribute key');
            } else if (ff === 2) {
              expect(fw, WIRE_LEN, 'KeyValue.value');
              val = readAnyValue(r, r.lenEnd(), depth + 1);
            } else return false;
            return true;
          });
          obj[k] = val;
          return true;
        });
        v = obj;
        return true;
      }
      case 7: {
        expect(w, WIRE_LEN, 'AnyValue.bytes_value');
        const end = r.lenEnd();
        v = { bytes: Buffer.from(r.buf.buffer, r.buf.byteOffset + r.pos, end - r.pos).toString('base64') };
        r.pos = end;
        return true;
      }
      default:
        return false;
    }
  });
  return v;
}

/** pcommon Value.AsString: strings as they are, numbers and booleans formatted, arrays and maps as JSON. */
export function anyValueString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'object' && v !== null && 'bytes' in v && Object.keys(v).length === 1) {
    return String((v as { bytes: string }).bytes);
  }
  return JSON.stringify(v, (_k, x) =>
    typeof x === 'object' && x !== null && 'bytes' in x && Object.keys(x).length === 1 ? x.bytes : x,
  );
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64) for the values attributes carry. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s;
  if (Number.isInteger(v)) return BigInt(v).toString();
  return v.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}
