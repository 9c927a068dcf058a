/**
 * Random but valid PromQL over the differential data set, in the language both Prometheus 2.42 and
 * 3.x speak: selectors with matchers, offsets and `@`, range functions over selectors and subqueries,
 * instant functions, aggregations with by/without and parameters, binary operators with bool,
 * on/ignoring and group_left/group_right, set operators, scalars. Counter functions (rate, increase,
 * irate) only take counters, and what feeds them through a subquery is counter-like: over a gauge
 * near zero their extrapolation differs between 2.x and 3.x by design (bench/RESULTS.md).
 */
import fc from 'fast-check';
import { SPAN_MS, T0 } from './data.js';

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);

/** An evaluation time that ends in 5 ms (see data.ts), between 35 and 62 minutes into the data. */
export const evalTime = fc.integer({ min: 2_100_000 / 10, max: 3_720_000 / 10 }).map((k) => T0 + k * 10 + 5);
const fixedAt = fc
  .integer({ min: 600, max: SPAN_MS / 1000 })
  .map((s) => `@ ${((T0 + s * 1000 + 5) / 1000).toFixed(3)}`);

const matchers = pick(
  '',
  '',
  '{job="api"}',
  '{instance=~"a|b"}',
  '{job!="web"}',
  '{instance!~"c"}',
  '{job=~"api|batch", instance!="a"}',
  '{instance="nosuch"}',
);
const counter = matchers.map((m) => `fz_requests_total${m}`);
const gauge = fc.tuple(pick('fz_temperature', 'fz_up'), matchers).map(([n, m]) => `${n}${m}`);
const bucket = pick('', '{job="api"}', '{le=~"0.5|1|\\\\+Inf"}').map((m) => `fz_latency_seconds_bucket${m}`);
const anySelector = fc.oneof(counter, gauge, bucket);
const modifier = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: pick(' offset 1m', ' offset 5m', ' offset -2m', ' offset 90s') },
  { weight: 1, arbitrary: fc.oneof(pick('@ start()', '@ end()'), fixedAt).map((a) => ` ${a}`) },
);
const range = pick('1m', '2m', '5m', '10m', '150s');
const substep = pick('15s', '30s', '1m', '45s', '');

type Q = fc.Arbitrary<string>;

/** Range vectors over counters: a counter selector, or a subquery of a counter-like expression. */
function counterRange(depth: number): Q {
  const sel = fc.tuple(fc.oneof(counter, bucket), range, modifier).map(([s, r, m]) => `${s}[${r}]${m}`);
  if (depth <= 0) return sel;
  const counterLike = fc.oneof(
    counter,
    bucket,
    fc
      .tuple(pick('sum', 'max'), pick('by (job)', 'without (instance)', ''), counter)
      .map(([a, g, c]) => `${a} ${g} (${c})`),
  );
  return fc.oneof(
    { weight: 3, arbitrary: sel },
    {
      weight: 1,
      arbitrary: fc
        .tuple(counterLike, pick('5m', '10m'), substep, modifier)
        .map(([e, r, s, m]) => `(${e})[${r}:${s}]${m}`),
    },
  );
}

/** Range vectors over anything (for the *_over_time functions, deriv, changes…). */
function anyRange(depth: number): Q {
  const sel = fc.tuple(anySelector, range, modifier).map(([s, r, m]) => `${s}[${r}]${m}`);
  if (depth <= 0) return sel;
  return fc.oneof(
    { weight: 3, arbitrary: sel },
    {
      weight: 1,
      arbitrary: fc
        .tuple(vector(depth - 1), pick('5m', '10m', '3m'), substep, modifier)
        .map(([e, r, s, m]) => `(${e})[${r}:${s}]${m}`),
    },
  );
}

function scalar(depth: number): Q {
  const lit = pick('0', '1', '2', '0.5', '-1', '10', '3.5', '1e3', 'NaN', 'Inf', '-Inf');
  if (depth <= 0) return lit;
  return fc.oneof(
    { weight: 4, arbitrary: lit },
    { weight: 1, arbitrary: fc.constant('time()') },
    { weight: 1, arbitrary: vector(depth - 1).map((v) => `scalar(${v})`) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(scalar(depth - 1), pick('+', '-', '*', '/', '%', '^'), scalar(depth - 1))
        .map(([a, o, b]) => `(${a} ${o} ${b})`),
    },
  );
}

const grouping = pick(
  '',
  ' by (job)',
  ' by (instance)',
  ' without (instance)',
  ' by (job, instance)',
  ' by ()',
  ' without (le)',
  ' by (le)',
);
const matching = pick(
  '',
  ' on (job, instance)',
  ' on (job)',
  ' ignoring (instance)',
  ' on (job) group_left',
  ' on (job) group_left (instance)',
  ' ignoring (instance) group_right',
  ' on ()',
);

const memo = new Map<number, Q>();

