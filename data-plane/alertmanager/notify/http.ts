import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { HttpConfig } from '../config/index.js';
import type { Firewall } from './firewall.js';

/** A failed notification; `retryable` says whether sending again may help. */
export class NotifyError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'NotifyError';
  }
}

/**
 * A DNS lookup that refuses addresses the firewall blocks: the check runs on the RESOLVED address
 * at connect time, so a hostname that resolves to 127.0.0.1 (or rebinds to it) is refused.
 */
export function guardedLookup(firewall: Firewall): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.find((a) => !firewall.allows(a.address));
      if (bad || addresses.length === 0) {
        const e = Object.assign(new Error(`receiver address ${bad?.address ?? hostname} is blocked by the firewall`), {
          code: 'EBLOCKED',
        });
        return callback(e, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/** Throws when a literal-IP URL points at a blocked address (net.connect skips lookup for literals). */
export function checkLiteralHost(hostname: string, firewall: Firewall): void {
  const h = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(h) !== 0 && !firewall.allows(h)) {
    throw new NotifyError(`receiver address ${h} is blocked by the firewall`, false);
  }
}

export interface HttpPostOptions {
  firewall: Firewall;
  httpConfig?: HttpConfig;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * POSTs a body and resolves with the status and (first 64 KiB of the) answer. Redirects are not
 * followed: a 3xx is a failure, so a receiver cannot bounce us to an internal address.
 */
export function httpPost(
  url: string,
  body: string | Buffer,
  opts: HttpPostOptions,
): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return Promise.reject(new NotifyError(`unsupported URL scheme ${u.protocol}`, false));
  }
  try {
    checkLiteralHost(u.hostname, opts.firewall);
  } catch (e) {
    return Promise.reject(e);
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'cortex-ts-alertmanager',
    ...opts.headers,
  };
  const hc = opts.httpConfig;
  if (hc?.basicAuth) {
    headers.authorization = `Basic ${Buffer.from(`${hc.basicAuth.username}:${hc.basicAuth.password}`).toString('base64')}`;
  } else if (hc?.authorization) headers.authorization = `${hc.authorization.type} ${hc.authorization.credentials}`;
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: 'POST',
        headers,
        lookup: guardedLookup(opts.firewall),
        timeout: opts.timeoutMs,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(u.protocol === 'https:' ? { rejectUnauthorized: !hc?.insecureSkipVerify } : {}),
      },
      (res) => {
        let size = 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (size < 65536) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(new NotifyError(e.message, true)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${u.host} timed out`)));
    req.on('error', (e: Error & { code?: string }) => reject(new NotifyError(e.message, e.code !== 'EBLOCKED')));
    req.end(body);
  });
}

/** Maps an HTTP answer to success or a NotifyError (5xx and 429 are worth retrying). */
export function checkStatus(what: string, res: { status: number; body: string }): void {
  if (res.status >= 200 && res.status < 300) return;
  const retryable = res.status >= 500 || res.status === 429;
  throw new NotifyError(`${what}: unexpected status code ${res.status}: ${res.body.slice(0, 200)}`, retryable);
}
