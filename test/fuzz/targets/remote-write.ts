/**
 * Remote write 1.0 and 2.0 bodies through `POST /api/v1/push`. The generator builds a write request
 * that knows the wire format (series with sorted labels, samples near now), then says what a correct
 * sender never does: odd label names (`__proto__`, `constructor`, empty, invalid UTF-8 after a bit
 * flip), duplicate and unsorted labels, NaN/±Inf/-0 values, timestamps at and beyond 2^53 and at the
 * int64 limits, out-of-range symbol references (2.0), then byte mutations of the protobuf or of its
 * snappy block, and snappy blocks that inflate 21× or whose header lies.
 *
 * Properties: no 5xx; a 204 for an unmutated body means every series reads back by its labels (and a
 * 2.0 answer's samples-written header counts them), with no timestamp beyond ±2^53 acknowledged.
 */
import fc from 'fast-check';
import { snappyEncode } from '../../../data-plane/remotewrite/index.js';
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
import {
  applyMutations,
  type ByteMutation,
  byteMutations,
  RawProto,
  sampleValue,
  snappyBomb,
  timestampMs,
} from '../wire.js';

const NOW = Date.now();
const RESERVED = new Set(['__name__', 'run', 's']);

interface Series {
  extra: [string, string][];
  name: string;
  /** A correct sender sorts labels by name and never repeats one. */
  order: 'sorted' | 'reversed' | 'duplicate-name' | 'duplicate-extra';
  samples: { v: number; t: bigint }[];
}

interface RwInput {
  series: Series[];
  /** 2.0 only: a reference past the symbols table, or a table whose first symbol is not "". */
  badRefs: 'none' | 'past-end' | 'first-not-empty' | 'huge';
  compression: 'snappy' | 'none' | 'bomb-true' | 'bomb-small' | 'bomb-huge';
  bombBytes: number;
  mutate: { where: 'protobuf' | 'snappy'; ms: ByteMutation[] } | undefined;
}

const series: fc.Arbitrary<Series> = fc.record({
  extra: fc.array(fc.tuple(oddString, oddString), { maxLength: 3 }),
  name: fc.oneof({ weight: 8, arbitrary: fc.constant('fuzz_rw') }, { weight: 1, arbitrary: oddString }),
  order: fc.oneof(
    { weight: 8, arbitrary: fc.constant('sorted' as const) },
    { weight: 1, arbitrary: pick('reversed' as const, 'duplicate-name' as const, 'duplicate-extra' as const) },
  ),
  samples: fc.array(fc.record({ v: sampleValue, t: timestampMs(NOW) }), { minLength: 1, maxLength: 4 }),
});

/**
 * What a correct sender writes: valid names (the default legacy name validation), no repeated label,
 * increasing timestamps in the last hour, any float.
 */
const validSeries: fc.Arbitrary<Series> = fc.record({
  extra: fc.uniqueArray(
    fc.tuple(
      pick('job', 'instance', 'env', 'le', 'quantile', 'a_b', 'x1', '_', 'A'),
      pick('api', 'a:9090', 'prod', '0.5', '+Inf', '😀', 'a"b\\c', ' ', 'x'.repeat(200)),
    ),
    { maxLength: 3, selector: ([n]) => n },
  ),
  name: pick('fuzz_rw', 'fuzz_rw_total', 'fuzz:rw', '_fuzz_rw'),
  order: fc.constant('sorted' as const),
  samples: fc
    .uniqueArray(fc.integer({ min: 0, max: 3_600_000 }), { minLength: 1, maxLength: 4 })
    .chain((ds) =>
      fc
        .tuple(...ds.map(() => sampleValue))
        .map((vs) => ds.sort((a, b) => b - a).map((d, i) => ({ v: vs[i]!, t: BigInt(NOW - d) }))),
    ),
});

const badRefs = fc.oneof(
  { weight: 10, arbitrary: fc.constant('none' as const) },
  { weight: 1, arbitrary: pick('past-end' as const, 'first-not-empty' as const, 'huge' as const) },
);
const where = pick('protobuf' as const, 'snappy' as const);

