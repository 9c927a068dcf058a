/**
 * Alertmanager YAML and templates through Cortex's config API (`POST /api/v1/alerts`): Cortex's
 * `{template_files, alertmanager_config}` body or a bare config, with nested routes, matchers,
 * receivers, inhibit rules and Go templates (valid, broken, recursive, prototype-named files), then
 * byte mutations. Properties: no 5xx; an acknowledged (201) config reads back; the canary tenant's
 * config is untouched and never shows.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  assertNo5xx,
  assertNoCanary,
  BIG_BOUNDED_RUNS,
  call,
  durationValue,
  type FuzzContext,
  mutated,
  objectOf,
  oddString,
  pick,
  registerTarget,
  type Size,
  short,
} from '../harness.js';

const matcher = fc.oneof(
  pick('severity="page"', 'job=~"api|web"', 'team!="x"', 'alertname!~".*Test"', '{foo="bar"}', 'a=', '=b', '"', '~~'),
  oddString,
);

const routeLeaf = fc.record(
  {
    receiver: fc.oneof(pick('team', 'other', 'missing'), oddString),
    group_by: fc.array(fc.oneof(pick('alertname', 'job', '...'), oddString), { maxLength: 3 }),
    group_wait: durationValue,
    group_interval: durationValue,
    repeat_interval: durationValue,
    matchers: fc.array(matcher, { maxLength: 3 }),
    continue: fc.oneof(fc.boolean(), oddString),
    mute_time_intervals: fc.array(oddString, { maxLength: 1 }),
  },
  { requiredKeys: [] },
);

const route = fc.letrec<{ route: Record<string, unknown> }>((tie) => ({
  route: fc
    .tuple(
      routeLeaf,
      fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.array(tie('route'), { maxLength: 2 }) },
      ),
    )
    .map(([leaf, routes]) => (routes.length > 0 ? { ...leaf, routes } : leaf)),
})).route;

const url = fc.oneof(
  pick(
    'https://hooks.example.com/alerts',
    'http://127.0.0.1:1/x',
    'file:///etc/passwd',
    'ftp://x',
    '',
    'not a url',
    'http://[::1',
    'http://%zz',
  ),
  oddString,
);

const receiver = fc.record(
  {
    name: fc.oneof(pick('team', 'other'), oddString),
    webhook_configs: fc.array(
      fc.record({ url, send_resolved: fc.boolean(), max_alerts: fc.integer() }, { requiredKeys: [] }),
      { maxLength: 2 },
    ),
    email_configs: fc.array(fc.record({ to: oddString, html: oddString, smarthost: oddString }, { requiredKeys: [] }), {
      maxLength: 1,
    }),
    slack_configs: fc.array(
      fc.record(
        {
          api_url: url,
          channel: oddString,
          text: fc.oneof(pick('{{ template "slack.text" . }}', '{{ .CommonLabels.job }}', '{{'), oddString),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 1 },
    ),
  },
  { requiredKeys: ['name'] },
);

const config = fc
  .record(
    {
      global: fc.record(
        { resolve_timeout: durationValue, smtp_smarthost: oddString, http_config: fc.record({ proxy_url: url }) },
        { requiredKeys: [] },
      ),
      route,
      receivers: fc.array(receiver, { maxLength: 3 }),
      inhibit_rules: fc.array(
        fc.record({
          source_matchers: fc.array(matcher, { maxLength: 2 }),
          target_matchers: fc.array(matcher, { maxLength: 2 }),
          equal: fc.array(oddString, { maxLength: 2 }),
        }),
        { maxLength: 2 },
      ),
      templates: fc.array(fc.oneof(pick('*.tmpl', '/etc/passwd', '../x', 'default.tmpl'), oddString), { maxLength: 2 }),
      time_intervals: fc.array(
        fc.record({ name: oddString, time_intervals: fc.constant([{ weekdays: ['monday:friday'] }]) }),
        { maxLength: 1 },
      ),
    },
    { requiredKeys: ['route', 'receivers'] },
  )
  .map((c) => stringify(c));

const template = fc.oneof(
  pick(
    '{{ define "slack.text" }}{{ .CommonLabels.job }}{{ end }}',
    '{{ define "x" }}{{ template "x" . }}{{ end }}',
    '{{ define "x" }}',
    '{{ end }}',
    '{{ range $i := . }}{{ end }}',
    '{{ .Foo | nosuchfunc }}',
    '{{ define "__proto__" }}p{{ end }}',
    '{{ template "nosuch" . }}',
    '{{ printf "%s" (index .Alerts 100000) }}',
    '',
  ),
  oddString,
);

const templateFiles = fc
  .array(
    fc.tuple(
      fc.oneof(
        pick('default.tmpl', 'a.tmpl', '__proto__', 'constructor', '../../etc/passwd', '/abs.tmpl', ''),
        oddString,
      ),
      template,
    ),
    { maxLength: 3 },
  )
  .map((e) => objectOf(e));

/** A config Alertmanager would load, so that acknowledged writes and their read-back are exercised. */
const cleanConfig = fc
  .record({
    receiver: pick('team', 'ops'),
    group_by: fc.subarray(['alertname', 'job', 'severity']),
    url: pick('https://hooks.example.com/alerts', 'https://example.org/x'),
  })
  .map(({ receiver, group_by, url }) =>
    stringify({
      route: { receiver, group_by, routes: [{ receiver, matchers: ['severity="page"'] }] },
      receivers: [{ name: receiver, webhook_configs: [{ url }] }],
    }),
  );

