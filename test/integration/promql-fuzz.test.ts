/**
 * Property test of the query API (issue #25): random PromQL from a grammar-based generator, and random
 * request parameters, through `/prometheus/api/v1/query` and `query_range` of the real in-process data
 * plane. Whatever the input, the answer is Prometheus's envelope and never a 5xx other than a 503
 * timeout: a wrong input is 400 bad_data, a legal query that cannot be evaluated 422 execution.
 *
 * Bounded by default (fixed seed, 300 runs, at most 20 s). Overrides: FUZZ_SEED, FUZZ_RUNS (then no
 * time limit unless FUZZ_TIME_MS), FUZZ_TIME_MS, FUZZ_MAX_STEPS (cost budget of a generated request, in
 * evaluation steps; raise it to let the engine's own limits refuse the expensive ones), FUZZ_REPORT=1
 * (do not stop at the first failure: collect every failing request, replay it outside HTTP to name the
 * thrown error, print the most frequent errors and a summary of failures grouped by cause).
 * `npm run fuzz` runs the same test with 20,000 runs.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Params, PrometheusApi } from '../../data-plane/api/index.js';
import { type FloatHistogram, parseTenantId, STALE_NAN } from '../../data-plane/model/index.js';
import { FUNCTIONS } from '../../data-plane/promql/function-defs.js';
import { type Expr, formatQuery, parseExpr, toApiData } from '../../data-plane/promql/index.js';
import { type EncodableSeries, encodeWriteRequest, snappyEncode } from '../../data-plane/remotewrite/index.js';
import { buildDataPlaneApp, type TestDataPlane } from '../helpers/data-plane-app.js';
import { remoteWriteHeaders } from '../helpers/remote-write.js';

const SEED = envInt('FUZZ_SEED', 0x25);
const RUNS = envInt('FUZZ_RUNS', 300);
const TIME_MS = envInt('FUZZ_TIME_MS', process.env.FUZZ_RUNS ? 0 : 20_000);
const MAX_STEPS = envInt('FUZZ_MAX_STEPS', 100_000);
const REPORT = process.env.FUZZ_REPORT === '1';
/** vitest's limit for each property: generous, a request takes a few ms (up to ~0.5 s for a huge query). */
const TEST_TIMEOUT_MS = 120_000 + RUNS * 60;

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------------
// The data set: one hour of 15 s samples.

const TENANT = 'fuzz';
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const STEP = 15_000;
const N = HOUR / STEP + 1;

function floats(labels: Record<string, string>, f: (i: number) => number, n = N): EncodableSeries {
  const flat = Object.entries(labels).flat();
  return { labels: flat, samples: Array.from({ length: n }, (_, i) => ({ t: T0 + i * STEP, v: f(i) })) };
}

function expHistogram(i: number, hint: FloatHistogram['counterResetHint'], scale = 1): FloatHistogram {
  const k = (i % 120) + 1; // resets every 30 minutes
  return {
    counterResetHint: hint,
    schema: i < N / 2 ? 0 : 3,
    zeroThreshold: 0.001,
    zeroCount: k * scale,
    count: 6 * k * scale,
    sum: 10.5 * k * scale,
    positiveSpans: [{ offset: 0, length: 2 }],
    negativeSpans: [{ offset: 1, length: 1 }],
    positiveBuckets: [2 * k * scale, 2 * k * scale],
    negativeBuckets: [k * scale],
  };
}

function nhcb(i: number, customValues = [0.1, 1]): FloatHistogram {
  const k = i + 1;
  return {
    counterResetHint: 'unknown',
    schema: -53,
    zeroThreshold: 0,
    zeroCount: 0,
    count: 6 * k,
    sum: 3.5 * k,
    positiveSpans: [{ offset: 0, length: 3 }],
    negativeSpans: [],
    positiveBuckets: [k, 2 * k, 3 * k],
    negativeBuckets: [],
    customValues,
  };
}

/** An odd histogram: extreme schema, wide zero bucket, NaN observations (NaN sum) at times. */
function oddHistogram(i: number): FloatHistogram {
  const k = (i % 40) + 1;
  return {
    counterResetHint: i % 40 === 0 ? 'reset' : 'not_reset',
    schema: i % 2 ? -4 : 8,
    zeroThreshold: i % 3 ? 0.5 : 1e-128,
    zeroCount: k,
    count: 4 * k,
    sum: i % 5 === 0 ? Number.NaN : -2.5 * k,
    positiveSpans: [{ offset: -3, length: 1 }],
    negativeSpans: [{ offset: 5, length: 1 }],
    positiveBuckets: [k],
    negativeBuckets: [k],
  };
}

function histograms(labels: Record<string, string>, f: (i: number) => FloatHistogram, n = N): EncodableSeries {
  return {
    labels: Object.entries(labels).flat(),
    histograms: Array.from({ length: n }, (_, i) => ({ t: T0 + i * STEP, h: f(i), integer: false })),
  };
}

