/**
 * A loopback HTTP proxy in front of an emulator that can answer chosen requests itself: throttling
 * (`ProvisionedThroughputExceededException`, S3 `SlowDown`), unprocessed batch items, or anything a
 * test needs. Everything else is forwarded unchanged (headers included, so signatures still match).
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** Decides per request: an answer to send instead of forwarding, or undefined to forward. */
export type FaultRule = (req: {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}) => FaultAnswer | undefined;

export interface FaultProxy {
  readonly url: string;
  rule: FaultRule | undefined;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const t = new URL(target);
  const proxy: FaultProxy & { server?: Server } = {
    url: '',
    rule: undefined,
    close: () => new Promise<void>((r) => proxy.server!.close(() => r())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = proxy.rule?.({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      if (answer) {
        res.writeHead(answer.status, { 'content-length': Buffer.byteLength(answer.body), ...answer.headers });
        res.end(answer.body);
        return;
      }
      const fwd = request(
        { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      fwd.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      fwd.end(body);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.server = server;
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** DynamoDB's throttling answer (JSON 1.0 protocol). */
export const DYNAMO_THROTTLE: FaultAnswer = {
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  }),
};

/** S3's throttling answer. */
export const S3_SLOWDOWN: FaultAnswer = {
  status: 503,
  headers: { 'content-type': 'application/xml' },
  body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
};

/** The DynamoDB operation of a request (`BatchWriteItem`, …) from its X-Amz-Target header. */
export function dynamoOp(headers: IncomingMessage['headers']): string {
  return String(headers['x-amz-target'] ?? '').split('.')[1] ?? '';
}
