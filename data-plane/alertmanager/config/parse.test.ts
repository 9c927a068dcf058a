import { describe, expect, it } from 'vitest';
import { formatMatchers, parseAlertmanagerConfig, parseMatchers } from './index.js';

const base = (
  extra = '',
  receivers = 'receivers:\n  - name: hook\n    webhook_configs:\n      - url: https://example.com/hook\n',
) => `route:\n  receiver: hook\n${extra}${receivers}`;

const bomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
].join('\n');

const invalid = [
  { name: 'bad YAML', yaml: 'route: [unclosed', error: /invalid YAML/ },
  { name: 'not a mapping', yaml: '- a\n- b', error: /must be a YAML mapping/ },
  {
    name: 'unknown receiver',
    yaml: base('  routes:\n    - receiver: nope\n'),
    error: /route\.routes\[0\]\.receiver: undefined receiver "nope"/,
  },
  {
    name: 'missing root receiver',
    yaml: 'route: {}\nreceivers: []',
    error: /route\.receiver: root route must specify/,
  },
  {
    name: 'password_file',
    yaml: base(
      '',
      'receivers:\n  - name: hook\n    webhook_configs:\n      - url: https://e.com\n        http_config:\n          basic_auth: {username: u, password_file: /etc/passwd}\n',
    ),
    error:
      /receivers\[0\]\.webhook_configs\[0\]\.http_config\.basic_auth\.password_file: setting password_file is not allowed/,
  },
  {
    name: 'url_file',
    yaml: base('', 'receivers:\n  - name: hook\n    webhook_configs:\n      - url_file: /etc/secret\n'),
    error: /url_file: setting url_file is not allowed/,
  },
  {
    name: 'file:// URL',
    yaml: base('', 'receivers:\n  - name: hook\n    webhook_configs:\n      - url: file:///etc/passwd\n'),
    error: /receivers\[0\]\.webhook_configs\[0\]\.url: unsupported URL scheme "file"/,
  },
  {
    name: 'gopher URL in slack',
    yaml: base('', 'receivers:\n  - name: hook\n    slack_configs:\n      - api_url: gopher://x:70/\n'),
    error: /slack_configs\[0\]\.api_url: unsupported URL scheme "gopher"/,
  },
  { name: 'alias bomb', yaml: `${bomb}\n${base()}`, error: /alias|Excessive/i },
  { name: 'deep nesting', yaml: `${'['.repeat(2000)}${']'.repeat(2000)}`, error: /deeper|too deeply|invalid YAML/ },
  { name: 'too big', yaml: `${base()}#${'x'.repeat(2 << 20)}`, error: /too big/ },
  { name: 'bad duration', yaml: base('  group_wait: 5 minutes\n'), error: /route\.group_wait: not a valid duration/ },
  {
    name: 'zero group_interval',
    yaml: base('  group_interval: 0s\n'),
    error: /route\.group_interval: group_interval cannot be zero/,
  },
  {
    name: 'bad matcher',
    yaml: base('  routes:\n    - matchers: ["foo"]\n'),
    error: /route\.routes\[0\]\.matchers\[0\]: missing operator/,
  },
  {
    name: 'bad regex',
    yaml: base('  routes:\n    - match_re: {foo: "(("}\n'),
    error: /route\.routes\[0\]\.match_re\.foo: invalid regular expression/,
  },
  { name: 'root matchers', yaml: base('  matchers: [a=b]\n'), error: /root route must not have any matchers/ },
  { name: 'unknown field', yaml: base('  recevier: x\n'), error: /route\.recevier: field recevier is not supported/ },
  {
    name: 'unsupported receiver type',
    yaml: base('', 'receivers:\n  - name: hook\n    opsgenie_configs: [{}]\n'),
    error: /opsgenie_configs is not supported/,
  },
  {
    name: 'duplicate receiver',
    yaml: base('', 'receivers:\n  - name: hook\n  - name: hook\n'),
    error: /receivers\[1\]\.name: .* not unique/,
  },
  { name: 'template path', yaml: `${base()}templates: ['/etc/*.tmpl']\n`, error: /templates\[0\]: .* not a path/ },
  {
    name: 'undefined time interval',
    yaml: base('  routes:\n    - mute_time_intervals: [night]\n'),
    error: /mute_time_intervals\[0\]: undefined time interval "night"/,
  },
  {
    name: 'bad weekday',
    yaml: `${base()}time_intervals:\n  - name: w\n    time_intervals: [{weekdays: [funday]}]\n`,
    error: /time_intervals\[0\]\.time_intervals\[0\]\.weekdays\[0\]: invalid range/,
  },
  {
    name: 'proxy_url',
    yaml: base(
      '',
      'receivers:\n  - name: hook\n    webhook_configs:\n      - url: https://e.com\n        http_config: {proxy_url: "http://10.0.0.1"}\n',
    ),
    error: /proxy_url: field proxy_url is not supported/,
  },
  { name: 'duplicate key', yaml: `${base()}route: {receiver: hook}\n`, error: /invalid YAML/ },
];

