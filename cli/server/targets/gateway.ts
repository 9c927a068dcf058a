/**
 * Target `gateway`: tenant authentication (tokens from the control plane, cached), the tenant
 * config APIs (rules, Alertmanager configs) written through the admin API, and a proxy of whatever
 * this process does not serve itself to a healthy instance of the right ring, as a cluster peer.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ControlPlane } from '../../../control-plane/index.js';
import { configRoutes } from '../../../data-plane/api/index.js';
import type { ClusterAuth } from '../../../data-plane/api/internal-auth.js';
import {
  CredentialCache,
  type CredentialSource,
  HttpCredentialSource,
  principalFromJson,
  queryTenantOf,
  requireScope,
  type Scope,
} from '../../../data-plane/gateway/index.js';
import type { QueryTenant } from '../../../data-plane/model/index.js';
import { AdminApiConfigStore } from '../../../data-plane/modules/index.js';
import type { InstanceDesc, RingName } from '../../../data-plane/ring/index.js';
import { createAuthThrottle, httpAuthThrottleRecorder } from '../auth-throttle.js';
import { activeInstances, type TargetContext } from './context.js';

/** Where tenants' tokens are checked (only a gateway accepts them; peers use the cluster secret). */
export function gatewayTenantSource(ctx: TargetContext, cp: ControlPlane | undefined): CredentialSource | undefined {
  if (!ctx.targets.has('gateway')) return undefined;
  const record = cp
    ? (e: Parameters<typeof cp.internal.recordAuthThrottle>[0]) => cp.internal.recordAuthThrottle(e)
    : httpAuthThrottleRecorder(ctx.split.controlPlaneUrl!, ctx.auth.headers());
  const throttle = createAuthThrottle(ctx.cfg.authThrottle, ctx.registry, ctx.logger, record);
  return new CredentialCache({
    ...(throttle ? { throttle } : {}),
    source: cp
      ? {
          authenticate: async (token) => {
            const r = await cp.internal.authenticate(token);
            return r ? principalFromJson(r) : undefined;
          },
        }
      : new HttpCredentialSource(ctx.split.controlPlaneUrl!, ctx.cfg.clusterSecret),
  });
}

/**
 * Tenant config APIs (rules, Alertmanager config) write through the admin API as the operator
 * would: in-process next to the control plane, else over HTTP with the operator's root token.
 */