const oddInput: fc.Arbitrary<RwInput> = fc.record({
  series: fc.array(fc.oneof(validSeries, series), { minLength: 1, maxLength: 4 }),
  badRefs,
  compression: fc.oneof(
    { weight: 12, arbitrary: fc.constant('snappy' as const) },
    { weight: 1, arbitrary: fc.constant('none' as const) },
  ),
  bombBytes: fc.constant(0),
  mutate: fc.option(fc.record({ where, ms: byteMutations('common') }), { freq: 2, nil: undefined }),
});

/** Half the inputs are what a correct sender writes (so acknowledged writes are read back), half odd. */
const input: fc.Arbitrary<RwInput> = fc.oneof(
  fc.record({
    series: fc.array(validSeries, { minLength: 1, maxLength: 4 }),
    badRefs: fc.constant('none' as const),
    compression: fc.constant('snappy' as const),
    bombBytes: fc.constant(0),
    mutate: fc.constant(undefined),
  }),
  oddInput,
);

/** The `-big` variant's inputs: a snappy bomb of up to 1 MiB, or a repetition to 256 kB in the body. */
const bigInput: fc.Arbitrary<RwInput> = fc.oneof(
  fc.record({
    series: fc.array(fc.oneof(validSeries, series), { minLength: 1, maxLength: 4 }),
    badRefs,
    compression: pick('bomb-true' as const, 'bomb-small' as const, 'bomb-huge' as const),
    bombBytes: fc.integer({ min: 3, max: 1 << 20 }),
    mutate: fc.constant(undefined),
  }),
  fc.record({
    series: fc.array(fc.oneof(validSeries, series), { minLength: 1, maxLength: 4 }),
    badRefs,
    compression: pick('snappy' as const, 'none' as const),
    bombBytes: fc.constant(0),
    mutate: fc.record({ where, ms: byteMutations('big') }),
  }),
);

let nextRun = 0;

/** The labels of series `i` in the order the input asks for. */
function labelsOf(s: Series, run: string, i: number): [string, string][] {
  const extra = s.extra.filter(([n]) => !RESERVED.has(n));
  const ls: [string, string][] = [['__name__', s.name], ['run', run], ['s', String(i)], ...extra];
  ls.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (s.order === 'reversed') ls.reverse();
  if (s.order === 'duplicate-name') ls.splice(1, 0, ['__name__', 'other']);
  if (s.order === 'duplicate-extra' && extra.length > 0) ls.push([extra[0]![0], 'dup']);
  return ls;
}

function encodeV1(input: RwInput, run: string): Uint8Array {
  const req = new RawProto();
  input.series.forEach((s, i) => {
    const ts = new RawProto();
    for (const [n, v] of labelsOf(s, run, i)) ts.message(1, new RawProto().bytes(1, n).bytes(2, v));
    for (const x of s.samples) ts.message(2, new RawProto().double(1, x.v).int64(2, x.t));
    req.message(1, ts);
  });
  return req.finish();
}

function encodeV2(input: RwInput, run: string): Uint8Array {
  const symbols = input.badRefs === 'first-not-empty' ? ['x'] : [''];
  const index = new Map<string, number>(symbols.map((s, i) => [s, i]));
  const ref = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      index.set(s, i);
    }
    return i;
  };
  const req = new RawProto();
  input.series.forEach((s, i) => {
    const refs: (number | bigint)[] = labelsOf(s, run, i).flatMap(([n, v]) => [ref(n), ref(v)]);
    if (input.badRefs === 'past-end') refs[refs.length - 1] = symbols.length + 1000;
    if (input.badRefs === 'huge') refs[0] = 2n ** 64n - 1n;
    const ts = new RawProto().packed(1, refs);
    for (const x of s.samples) ts.message(2, new RawProto().double(1, x.v).int64(2, x.t));
    req.message(5, ts);
  });
  const table = new RawProto();
  for (const s of symbols) table.bytes(4, s);
  return Buffer.concat([table.finish(), req.finish()]);
}

