import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Firewall } from './firewall.js';
import { checkLiteralHost, guardedLookup, NotifyError } from './http.js';

export interface SmtpMessage {
  smarthost: string;
  hello: string;
  from: string;
  to: string[];
  /** Full RFC 5322 message (headers, blank line, body) with CRLF line ends. */
  data: string;
  username?: string;
  password?: string;
  requireTls: boolean;
  firewall: Firewall;
  timeoutMs: number;
  /** Accept any server certificate (tests; mirrors tls_config.insecure_skip_verify). */
  insecureSkipVerify?: boolean;
}

/** Reads SMTP replies (multi-line `250-…` until `250 …`) from a socket. */
class ReplyReader {
  private buf = '';
  private waiting: ((r: { code: number; text: string }) => void) | undefined;
  private failed: Error | undefined;
  private failWaiter: ((e: Error) => void) | undefined;

  constructor(private sock: Socket | TLSSocket) {
    this.attach(sock);
  }

  attach(sock: Socket | TLSSocket): void {
    this.sock = sock;
    sock.setEncoding('utf8');
    sock.on('data', (c: string) => {
      this.buf += c;
      this.pump();
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('connection closed')));
  }

  private fail(e: Error): void {
    this.failed ??= e;
    this.failWaiter?.(e);
  }

  private pump(): void {
    if (!this.waiting) return;
    const lines = this.buf.split('\r\n');
    for (let i = 0; i < lines.length - 1; i++) {
      const l = lines[i]!;
      if (/^\d{3} /.test(l) || /^\d{3}$/.test(l)) {
        const text = lines.slice(0, i + 1).join('\n');
        this.buf = lines.slice(i + 1).join('\r\n');
        const w = this.waiting;
        this.waiting = undefined;
        w({ code: Number(l.slice(0, 3)), text });
        return;
      }
    }
  }

  read(): Promise<{ code: number; text: string }> {
    return new Promise((resolve, reject) => {
      if (this.failed && this.buf === '') return reject(this.failed);
      this.waiting = resolve;
      this.failWaiter = reject;
      this.pump();
    });
  }

  async cmd(line: string, expect: number): Promise<string> {
    this.sock.write(`${line}\r\n`);
    return this.expect(expect, line.split(' ')[0]!);
  }

  async expect(code: number, what: string): Promise<string> {
    const r = await this.read();
    if (Math.floor(r.code / 100) !== Math.floor(code / 100)) {
      throw new NotifyError(`smtp ${what}: ${r.text}`, r.code >= 400 && r.code < 500);
    }
    return r.text;
  }
}

/**
 * Sends one message over SMTP: plaintext, STARTTLS when offered (or required), implicit TLS on port
 * 465, AUTH PLAIN only over TLS. The connection goes through the receiver firewall like HTTP does.
 */
export async function sendMail(m: SmtpMessage): Promise<void> {
  const idx = m.smarthost.lastIndexOf(':');
  const host = m.smarthost.slice(0, idx).replace(/^\[|\]$/g, '');
  const port = Number(m.smarthost.slice(idx + 1));
  checkLiteralHost(host, m.firewall);
  const lookup = guardedLookup(m.firewall);
  const implicitTls = port === 465;
  const sock: Socket | TLSSocket = implicitTls
    ? tlsConnect({ host, port, lookup, servername: host, rejectUnauthorized: !m.insecureSkipVerify })
    : netConnect({ host, port, lookup });
  sock.setTimeout(m.timeoutMs, () => sock.destroy(new Error('smtp timeout')));
  const r = new ReplyReader(sock);
  let current: Socket | TLSSocket = sock;
  try {
    await r.expect(220, 'greeting');
    let ehlo = await r.cmd(`EHLO ${m.hello}`, 250);
    let secure = implicitTls;
    if (!secure && /\bSTARTTLS\b/i.test(ehlo)) {
      await r.cmd('STARTTLS', 220);
      sock.removeAllListeners('data');
      sock.removeAllListeners('close');
      sock.removeAllListeners('error');
      const tls = tlsConnect({ socket: sock, servername: host, rejectUnauthorized: !m.insecureSkipVerify });
      await new Promise<void>((res, rej) => {
        tls.once('secureConnect', () => res());
        tls.once('error', rej);
      });
      current = tls;
      r.attach(tls);
      secure = true;
      ehlo = await r.cmd(`EHLO ${m.hello}`, 250);
    }
    if (m.requireTls && !secure)
      throw new NotifyError('smtp: require_tls is set but the server does not offer STARTTLS', false);
    if (m.username !== undefined && m.username !== '') {
      if (!secure) throw new NotifyError('smtp: refusing to send credentials over an unencrypted connection', false);
      const token = Buffer.from(`\u0000${m.username}\u0000${m.password ?? ''}`).toString('base64');
      await r.cmd(`AUTH PLAIN ${token}`, 235);
    }
    await r.cmd(`MAIL FROM:<${m.from}>`, 250);
    for (const to of m.to) await r.cmd(`RCPT TO:<${to}>`, 250);
    await r.cmd('DATA', 354);
    const body = m.data.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    current.write(`${body}\r\n.\r\n`);
    await r.expect(250, 'DATA');
    await r.cmd('QUIT', 221).catch(() => {});
  } catch (e) {
    if (e instanceof NotifyError) throw e;
    throw new NotifyError(`smtp ${m.smarthost}: ${(e as Error).message}`, (e as { code?: string }).code !== 'EBLOCKED');
  } finally {
    current.destroy();
  }
}