function dataSet(): EncodableSeries[] {
  const out: EncodableSeries[] = [];
  for (const code of ['200', '500']) {
    for (const instance of ['a:9090', 'b:9090']) {
      const rate = code === '200' ? 10 : 1;
      // a counter reset half-way for instance b
      out.push(
        floats({ __name__: 'http_requests_total', job: 'api', code, instance }, (i) =>
          instance.startsWith('b') && i >= N / 2 ? (i - N / 2) * rate : i * rate,
        ),
      );
    }
  }
  out.push(floats({ __name__: 'temperature', room: 'kitchen' }, (i) => 20 + 5 * Math.sin(i / 10)));
  out.push(
    floats({ __name__: 'temperature', room: 'attic' }, (i) =>
      i === 10 ? Number.NaN : i === 20 ? Number.POSITIVE_INFINITY : i === 30 ? -1e308 : -3 + (i % 7),
    ),
  );
  out.push(floats({ __name__: 'going_stale', job: 'batch' }, (i) => (i === 100 ? STALE_NAN : i), 101));
  for (const le of ['0.1', '0.5', '1', '+Inf']) {
    out.push(
      floats(
        { __name__: 'req_duration_seconds_bucket', job: 'api', le },
        (i) => i * (le === '+Inf' ? 4 : Number(le) * 3),
      ),
    );
  }
  // a malformed and a non-monotonic classic histogram
  out.push(floats({ __name__: 'req_duration_seconds_bucket', job: 'odd', le: 'abc' }, (i) => i));
  for (const [le, k] of [
    ['1', 5],
    ['2', 3],
    ['+Inf', 4],
  ] as const) {
    out.push(floats({ __name__: 'req_duration_seconds_bucket', job: 'nonmono', le }, (i) => i * k));
  }
  // duplicate and odd bounds
  for (const [le, k] of [
    ['1', 2],
    ['1.0', 2],
    ['-1', 0],
    ['NaN', 1],
    ['1e400', 3],
    ['+inf', 3],
  ] as const) {
    out.push(floats({ __name__: 'req_duration_seconds_bucket', job: 'dup', le }, (i) => i * k));
  }
  out.push(floats({ __name__: 'req_duration_seconds_sum', job: 'api' }, (i) => i * 1.7));
  out.push(floats({ __name__: 'req_duration_seconds_count', job: 'api' }, (i) => i * 4));
  out.push(floats({ __name__: 'http_server_duration', service_name: 'ü-svc', job: 'api' }, (i) => i / 3));
  out.push(floats({ __name__: 'up', job: 'api', instance: 'a:9090' }, () => 1));
  out.push(floats({ __name__: 'up', job: 'api', instance: 'b:9090' }, (i) => (i % 10 === 0 ? 0 : 1)));
  out.push(
    floats({ __name__: 'odd_values', path: '/a"b\\c', emoji: '😀', empty_ish: ' ' }, (i) => (i % 2 ? 1e-300 : 1e300)),
  );
  out.push(histograms({ __name__: 'native_seconds', job: 'api' }, (i) => expHistogram(i, 'unknown')));
  out.push(histograms({ __name__: 'native_seconds', job: 'web' }, (i) => expHistogram(i, 'unknown', 0.5)));
  out.push(histograms({ __name__: 'native_gauge', job: 'api' }, (i) => expHistogram(i, 'gauge')));
  out.push(histograms({ __name__: 'nhcb_seconds', job: 'api' }, (i) => nhcb(i)));
  // the same metric with other custom bounds (reconciled when combined)
  out.push(histograms({ __name__: 'nhcb_seconds', job: 'web' }, (i) => nhcb(i, [0.5, 1, 5])));
  out.push(histograms({ __name__: 'odd_histogram', job: 'api' }, oddHistogram));
  // a histogram series that goes stale
  out.push({
    labels: ['__name__', 'native_seconds', 'job', 'stale'],
    histograms: Array.from({ length: 41 }, (_, i) => ({
      t: T0 + i * STEP,
      h: i === 40 ? { ...expHistogram(i, 'unknown'), sum: STALE_NAN } : expHistogram(i, 'unknown'),
      integer: false,
    })),
  });
  // a series whose samples turn from floats to histograms
  out.push(floats({ __name__: 'mixed_metric', job: 'api' }, (i) => i, N / 2));
  out.push({
    labels: ['__name__', 'mixed_metric', 'job', 'api'],
    histograms: Array.from({ length: N / 2 }, (_, i) => ({
      t: T0 + (N / 2 + i) * STEP,
      h: expHistogram(i, 'unknown'),
      integer: false,
    })),
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The PromQL generator.

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
/** `arb`'s value with probability `p`, else `absent` (fc.option's `freq` is the odds of the absent value). */
const maybe = <T, U>(arb: fc.Arbitrary<T>, p: number, absent: U): fc.Arbitrary<T | U> =>
  fc.oneof(
    { weight: Math.round(100 * (1 - p)), arbitrary: fc.constant(absent) },
    { weight: Math.round(100 * p), arbitrary: arb },
  );

const METRICS = [
  'http_requests_total',
  'temperature',
  'going_stale',
  'req_duration_seconds_bucket',
  'req_duration_seconds_sum',
  'req_duration_seconds_count',
  'up',
  'odd_values',
  'native_seconds',
  'native_gauge',
  'nhcb_seconds',
  'odd_histogram',
  'mixed_metric',
  'no_such_metric',
  'ALL:caps_and:colons',
];
const LABELS = ['job', 'code', 'instance', 'le', 'room', '__name__', 'path', 'emoji', 'missing', 'service.name'];
const UNQUOTED_LABELS = LABELS.filter((l) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(l));

/** Contents for string literals: label values, regexes (valid and not), odd unicode and escapes. */
const stringBody = fc.oneof(
  { weight: 10, arbitrary: pick('api', '200', '500', 'a:9090', 'kitchen', '0.5', '+Inf', 'le', 'dst', '', ' ') },
  {
    weight: 4,
    arbitrary: pick(
      '.*',
      '.+',
      'a.*',
      'api|web',
      '(a|b)',
      '(?i)API',
      '[0-9]+',
      '\\\\d+',
      '^api$',
      '(',
      ')',
      '[',
      '*',
      '+?',
      'x{1001}',
      'x{2,1}',
      '(?P<name>a)',
      '(?<n>.)',
      '\\\\p{L}+',
      '\\\\C',
      '(?=a)',
      '\\\\1',
      'a**',
      '$1',
      '$' + '{1}x',
      '$name',
      '${',
      '$$',
    ),
  },
  {
    weight: 2,
    arbitrary: pick(
      '\\n',
      '\\t\\\\',
      '\\x41\\xff',
      '\\xe2\\x82\\xac',
      '\\u00e9',
      '\\U0001F600',
      '\\U00110000',
      '\\UFFFFFFFF',
      '\\uD800',
      '\\377',
      '\\400',
      '\\777',
      '\\0',
      '\\x',
      '\\u12',
      '\\q',
      '\\',
      '\\a\\b\\f\\v\\r',
      '\\"',
      "\\'",
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: pick('\u0000', '\uD800', '\uDFFF', '\uFFFD', '\u202E', 'e\u0301', '😀'.repeat(3)) },
);

const stringLit = fc.tuple(pick('"', '"', '"', "'", '`'), stringBody).map(([q, s]) => `${q}${s}${q}`);

const labelName = fc.oneof(
  { weight: 6, arbitrary: pick(...UNQUOTED_LABELS) },
  { weight: 2, arbitrary: pick(...LABELS).map((l) => JSON.stringify(l)) },
  { weight: 1, arbitrary: stringLit },
);

const matcher = fc.tuple(labelName, pick('=', '!=', '=~', '!~'), stringLit).map(([n, op, v]) => `${n}${op}${v}`);

const selector = fc.oneof(
  { weight: 5, arbitrary: pick(...METRICS) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(maybe(pick(...METRICS), 0.7, ''), fc.array(matcher, { maxLength: 3 }), fc.boolean())
      .map(([name, ms, comma]) => `${name}{${ms.join(', ')}${comma && ms.length > 0 ? ',' : ''}}`),
  },
  { weight: 1, arbitrary: pick(...METRICS).map((m) => `{${JSON.stringify(m)}}`) },
  {
    weight: 2,
    arbitrary: pick(
      '{"http.server.duration"}',
      '{service_name="ü-svc"}',
      '{__name__=~".+"}',
      '{job="api"}',
      '{job=~".+"}',
      '{__name__=~"native.*|nhcb.*|mixed.*"}',
      '{}',
    ),
  },
);

/** Number literals, including Go's odd forms. */
const numberLit = fc.oneof(
  {
    weight: 4,
    arbitrary: pick('0', '1', '2', '0.5', '-1', '10', '100', '3', '0.25', '0.99', '1.5', '-0.5', '5', '1000'),
  },
  {
    weight: 3,
    arbitrary: pick(
      'NaN',
      'nan',
      'Inf',
      '+Inf',
      '-Inf',
      'inf',
      '0x1F',
      '0xffffffffffffffffffff',
      '1e308',
      '1e309',
      '-1e309',
      '1e-320',
      '9007199254740993',
      '1_000',
      '.5',
      '5.',
      '1e+3',
      '5m',
      '1h30m',
      '999999999999y',
      '-0',
      '0.0000001',
      '4294967296',
      '-2147483649',
    ),
  },
  { weight: 1, arbitrary: fc.double().map((d) => String(d)) },
  { weight: 1, arbitrary: fc.integer().map(String) },
);

/** Durations for ranges, subquery steps and offsets, incl. expressions. */
const durationLit = fc.oneof(
  { weight: 6, arbitrary: pick('1m', '5m', '30s', '1h', '2m', '15s', '10m') },
  {
    weight: 3,
    arbitrary: pick(
      '1ms',
      '1s',
      '0s',
      '0',
      '1d',
      '1w',
      '1y',
      '1h30m',
      '5m30s1ms',
      '999999999y',
      '100000000000000000000y',
      '1.5',
      '0.001',
      '1e3',
      '1e-9',
      '0x10',
      'Inf',
      'NaN',
      '90',
    ),
  },
  {
    weight: 2,
    arbitrary: pick(
      'step()',
      'range()',
      'step()*2',
      '5m+1m',
      '1m-5m',
      '-5m',
      '1m/0',
      '1m%0',
      '2^10',
      '2^64',
      '1m^-1',
      'min_of(1m, step())',
      'max_of(range(), 1s)',
      '(5m)',
      '1e308*1e308',
      '-(step())',
      'step()/1000',
    ),
  },
);

const offsetMod = fc.oneof(
  { weight: 3, arbitrary: durationLit.map((d) => ` offset ${/^[a-z(]|^[0-9.]+[a-z]*$/i.test(d) ? d : `(${d})`}`) },
  { weight: 1, arbitrary: pick(' offset -5m', ' offset -1y', ' offset 100000y', ' offset -(1h)', ' offset -step()') },
);

const atMod = fc.oneof(
  { weight: 3, arbitrary: pick(' @ 1700000000', ' @ 1700001800.5', ' @ 1700003600', ' @ start()', ' @ end()') },
  {
    weight: 1,
    arbitrary: pick(
      ' @ 0',
      ' @ -1',
      ' @ 1e10',
      ' @ 1e300',
      ' @ 9.3e15',
      ' @ Inf',
      ' @ -Inf',
      ' @ NaN',
      ' @ 0x10',
      ' @ 5m',
      ' @ -1e18',
    ),
  },
);

const modifiers = fc.oneof(
  { weight: 12, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: offsetMod },
  { weight: 2, arbitrary: atMod },
  { weight: 1, arbitrary: fc.tuple(offsetMod, atMod, fc.boolean()).map(([o, a, swap]) => (swap ? a + o : o + a)) },
);

const FUNCS = [...FUNCTIONS.values()];
const AGG_OPS = [
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'limitk',
  'limit_ratio',
];
const PARAM_OPS = new Set(['topk', 'bottomk', 'quantile', 'count_values', 'limitk', 'limit_ratio']);
const ARITH = ['+', '-', '*', '/', '%', '^', 'atan2'];
const CMP = ['==', '!=', '>', '<', '>=', '<='];
const SET = ['and', 'or', 'unless'];

const grouping = fc.array(labelName, { maxLength: 3 }).map((ls) => `(${ls.join(', ')})`);

type ExprArbs = { vector: string; scalar: string; matrix: string; any: string };

const expr = fc.letrec<ExprArbs>((tie) => {
  const V = tie('vector');
  const S = tie('scalar');
  const M = tie('matrix');
  const A = tie('any');
  const byType = (t: string): fc.Arbitrary<string> =>
    t === 'vector' ? V : t === 'scalar' ? S : t === 'matrix' ? M : stringLit;

  const call = (returns: 'vector' | 'scalar') =>
    pick(...FUNCS.filter((f) => f.returnType === returns)).chain((f) => {
      const fixed = f.argTypes.length;
      const min = f.variadic === 0 ? fixed : fixed - 1;
      const max = f.variadic === 0 ? fixed : f.variadic > 0 ? min + f.variadic : fixed + 2;
      const right = fc
        .integer({ min, max })
        .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => byType(f.argTypes[Math.min(i, fixed - 1)]!))));
      const wrong = fc.array(A, { maxLength: 4 });
      return fc
        .oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: wrong })
        .map((args) => `${f.name}(${args.join(', ')})`);
    });

  const aggregation = fc
    .tuple(
      pick(...AGG_OPS),
      maybe(fc.tuple(pick('by', 'without', 'BY'), grouping, fc.boolean()), 0.5, undefined),
      V,
      fc.oneof({ weight: 3, arbitrary: S }, { weight: 1, arbitrary: stringLit }, { weight: 1, arbitrary: A }),
      // a parameter where none belongs, or none where one is needed
      fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    )
    .map(([op, mod, arg, param, wrongArity]) => {
      const p = op === 'count_values' && !param.startsWith('"') && !wrongArity ? '"value"' : param;
      const withParam = PARAM_OPS.has(op) !== wrongArity;
      const body = `(${withParam ? `${p}, ` : ''}${arg})`;
      if (!mod) return `${op}${body}`;
      const [kw, g, before] = mod;
      return before ? `${op} ${kw} ${g} ${body}` : `${op}${body} ${kw} ${g}`;
    });

  const matching = fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          pick('on', 'ignoring'),
          grouping,
          maybe(fc.tuple(pick('group_left', 'group_right'), maybe(grouping, 0.5, '')), 0.4, undefined),
        )
        .map(([k, g, grp]) => ` ${k}${g}${grp ? ` ${grp[0]}${grp[1]}` : ''}`),
    },
  );
  const fill = fc.oneof(
    { weight: 6, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: pick(' fill(0)', ' fill_left(1) fill_right(NaN)', ' fill_right(-Inf)', ' fill(1e309)') },
  );
  const binary = fc
    .tuple(
      fc.oneof(V, S),
      fc.oneof({ weight: 4, arbitrary: pick(...ARITH) }, { weight: 3, arbitrary: pick(...CMP) }, pick(...SET)),
      fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 3, arbitrary: fc.constant(false) }),
      matching,
      fill,
      fc.oneof(V, S),
    )
    .map(([l, op, bool, m, f, r]) => `${l} ${op}${bool ? ' bool' : ''}${m}${f} ${r}`);

  const rangeSel = fc
    .tuple(selector, durationLit, modifiers, pick('', '', '', '', ' anchored', ' smoothed'))
    .map(([s, d, m, x]) => `${s}[${d}]${m}${x}`);
  const subquery = fc
    .tuple(V, durationLit, maybe(durationLit, 0.7, ''), modifiers)
    .map(([v, r, st, m]) => `(${v})[${r}:${st}]${m}`);

  return {
    vector: fc.oneof(
      { maxDepth: 5, depthIdentifier: 'promql', depthSize: 'small' },
      { weight: 6, arbitrary: fc.tuple(selector, modifiers).map(([s, m]) => s + m) },
      { weight: 1, arbitrary: selector.map((s) => `${s} smoothed`) },
      { weight: 4, arbitrary: call('vector') },
      { weight: 3, arbitrary: aggregation },
      { weight: 3, arbitrary: binary },
      { weight: 1, arbitrary: V.map((v) => `-${v}`) },
      { weight: 1, arbitrary: V.map((v) => `(${v})`) },
    ),
    scalar: fc.oneof(
      { maxDepth: 5, depthIdentifier: 'promql', depthSize: 'small' },
      { weight: 6, arbitrary: numberLit },
      { weight: 2, arbitrary: call('scalar') },
      {
        weight: 1,
        arbitrary: fc
          .tuple(S, pick(...ARITH, ...CMP.map((c) => `${c} bool`), ...CMP), S)
          .map(([a, o, b]) => `${a} ${o} ${b}`),
      },
      { weight: 1, arbitrary: S.map((s) => `-(${s})`) },
    ),
    matrix: fc.oneof(
      { maxDepth: 5, depthIdentifier: 'promql', depthSize: 'small' },
      { weight: 4, arbitrary: rangeSel },
      { weight: 1, arbitrary: subquery },
    ),
    any: fc.oneof(
      { maxDepth: 5, depthIdentifier: 'promql', depthSize: 'small' },
      { weight: 4, arbitrary: V },
      { weight: 2, arbitrary: S },
      { weight: 2, arbitrary: M },
      { weight: 1, arbitrary: stringLit },
    ),
  };
});

