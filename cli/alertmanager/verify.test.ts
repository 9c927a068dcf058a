import { describe, expect, it } from 'vitest';
import { toAlertmanagerConfig, verifyAlertmanagerConfig } from './index.js';

const valid = `global:
  resolve_timeout: 5m
route:
  receiver: team
  routes:
    - receiver: pager
      matchers: ['severity="page"']
      mute_time_intervals: [nights]
receivers:
  - name: team
    webhook_configs:
      - url: https://hooks.example.com/team
  - name: pager
    webhook_configs:
      - url: 'http://pager.internal:8080/{{ .GroupLabels.team }}'
time_intervals:
  - name: nights
    time_intervals:
      - times: [{ start_time: '22:00', end_time: '24:00' }]
`;

describe('verifyAlertmanagerConfig', () => {
  it('accepts a valid configuration', () => {
    expect(verifyAlertmanagerConfig(valid)).toEqual([]);
  });

  const cases = [
    { name: 'YAML syntax', text: 'route: [\n', want: [/^2:1 .*/] },
    {
      name: 'not a mapping',
      text: '- a\n',
      want: [/^1:1 {2}must be a mapping/, /^1:1 {2}configuration must be a YAML mapping/],
    },
    { name: 'no route', text: 'receivers: [{name: a}]\n', want: [/^1:1 route no route provided/] },
    {
      name: 'undefined receiver in nested route',
      text: 'route:\n  receiver: a\n  routes:\n    - receiver: b\nreceivers:\n  - name: a\n',
      want: [/^4:17 route\.routes\[0\]\.receiver undefined receiver "b"/],
    },
    {
      name: 'root matchers and missing default receiver',
      text: 'route:\n  match: {a: b}\nreceivers: []\n',
      want: [/^2:3 route\.receiver root route must specify/, /^2:3 route root route must not have any matchers/],
    },
    {
      name: 'file fields',
      text: 'route: {receiver: a}\nreceivers:\n  - name: a\n    webhook_configs:\n      - url: https://x\n        http_config:\n          bearer_token_file: /etc/shadow\n',
      want: [
        /^7:11 receivers\[0\]\.webhook_configs\[0\]\.http_config\.bearer_token_file field bearer_token_file: fields that read local files are not allowed/,
      ],
    },
    {
      name: 'non-http URL',
      text: 'route: {receiver: a}\nreceivers:\n  - name: a\n    slack_configs:\n      - api_url: file:///etc/passwd\n',
      want: [/^5:18 .*api_url URL scheme file is not allowed/],
    },
    {
      name: 'duplicate receiver, unknown key, templates',
      text: 'templates: [../x.tmpl]\nroute: {receiver: a}\nreceivers: [{name: a}, {name: a}]\nbogus: 1\n',
      want: [
        /^4:8 bogus field bogus is not supported/,
        /^3:31 receivers\[1\]\.name notification config name "a" is not unique/,
        /^1:13 templates\[0\] template "\.\.\/x\.tmpl" must name an uploaded template \(template_files\), not a path/,
      ],
    },
    {
      name: 'unknown route field and URL-like value with another scheme',
      text: 'route:\n  receiver: a\n  recevier: b\nreceivers:\n  - name: a\n    email_configs: [{to: x, smarthost: "ftp://h"}]\n',
      want: [
        /^3:13 route\.recevier field recevier is not supported/,
        /^6:21 receivers\[0\]\.email_configs\[0\]\.from no global smtp_from set either/,
        /^6:40 .*smarthost URL scheme ftp is not allowed: only http and https/,
      ],
    },
    {
      name: 'undefined time interval',
      text: 'route:\n  receiver: a\n  routes:\n    - receiver: a\n      active_time_intervals: [weekends]\nreceivers: [{name: a}]\n',
      want: [/^5:31 .*undefined time interval "weekends"/],
    },
  ];
  it('runs the Alertmanager’s own parser too: group_by with ... and other labels', () => {
    const text = valid.replace(
      '  receiver: team\n  routes:',
      '  receiver: team\n  group_by: [alertname, "..."]\n  routes:',
    );
    const got = verifyAlertmanagerConfig(text);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ path: 'route.group_by', line: 5 });
    expect(got[0]!.message).toMatch(/wildcard/);
  });

  it.each(cases)('rejects $name', ({ text, want }) => {
    const got = verifyAlertmanagerConfig(text).map((p) => `${p.line}:${p.col} ${p.path} ${p.message}`);
    expect(got).toHaveLength(want.length);
    for (const w of want)
      expect(
        got.some((g) => w.test(g)),
        `${w} in ${JSON.stringify(got)}`,
      ).toBe(true);
  });
});

/**
 * Found by the cli-input fuzz target: 1 MiB of repeated lines took 9 minutes to verify (the yaml
 * library's cost grows faster than the input). What the server refuses unparsed (more than 20,000
 * YAML indicators) is reported the same way, without parsing.
 */
describe('a configuration the server refuses for its size', () => {
  const huge = `${valid}${'#\n'.repeat(20_000)}`;

  it('is one finding, not a parse', () => {
    expect(verifyAlertmanagerConfig(huge)).toEqual([
      { line: 1, col: 1, path: '', message: expect.stringMatching(/more than 20000 YAML lines.*server refuses it/) },
    ]);
  });

  it('is not taken for the wrapper', () => {
    const wrapped = `alertmanager_config: |\n  route: {receiver: a}\n${'#\n'.repeat(20_000)}`;
    expect(toAlertmanagerConfig(wrapped).config).toBe(wrapped);
  });
});

describe('toAlertmanagerConfig', () => {
  it('unwraps the Cortex wrapper and lets separate templates win', () => {
    const wrapped = 'alertmanager_config: |\n  route: {receiver: a}\ntemplate_files:\n  a.tmpl: old\n  b.tmpl: b\n';
    expect(toAlertmanagerConfig(wrapped, { 'a.tmpl': 'new' })).toEqual({
      config: 'route: {receiver: a}\n',
      templates: { 'a.tmpl': 'new', 'b.tmpl': 'b' },
    });
  });

  it('passes plain configuration through', () => {
    expect(toAlertmanagerConfig(valid)).toEqual({ config: valid, templates: {} });
  });
});