export function vector(depth: number): Q {
  const cached = memo.get(depth);
  if (cached) return cached;
  const leaf = fc.tuple(anySelector, modifier).map(([s, m]) => `${s}${m}`);
  if (depth <= 0) {
    memo.set(depth, leaf);
    return leaf;
  }
  const v = () => vector(depth - 1);
  const arb: Q = fc.oneof(
    { weight: 4, arbitrary: leaf },
    {
      weight: 3,
      arbitrary: fc
        .tuple(pick('rate', 'increase', 'irate', 'resets'), counterRange(depth - 1))
        .map(([f, r]) => `${f}(${r})`),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          pick(
            'delta',
            'idelta',
            'deriv',
            'changes',
            'resets',
            'avg_over_time',
            'min_over_time',
            'max_over_time',
            'sum_over_time',
            'count_over_time',
            'stddev_over_time',
            'stdvar_over_time',
            'last_over_time',
            'present_over_time',
            'absent_over_time',
          ),
          anyRange(depth - 1),
        )
        .map(([f, r]) => `${f}(${r})`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(pick('0', '0.5', '0.9', '1', '-1', '2'), anyRange(depth - 1))
        .map(([q, r]) => `quantile_over_time(${q}, ${r})`),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(anyRange(depth - 1), pick('60', '300', '-120')).map(([r, s]) => `predict_linear(${r}, ${s})`),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          pick(
            'abs',
            'ceil',
            'floor',
            'round',
            'sqrt',
            'exp',
            'ln',
            'log2',
            'log10',
            'sgn',
            'timestamp',
            'sort',
            'sort_desc',
            '-',
            'absent',
          ),
          v(),
        )
        .map(([f, x]) => (f === '-' ? `-(${x})` : `${f}(${x})`)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(pick('clamp_min(X, 1)', 'clamp_max(X, 5)', 'clamp(X, -1, 3)', 'round(X, 0.5)', 'clamp(X, 3, 1)'), v())
        .map(([f, x]) => f.replace('X', x)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          pick(
            'label_replace(X, "dst", "$1-x", "instance", "(.*)")',
            'label_replace(X, "job", "", "job", "api")',
            'label_replace(X, "instance", "$2", "instance", "(a|b)(.*)")',
            'label_join(X, "dst", "-", "job", "instance")',
            'label_join(X, "job", "", "instance")',
          ),
          v(),
        )
        .map(([f, x]) => f.replace('X', x)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          pick('0.5', '0.9', '0.99', '0', '1', '-0.1', '1.5'),
          pick('sum by (le)', 'sum by (job, le)', 'max by (le)'),
          pick('5m', '10m'),
          pick('rate', 'increase'),
        )
        .map(([q, agg, r, f]) => `histogram_quantile(${q}, ${agg} (${f}(fz_latency_seconds_bucket[${r}])))`),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(pick('sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'group'), grouping, v())
        .map(([a, g, x]) => `${a}${g} (${x})`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          pick('topk(1,', 'topk(2,', 'bottomk(1,', 'quantile(0.5,', 'quantile(0.9,', 'count_values("value",'),
          grouping,
          v(),
        )
        .map(([a, g, x]) => `${a.split('(')[0]}${g} (${a.split('(')[1]} ${x})`),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          v(),
          pick(
            '+',
            '-',
            '*',
            '/',
            '%',
            '^',
            'atan2',
            '==',
            '!=',
            '>',
            '<',
            '>=',
            '<=',
            '> bool',
            '== bool',
            '<= bool',
            'and',
            'or',
            'unless',
          ),
          matching,
          v(),
        )
        .map(([a, op, m, b]) => {
          // group modifiers apply to arithmetic and comparison only; set operators take on/ignoring
          const set = op === 'and' || op === 'or' || op === 'unless';
          const mm = set ? m.replace(/ group_(left|right)( \([^)]*\))?/, '') : m;
          return `(${a}) ${op}${mm} (${b})`;
        }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(v(), pick('+', '-', '*', '/', '>', '<', '== bool', '> bool', '%', '^'), scalar(depth - 1), fc.boolean())
        .map(([a, op, s, flip]) => (flip ? `${s} ${op} (${a})` : `(${a}) ${op} ${s}`)),
    },
    { weight: 1, arbitrary: scalar(depth - 1).map((s) => `vector(${s})`) },
  );
  memo.set(depth, arb);
  return arb;
}

export interface DiffQuery {
  query: string;
  /** Instant at `time`, or a range from `time` over `points` steps of `stepS` seconds. */
  kind: 'instant' | 'range';
  time: number;
  stepS: number;
  points: number;
}

export const diffQuery: fc.Arbitrary<DiffQuery> = fc.record({
  query: fc.oneof({ weight: 6, arbitrary: vector(3) }, { weight: 1, arbitrary: scalar(2) }),
  kind: fc.oneof(
    { weight: 3, arbitrary: fc.constant('instant' as const) },
    { weight: 1, arbitrary: fc.constant('range' as const) },
  ),
  time: evalTime,
  stepS: pick(15, 37, 60),
  points: fc.integer({ min: 1, max: 20 }),
});