/** Queries as people write them (dashboards, alerts), over every metric kind of the data set. */
const idiom = fc
  .tuple(
    pick(
      'sum by (job) (rate(M[5m]))',
      'histogram_quantile(0.9, sum by (le) (rate(M[5m])))',
      'histogram_quantile(0.99, sum by (job, le) (rate(M[1h:1m])))',
      'histogram_quantile(0.5, rate(M[5m]))',
      'histogram_fraction(0, 0.5, rate(M[5m]))',
      'histogram_quantiles(sum by (le) (rate(M[5m])), "q", 0.5, 0.9)',
      'histogram_count(rate(M[5m])) / histogram_sum(rate(M[5m]))',
      'histogram_avg(rate(M[10m])) > 0',
      'rate(M[5m]) / on(job) group_left sum by (job) (rate(M[5m]))',
      'topk(3, sum by (code) (increase(M[1h])))',
      'count_values("v", round(M))',
      'max_over_time(deriv(M[5m])[30m:1m])',
      'avg_over_time(irate(M[2m])[10m:30s] offset 5m)',
      'predict_linear(M[30m], 3600) < 0',
      'absent(M{job="nope"})',
      'absent_over_time(M[5m])',
      'last_over_time(M[1h]) - first_over_time(M[1h])',
      'quantile_over_time(0.9, M[10m])',
      'label_replace(M, "svc", "$1", "job", "(.*)")',
      'label_join(M, "all", "-", "job", "code", "le")',
      'sort_by_label_desc(M, "job", "le")',
      'sum(M) without (instance) / ignoring(code) group_left count(M) without (instance)',
      'M > bool on() group_right vector(1)',
      'delta(M[5m] smoothed) + increase(M[5m] anchored)',
      'changes(M[1h]) or resets(M[1h])',
      'M unless M offset 1h',
      'stddev_over_time(M[5m]) * stdvar(M)',
      'timestamp(M) - time()',
      'scalar(count(M)) * M',
      'limit_ratio(0.5, M) or limitk(1, M)',
      'double_exponential_smoothing(M[10m], 0.3, 0.7)',
      'mad_over_time(M[10m]) / ts_of_max_over_time(M[10m])',
      'clamp(M, 0, scalar(max(M)))',
      'M @ end() - M @ start()',
      'sum_over_time(M[step()]) / count_over_time(M[range()])',
    ),
    pick(
      ...METRICS,
      '{job="api"}',
      '{__name__=~".+"}',
      '{__name__=~"native.*|nhcb.*"}',
      'req_duration_seconds_bucket{job!="odd"}',
    ),
  )
  .map(([tpl, m]) => tpl.replaceAll('M', m));

