import { BadDataError } from '../model/index.js';
import { ERROR_IDS } from '../validation/index.js';
import { anyValueString, MAX_ANY_VALUE_DEPTH } from './decode-proto.js';
import type {
  ExponentialBuckets,
  ExponentialHistogramPoint,
  HistogramPoint,
  NumberPoint,
  OtlpAttributes,
  OtlpData,
  OtlpExemplar,
  OtlpMetric,
  OtlpRequest,
  SummaryPoint,
} from './model.js';

const ID = ERROR_IDS.invalidOtlpJson;

function bad(message: string): BadDataError {
  return new BadDataError(`invalid OTLP JSON: ${message} (${ID})`, { id: ID });
}

type Obj = Record<string, unknown>;

/**
 * Decodes an OTLP/HTTP JSON `ExportMetricsServiceRequest` (the protobuf JSON mapping with the OTLP
 * rules: lowerCamelCase keys, the original snake_case names accepted too, 64-bit integers as strings or
 * numbers, enums as integers or names, trace and span IDs as hex) into the same model as the protobuf
 * decoder. Unknown keys are ignored; a value of the wrong type is a 400 naming the field.
 */
export function decodeOtlpJson(body: Uint8Array): OtlpRequest {
  let root: unknown;
  try {
    root = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (cause) {
    throw new BadDataError(`invalid OTLP JSON: ${(cause as Error).message} (${ID})`, { id: ID, cause });
  }
  const o = obj(root, 'ExportMetricsServiceRequest');
  return {
    resourceMetrics: arr(o, 'resourceMetrics', 'resource_metrics').map((rm, i) => {
      const r = obj(rm, `resourceMetrics[${i}]`);
      const resource = field(r, 'resource', 'resource');
      return {
        attributes: resource === undefined ? [] : attributes(obj(resource, 'resource'), 'attributes', 'attributes'),
        scopeMetrics: arr(r, 'scopeMetrics', 'scope_metrics').map((sm, j) => {
          const s = obj(sm, `scopeMetrics[${j}]`);
          const scope = field(s, 'scope', 'scope');
          const so = scope === undefined ? {} : obj(scope, 'scope');
          return {
            scopeName: str(so, 'name', 'name'),
            scopeVersion: str(so, 'version', 'version'),
            metrics: arr(s, 'metrics', 'metrics').map((m, k) => metric(obj(m, `metrics[${k}]`))),
          };
        }),
      };
    }),
  };
}

function field(o: Obj, camel: string, snake: string): unknown {
  const v = Object.hasOwn(o, camel) ? o[camel] : Object.hasOwn(o, snake) ? o[snake] : undefined;
  return v === null ? undefined : v;
}

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what} must be an object`);
  return v as Obj;
}

function arr(o: Obj, camel: string, snake: string): unknown[] {
  const v = field(o, camel, snake);
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw bad(`${camel} must be an array`);
  return v;
}

function str(o: Obj, camel: string, snake: string): string {
  const v = field(o, camel, snake);
  if (v === undefined) return '';
  if (typeof v !== 'string') throw bad(`${camel} must be a string`);
  return v;
}

/** A double: a number, or "NaN", "Infinity", "-Infinity" (the proto3 JSON mapping). */
function num(o: Obj, camel: string, snake: string): number | undefined {
  const v = field(o, camel, snake);
  if (v === undefined) return undefined;
  return toDouble(v, camel);
}

function toDouble(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw bad(`${what} must be a number`);
}

/** A 64-bit integer as a decimal string or a number. */
function int(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return Number(v);
  throw bad(`${what} must be an integer (a number or a decimal string)`);
}

function intField(o: Obj, camel: string, snake: string): number {
  const v = field(o, camel, snake);
  return v === undefined ? 0 : int(v, camel);
}

/** Nanoseconds (string or number) → integer milliseconds, exactly for strings. */
function nanosToMs(o: Obj, camel: string, snake: string): number {
  const v = field(o, camel, snake);
  if (v === undefined) return 0;
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return v.length <= 6 ? 0 : Number(v.slice(0, -6));
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return Math.floor(v / 1e6);
  throw bad(`${camel} must be unsigned integer nanoseconds (a decimal string or a number)`);
}

const TEMPORALITIES: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

function temporality(o: Obj): number {
  const v = field(o, 'aggregationTemporality', 'aggregation_temporality');
  if (v === undefined) return 0;
  if (typeof v === 'string' && v in TEMPORALITIES) return TEMPORALITIES[v]!;
  return int(v, 'aggregationTemporality');
}

function attributes(o: Obj, camel: string, snake: string): OtlpAttributes {
  return arr(o, camel, snake).map((kv, i) => {
    const k = obj(kv, `${camel}[${i}]`);
    const value = field(k, 'value', 'value');
    return [
      str(k, 'key', 'key'),
      value === undefined ? '' : anyValueString(anyValue(obj(value, `${camel}[${i}].value`))),
    ];
  });
}

function anyValue(v: Obj, depth = 0): unknown {
  if (depth > MAX_ANY_VALUE_DEPTH) throw bad(`attribute value nested more than ${MAX_ANY_VALUE_DEPTH} levels deep`);
  const s = field(v, 'stringValue', 'string_value');
  if (s !== undefined) {
    if (typeof s !== 'string') throw bad('stringValue must be a string');
    return s;
  }
  const b = field(v, 'boolValue', 'bool_value');
  if (b !== undefined) {
    if (typeof b !== 'boolean') throw bad('boolValue must be a boolean');
    return b;
  }
  const i = field(v, 'intValue', 'int_value');
  if (i !== undefined) return int(i, 'intValue');
  const d = field(v, 'doubleValue', 'double_value');
  if (d !== undefined) return toDouble(d, 'doubleValue');
  const a = field(v, 'arrayValue', 'array_value');
  if (a !== undefined)
    return arr(obj(a, 'arrayValue'), 'values', 'values').map((x) => anyValue(obj(x, 'arrayValue'), depth + 1));
  const kv = field(v, 'kvlistValue', 'kvlist_value');
  if (kv !== undefined) {
    const out: Record<string, unknown> = Object.create(null);
    for (const e of arr(obj(kv, 'kvlistValue'), 'values', 'values')) {
      const eo = obj(e, 'kvlistValue.values');
      const ev = field(eo, 'value', 'value');
      out[str(eo, 'key', 'key')] = ev === undefined ? null : anyValue(obj(ev, 'kvlistValue.value'), depth + 1);
    }
    return out;
  }
  const by = field(v, 'bytesValue', 'bytes_value');
  if (by !== undefined) {
    if (typeof by !== 'string') throw bad('bytesValue must be a base64 string');
    return { bytes: by };
  }
  return null;
}

function metric(m: Obj): OtlpMetric {
  const out: OtlpMetric = {
    name: str(m, 'name', 'name'),
    description: str(m, 'description', 'description'),
    unit: str(m, 'unit', 'unit'),
    data: { kind: 'none' },
  };
  const gauge = field(m, 'gauge', 'gauge');
  const sum = field(m, 'sum', 'sum');
  const hist = field(m, 'histogram', 'histogram');
  const exp = field(m, 'exponentialHistogram', 'exponential_histogram');
  const summary = field(m, 'summary', 'summary');
  let data: OtlpData = { kind: 'none' };
  if (gauge !== undefined) data = { kind: 'gauge', points: points(obj(gauge, 'gauge'), numberPoint) };
  else if (sum !== undefined) {
    const s = obj(sum, 'sum');
    const mono = field(s, 'isMonotonic', 'is_monotonic');
    if (mono !== undefined && typeof mono !== 'boolean') throw bad('isMonotonic must be a boolean');
    data = { kind: 'sum', points: points(s, numberPoint), temporality: temporality(s), monotonic: mono === true };
  } else if (hist !== undefined) {
    const h = obj(hist, 'histogram');
    data = { kind: 'histogram', points: points(h, histogramPoint), temporality: temporality(h) };
  } else if (exp !== undefined) {
    const e = obj(exp, 'exponentialHistogram');
    data = { kind: 'exponential_histogram', points: points(e, expPoint), temporality: temporality(e) };
  } else if (summary !== undefined) data = { kind: 'summary', points: points(obj(summary, 'summary'), summaryPoint) };
  out.data = data;
  return out;
}

function points<T>(o: Obj, one: (p: Obj) => T): T[] {
  return arr(o, 'dataPoints', 'data_points').map((p, i) => one(obj(p, `dataPoints[${i}]`)));
}

function base(p: Obj) {
  return {
    attributes: attributes(p, 'attributes', 'attributes'),
    startMs: nanosToMs(p, 'startTimeUnixNano', 'start_time_unix_nano'),
    tMs: nanosToMs(p, 'timeUnixNano', 'time_unix_nano'),
    flags: intField(p, 'flags', 'flags'),
  };
}

function value(p: Obj): number {
  const d = num(p, 'asDouble', 'as_double');
  if (d !== undefined) return d;
  const i = field(p, 'asInt', 'as_int');
  return i === undefined ? 0 : int(i, 'asInt');
}

function numberPoint(p: Obj): NumberPoint {
  return { ...base(p), value: value(p), exemplars: exemplars(p) };
}

function numbers(o: Obj, camel: string, snake: string, conv: (v: unknown, what: string) => number): number[] {
  return arr(o, camel, snake).map((v) => conv(v, camel));
}

function histogramPoint(p: Obj): HistogramPoint {
  return {
    ...base(p),
    count: intField(p, 'count', 'count'),
    sum: num(p, 'sum', 'sum'),
    bucketCounts: numbers(p, 'bucketCounts', 'bucket_counts', int),
    explicitBounds: numbers(p, 'explicitBounds', 'explicit_bounds', toDouble),
    exemplars: exemplars(p),
  };
}

function buckets(p: Obj, camel: string): ExponentialBuckets {
  const b = field(p, camel, camel);
  if (b === undefined) return { offset: 0, bucketCounts: [] };
  const o = obj(b, camel);
  return { offset: intField(o, 'offset', 'offset'), bucketCounts: numbers(o, 'bucketCounts', 'bucket_counts', int) };
}

function expPoint(p: Obj): ExponentialHistogramPoint {
  return {
    ...base(p),
    count: intField(p, 'count', 'count'),
    sum: num(p, 'sum', 'sum'),
    scale: intField(p, 'scale', 'scale'),
    zeroCount: intField(p, 'zeroCount', 'zero_count'),
    zeroThreshold: num(p, 'zeroThreshold', 'zero_threshold') ?? 0,
    positive: buckets(p, 'positive'),
    negative: buckets(p, 'negative'),
    exemplars: exemplars(p),
  };
}

function summaryPoint(p: Obj): SummaryPoint {
  return {
    ...base(p),
    count: intField(p, 'count', 'count'),
    sum: num(p, 'sum', 'sum') ?? 0,
    quantiles: arr(p, 'quantileValues', 'quantile_values').map((q, i) => {
      const qo = obj(q, `quantileValues[${i}]`);
      return { quantile: num(qo, 'quantile', 'quantile') ?? 0, value: num(qo, 'value', 'value') ?? 0 };
    }),
  };
}

function hexId(o: Obj, camel: string, snake: string): string {
  const v = str(o, camel, snake);
  if (!/^[0-9a-fA-F]*$/.test(v) || v.length % 2 !== 0) throw bad(`${camel} must be a hex string`);
  return v.toLowerCase();
}

function exemplars(p: Obj): OtlpExemplar[] {
  return arr(p, 'exemplars', 'exemplars').map((e, i) => {
    const eo = obj(e, `exemplars[${i}]`);
    return {
      attributes: attributes(eo, 'filteredAttributes', 'filtered_attributes'),
      tMs: nanosToMs(eo, 'timeUnixNano', 'time_unix_nano'),
      value: value(eo),
      traceId: hexId(eo, 'traceId', 'trace_id'),
      spanId: hexId(eo, 'spanId', 'span_id'),
    };
  });
}