const cleanTemplates = fc.constant(objectOf([['default.tmpl', '{{ define "x" }}{{ .CommonLabels.job }}{{ end }}']]));

const body = fc
  .tuple(
    fc.oneof({ weight: 2, arbitrary: cleanConfig }, { weight: 3, arbitrary: config }),
    fc.oneof(cleanTemplates, templateFiles),
    fc.boolean(),
  )
  .map(([c, t, wrapped]) => (wrapped ? stringify({ template_files: t, alertmanager_config: c }) : c));

const TOKENS = [
  ':',
  '- ',
  '\n',
  '{',
  '[',
  '&a ',
  '*a',
  '<<: *a\n',
  '!!binary ',
  '"',
  '|',
  '{{',
  '}}',
  '\u0000',
  '__proto__: ',
  '.nan',
];

/** An Alertmanager config (plain or Cortex's wrapper), mutated: also what `cortexctl alertmanager` reads. */
export const alertmanagerBody = mutated(body, TOKENS);

const defineTarget = (size: Size) =>
  registerTarget({
    name: size === 'big' ? 'alertmanager-yaml-big' : 'alertmanager-yaml',
    surface:
      size === 'big'
        ? 'Alertmanager YAML and templates repeated to ~1 MiB or nested 100–2,000 deep through POST /api/v1/alerts'
        : 'Alertmanager YAML and templates through POST /api/v1/alerts',
    ...(size === 'big' ? { boundedRuns: BIG_BOUNDED_RUNS } : {}),
    arbitrary: size === 'big' ? mutated(body, TOKENS, 'big') : alertmanagerBody,
    async run(ctx: FuzzContext, input: Uint8Array) {
      const what = `POST /api/v1/alerts ${short(Buffer.from(input).toString('utf8'), 500)}`;
      const a = await call(ctx, 'POST', '/api/v1/alerts', {
        body: input,
        headers: { 'content-type': 'application/yaml' },
      });
      assertNo5xx(what, a);
      if (a.status === 201) {
        const back = await call(ctx, 'GET', '/api/v1/alerts');
        if (back.status !== 200) throw new Error(`${what}: acknowledged but reads back ${back.status}: ${back.text}`);
        assertNoCanary(ctx, what, back);
      }
      return a.status;
    },
    async after(ctx) {
      const theirs = await call(ctx, 'GET', '/api/v1/alerts', { token: ctx.canaryToken });
      if (theirs.status !== 200 || !theirs.text.includes(ctx.canaryMark)) {
        throw new Error(`the canary tenant's Alertmanager config changed: ${theirs.status} ${theirs.text}`);
      }
    },
  });

export const alertmanagerYaml = defineTarget('common');
export const alertmanagerYamlBig = defineTarget('big');