const TOKENS = [
  'sum',
  'rate',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  '@',
  'start()',
  'end()',
  'and',
  'or',
  'unless',
  'atan2',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '=',
  '!=',
  '=~',
  '!~',
  '==',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '>',
  '</',
  '>/',
  '5m',
  '1',
  '-1',
  'NaN',
  'Inf',
  '0x',
  '1e',
  '"x"',
  "'y'",
  '`z`',
  '"',
  "'",
  '`',
  'http_requests_total',
  'native_seconds',
  'le',
  'topk',
  'count_values',
  'histogram_quantile',
  'label_replace',
  'anchored',
  'smoothed',
  'step()',
  'min_of',
  'fill',
  '#',
  '\n',
  '😀',
  '\\',
  '.',
  '..',
];

/** Raw token soup and plain random text: mostly parse errors, which must be 400s. */
const soup = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.array(pick(...TOKENS), { minLength: 1, maxLength: 14 }), pick(' ', ''))
      .map(([ts, sep]) => ts.join(sep)),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
);

/** Deep nesting and long chains around a small expression (the parser's nesting limit is 200). */
const deep = fc
  .tuple(
    pick('(', 'abs(', 'sum(', '-(', 'rate((', 'max_over_time((', 'vector(scalar('),
    fc.integer({ min: 20, max: 260 }),
    pick('up', '1', 'temperature[5m:1m]'),
  )
  .map(([open, n, inner]) => {
    const close = ')'.repeat(open.split('(').length - 1);
    const matrixOpen = open.startsWith('rate') || open.startsWith('max_over_time');
    return matrixOpen
      ? `${open.repeat(1)}${'('.repeat(n)}${inner}${')'.repeat(n)})[5m:])`
      : open.repeat(n) + inner + close.repeat(n);
  });
