import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type CredentialSource, queryTenantOf, requireScope, tenantOf } from '../gateway/index.js';
import type { QueryTenant } from '../model/index.js';
import { prometheusErrorBody, statusOf } from './errors.js';
import { Params } from './params.js';
import { astJson } from './parse-query.js';
import type { ApiAnswer, PrometheusApi } from './prometheus-api.js';
import type { UsageApi } from './usage-api.js';

export interface PrometheusRoutesOptions {
  api: PrometheusApi;
  credentials: CredentialSource;
  buildInfo: Record<string, unknown>;
  /** Where genuine server faults (500) are reported, with the tenant and the request. */
  logger?: { error(msg: string): void };
}

type Handler<T extends QueryTenant> = (
  tenantId: T,
  p: Params,
  req: FastifyRequest,
  signal: AbortSignal,
) => Promise<ApiAnswer> | ApiAnswer;

/**
 * Registers the Prometheus query API under the plugin's prefix (`/prometheus/api/v1/...`). Thin: auth
 * through the gateway hook, parameters merged from query string and form body, Prometheus envelope.
 */
export async function prometheusRoutes(app: FastifyInstance, opts: PrometheusRoutesOptions): Promise<void> {
  // queries may read several tenants (X-Scope-OrgID: a|b|c), as far as the token's grant reaches
  const route = apiRouter(app, opts.credentials, queryTenantOf, opts.logger);
  const { api } = opts;
  // what fails before a handler runs (a body too large or malformed) still gets Prometheus's envelope
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const client = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500;
    if (!client) opts.logger?.error(`query API fault: path=${req.url.split('?')[0]} err=${err.stack ?? String(err)}`);
    return reply.code(client ? 400 : 500).send({
      status: 'error',
      errorType: client ? 'bad_data' : 'internal',
      error: client ? err.message : 'internal server error',
    });
  });
  route('/query', ['GET', 'POST'], (t, p, _r, s) => api.query(t, p, s));
  route('/query_range', ['GET', 'POST'], (t, p, _r, s) => api.queryRange(t, p, s));
  route('/series', ['GET', 'POST'], (t, p, _r, s) => api.series(t, p, s));
  route('/labels', ['GET', 'POST'], (t, p, _r, s) => api.labelNames(t, p, s));
  route('/label/:name/values', ['GET'], (t, p, r, s) => api.labelValues(t, (r.params as { name: string }).name, p, s));
  route('/metadata', ['GET'], (t, p) => api.metadata(t, p));
  route('/query_exemplars', ['GET', 'POST'], (t, p) => api.queryExemplars(t, p));
  route('/format_query', ['GET', 'POST'], (_t, p) => api.formatQuery(p));
  route('/parse_query', ['GET', 'POST'], (_t, p) => ({ data: astJson(p.required('query')) }));
  route('/status/buildinfo', ['GET'], () => ({ data: opts.buildInfo }));
}

/** Mimir's tenant usage endpoints (`user_stats`, `user_limits`, `cardinality/*`). */
export async function usageRoutes(
  app: FastifyInstance,
  opts: { usage: UsageApi; credentials: CredentialSource },
): Promise<void> {
  const route = apiRouter(app, opts.credentials, tenantOf);
  route('/user_stats', ['GET'], (t) => opts.usage.userStats(t));
  route('/user_limits', ['GET'], (t) => opts.usage.userLimits(t));
  route('/usage_report', ['GET'], (t, p) => opts.usage.usageReport(t, p));
  route('/cardinality/label_names', ['GET', 'POST'], (t, p) => opts.usage.labelNames(t, p));
  route('/cardinality/label_values', ['GET', 'POST'], (t, p) => opts.usage.labelValues(t, p));
}

/** Registers `/api/v1<path>` handlers behind the gateway's `metrics:read` check with Prometheus envelopes. */
function apiRouter<T extends QueryTenant>(
  app: FastifyInstance,
  credentials: CredentialSource,
  tenantFrom: (req: FastifyRequest) => T,
  logger?: { error(msg: string): void },
) {
  const read = requireScope(credentials, 'metrics:read', { federated: tenantFrom === queryTenantOf });
  return (path: string, methods: ('GET' | 'POST')[], handler: Handler<T>) => {
    app.route({
      method: methods,
      url: `/api/v1${path}`,
      onRequest: read,
      handler: async (req, reply) => {
        // A client that hangs up before the answer cancels the query.
        const abort = new AbortController();
        const onClose = () => {
          if (!reply.raw.writableFinished) abort.abort();
        };
        reply.raw.once('close', onClose);
        try {
          const params = new Params(req.query as Record<string, unknown>, bodyParams(req));
          const ans = await handler(tenantFrom(req), params, req, abort.signal);
          return sendSuccess(reply, ans);
        } catch (err) {
          const status = statusOf(err);
          if (status === 500) {
            // the client sees only "internal server error"; the operator sees what and for whom
            const q = (req.query as Record<string, unknown>)?.query ?? bodyParams(req)?.get('query');
            logger?.error(
              `query API fault: tenant=${tenantFrom(req)} path=${req.url.split('?')[0]} query=${JSON.stringify(q ?? '')} err=${(err as Error)?.stack ?? String(err)}`,
            );
          }
          return reply.code(status).send(prometheusErrorBody(err));
        } finally {
          reply.raw.off('close', onClose);
        }
      },
    });
  };
}

function sendSuccess(reply: FastifyReply, ans: ApiAnswer): FastifyReply {
  if (ans.rawData) {
    // the same envelope, around `data` bytes rendered on a query worker
    let tail = '';
    if (ans.warnings) tail += `,"warnings":${JSON.stringify(ans.warnings)}`;
    if (ans.infos) tail += `,"infos":${JSON.stringify(ans.infos)}`;
    const body = Buffer.concat([SUCCESS_HEAD, ans.rawData, Buffer.from(`${tail}}`)]);
    return reply.code(200).header('content-type', 'application/json').send(body);
  }
  const body: Record<string, unknown> = { status: 'success', data: ans.data };
  if (ans.warnings) body.warnings = ans.warnings;
  if (ans.infos) body.infos = ans.infos;
  return reply.code(200).header('content-type', 'application/json').send(body);
}

const SUCCESS_HEAD = Buffer.from('{"status":"success","data":');

function bodyParams(req: FastifyRequest): URLSearchParams | undefined {
  return req.body instanceof URLSearchParams ? req.body : undefined;
}

/** Adds the form-body parser Prometheus's POST endpoints rely on (idempotent per instance). */
export function addFormBodyParser(app: FastifyInstance): void {
  if (app.hasContentTypeParser('application/x-www-form-urlencoded')) return;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    // a 128 KiB query of multi-byte characters is about 1.5 MiB once percent-encoded
    { parseAs: 'string', bodyLimit: 4 << 20 },
    (_req, body, done) => {
      done(null, new URLSearchParams(body as string));
    },
  );
}
