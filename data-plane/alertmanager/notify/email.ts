import { randomUUID } from 'node:crypto';
import type { EmailConfig } from '../config/index.js';
import type { TemplateSet } from '../template/index.js';
import { templateValue } from '../template/index.js';
import { templateData } from './data.js';
import type { Firewall } from './firewall.js';
import { NotifyError } from './http.js';
import { sendMail } from './smtp.js';
import type { Integration } from './types.js';

const HEADER_VALUE = /^[^\r\n]*$/;

export function emailIntegration(
  cfg: EmailConfig,
  index: number,
  tmpl: TemplateSet,
  firewall: Firewall,
  timeoutMs: number,
): Integration {
  return {
    name: 'email',
    index,
    sendResolved: cfg.sendResolved,
    async notify(d) {
      const data = templateValue(templateData(d));
      const t = (s: string) => tmpl.execute(s, data);
      const to = t(cfg.to)
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
      const from = t(cfg.from);
      const headers: [string, string][] = [
        ['From', from],
        ['To', to.join(', ')],
        ['Subject', t(cfg.headers.Subject ?? '{{ template "email.default.subject" . }}')],
        ['Date', new Date(d.now).toUTCString()],
        ['Message-Id', `<${randomUUID()}@${cfg.hello}>`],
        ['MIME-Version', '1.0'],
      ];
      for (const [k, v] of Object.entries(cfg.headers)) {
        if (!['subject', 'from', 'to'].includes(k.toLowerCase())) headers.push([k, t(v)]);
      }
      for (const [k, v] of headers) {
        if (!HEADER_VALUE.test(v) || !/^[A-Za-z0-9-]+$/.test(k))
          throw new NotifyError(`email: invalid header ${k}`, false);
      }
      const boundary = `b-${randomUUID()}`;
      const parts: string[] = [];
      const text = cfg.text ? t(cfg.text) : '';
      const html = cfg.html ? t(cfg.html) : '';
      if (text)
        parts.push(`Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(text)}`);
      if (html)
        parts.push(`Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(html)}`);
      headers.push(['Content-Type', `multipart/alternative; boundary="${boundary}"`]);
      const message = `${headers.map(([k, v]) => `${k}: ${encodeHeader(v)}`).join('\r\n')}\r\n\r\n${parts
        .map((p) => `--${boundary}\r\n${p}\r\n`)
        .join('')}--${boundary}--\r\n`;
      await sendMail({
        smarthost: cfg.smarthost,
        hello: cfg.hello,
        from,
        to,
        data: message,
        requireTls: cfg.requireTls,
        firewall,
        timeoutMs,
        ...(cfg.authUsername !== undefined ? { username: cfg.authUsername } : {}),
        ...(cfg.authPassword !== undefined ? { password: cfg.authPassword } : {}),
      });
    },
  };
}

function b64(s: string): string {
  return (
    Buffer.from(s, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
}

/** RFC 2047 encoded-word for non-ASCII header values. */
function encodeHeader(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) ? v : `=?UTF-8?B?${Buffer.from(v, 'utf8').toString('base64')}?=`;
}