const chain = fc
  .tuple(
    pick(' + ', ' - ', ' and ', ' or ', ' ^ ', ' > bool ', '+', '*', '/'),
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 50, max: 3000 }) }, fc.integer({ min: 3000, max: 60_000 })),
    pick('up', '1'),
  )
  .map(([op, n, x]) => Array.from({ length: n }, () => x).join(op));
const tooLong = fc.integer({ min: 128 * 1024 - 2, max: 128 * 1024 + 2 }).map((n) => `up${' '.repeat(n - 2)}`);
const unaryChain = fc.integer({ min: 100, max: 2000 }).map((n) => `${'-'.repeat(n)}1`);

const query = fc.oneof(
  { weight: 20, arbitrary: expr.any },
  { weight: 10, arbitrary: expr.vector },
  { weight: 6, arbitrary: idiom },
  { weight: 3, arbitrary: soup },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: chain },
  { weight: 1, arbitrary: fc.oneof({ weight: 3, arbitrary: unaryChain }, tooLong) },
);

// ---------------------------------------------------------------------------------------------------
// Request parameters.

const sec = (ms: number) => String(ms / 1000);
const ODD_TIMES = [
  '-1',
  '0',
  'NaN',
  'Inf',
  '-Inf',
  '1e30',
  '-1e30',
  '9223372036854775807',
  '1700000000.0001',
  '1.7e9',
  '.5',
  '2023-11-14T22:13:20Z',
  '2023-11-14T22:43:20.123+01:00',
  '2023-11-14T22:13:20.123456789Z',
  '2023-13-45T99:99:99Z',
  '2023-11-14T22:13:20',
  '2023-11-14',
  '9999-12-31T23:59:59Z',
  '0001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  'abc',
  ' 1700000000',
  '0x10',
  '１７',
];
const timeParam = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: T0 - HOUR, max: T0 + 2 * HOUR }).map((ms) => sec(ms)) },
  { weight: 2, arbitrary: pick(...ODD_TIMES) },
);
const durParam = (normal: string[]) =>
  fc.oneof(
    { weight: 8, arbitrary: pick(...normal) },
    {
      weight: 2,
      arbitrary: pick(
        '0',
        '-1',
        '-5m',
        'NaN',
        'Inf',
        '1e30',
        '1e-9',
        '0.0001',
        '1ms',
        '100000000000000000000y',
        'abc',
        '5m5m',
        '1h30m',
        '',
      ),
    },
  );

