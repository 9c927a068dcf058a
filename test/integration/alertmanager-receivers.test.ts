/**
 * Slack, PagerDuty and email integrations against real local sockets (loopback allow-listed by the
 * operator option, as a test receiver must be), built from a parsed tenant config.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { Firewall, fingerprint, parseAlertmanagerConfig } from '../../data-plane/alertmanager/index.js';
import { buildIntegrations, sendMail } from '../../data-plane/alertmanager/notify/index.js';
import { Labels, parseTenantId } from '../../data-plane/model/index.js';

const now = Date.parse('2026-11-26T10:00:00Z');
const firewall = new Firewall({ allowedCidrs: ['127.0.0.1/32'] });
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

function data() {
  const mk = (instance: string, resolved: boolean) => {
    const labels = Labels.fromObject({ alertname: 'Down', instance, severity: 'critical' });
    return {
      labels,
      annotations: Labels.fromObject({ summary: `${instance} is down` }),
      startsAt: now - 60_000,
      endsAt: resolved ? now - 1000 : now + 300_000,
      generatorURL: 'http://prom/graph',
      updatedAt: now,
      timeout: false,
      fingerprint: fingerprint(labels),
    };
  };
  return {
    tenantId: parseTenantId('acme'),
    receiver: 'ops',
    groupKey: '{}:{alertname="Down"}',
    groupLabels: Labels.fromObject({ alertname: 'Down' }),
    alerts: [mk('a', false), mk('b', true)],
    externalUrl: 'http://am.example',
    now,
  };
}

async function httpSink() {
  const bodies: unknown[] = [];
  const server = createHttpServer((req, res) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => {
      bodies.push(JSON.parse(s));
      res.writeHead(202).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

/** A minimal SMTP server: records the envelope and DATA; offers AUTH but not STARTTLS. */
async function smtpSink() {
  const got = { commands: [] as string[], data: '' };
  const server = createNetServer((sock) => {
    sock.setEncoding('utf8');
    sock.write('220 test ESMTP\r\n');
    let buf = '';
    let inData = false;
    sock.on('data', (c: string) => {
      buf += c;
      while (true) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          got.data = buf.slice(0, end);
          buf = buf.slice(end + 5);
          inData = false;
          sock.write('250 queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        got.commands.push(line);
        if (line.startsWith('EHLO')) sock.write('250-test\r\n250 AUTH PLAIN\r\n');
        else if (line === 'DATA') {
          inData = true;
          sock.write('354 go\r\n');
        } else if (line === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

function integrationsFor(yaml: string) {
  const { config, errors } = parseAlertmanagerConfig(yaml);
  expect(errors).toEqual([]);
  return buildIntegrations(config!.receivers[0]!, {
    firewall,
    timeoutMs: 5000,
    templates: {
      'x.tmpl': '{{ define "custom.text" }}{{ range .Alerts.Firing }}{{ .Annotations.summary }};{{ end }}{{ end }}',
    },
    templateNames: config!.templates,
    global: config!.global,
  });
}

describe('receivers over real sockets', () => {
  it('Slack: incoming-webhook JSON with rendered title, text and color', async () => {
    const sink = await httpSink();
    const [slack] = integrationsFor(`
route: {receiver: ops}
templates: ['*.tmpl']
receivers:
  - name: ops
    slack_configs:
      - api_url: ${sink.url}/slack
        channel: '#alerts'
        text: '{{ template "custom.text" . }}'
`);
    await slack!.notify(data());
    expect(sink.bodies).toEqual([
      {
        channel: '#alerts',
        username: 'Alertmanager',
        attachments: [
          {
            title: '[FIRING:1] Down (critical)',
            title_link: 'http://am.example/#/alerts?receiver=ops',
            text: 'a is down;',
            fallback: '[FIRING:1] Down (critical) | http://am.example/#/alerts?receiver=ops',
            color: 'danger',
            mrkdwn_in: ['fallback', 'pretext', 'text'],
          },
        ],
      },
    ]);
  });

  it('PagerDuty: Events API v2 trigger with a stable dedup key', async () => {
    const sink = await httpSink();
    const [pd] = integrationsFor(`
route: {receiver: ops}
receivers:
  - name: ops
    pagerduty_configs:
      - routing_key: R0UT1NG
        url: ${sink.url}/v2/enqueue
        severity: '{{ .CommonLabels.severity }}'
        details: {team: '{{ .Receiver }}', __proto__: p, constructor: c}
`);
    await pd!.notify(data());
    const ev = sink.bodies[0] as { payload: { custom_details: Record<string, string> } };
    expect(ev).toMatchObject({
      routing_key: 'R0UT1NG',
      event_action: 'trigger',
      dedup_key: expect.stringMatching(/^[0-9a-f]{64}$/),
      client: 'Alertmanager',
      client_url: 'http://am.example/#/alerts?receiver=ops',
      payload: { summary: '[FIRING:1] Down (critical)', source: 'Alertmanager', severity: 'critical' },
    });
    expect(ev.payload.custom_details).toMatchObject({
      num_firing: '1',
      num_resolved: '1',
      team: 'ops',
      constructor: 'c',
    });
    // A detail named `__proto__` is sent like any other (it used to vanish into the object's prototype).
    expect(Object.entries(ev.payload.custom_details)).toContainEqual(['__proto__', 'p']);
    expect(ev.payload.custom_details.firing).toContain(' - instance = a');
  });

  it('email: plaintext SMTP delivers a MIME message to every recipient', async () => {
    const smtp = await smtpSink();
    const [mail] = integrationsFor(`
route: {receiver: ops}
receivers:
  - name: ops
    email_configs:
      - to: 'a@example.com, b@example.com'
        from: am@example.com
        smarthost: ${smtp.host}
        require_tls: false
        text: '{{ template "email.default.text" . }}'
`);
    await mail!.notify(data());
    expect(smtp.got.commands).toEqual([
      'EHLO localhost',
      'MAIL FROM:<am@example.com>',
      'RCPT TO:<a@example.com>',
      'RCPT TO:<b@example.com>',
      'DATA',
      'QUIT',
    ]);
    expect(smtp.got.data).toMatch(
      /^From: am@example.com\r\nTo: a@example.com, b@example.com\r\nSubject: \[FIRING:1\] Down \(critical\)\r\n/,
    );
    expect(smtp.got.data).toContain('Content-Type: text/html; charset=UTF-8');
    const text =
      /Content-Type: text\/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)\r\n--/.exec(
        smtp.got.data,
      );
    expect(Buffer.from(text![1]!.replace(/\r\n/g, ''), 'base64').toString()).toContain(' - summary = a is down');
  });

  it('email: refuses to send credentials without TLS and honours require_tls', async () => {
    const smtp = await smtpSink();
    const [withAuth, needTls] = integrationsFor(`
route: {receiver: ops}
receivers:
  - name: ops
    email_configs:
      - {to: a@example.com, from: am@example.com, smarthost: '${smtp.host}', require_tls: false, auth_username: u, auth_password: p}
      - {to: a@example.com, from: am@example.com, smarthost: '${smtp.host}'}
`);
    await expect(withAuth!.notify(data())).rejects.toThrow(/unencrypted/);
    await expect(needTls!.notify(data())).rejects.toThrow(/require_tls/);
    expect(smtp.got.commands.some((c) => c.startsWith('AUTH'))).toBe(false);
  });

  it('email: a smarthost on a blocked address is refused by the firewall', async () => {
    const [mail] = buildIntegrations(
      parseAlertmanagerConfig(`
route: {receiver: ops}
receivers:
  - name: ops
    email_configs: [{to: a@example.com, from: am@example.com, smarthost: '169.254.169.254:25'}]
`).config!.receivers[0]!,
      {
        firewall: new Firewall(),
        timeoutMs: 1000,
        templates: {},
        templateNames: [],
        global: parseAlertmanagerConfig('route: {receiver: x}\nreceivers: [{name: x}]').config!.global,
      },
    );
    await expect(mail!.notify(data())).rejects.toThrow(/blocked by the firewall/);
  });

  it('email: STARTTLS upgrades the connection before AUTH PLAIN', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-tls-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const key = readFileSync(join(dir, 'key.pem'));
    const cert = readFileSync(join(dir, 'cert.pem'));
    const seen: { secure: boolean; line: string }[] = [];
    const server = createNetServer((raw: Socket) => {
      let sock: Socket | TLSSocket = raw;
      let secure = false;
      let buf = '';
      const onData = (c: Buffer) => {
        buf += c.toString('utf8');
        let nl = buf.indexOf('\r\n');
        while (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 2);
          seen.push({ secure, line });
          if (line.startsWith('EHLO'))
            sock.write(secure ? '250-test\r\n250 AUTH PLAIN\r\n' : '250-test\r\n250 STARTTLS\r\n');
          else if (line === 'STARTTLS') {
            sock.write('220 go ahead\r\n');
            raw.removeListener('data', onData);
            const tls = new TLSSocket(raw, { isServer: true, key, cert });
            tls.on('data', onData);
            sock = tls;
            secure = true;
          } else if (line === 'DATA') sock.write('354 go\r\n');
          else if (line === '.') sock.write('250 queued\r\n');
          else if (line === 'QUIT') sock.end('221 bye\r\n');
          else if (line.startsWith('AUTH')) sock.write('235 ok\r\n');
          else if (/^(MAIL|RCPT)/.test(line)) sock.write('250 ok\r\n');
          nl = buf.indexOf('\r\n');
        }
      };
      raw.on('data', onData);
      raw.write('220 test ESMTP\r\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    await sendMail({
      smarthost: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      hello: 'am.example',
      from: 'am@example.com',
      to: ['a@example.com'],
      data: 'Subject: hi\r\n\r\nbody',
      username: 'user',
      password: 'pass',
      requireTls: true,
      firewall,
      timeoutMs: 5000,
      insecureSkipVerify: true,
    });
    const auth = seen.find((s) => s.line.startsWith('AUTH PLAIN'));
    expect(auth?.secure).toBe(true);
    expect(Buffer.from(auth!.line.slice('AUTH PLAIN '.length), 'base64').toString()).toBe('\u0000user\u0000pass');
    expect(seen.filter((s) => !s.secure).map((s) => s.line)).toEqual(['EHLO am.example', 'STARTTLS']);
    expect(seen.some((s) => s.secure && s.line === 'MAIL FROM:<am@example.com>')).toBe(true);
  });
});