function body(input: RwInput, proto: Uint8Array): Uint8Array {
  if (input.compression.startsWith('bomb'))
    return snappyBomb(input.bombBytes, input.compression.slice(5) as 'true' | 'small' | 'huge');
  const pb = input.mutate?.where === 'protobuf' ? applyMutations(proto, input.mutate.ms) : proto;
  const wire = input.compression === 'none' ? pb : snappyEncode(pb);
  return input.mutate?.where === 'snappy' ? applyMutations(wire, input.mutate.ms) : wire;
}

function intact(input: RwInput): boolean {
  return input.mutate === undefined && input.compression === 'snappy';
}

function defineTarget(version: '1.0' | '2.0', size: Size) {
  const big = size === 'big';
  return registerTarget({
    name: `${version === '1.0' ? 'remote-write-1' : 'remote-write-2'}${big ? '-big' : ''}`,
    surface: big
      ? `remote write ${version} snappy bombs and bodies with 256 kB repetitions through POST /api/v1/push`
      : `remote write ${version} bodies (protobuf, snappy) through POST /api/v1/push`,
    arbitrary: big ? bigInput : input,
    ...(big ? { boundedRuns: BIG_BOUNDED_RUNS } : {}),
    // about one new series per input under `fuzz_rw`: a fresh tenant long before its 20,000 per name
    rotateEvery: 10_000,
    async run(ctx: FuzzContext, inp: RwInput) {
      const run = `${version}-${nextRun++}`;
      const proto = version === '1.0' ? encodeV1(inp, run) : encodeV2(inp, run);
      const wire = body(inp, proto);
      const a = await call(ctx, 'POST', '/api/v1/push', {
        body: wire,
        headers: {
          'content-type':
            version === '1.0'
              ? 'application/x-protobuf'
              : 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': version === '1.0' ? '0.1.0' : '2.0.0',
        },
      });
      const what = `remote write ${version} run ${run} (${wire.length} bytes, ${inp.compression}, mutated ${inp.mutate !== undefined}): ${a.status} ${short(a.text)}`;
      assertNo5xx(what, a);
      assertNoCanary(ctx, what, a);
      if (a.status === 204 && intact(inp)) await assertReadBack(ctx, what, inp, run, version, a);
      return a.status;
    },
  });
}

async function assertReadBack(
  ctx: FuzzContext,
  what: string,
  inp: RwInput,
  run: string,
  version: string,
  a: { headers?: Headers },
): Promise<void> {
  const samples = inp.series.reduce((n, s) => n + s.samples.length, 0);
  for (const s of inp.series)
    for (const x of s.samples)
      if (x.t > 2n ** 53n || x.t < -(2n ** 53n)) throw new Error(`${what}: acknowledged timestamp ${x.t} beyond 2^53`);
  if (version === '2.0') {
    const written = a.headers?.get('x-prometheus-remote-write-samples-written');
    if (written !== String(samples)) throw new Error(`${what}: ${samples} samples sent, header says ${written}`);
  }
  const q = await call(ctx, 'GET', `/prometheus/api/v1/series?match[]=${encodeURIComponent(`{run="${run}"}`)}`);
  const got = new Set<string>(
    (JSON.parse(q.text) as { data: Record<string, string>[] }).data.map((l) => l.s ?? '(no s label)'),
  );
  for (let i = 0; i < inp.series.length; i++)
    if (!got.has(String(i))) throw new Error(`${what}: acknowledged series s=${i} not queryable: ${short(q.text)}`);
}

export const remoteWrite1 = defineTarget('1.0', 'common');
export const remoteWrite2 = defineTarget('2.0', 'common');
export const remoteWrite1Big = defineTarget('1.0', 'big');
export const remoteWrite2Big = defineTarget('2.0', 'big');
