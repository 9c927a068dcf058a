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

/** The framework-free OTLP handler (data-plane/otlp's createOtlpHandler). */
export type OtlpHandler = (req: {
  tenantId: TenantId;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  body: Uint8Array;
}) => Promise<{ status: number; headers: Record<string, string>; body: Uint8Array | string }>;

export interface PushRouteOptions {
  credentials: CredentialSource;
  handler: PushHandler;
  /** Mounts `POST /otlp/v1/metrics` and `/api/v1/otlp/v1/metrics` beside push, same scope and limits. */
  otlp?: OtlpHandler;
  /** Compressed request body limit. */
  maxRequestBytes: number;
  /**
   * Called with the request's (compressed) body size when a write was acknowledged: 2xx (but 202,
   * an HA replica's request dropped on purpose), or a partial 400 whose valid series were stored.
   * Usage metering counts it as request bytes.
   */
  onAcknowledged?: (tenantId: TenantId, requestBytes: number) => void;
}

/** Written, wholly or partly: 2xx except 202 (a non-elected HA replica's request, dropped on purpose), or a partial 400. */
function acknowledged(status: number): boolean {
  return (status >= 200 && status < 300 && status !== 202) || status === 400;
}

/**
 * `POST /api/v1/push`: Prometheus remote write, authenticated with a `metrics:write` token; with
 * `otlp`, also OTLP/HTTP metrics at `/otlp/v1/metrics` and `/api/v1/otlp/v1/metrics`.
 */
export async function pushRoute(app: FastifyInstance, opts: PushRouteOptions): Promise<void> {
  app.register(async (scoped) => {
    // Raw bytes for any content type: the handler decides what it accepts (415 otherwise).
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.maxRequestBytes }, (_req, body, done) => {
      done(null, body);
    });
    if (opts.otlp) await otlpRoute(scoped, opts, opts.otlp);
    scoped.post('/api/v1/push', { onRequest: requireScope(opts.credentials, 'metrics:write') }, async (req, reply) => {
      try {
        const body = Buffer.isBuffer(req.body)
          ? new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.length)
          : new Uint8Array();
        const tenantId = tenantOf(req);
        const res = await opts.handler({
          tenantId,
          contentType: req.headers['content-type'],
          contentEncoding: req.headers['content-encoding'],
          remoteWriteVersion: header(req.headers['x-prometheus-remote-write-version']),
          body,
        });
        if (opts.onAcknowledged && acknowledged(res.status)) opts.onAcknowledged(tenantId, body.length);
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

async function otlpRoute(scoped: FastifyInstance, opts: PushRouteOptions, otlp: OtlpHandler): Promise<void> {
  const onRequest = requireScope(opts.credentials, 'metrics:write');
  for (const path of OTLP_PATHS) {
    scoped.post(path, { onRequest }, async (req, reply) => {
      const body = Buffer.isBuffer(req.body)
        ? new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.length)
        : new Uint8Array();
      const tenantId = tenantOf(req);
      const res = await otlp({
        tenantId,
        contentType: header(req.headers['content-type']),
        contentEncoding: header(req.headers['content-encoding']),
        body,
      });
      if (opts.onAcknowledged && acknowledged(res.status)) opts.onAcknowledged(tenantId, body.length);
      reply.code(res.status).headers(res.headers);
      return reply.send(
        typeof res.body === 'string' ? res.body : Buffer.from(res.body.buffer, res.body.byteOffset, res.body.length),
      );
    });
  }
}

export const OTLP_PATHS = ['/otlp/v1/metrics', '/api/v1/otlp/v1/metrics'] as const;

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
