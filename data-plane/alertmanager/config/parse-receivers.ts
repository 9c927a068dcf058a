import { own, type RawMap, type Reader } from './reader.js';
import type {
  EmailConfig,
  GlobalConfig,
  HttpConfig,
  IntegrationConfig,
  PagerdutyConfig,
  ReceiverConfig,
  SlackConfig,
  WebhookConfig,
} from './types.js';

const HTTP_KEYS = ['basic_auth', 'authorization', 'bearer_token', 'tls_config', 'follow_redirects', 'enable_http2'];
const SUPPORTED = ['webhook_configs', 'slack_configs', 'pagerduty_configs', 'email_configs'];
const KNOWN_UNSUPPORTED = [
  'opsgenie_configs',
  'wechat_configs',
  'pushover_configs',
  'victorops_configs',
  'sns_configs',
  'telegram_configs',
  'discord_configs',
  'webex_configs',
  'msteams_configs',
];

export function parseHttpConfig(r: Reader, raw: unknown, path: string, base?: HttpConfig): HttpConfig {
  const m = r.map(raw, path, HTTP_KEYS);
  // A receiver's http_config replaces the global one as a whole (as in Alertmanager), never merges.
  if (!m) return base ?? { insecureSkipVerify: false };
  const out: HttpConfig = { insecureSkipVerify: false };
  const ba = r.map(m.basic_auth, `${path}.basic_auth`, ['username', 'password']);
  if (ba)
    out.basicAuth = {
      username: r.str(ba, 'username', `${path}.basic_auth`),
      password: r.str(ba, 'password', `${path}.basic_auth`),
    };
  const auth = r.map(m.authorization, `${path}.authorization`, ['type', 'credentials']);
  if (auth) {
    out.authorization = {
      type: r.str(auth, 'type', `${path}.authorization`, 'Bearer'),
      credentials: r.str(auth, 'credentials', `${path}.authorization`),
    };
  }
  const bearer = r.optStr(m, 'bearer_token', path);
  if (bearer !== undefined) {
    if (auth) r.err(`${path}.bearer_token`, 'cannot be set together with authorization');
    out.authorization = { type: 'Bearer', credentials: bearer };
  }
  if (ba && (auth || bearer !== undefined)) r.err(path, 'at most one of basic_auth and authorization may be set');
  const tls = r.map(m.tls_config, `${path}.tls_config`, ['insecure_skip_verify', 'server_name', 'min_version']);
  out.insecureSkipVerify = r.bool(tls, 'insecure_skip_verify', `${path}.tls_config`, out.insecureSkipVerify);
  return out;
}

export function parseReceivers(r: Reader, raw: unknown, global: GlobalConfig): ReceiverConfig[] {
  const out: ReceiverConfig[] = [];
  const names = new Set<string>();
  r.list(raw, 'receivers').forEach((rv, i) => {
    const path = `receivers[${i}]`;
    const m = r.map(rv, path, ['name', ...SUPPORTED, ...KNOWN_UNSUPPORTED]);
    if (!m) {
      r.err(path, 'must be a mapping');
      return;
    }
    const name = r.str(m, 'name', path);
    if (name === '') r.err(`${path}.name`, 'missing name of receiver');
    else if (names.has(name)) r.err(`${path}.name`, `notification config name ${JSON.stringify(name)} is not unique`);
    names.add(name);
    for (const k of KNOWN_UNSUPPORTED) {
      if (own(m, k) !== undefined) r.err(`${path}.${k}`, `receiver type ${k} is not supported by this Alertmanager`);
    }
    const integrations: IntegrationConfig[] = [];
    const each = (key: string, fn: (m: RawMap, p: string) => IntegrationConfig) =>
      r.list(own(m, key), `${path}.${key}`).forEach((c, j) => {
        const p = `${path}.${key}[${j}]`;
        const cm = r.map(c, p, KEYS[key]!);
        if (cm) integrations.push(fn(cm, p));
        else r.err(p, 'must be a mapping');
      });
    each('webhook_configs', (c, p) => webhook(r, c, p, global));
    each('slack_configs', (c, p) => slack(r, c, p, global));
    each('pagerduty_configs', (c, p) => pagerduty(r, c, p, global));
    each('email_configs', (c, p) => email(r, c, p, global));
    out.push({ name, integrations });
  });
  return out;
}

const KEYS: Record<string, string[]> = {
  webhook_configs: ['send_resolved', 'url', 'max_alerts', 'http_config'],
  slack_configs: [
    'send_resolved',
    'api_url',
    'channel',
    'username',
    'title',
    'title_link',
    'text',
    'icon_emoji',
    'icon_url',
    'color',
    'http_config',
  ],
  pagerduty_configs: [
    'send_resolved',
    'routing_key',
    'service_key',
    'url',
    'client',
    'client_url',
    'description',
    'severity',
    'class',
    'component',
    'group',
    'details',
    'http_config',
  ],
  email_configs: [
    'send_resolved',
    'to',
    'from',
    'smarthost',
    'hello',
    'auth_username',
    'auth_password',
    'require_tls',
    'headers',
    'html',
    'text',
  ],
};