/** A request: GET with a query string or POST with a form body; `rawQuery` is appended to the encoded query. */
type Req = { path: string; params: Record<string, string>; post?: boolean; rawQuery?: string };

const optional = (params: Record<string, string | undefined>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
};

const common = fc.record({
  lookback_delta: maybe(durParam(['5m', '1m', '30s', '1h']), 0.15, undefined),
  timeout: maybe(durParam(['5s', '10s', '1m']), 0.3, undefined),
  stats: maybe(pick('all', '1'), 0.1, undefined),
});

const instantReq: fc.Arbitrary<Req> = fc
  .tuple(query, maybe(timeParam, 0.85, undefined), common)
  .map(([q, time, c]) => ({ path: '/prometheus/api/v1/query', params: optional({ query: q, time, ...c }) }));

const rangeReq: fc.Arbitrary<Req> = fc
  .tuple(
    query,
    fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .tuple(
            fc.integer({ min: T0 - HOUR, max: T0 + 2 * HOUR }),
            pick(1_000, 15_000, 60_000, 300_000, 1_234, 7),
            fc.integer({ min: 0, max: 120 }),
          )
          .map(([s, step, k]) => ({ start: sec(s), end: sec(s + step * k), step: sec(step) })),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          start: timeParam,
          end: timeParam,
          step: durParam(['15', '15s', '1m', '1h', '0.5']),
        }),
      },
    ),
    common,
  )
  .map(([q, r, c]) => ({ path: '/prometheus/api/v1/query_range', params: optional({ query: q, ...r, ...c }) }));

/** Bytes a client may send that no string encodes: invalid UTF-8, broken percent escapes. */
const rawBytes = pick('%FF', '%C0%80', '%ED%A0%80', '%F4%90%80%80', '%', '%zz', '%2', '+', '%00', '%E2%82');

const request: fc.Arbitrary<Req> = fc
  .tuple(fc.oneof(instantReq, rangeReq), fc.boolean(), maybe(rawBytes, 0.03, undefined))
  .map(([r, post, rawQuery]) => ({ ...r, post, ...(rawQuery !== undefined ? { rawQuery } : {}) }));

// ---------------------------------------------------------------------------------------------------
// Cost budget: requests whose evaluation would walk more than MAX_STEPS steps (subqueries with a fine
// step over a long range) are skipped, so the bounded run stays fast on a shared machine.

