/**
 * OTLP/HTTP metrics bodies through `POST /otlp/v1/metrics`, protobuf and JSON, plain or gzip. The
 * generator builds an `ExportMetricsServiceRequest` (resource attributes, gauges, cumulative and delta
 * sums, explicit-bucket histograms, data points near now), then odd parts: attribute keys such as
 * `__proto__`/`constructor`/empty/invalid UTF-8, every attribute value type, nested kvlists up to
 * 5,000 levels, NaN/±Inf/-0 values, int64 values and nanosecond times at the 64-bit edges, bucket
 * counts that disagree with the bounds; then byte mutations of the body and a gzip bomb.
 *
 * Properties: no 5xx; a 200 without `partial_success` for an unmutated body means every data point's
 * series reads back by its attributes.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  assertNo5xx,
  assertNoCanary,
  BIG_BOUNDED_RUNS,
  call,
  type FuzzContext,
  oddString,
  pick,
  registerTarget,
  type Size,
  short,
} from '../harness.js';
import { applyMutations, type ByteMutation, byteMutations, gzipBomb, RawProto, sampleValue } from '../wire.js';

const NOW_NS = BigInt(Date.now()) * 1_000_000n;

type AttrValue =
  | { s: string }
  | { i: bigint }
  | { d: number }
  | { b: boolean }
  | { bytes: Uint8Array }
  | { list: AttrValue[] };

interface Point {
  attrs: [string, AttrValue][];
  t: bigint;
  value: { d: number } | { i: bigint };
  buckets: bigint[];
  bounds: number[];
}

interface Metric {
  name: string;
  unit: string;
  kind: 'gauge' | 'sum' | 'sum-delta' | 'sum-nonmonotonic' | 'histogram';
  points: Point[];
}

interface OtlpInput {
  resource: [string, AttrValue][];
  metrics: Metric[];
  encoding: 'protobuf' | 'json';
  gzip: 'none' | 'gzip' | 'bomb';
  /** Depth of a kvlist attribute nested in itself (0: none). */
  nest: number;
  mutate: ByteMutation[] | undefined;
}

const int64Edge = pick(0n, -1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n);

const scalar: fc.Arbitrary<AttrValue> = fc.oneof(
  { weight: 6, arbitrary: oddString.map((s) => ({ s })) },
  { weight: 1, arbitrary: fc.oneof(fc.bigInt({ min: -1000n, max: 1000n }), int64Edge).map((i) => ({ i })) },
  { weight: 1, arbitrary: sampleValue.map((d) => ({ d })) },
  { weight: 1, arbitrary: fc.boolean().map((b) => ({ b })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }).map((bytes) => ({ bytes })) },
);
const attrValue: fc.Arbitrary<AttrValue> = fc.oneof(
  { weight: 8, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }).map((list) => ({ list })) },
);
/** Attributes; `run` and `s` are the generator's own (they find the series again). */
const attrs = fc
  .array(fc.tuple(oddString, attrValue), { maxLength: 3 })
  .map((xs) => xs.filter(([k]) => k !== 'run' && k !== 's'));

const timeNs = fc.oneof(
  { weight: 12, arbitrary: fc.bigInt({ min: 0n, max: 3_600_000_000_000n }).map((d) => NOW_NS - d) },
  { weight: 1, arbitrary: pick(0n, 1n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n, NOW_NS / 1_000_000n) },
);

const point: fc.Arbitrary<Point> = fc.record({
  attrs,
  t: timeNs,
  value: fc.oneof(
    { weight: 3, arbitrary: sampleValue.map((d) => ({ d })) },
    { weight: 1, arbitrary: fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), int64Edge).map((i) => ({ i })) },
  ),
  buckets: fc.array(fc.oneof(fc.bigInt({ min: 0n, max: 100n }), int64Edge), { maxLength: 4 }),
  bounds: fc.array(sampleValue, { maxLength: 3 }),
});

