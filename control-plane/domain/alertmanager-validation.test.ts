import { describe, expect, it } from 'vitest';
import { validateAlertmanagerConfig } from './alertmanager-validation.js';

const ok = `global:
  resolve_timeout: 5m
route:
  receiver: default
  group_by: ['...']
  group_wait: 30s
  routes:
    - matchers: ['severity=~"page|critical"', 'team!="ops"']
      receiver: pager
      mute_time_intervals: [nights]
    - match_re: { service: 'api|web' }
      receiver: default
receivers:
  - name: default
    slack_configs: [{ api_url: 'https://hooks.slack.com/services/x', channel: '#alerts' }]
  - name: pager
    webhook_configs: [{ url: 'http://pager.example.com/hook' }]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
time_intervals:
  - name: nights
    time_intervals: [{ times: [{ start_time: '00:00', end_time: '06:00' }] }]
`;

const receivers = `receivers:\n  - name: r\n    webhook_configs: [{ url: 'https://ok.example' }]\n`;
const withReceiverField = (field: string) =>
  `route: { receiver: r }\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: https://ok.example\n        ${field}\n`;

describe('validateAlertmanagerConfig', () => {
  it('accepts a realistic config with templates', () => {
    expect(() =>
      validateAlertmanagerConfig({ config: ok, templates: { 'a.tmpl': '{{ define "a" }}{{ .Status }}{{ end }}' } }, 0),
    ).not.toThrow();
  });

  it.each([
    { name: 'password_file', field: 'http_config: { basic_auth: { username: u, password_file: /etc/passwd } }' },
    { name: 'credentials_file', field: 'http_config: { authorization: { credentials_file: /x } }' },
    { name: 'TLS ca_file', field: 'http_config: { tls_config: { ca_file: /x } }' },
    { name: 'url_file', field: 'url_file: /x' },
    { name: 'http_headers files', field: 'http_config: { http_headers: { A: { files: [/x] } } }' },
  ])('rejects the file-reading field $name', ({ field }) => {
    expect(() => validateAlertmanagerConfig({ config: withReceiverField(field), templates: {} }, 0)).toThrow(
      /fields that read local files are not allowed/,
    );
  });

  // The receiver fields behind the Cortex local-file CVEs (reliability.md §3), each at its real position.
  it.each([
    'api_key_file',
    'api_url_file',
    'webhook_url_file',
    'bot_token_file',
    'routing_key_file',
    'service_key_file',
    'user_key_file',
    'token_file',
    'auth_password_file',
    'auth_secret_file',
    'url_file',
  ])('rejects the receiver field %s', (field) => {
    expect(() =>
      validateAlertmanagerConfig({ config: withReceiverField(`${field}: /etc/passwd`), templates: {} }, 0),
    ).toThrow(new RegExp(`${field}: fields that read local files`));
  });

  it.each([
    { name: 'file URL', value: 'url_override: "file:///etc/passwd"', error: /only http and https/ },
    { name: 'gopher proxy', value: 'http_config: { proxy_url: "gopher://h:70/x" }', error: /only http and https/ },
    { name: 'ftp in any string', value: 'message: "ftp://h/x"', error: /only http and https/ },
    { name: 'unparseable url', value: 'api_url: "not a url"', error: /not a valid URL/ },
  ])('rejects $name', ({ value, error }) => {
    expect(() => validateAlertmanagerConfig({ config: withReceiverField(value), templates: {} }, 0)).toThrow(error);
  });

  it.each([
    { name: 'no route', config: receivers, error: /"route" is required/ },
    {
      name: 'root route without receiver',
      config: `route: {}\n${receivers}`,
      error: /route\.receiver: root route must specify a default receiver/,
    },
    {
      name: 'unknown child receiver',
      config: `route: { receiver: r, routes: [{ receiver: x }] }\n${receivers}`,
      error: /"x" is not a defined receiver/,
    },
    {
      name: 'duplicate receivers',
      config: 'route: { receiver: r }\nreceivers: [{ name: r }, { name: r }]\n',
      error: /receivers\[1\]\.name: notification config name "r" is not unique/,
    },
    {
      name: 'unknown route field',
      config: `route: { receiver: r, bogus: 1 }\n${receivers}`,
      error: /route\.bogus: field bogus is not supported/,
    },
    {
      name: 'unknown top-level field',
      config: `route: { receiver: r }\nextra: 1\n${receivers}`,
      error: /extra: field extra is not supported/,
    },
    { name: 'bad group_wait', config: `route: { receiver: r, group_wait: soon }\n${receivers}`, error: /group_wait/ },
    {
      name: 'bad group_by label',
      config: `route: { receiver: r, group_by: ['a-b'] }\n${receivers}`,
      error: /invalid label name/,
    },
    {
      name: 'undefined time interval',
      config: `route: { receiver: r, routes: [{ mute_time_intervals: [x] }] }\n${receivers}`,
      error: /undefined time interval "x" used in route/,
    },
    {
      name: 'bad match_re',
      config: `route: { receiver: r, match_re: { a: '(' } }\n${receivers}`,
      error: /invalid regular expression/,
    },
    {
      name: 'bad inhibit matcher',
      config: `route: { receiver: r }\ninhibit_rules: [{ source_matchers: ['nonsense'] }]\n${receivers}`,
      error: /cannot parse matcher/,
    },
    { name: 'not a mapping', config: '- a\n- b\n', error: /must be a YAML mapping/ },
  ])('rejects $name', ({ config, error }) => {
    expect(() => validateAlertmanagerConfig({ config, templates: {} }, 0)).toThrow(error);
  });

  it('accepts what the Alertmanager parser accepts: a braced matcher list', () => {
    const config = `route: { receiver: r, routes: [{ receiver: r, matchers: ['{a="1", b=~"x|y"}'] }] }\n${receivers}`;
    expect(() => validateAlertmanagerConfig({ config, templates: {} }, 0)).not.toThrow();
  });

  it('counts config and templates against the size limit', () => {
    const config = `route: { receiver: r }\n${receivers}`;
    const size = Buffer.byteLength(config);
    expect(() => validateAlertmanagerConfig({ config, templates: {} }, size)).not.toThrow();
    expect(() => validateAlertmanagerConfig({ config, templates: { t: 'x' } }, size)).toThrow(
      /err-cortex-alertmanager-max-config-size/,
    );
  });
});
