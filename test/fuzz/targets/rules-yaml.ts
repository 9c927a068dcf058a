/**
 * Rule group YAML through Mimir's ruler config API (`POST /prometheus/config/v1/rules/<namespace>`):
 * rule groups as Grafana and mimirtool send them, with odd names, durations, limits, label maps
 * (`__proto__`, duplicates), templates and PromQL, then byte mutations. Properties: no 5xx; an
 * acknowledged (202) group reads back by its namespace and name; the canary tenant's groups never show.
 */
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import {
  assertNo5xx,
  assertNoCanary,
  BIG_BOUNDED_RUNS,
  call,
  durationValue,
  type FuzzContext,
  mutated,
  objectOf,
  oddNumber,
  oddString,
  pick,
  registerTarget,
  type Size,
  segment,
  short,
} from '../harness.js';

const BASE = '/prometheus/config/v1/rules';

const expr = fc.oneof(
  {
    weight: 4,
    arbitrary: pick(
      'up',
      'sum by (job) (rate(http_requests_total[5m]))',
      'job:http_requests:rate5m > 10',
      'histogram_quantile(0.9, sum by (le) (rate(req_duration_seconds_bucket[5m])))',
      'absent(up{job="api"})',
      'vector(1)',
      'time() - 1',
    ),
  },
  {
    weight: 2,
    arbitrary: pick(
      '',
      'sum by (job',
      'up[5m]',
      '"a string"',
      '1',
      'rate(up)',
      'up offset 100000y',
      'up @ 1e300',
      '{}',
      'label_replace(up, "__proto__", "$1", "job", "(.*)")',
      '(((((((((((((((((((((((((((((((((up)))))))))))))))))))))))))))))))',
    ),
  },
  { weight: 1, arbitrary: oddString },
);

const labelMap = fc
  .array(fc.tuple(oddString, fc.oneof(oddString, oddNumber)), { maxLength: 4 })
  .map((e) => objectOf(e as [string, unknown][]));

const annotations = fc
  .array(
    fc.tuple(
      pick('summary', 'description', 'runbook_url', '__proto__', 'constructor'),
      fc.oneof(
        pick(
          '{{ $labels.job }} is failing',
          '{{ $value | humanize }}',
          '{{ range $i := until 100000000 }}x{{ end }}',
          '{{ template "x" . }}',
          '{{',
          '{{ end }}',
          '{{ .Foo.Bar.Baz }}',
          '{{ printf "%d" "x" }}',
          '{{ $labels.__proto__ }}',
          '{{ define "x" }}{{ template "x" . }}{{ end }}',
        ),
        oddString,
      ),
    ),
    { maxLength: 3 },
  )
  .map((e) => objectOf(e));

const rule = fc.oneof(
  fc.record(
    { record: fc.oneof(pick('job:up:sum', 'x', 'a:b:c'), oddString), expr, labels: labelMap },
    { requiredKeys: ['record', 'expr'] },
  ),
  fc.record(
    {
      alert: fc.oneof(pick('HighErrorRate', 'Down'), oddString),
      expr,
      for: durationValue,
      keep_firing_for: durationValue,
      labels: labelMap,
      annotations,
    },
    { requiredKeys: ['alert', 'expr'] },
  ),
  // both or neither of record/alert, and non-mapping rules
  fc.record({ record: oddString, alert: oddString, expr }),
  fc.record({ expr }),
  pick<unknown>(null, 'up', 1, [], [[[]]]),
);