const metric: fc.Arbitrary<Metric> = fc.record({
  name: fc.oneof({ weight: 6, arbitrary: fc.constant('fuzz_otlp') }, { weight: 1, arbitrary: oddString }),
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: pick('s', 'By', '1', '{req}', '%') },
  ),
  kind: pick('gauge' as const, 'sum' as const, 'sum-delta' as const, 'sum-nonmonotonic' as const, 'histogram' as const),
  points: fc.array(point, { minLength: 1, maxLength: 3 }),
});

const nest = fc.oneof(
  { weight: 8, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }) },
);

const input: fc.Arbitrary<OtlpInput> = fc.record({
  resource: attrs,
  metrics: fc.array(metric, { minLength: 1, maxLength: 3 }),
  encoding: pick('protobuf' as const, 'json' as const),
  gzip: fc.oneof(
    { weight: 2, arbitrary: fc.constant('none' as const) },
    { weight: 1, arbitrary: fc.constant('gzip' as const) },
  ),
  nest,
  mutate: fc.option(byteMutations('common'), { freq: 2, nil: undefined }),
});

/** The `-big` variant's inputs: the gzip bomb (256 MiB inflated), or a repetition to 256 kB in the body. */
const bigInput: fc.Arbitrary<OtlpInput> = fc.oneof(
  fc.record({
    resource: attrs,
    metrics: fc.array(metric, { minLength: 1, maxLength: 3 }),
    encoding: pick('protobuf' as const, 'json' as const),
    gzip: fc.constant('bomb' as const),
    nest,
    mutate: fc.option(byteMutations('common'), { freq: 2, nil: undefined }),
  }),
  fc.record({
    resource: attrs,
    metrics: fc.array(metric, { minLength: 1, maxLength: 3 }),
    encoding: pick('protobuf' as const, 'json' as const),
    gzip: pick('none' as const, 'gzip' as const),
    nest,
    mutate: byteMutations('big'),
  }),
);

// ---------------------------------------------------------------------------------------------------
// Protobuf

function anyValueProto(v: AttrValue): RawProto {
  const m = new RawProto();
  if ('s' in v) m.bytes(1, v.s);
  else if ('b' in v) m.varint(2, v.b ? 1 : 0);
  else if ('i' in v) m.int64(3, v.i);
  else if ('d' in v) m.double(4, v.d);
  else if ('list' in v) {
    const arr = new RawProto();
    for (const x of v.list) arr.message(1, anyValueProto(x));
    m.message(5, arr);
  } else m.bytes(7, v.bytes);
  return m;
}

function kvProto(k: string, v: AttrValue): RawProto {
  return new RawProto().bytes(1, k).message(2, anyValueProto(v));
}

/**
 * A kvlist nested `depth` times: {a: {a: {… "x"}}}. Written outside in from the lengths, not by
 * wrapping the encoded inner value level by level (which copies it each time: 0.7 s for 5,000 levels).
 */
function nestedProto(depth: number): RawProto {
  const inner = anyValueProto({ s: 'x' }).finish();
  const none = new Uint8Array(0);
  const heads: Uint8Array[] = [];
  let len = inner.length;
  for (let i = 0; i < depth; i++) {
    // AnyValue{kvlist_value: KeyValueList{values: KeyValue{key: "a", value: <the level inside>}}}
    const kv = new RawProto().bytes(1, 'a').lyingLength(2, len, none).finish();
    const list = new RawProto().lyingLength(1, kv.length + len, none).finish();
    const any = new RawProto().lyingLength(6, list.length + kv.length + len, none).finish();
    heads.push(Buffer.concat([any, list, kv]));
    len += any.length + list.length + kv.length;
  }
  return new RawProto().bytes(1, 'nested').bytes(2, Buffer.concat([...heads.reverse(), inner]));
}