describe('parseAlertmanagerConfig rejects', () => {
  it.each(invalid)('$name', ({ yaml, error }) => {
    const { config, errors } = parseAlertmanagerConfig(yaml);
    expect(config).toBeUndefined();
    expect(errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('\n')).toMatch(error);
  });
});

describe('parseAlertmanagerConfig accepts', () => {
  it('a full config with inheritance, legacy matchers and every receiver type', () => {
    const yaml = `
global:
  resolve_timeout: 1m
  smtp_from: am@example.com
  smtp_smarthost: smtp.example.com:587
  slack_api_url: https://hooks.slack.com/services/x
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 10s
  routes:
    - matchers: ['severity="critical"', 'team=~"db|web"']
      receiver: pager
      continue: true
      routes:
        - match: {env: prod}
          group_by: ['...']
    - match_re: {service: "api.*"}
      receiver: mail
      mute_time_intervals: [weekends]
inhibit_rules:
  - source_matchers: [severity=critical]
    target_match: {severity: warning}
    equal: [alertname]
receivers:
  - name: hook
    webhook_configs: [{url: "http://hook.example.com/x", max_alerts: 5}]
  - name: pager
    pagerduty_configs: [{routing_key: abc}]
    slack_configs: [{channel: "#ops"}]
  - name: mail
    email_configs: [{to: ops@example.com}]
time_intervals:
  - name: weekends
    time_intervals: [{weekdays: ['saturday', 'monday:friday'], times: [{start_time: '00:00', end_time: '24:00'}]}]
`;
    const { config, errors } = parseAlertmanagerConfig(yaml);
    expect(errors).toEqual([]);
    expect(config!.global.resolveTimeoutMs).toBe(60_000);
    const [pager, mail] = config!.route.routes;
    expect(formatMatchers(pager!.matchers)).toBe('{severity="critical",team=~"db|web"}');
    expect(pager!.groupWaitMs).toBe(10_000);
    expect(pager!.continue).toBe(true);
    expect(pager!.routes[0]!.groupByAll).toBe(true);
    expect(pager!.routes[0]!.receiver).toBe('pager');
    expect(mail!.groupBy).toEqual(['alertname']);
    expect(mail!.repeatIntervalMs).toBe(4 * 3600_000);
    expect(config!.inhibitRules[0]!.targetMatchers.map(String)).toEqual(['severity="warning"']);
    expect(config!.receivers[2]!.integrations[0]).toMatchObject({ kind: 'email', smarthost: 'smtp.example.com:587' });
    expect(config!.timeIntervals[0]!.intervals[0]!.weekdays).toEqual([
      { begin: 6, end: 6 },
      { begin: 1, end: 5 },
    ]);
  });
});

describe('parseMatchers', () => {
  it.each([
    { name: 'bare', input: 'a=b', out: ['a="b"'] },
    { name: 'quoted with comma', input: '{a="x,y", b!~"z"}', out: ['a="x,y"', 'b!~"z"'] },
    { name: 'regex', input: 'job=~"api|web"', out: ['job=~"api|web"'] },
    { name: 'escape', input: 'a="q\\"q"', out: ['a="q\\"q"'] },
  ])('$name', ({ input, out }) => {
    expect(parseMatchers(input).map(String)).toEqual(out);
  });
});