function webhook(r: Reader, c: RawMap, p: string, g: GlobalConfig): WebhookConfig {
  return {
    kind: 'webhook',
    sendResolved: r.bool(c, 'send_resolved', p, true),
    url: r.url(c, 'url', p, true),
    maxAlerts: r.int(c, 'max_alerts', p, 0),
    httpConfig: parseHttpConfig(r, c.http_config, `${p}.http_config`, g.httpConfig),
  };
}

function slack(r: Reader, c: RawMap, p: string, g: GlobalConfig): SlackConfig {
  let apiUrl = r.url(c, 'api_url', p, false);
  if (apiUrl === '') {
    apiUrl = g.slackApiUrl ?? '';
    if (apiUrl === '') r.err(`${p}.api_url`, 'no global slack_api_url set either');
  }
  return {
    kind: 'slack',
    sendResolved: r.bool(c, 'send_resolved', p, false),
    apiUrl,
    channel: r.str(c, 'channel', p),
    username: r.str(c, 'username', p, '{{ template "slack.default.username" . }}'),
    title: r.str(c, 'title', p, '{{ template "slack.default.title" . }}'),
    titleLink: r.str(c, 'title_link', p, '{{ template "slack.default.titlelink" . }}'),
    text: r.str(c, 'text', p, '{{ template "slack.default.text" . }}'),
    iconEmoji: r.str(c, 'icon_emoji', p),
    iconUrl: r.str(c, 'icon_url', p),
    color: r.str(c, 'color', p, '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}'),
    httpConfig: parseHttpConfig(r, c.http_config, `${p}.http_config`, g.httpConfig),
  };
}

function pagerduty(r: Reader, c: RawMap, p: string, g: GlobalConfig): PagerdutyConfig {
  const routingKey = r.str(c, 'routing_key', p);
  if (routingKey === '') {
    r.err(
      `${p}.routing_key`,
      c.service_key !== undefined ? 'service_key (Events API v1) is not supported; use routing_key' : 'is required',
    );
  }
  const url = r.url(c, 'url', p, false) || g.pagerdutyUrl;
  return {
    kind: 'pagerduty',
    sendResolved: r.bool(c, 'send_resolved', p, true),
    routingKey,
    url,
    client: r.str(c, 'client', p, '{{ template "pagerduty.default.client" . }}'),
    clientUrl: r.str(c, 'client_url', p, '{{ template "pagerduty.default.clientURL" . }}'),
    description: r.str(c, 'description', p, '{{ template "pagerduty.default.description" . }}'),
    severity: r.str(c, 'severity', p, 'error'),
    class: r.str(c, 'class', p),
    component: r.str(c, 'component', p),
    group: r.str(c, 'group', p),
    details: r.strMap(c, 'details', p),
    httpConfig: parseHttpConfig(r, c.http_config, `${p}.http_config`, g.httpConfig),
  };
}

function email(r: Reader, c: RawMap, p: string, g: GlobalConfig): EmailConfig {
  const to = r.str(c, 'to', p);
  if (to === '') r.err(`${p}.to`, 'missing to address in email config');
  const from = r.str(c, 'from', p, g.smtpFrom ?? '');
  if (from === '') r.err(`${p}.from`, 'no global smtp_from set either');
  const smarthost = r.str(c, 'smarthost', p, g.smtpSmarthost ?? '');
  if (smarthost === '') r.err(`${p}.smarthost`, 'no global smtp_smarthost set either');
  else if (!/^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(smarthost)) {
    r.err(`${p}.smarthost`, `must be host:port, got ${JSON.stringify(smarthost)}`);
  }
  const out: EmailConfig = {
    kind: 'email',
    sendResolved: r.bool(c, 'send_resolved', p, false),
    to,
    from,
    smarthost,
    hello: r.str(c, 'hello', p, g.smtpHello),
    requireTls: r.bool(c, 'require_tls', p, g.smtpRequireTls),
    headers: r.strMap(c, 'headers', p),
    html: r.str(c, 'html', p, '{{ template "email.default.html" . }}'),
    text: r.str(c, 'text', p),
  };
  const user = r.optStr(c, 'auth_username', p) ?? g.smtpAuthUsername;
  const pass = r.optStr(c, 'auth_password', p) ?? g.smtpAuthPassword;
  if (user !== undefined) out.authUsername = user;
  if (pass !== undefined) out.authPassword = pass;
  return out;
}