function pointProto(p: Point, metric: Metric, run: string, s: string): RawProto {
  const m = new RawProto();
  const attrField = metric.kind === 'histogram' ? 9 : 7;
  m.message(attrField, kvProto('run', { s: run })).message(attrField, kvProto('s', { s }));
  for (const [k, v] of p.attrs) m.message(attrField, kvProto(k, v));
  m.fixed64(3, p.t);
  if (metric.kind === 'histogram') {
    const count = p.buckets.reduce((a, b) => a + b, 0n);
    m.fixed64(4, count);
    if ('d' in p.value) m.double(5, p.value.d);
    const bc = new RawProto();
    for (const b of p.buckets) bc.raw(le64(b));
    m.bytes(6, bc.finish());
    const eb = new RawProto();
    for (const b of p.bounds) eb.raw(f64(b));
    m.bytes(7, eb.finish());
  } else if ('d' in p.value) m.double(4, p.value.d);
  else m.fixed64(6, p.value.i);
  return m;
}

function toProto(inp: OtlpInput, run: string): Uint8Array {
  const resource = new RawProto();
  for (const [k, v] of inp.resource) resource.message(1, kvProto(k, v));
  if (inp.nest > 0) resource.message(1, nestedProto(inp.nest));
  const scope = new RawProto().message(1, new RawProto().bytes(1, 'fuzz'));
  inp.metrics.forEach((metric, mi) => {
    const m = new RawProto().bytes(1, metric.name).bytes(3, metric.unit);
    const data = new RawProto();
    metric.points.forEach((p, pi) => {
      data.message(1, pointProto(p, metric, run, `${mi}.${pi}`));
    });
    if (metric.kind === 'gauge') m.message(5, data);
    else if (metric.kind === 'histogram') m.message(9, data.varint(2, 2));
    else m.message(7, data.varint(2, metric.kind === 'sum-delta' ? 1 : 2).varint(3, metric.kind === 'sum' ? 1 : 0));
    scope.message(2, m);
  });
  const rm = new RawProto().message(1, resource).message(2, scope);
  return new RawProto().message(1, rm).finish();
}

function le64(v: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return b;
}
function f64(v: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b;
}

// ---------------------------------------------------------------------------------------------------
// JSON (OTLP's protobuf JSON mapping: 64-bit integers as strings, NaN and infinities as strings)

const jsonDouble = (d: number): number | string =>
  Number.isNaN(d) ? 'NaN' : d === Infinity ? 'Infinity' : d === -Infinity ? '-Infinity' : d;
const u64 = (v: bigint) => String(BigInt.asUintN(64, v));
const i64 = (v: bigint) => String(BigInt.asIntN(64, v));

function anyValueJson(v: AttrValue): unknown {
  if ('s' in v) return { stringValue: v.s };
  if ('b' in v) return { boolValue: v.b };
  if ('i' in v) return { intValue: i64(v.i) };
  if ('d' in v) return { doubleValue: jsonDouble(v.d) };
  if ('list' in v) return { arrayValue: { values: v.list.map(anyValueJson) } };
  return { bytesValue: Buffer.from(v.bytes).toString('base64') };
}

function kvJson(k: string, v: AttrValue): string {
  return `{"key":${JSON.stringify(k)},"value":${JSON.stringify(anyValueJson(v))}}`;
}

