import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { type CredentialSource, parseAuthorization, type Scope, tenantOf } from '../gateway/index.js';
import { BadDataError, ForbiddenError, UnauthorizedError } from '../model/index.js';
import { alertsResponse, type RuleGroupsView, type RulesFilter, rulesResponse } from '../ruler/index.js';
import { prometheusErrorBody, statusOf } from './errors.js';

export interface RulerRoutesOptions {
  ruler: RuleGroupsView;
  credentials: CredentialSource;
}

const READ_SCOPES: readonly Scope[] = ['metrics:read', 'rules:read'];

/**
 * Prometheus's `GET /api/v1/rules` and `GET /api/v1/alerts` for the tenant's ruler state (Grafana
 * uses them to detect a ruler and list rules). Mount under `/prometheus`. Either `metrics:read` or
 * `rules:read` is enough, as Grafana's data-source token usually carries only the first.
 */
export async function rulerRoutes(app: FastifyInstance, opts: RulerRoutesOptions): Promise<void> {
  const onRequest = requireAnyScope(opts.credentials, READ_SCOPES);
  app.get('/api/v1/rules', { onRequest }, async (req, reply) =>
    answer(reply, () => rulesResponse(opts.ruler, tenantOf(req), rulesFilter(req.query as Record<string, unknown>))),
  );
  app.get('/api/v1/alerts', { onRequest }, async (req, reply) =>
    answer(reply, () => alertsResponse(opts.ruler, tenantOf(req))),
  );
}

function answer(reply: FastifyReply, fn: () => unknown): FastifyReply {
  try {
    return reply.code(200).header('content-type', 'application/json').send({ status: 'success', data: fn() });
  } catch (err) {
    return reply.code(statusOf(err)).send(prometheusErrorBody(err));
  }
}

/** Query parameters of /api/v1/rules; `name[]` and `name` are both accepted, as clients send either. */
export function rulesFilter(q: Record<string, unknown>): RulesFilter {
  const list = (name: string): string[] => {
    const vals: unknown[] = [];
    for (const k of [name, `${name}[]`]) {
      const v = q[k];
      if (Array.isArray(v)) vals.push(...v);
      else if (v !== undefined) vals.push(v);
    }
    return vals.map(String);
  };
  const f: RulesFilter = { ruleName: list('rule_name'), ruleGroup: list('rule_group'), file: list('file') };
  const type = q.type;
  if (type !== undefined && type !== '') {
    if (type !== 'alert' && type !== 'record') throw new BadDataError(`invalid query parameter type: ${String(type)}`);
    f.type = type;
  }
  const ex = q.exclude_alerts;
  if (ex !== undefined && ex !== '') {
    if (ex !== 'true' && ex !== 'false')
      throw new BadDataError(`invalid query parameter exclude_alerts: ${String(ex)}`);
    f.excludeAlerts = ex === 'true';
  }
  return f;
}

/** The gateway check with a choice of scopes (the gateway's `requireScope` takes exactly one). */
function requireAnyScope(credentials: CredentialSource, scopes: readonly Scope[]): onRequestHookHandler {
  return async function rulerAuth(req: FastifyRequest, reply: FastifyReply) {
    delete req.headers['x-scope-orgid'];
    delete req.headers.cookie;
    try {
      const { token, claimedTenant } = parseAuthorization(req.headers.authorization);
      const p = await credentials.authenticate(token);
      if (!p || (claimedTenant !== undefined && claimedTenant !== p.tenantId)) {
        throw new UnauthorizedError('invalid, expired or revoked token');
      }
      if (p.tenantStatus === 'suspended') {
        throw new ForbiddenError(`tenant ${p.tenantId} is suspended; contact your administrator`);
      }
      if (!scopes.some((s) => p.scopes.includes(s))) {
        throw new ForbiddenError(
          `token lacks the ${scopes.join(' or ')} scope required for ${req.method} ${req.routeOptions.url}`,
        );
      }
      req.principal = p;
    } catch (err) {
      const status = statusOf(err);
      if (status === 401) reply.header('www-authenticate', 'Bearer realm="cortex"');
      reply.code(status).send(prometheusErrorBody(err));
      return reply;
    }
  };
}