function numberParam(s: string | undefined, dflt: number): number {
  if (s === undefined || s === '') return dflt;
  const n = Number(s);
  if (Number.isFinite(n)) return n * 1000;
  const d = Date.parse(s);
  return Number.isNaN(d) ? dflt : d;
}

function estimatedSteps(req: Req): number {
  let e: Expr;
  try {
    e = parseExpr(req.params.query ?? '');
  } catch {
    return 0;
  }
  const ranged = req.path.endsWith('query_range');
  const start = numberParam(ranged ? req.params.start : req.params.time, T0);
  const end = ranged ? numberParam(req.params.end, start) : start;
  const stepMs = ranged ? Math.max(1, numberParam(req.params.step, 1)) : 1;
  const span = Math.max(0, end - start);
  const outer = Math.min(11_001, span / stepMs + 1);
  let total = outer;
  const walk = (x: Expr, span: number): void => {
    if (x.type === 'SubqueryExpr') {
      const range = x.rangeExpr ? HOUR : Math.abs(x.range);
      const step = x.stepExpr ? 1 : x.step === 0 ? 60_000 : Math.abs(x.step);
      const inner = x.timestamp !== undefined || x.startOrEnd ? range : span + range;
      total += inner / Math.max(step, 1);
      walk(x.expr, inner);
      return;
    }
    for (const c of childrenOf(x)) walk(c, span);
  };
  walk(e, span);
  return total;
}

function childrenOf(e: Expr): Expr[] {
  switch (e.type) {
    case 'AggregateExpr':
      return e.param ? [e.param, e.expr] : [e.expr];
    case 'BinaryExpr':
      return [e.lhs, e.rhs];
    case 'Call':
      return e.args;
    case 'MatrixSelector':
      return [e.vectorSelector];
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      return [e.expr];
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------------

const ERROR_TYPES: Record<number, string> = { 400: 'bad_data', 422: 'execution', 503: 'timeout' };

let h: TestDataPlane;

beforeAll(async () => {
  h = await buildDataPlaneApp({ clock: { now: () => T0 + 2 * HOUR } });
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/push',
    headers: remoteWriteHeaders(h.token(TENANT)),
    payload: Buffer.from(snappyEncode(encodeWriteRequest({ timeseries: dataSet() }))),
  });
  expect(res.statusCode, res.body).toBe(204);
  for (const [q, n] of [
    ['count(up)', '2'],
    ['count(http_requests_total)', '4'],
    ['count(native_seconds)', '2'],
    ['count(nhcb_seconds)', '2'],
    ['count(odd_histogram)', '1'],
    ['count(req_duration_seconds_bucket{job="dup"})', '6'],
  ] as const) {
    const r = await h.get(TENANT, '/prometheus/api/v1/query', { query: q, time: sec(T0 + HOUR) });
    expect(r.json.data?.result?.[0]?.value?.[1], `${q}: ${JSON.stringify(r.json)}`).toBe(n);
  }
});
afterAll(() => h?.close());

interface Failure {
  req: Req;
  status: number;
  body: unknown;
}

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD, as in any UTF-8 client). */
function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

async function send(req: Req): Promise<{ status: number; body: unknown; raw: string }> {
  const form = Object.entries(req.params)
    .map(([k, v]) => `${k}=${encode(v)}${k === 'query' && req.rawQuery ? req.rawQuery : ''}`)
    .join('&');
  const headers: Record<string, string> = { authorization: `Bearer ${h.token(TENANT)}` };
  const res = await h.app.inject(
    req.post
      ? {
          method: 'POST',
          url: req.path,
          payload: form,
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        }
      : { method: 'GET', url: `${req.path}?${form}`, headers },
  );
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, body, raw: res.body };
}

/** What is wrong with an answer, or undefined when it is acceptable. */
function problem(status: number, json: unknown, raw: string): string | undefined {
  if (json === null || typeof json !== 'object') return `body is not a JSON object: ${raw.slice(0, 200)}`;
  const body = json as { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown };
  if (status >= 500 && !(status === 503 && body?.errorType === 'timeout')) return `status ${status}`;
  if (status === 200) {
    if (body.status !== 'success' || body.data === undefined) return 'success without the envelope';
    return undefined;
  }
  if (body.status !== 'error') return `status ${status} without status "error"`;
  if (typeof body.error !== 'string' || body.error === '') return `status ${status} without an error message`;
  const want = ERROR_TYPES[status];
  if (want === undefined) return `unexpected status ${status} (${body.errorType}: ${body.error})`;
  if (body.errorType !== want) return `status ${status} with errorType ${body.errorType}, want ${want}`;
  return undefined;
}