function toJson(inp: OtlpInput, run: string): string {
  const resAttrs = inp.resource.map(([k, v]) => kvJson(k, v));
  if (inp.nest > 0)
    resAttrs.push(
      `{"key":"nested","value":${'{"kvlistValue":{"values":[{"key":"a","value":'.repeat(inp.nest)}{"stringValue":"x"}${'}]}}'.repeat(inp.nest)}}`,
    );
  const metrics = inp.metrics.map((metric, mi) => {
    const points = metric.points.map((p, pi) => {
      const a = [
        kvJson('run', { s: run }),
        kvJson('s', { s: `${mi}.${pi}` }),
        ...p.attrs.map(([k, v]) => kvJson(k, v)),
      ];
      const base = `"attributes":[${a.join(',')}],"timeUnixNano":"${u64(p.t)}"`;
      if (metric.kind === 'histogram') {
        const count = p.buckets.reduce((x, y) => x + y, 0n);
        const sum = 'd' in p.value ? `,"sum":${JSON.stringify(jsonDouble(p.value.d))}` : '';
        return `{${base},"count":"${u64(count)}"${sum},"bucketCounts":${JSON.stringify(p.buckets.map(u64))},"explicitBounds":${JSON.stringify(p.bounds.map(jsonDouble))}}`;
      }
      const v = 'd' in p.value ? `"asDouble":${JSON.stringify(jsonDouble(p.value.d))}` : `"asInt":"${i64(p.value.i)}"`;
      return `{${base},${v}}`;
    });
    const dp = `"dataPoints":[${points.join(',')}]`;
    const body =
      metric.kind === 'gauge'
        ? `"gauge":{${dp}}`
        : metric.kind === 'histogram'
          ? `"histogram":{${dp},"aggregationTemporality":2}`
          : `"sum":{${dp},"aggregationTemporality":${metric.kind === 'sum-delta' ? 1 : 2},"isMonotonic":${metric.kind === 'sum'}}`;
    return `{"name":${JSON.stringify(metric.name)},"unit":${JSON.stringify(metric.unit)},${body}}`;
  });
  return `{"resourceMetrics":[{"resource":{"attributes":[${resAttrs.join(',')}]},"scopeMetrics":[{"scope":{"name":"fuzz"},"metrics":[${metrics.join(',')}]}]}]}`;
}

// ---------------------------------------------------------------------------------------------------

let nextRun = 0;

const defineTarget = (size: Size) =>
  registerTarget({
    name: size === 'big' ? 'otlp-big' : 'otlp',
    surface:
      size === 'big'
        ? 'OTLP/HTTP gzip bombs and bodies with 256 kB repetitions through POST /otlp/v1/metrics'
        : 'OTLP/HTTP metrics bodies (protobuf and JSON, plain and gzip) through POST /otlp/v1/metrics',
    arbitrary: size === 'big' ? bigInput : input,
    // the costliest per input (the read-back of every point): fewer in `npm test`
    boundedRuns: size === 'big' ? BIG_BOUNDED_RUNS / 2 : 100,
    async run(ctx: FuzzContext, inp: OtlpInput) {
      const run = `otlp-${nextRun++}`;
      let b: Uint8Array = inp.encoding === 'json' ? Buffer.from(toJson(inp, run), 'utf8') : toProto(inp, run);
      if (inp.mutate) b = applyMutations(b, inp.mutate);
      if (inp.gzip === 'gzip') b = gzipSync(b, { level: 1 });
      if (inp.gzip === 'bomb') b = gzipBomb();
      const a = await call(ctx, 'POST', '/otlp/v1/metrics', {
        body: b,
        headers: {
          'content-type': inp.encoding === 'json' ? 'application/json' : 'application/x-protobuf',
          ...(inp.gzip === 'none' ? {} : { 'content-encoding': 'gzip' }),
        },
      });
      const what = `OTLP ${inp.encoding} run ${run} (${b.length} bytes, gzip ${inp.gzip}, nest ${inp.nest}, mutated ${inp.mutate !== undefined}): ${a.status} ${short(a.text)}`;
      assertNo5xx(what, a);
      assertNoCanary(ctx, what, a);
      const complete = a.text === '' || a.text === '{}';
      if (a.status === 200 && complete && inp.mutate === undefined && inp.gzip !== 'bomb') {
        const q = await call(ctx, 'GET', `/prometheus/api/v1/series?match[]=${encodeURIComponent(`{run="${run}"}`)}`);
        const got = new Set((JSON.parse(q.text) as { data: Record<string, string>[] }).data.map((l) => l.s));
        for (const [mi, m] of inp.metrics.entries())
          for (let pi = 0; pi < m.points.length; pi++)
            if (!got.has(`${mi}.${pi}`))
              throw new Error(`${what}: acknowledged point ${mi}.${pi} not queryable: ${short(q.text)}`);
      }
      return a.status;
    },
  });

export const otlp = defineTarget('common');
export const otlpBig = defineTarget('big');