export async function gatewayConfigRoutes(
  ctx: TargetContext,
  cp: ControlPlane | undefined,
  credentials: CredentialSource,
): Promise<void> {
  const { app, cfg } = ctx;
  if (!ctx.targets.has('gateway') || !(cp || ctx.split.rootTokenGiven)) return;
  const cpUrl = ctx.split.controlPlaneUrl;
  const configStore = new AdminApiConfigStore(async (method, path, body) => {
    if (cp) {
      const res = await app.inject({
        method,
        url: `/admin/api/v1${path}`,
        headers: { authorization: `Bearer ${cfg.rootToken}` },
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    }
    const res = await fetch(`${cpUrl}/admin/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${cfg.rootToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  });
  await app.register(configRoutes, { store: configStore, credentials });
}

/** Which tenant paths this process serves itself (the rest a gateway proxies). */
export interface LocalServices {
  querier: boolean;
  distributor: boolean;
  ruler: boolean;
  alertmanager: boolean;
}

/** The gateway's proxy: what is not served here goes to a healthy instance (round robin). */
export async function gatewayProxyRoutes(
  ctx: TargetContext,
  local: LocalServices,
  credentials: CredentialSource,
): Promise<void> {
  const proxyTargets: { prefix: string; scope: Scope | Scope[]; ring: RingName[] }[] = [];
  if (ctx.targets.has('gateway')) {
    if (!local.querier) {
      proxyTargets.push({ prefix: '/prometheus/api/v1/', scope: 'metrics:read', ring: ['query-frontend', 'querier'] });
      for (const prefix of ['/api/v1/user_stats', '/api/v1/user_limits', '/api/v1/cardinality/']) {
        proxyTargets.push({ prefix, scope: 'metrics:read', ring: ['query-frontend', 'querier'] });
      }
    }
    if (!local.distributor) {
      for (const prefix of ['/api/v1/push', '/otlp/v1/metrics', '/api/v1/otlp/v1/metrics']) {
        proxyTargets.push({ prefix, scope: 'metrics:write', ring: ['distributor'] });
      }
    }
    if (!local.ruler) {
      proxyTargets.push({ prefix: '/prometheus/api/v1/rules', scope: 'rules:read', ring: ['ruler'] });
      proxyTargets.push({ prefix: '/prometheus/api/v1/alerts', scope: 'rules:read', ring: ['ruler'] });
    }
    if (!local.alertmanager) {
      proxyTargets.push({ prefix: '/alertmanager/', scope: ['alerts:read', 'alerts:write'], ring: ['alertmanager'] });
    }
  }
  if (proxyTargets.length === 0) return;
  const rr = new Map<string, number>();
  const pick = async (names: RingName[]): Promise<InstanceDesc[]> => {
    for (const name of names) {
      const insts = activeInstances(await ctx.ring(name)).filter((i) => i.addr !== ctx.split.advertiseUrl);
      if (insts.length > 0) {
        const k = (rr.get(name) ?? 0) + 1;
        rr.set(name, k);
        return insts.map((_, i) => insts[(i + k) % insts.length]!);
      }
    }
    return [];
  };
  for (const name of new Set(proxyTargets.flatMap((p) => p.ring))) await ctx.ring(name);
  await ctx.app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 << 20 }, (_r, b, done) => done(null, b));
    for (const p of proxyTargets) {
      const handler = async (req: FastifyRequest, reply: FastifyReply) =>
        proxy(req, reply, queryTenantOf(req), await pick(p.ring), ctx.auth);
      // the query API may read several tenants (authorised here, passed on as `X-Scope-OrgID: a|b|c`)
      const federated = p.prefix === '/prometheus/api/v1/';
      const opts = { onRequest: requireScope(credentials, p.scope, { federated }) };
      if (p.prefix.endsWith('/')) {
        scoped.all(`${p.prefix}*`, opts, handler);
      } else scoped.all(p.prefix, opts, handler);
    }
  });
}

const HOP_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'authorization',
  'cookie',
  'x-scope-orgid',
  'keep-alive',
  'upgrade',
]);

/** Forwards a tenant request to the first instance that answers, as a cluster peer for `tenant`. */
async function proxy(
  req: FastifyRequest,
  reply: FastifyReply,
  tenant: QueryTenant,
  instances: InstanceDesc[],
  auth: ClusterAuth,
): Promise<FastifyReply> {
  if (instances.length === 0) {
    return reply
      .code(503)
      .send({ status: 'error', errorType: 'unavailable', error: 'no healthy instance to serve this request' });
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || HOP_HEADERS.has(k)) continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  Object.assign(headers, auth.headers(tenant));
  const body = Buffer.isBuffer(req.body) ? req.body : undefined;
  let lastErr: unknown;
  // A connection failure means the request never arrived: the next instance may take it.
  for (const inst of instances.slice(0, 3)) {
    let res: Response;
    try {
      res = await fetch(`${inst.addr}${req.url}`, {
        method: req.method,
        headers,
        ...(body && req.method !== 'GET' && req.method !== 'HEAD' ? { body } : {}),
        signal: AbortSignal.timeout(130_000),
      });
    } catch (err) {
      lastErr = err;
      continue;
    }
    reply.code(res.status);
    res.headers.forEach((v, k) => {
      if (!HOP_HEADERS.has(k) && k !== 'content-encoding') reply.header(k, v);
    });
    return reply.send(Buffer.from(await res.arrayBuffer()));
  }
  return reply.code(503).send({
    status: 'error',
    errorType: 'unavailable',
    error: `no instance answered: ${(lastErr as Error)?.message ?? String(lastErr)}`,
  });
}