describe('PromQL fuzz: the query API answers every input with Prometheus’s envelope and no 5xx', () => {
  it(
    `holds for ${RUNS} random requests (seed ${SEED})`,
    async () => {
      const failures: Failure[] = [];
      let runs = 0;
      let skipped = 0;
      const statuses = new Map<number, number>();
      const messages = new Map<string, { n: number; example: string }>();
      const property = fc.asyncProperty(request, async (req) => {
        if (estimatedSteps(req) > MAX_STEPS) {
          skipped++;
          return;
        }
        runs++;
        const { status, body, raw } = await send(req);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (REPORT && status !== 200) {
          const e = (body as { error?: unknown } | undefined)?.error;
          const k = `${status} ${String(e)
            .replace(/^\d+:\d+: /, '')
            .replace(/"[^"]*"/g, '"…"')
            .replace(/\d+/g, 'N')
            .slice(0, 80)}`;
          const m = messages.get(k);
          if (m) m.n++;
          else messages.set(k, { n: 1, example: req.params.query ?? '' });
        }
        const p = problem(status, body, raw);
        if (p === undefined) return;
        if (REPORT) {
          failures.push({ req, status, body });
          return;
        }
        throw new Error(`${p}: ${JSON.stringify(body)}`);
      });
      await fc.assert(property, {
        seed: SEED,
        numRuns: RUNS,
        ...(TIME_MS > 0 ? { interruptAfterTimeLimit: TIME_MS, markInterruptAsFailure: false } : {}),
      });
      const summary = [...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`);
      console.log(
        `promql fuzz: seed ${SEED}, ${runs} requests (${skipped} over budget), statuses ${summary.join(' ')}`,
      );
      if (REPORT) {
        const top = [...messages].sort((a, b) => b[1].n - a[1].n).slice(0, 25);
        console.log(
          `most frequent errors:\n${top.map(([k, m]) => `  ${m.n}  ${k}\n      e.g. ${short(m.example, 160)}`).join('\n')}`,
        );
        await report(failures, runs);
        expect(failures.map((f) => `${f.status} ${short(JSON.stringify(f.req.params))}`)).toEqual([]);
      }
    },
    TEST_TIMEOUT_MS,
  );

  // Requests several at a time, as Grafana sends a dashboard's panels: every answer from the evaluation
  // pool is still well formed, and a successful one holds the result the request gets on its own (no
  // mix-up between concurrent evaluations; the frontend's day splitting and results cache, which may
  // answer the second time, give the unsplit answer).
  const BATCHES = Math.max(1, Math.ceil(RUNS / 10));
  it(
    `holds for ${BATCHES} batches of concurrent requests (seed ${SEED + 1})`,
    async () => {
      const property = fc.asyncProperty(fc.array(request, { minLength: 2, maxLength: 8 }), async (reqs) => {
        const batch = reqs.filter((r) => estimatedSteps(r) <= MAX_STEPS);
        const answers = await Promise.all(batch.map(send));
        for (const [i, { status, body, raw }] of answers.entries()) {
          const req = batch[i]!;
          const p = problem(status, body, raw);
          if (p !== undefined) throw new Error(`${p} for ${short(JSON.stringify(req))}: ${JSON.stringify(body)}`);
          // stats and annotations may differ when the results cache answers (it keeps neither)
          if (status !== 200) continue;
          const alone = await send(req);
          const data = (b: unknown) => {
            const d = (b as { data?: { resultType?: unknown; result?: unknown } }).data;
            return JSON.stringify([d?.resultType, d?.result]);
          };
          if (alone.status === 200) expect(data(alone.body), short(JSON.stringify(req))).toBe(data(body));
        }
      });
      await fc.assert(property, {
        seed: SEED + 1,
        numRuns: BATCHES,
        ...(TIME_MS > 0 ? { interruptAfterTimeLimit: TIME_MS, markInterruptAsFailure: false } : {}),
      });
    },
    TEST_TIMEOUT_MS,
  );
});

/** Replays failing requests through the API object (no HTTP) to name the errors behind them. */
async function report(failures: Failure[], runs: number): Promise<void> {
  const api = new PrometheusApi({
    engine: h.dp.frontend,
    backend: {
      queryable: (t) => h.dp.querier.queryable(t),
      metadata: () => [],
      exemplars: () => [],
    },
    toApiData: (v) => toApiData(v as Parameters<typeof toApiData>[0]),
    formatQuery,
    queryTimeoutMs: 120_000,
    now: () => T0 + 2 * HOUR,
  });
  const groups = new Map<string, { n: number; example: Failure; stack: string }>();
  for (const f of failures) {
    const p = new Params(f.req.params);
    let key = `no error on replay (status ${f.status})`;
    let stack = '';
    try {
      if (f.req.path.endsWith('query_range')) await api.queryRange(parseTenantId(TENANT), p);
      else await api.query(parseTenantId(TENANT), p);
    } catch (err) {
      const root = (err as Error & { cause?: unknown }).cause ?? err;
      const e = root as Error;
      key = `${(err as Error).constructor.name} ← ${e.constructor?.name}: ${String(e.message).replace(/\d+/g, 'N').slice(0, 120)}`;
      stack = (e.stack ?? '').split('\n').slice(0, 6).join('\n');
    }
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { n: 1, example: f, stack });
  }
  const lines = [
    `promql fuzz report: ${failures.length} failing of ${runs} (${((100 * failures.length) / Math.max(runs, 1)).toFixed(2)}%)`,
  ];
  for (const [key, g] of [...groups].sort((a, b) => b[1].n - a[1].n)) {
    lines.push(
      `\n[${g.n}x] ${key}\n  example: ${short(JSON.stringify(g.example.req.params))}\n  ${g.stack.replaceAll('\n', '\n  ')}`,
    );
  }
  console.log(lines.join('\n'));
}

function short(s: string, n = 400): string {
  return s.length <= n ? s : `${s.slice(0, n)}… (${s.length} chars)`;
}