/** A group Prometheus would load, so that acknowledged writes and their read-back are exercised. */
const cleanGroup = fc.record(
  {
    name: fc.oneof(pick('api', 'infra', 'g1'), fc.stringMatching(/^[a-zA-Z0-9_. -]{1,40}$/)),
    interval: pick('30s', '1m', '5m'),
    limit: fc.integer({ min: 0, max: 100 }),
    rules: fc.array(
      fc.oneof(
        fc.record({ record: pick('job:up:sum', 'a:b:c'), expr: pick('sum by (job) (up)', 'vector(1)') }),
        fc.record({
          alert: pick('HighErrorRate', 'Down'),
          expr: pick('up == 0', 'absent(up)'),
          for: pick('5m', '0s'),
          labels: fc.constant({ severity: 'page' }),
          annotations: fc.constant({ summary: '{{ $labels.job }} is down' }),
        }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  },
  { requiredKeys: ['name', 'rules'] },
);

const oddGroup = fc
  .record(
    {
      name: fc.oneof({ weight: 3, arbitrary: pick('api', 'infra', 'g1') }, { weight: 2, arbitrary: oddString }),
      interval: durationValue,
      limit: oddNumber,
      query_offset: durationValue,
      evaluation_delay: durationValue,
      source_tenants: fc.array(oddString, { maxLength: 2 }),
      rules: fc.oneof(
        { weight: 5, arbitrary: fc.array(rule, { maxLength: 4 }) },
        { weight: 1, arbitrary: pick<unknown>(null, 'rules', {}, 1) },
      ),
    },
    { requiredKeys: ['name', 'rules'] },
  )
  .chain((g) =>
    // unknown keys, prototype keys and duplicated keys are written as text: an object cannot hold them
    fc.tuple(fc.constant(g), pick('', '', '', 'unknown_key: 1\n', '__proto__: {a: 1}\n', 'name: again\n')),
  )
  .map(([g, extra]) => `${stringify(g)}${extra}`);

const group = fc.oneof(
  { weight: 2, arbitrary: cleanGroup.map((g) => stringify(g)) },
  { weight: 3, arbitrary: oddGroup },
);

/** YAML-specific tokens for insertion: anchors, aliases, tags, flow collections, merge keys. */
const TOKENS = [
  ':',
  '- ',
  '\n',
  '\t',
  '{',
  '}',
  '[',
  ']',
  '&a ',
  '*a',
  '<<: *a\n',
  '!!binary ',
  '!!python/object ',
  '!<tag:yaml.org,2002:js/undefined> ',
  '%YAML 1.1\n---\n',
  '---\n',
  '...\n',
  '? ',
  '|',
  '>-',
  '"',
  "'",
  '#',
  '\u0000',
  '\uFEFF',
  '.nan',
  '.inf',
  '__proto__: ',
];

/** The "billion laughs": aliases that expand exponentially. */
const aliasBomb = fc.integer({ min: 2, max: 12 }).map((depth) => {
  const lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i <= depth; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  return `name: bomb\nrules: []\n${lines.join('\n')}\n`;
});

/** A rule group body (the common ones are also what the CLI's rule files hold under `groups:`). */
const ruleGroupBodyOf = (size: Size) =>
  size === 'big'
    ? mutated(group, TOKENS, 'big')
    : fc.oneof(
        { weight: 10, arbitrary: mutated(group, TOKENS) },
        { weight: 1, arbitrary: aliasBomb.map((s) => new Uint8Array(Buffer.from(s))) },
      );
export const ruleGroupBody = ruleGroupBodyOf('common');

const namespace = fc.oneof({ weight: 4, arbitrary: pick('team-a', 'ns', 'fuzz') }, { weight: 1, arbitrary: oddString });

const defineTarget = (size: Size) =>
  registerTarget({
    name: size === 'big' ? 'rules-yaml-big' : 'rules-yaml',
    surface:
      size === 'big'
        ? 'rule group YAML repeated to ~1 MiB or nested 100–2,000 deep through POST /prometheus/config/v1/rules/<namespace>'
        : 'rule group YAML through POST /prometheus/config/v1/rules/<namespace>',
    ...(size === 'big' ? { boundedRuns: BIG_BOUNDED_RUNS } : {}),
    arbitrary: fc.record({
      ns: namespace,
      body: ruleGroupBodyOf(size),
      contentType: pick('application/yaml', 'text/plain', 'application/json', ''),
    }),
    async run(ctx: FuzzContext, input) {
      const ns = segment(input.ns);
      const path = `${BASE}/${ns}`;
      const a = await call(ctx, 'POST', path, {
        body: input.body,
        headers: input.contentType ? { 'content-type': input.contentType } : {},
      });
      const what = `POST ${short(path, 120)} ${short(Buffer.from(input.body).toString('utf8'), 400)}`;
      assertNo5xx(what, a);
      if (a.status === 202) {
        // acknowledged: the group reads back under its name, then is removed to keep the store small
        const name = (parse(Buffer.from(input.body).toString('utf8'), { maxAliasCount: 100 }) as { name: string }).name;
        const back = await call(ctx, 'GET', `${path}/${segment(name)}`);
        if (back.status !== 200) throw new Error(`${what}: acknowledged but reads back ${back.status}: ${back.text}`);
        const del = await call(ctx, 'DELETE', `${path}/${segment(name)}`);
        assertNo5xx(`DELETE after ${what}`, del);
      }
      return a.status;
    },
    async after(ctx) {
      const mine = await call(ctx, 'GET', BASE);
      assertNo5xx('GET rules', mine);
      assertNoCanary(ctx, 'GET rules', mine);
      const theirs = await call(ctx, 'GET', BASE, { token: ctx.canaryToken });
      if (theirs.status !== 200 || !theirs.text.includes(ctx.canaryMark)) {
        throw new Error(`the canary tenant's rule group changed: ${theirs.status} ${theirs.text}`);
      }
    },
  });

export const rulesYaml = defineTarget('common');
export const rulesYamlBig = defineTarget('big');
