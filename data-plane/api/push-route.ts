import type { FastifyInstance } from 'fastify';
import { type CredentialSource, requireScope, tenantOf } from '../gateway/index.js';
import type { TenantId } from '../model/index.js';
import { publicMessage, statusOf } from './errors.js';

/** The framework-free remote-write handler (data-plane/distributor's createPushHandler). */
export type PushHandler = (req: {
  tenantId: TenantId;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  remoteWriteVersion: string | undefined;
  body: Uint8Array;
}) => Promise<{ status: number; headers: Record<string, string>; body: string }>;

export interface PushRouteOptions {
  credentials: CredentialSource;
  handler: PushHandler;
  /** Compressed request body limit. */
  maxRequestBytes: number;
}

/** `POST /api/v1/push`: Prometheus remote write, authenticated with a `metrics:write` token. */
export async function pushRoute(app: FastifyInstance, opts: PushRouteOptions): Promise<void> {
  app.register(async (scoped) => {
    // Raw bytes for any content type: the handler decides what it accepts (415 otherwise).
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.maxRequestBytes }, (_req, body, done) => {
      done(null, body);
    });
    scoped.post('/api/v1/push', { onRequest: requireScope(opts.credentials, 'metrics:write') }, async (req, reply) => {
      try {
        const body = Buffer.isBuffer(req.body)
          ? new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.length)
          : new Uint8Array();
        const res = await opts.handler({
          tenantId: tenantOf(req),
          contentType: req.headers['content-type'],
          contentEncoding: req.headers['content-encoding'],
          remoteWriteVersion: header(req.headers['x-prometheus-remote-write-version']),
          body,
        });
        reply.code(res.status).headers(res.headers);
        return res.status === 204 ? reply.send() : reply.type('text/plain; charset=utf-8').send(res.body);
      } catch (err) {
        return reply
          .code(statusOf(err))
          .type('text/plain; charset=utf-8')
          .send(`${publicMessage(err)}\n`);
      }
    });
  });
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
