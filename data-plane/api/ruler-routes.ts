import type { FastifyInstance, FastifyReply } from 'fastify';
import { type CredentialSource, requireScope, type Scope, tenantOf } from '../gateway/index.js';
import { BadDataError } from '../model/index.js';
import {
  alertsResponse,
  type RuleGroupsView,
  type RulesFilter,
  rulesResponse,
  type ShardedRuleGroups,
} from '../ruler/index.js';
import { prometheusErrorBody, statusOf } from './errors.js';

export interface RulerRoutesOptions {
  ruler: RuleGroupsView;
  credentials: CredentialSource;
  /** Split mode: answer from every ruler in the ring (`new ShardedRuleGroups({ local, ring, peers })`). */
  sharded?: ShardedRuleGroups;
}

const READ_SCOPES: readonly Scope[] = ['metrics:read', 'rules:read'];

/**
 * Prometheus's `GET /api/v1/rules` and `GET /api/v1/alerts` for the tenant's ruler state (Grafana
 * uses them to detect a ruler and list rules). Mount under `/prometheus`. Either `metrics:read` or
 * `rules:read` is enough, as Grafana's data-source token usually carries only the first.
 */
export async function rulerRoutes(app: FastifyInstance, opts: RulerRoutesOptions): Promise<void> {
  const onRequest = requireScope(opts.credentials, READ_SCOPES);
  const sharded = opts.sharded;
  app.get('/api/v1/rules', { onRequest }, async (req, reply) =>
    answer(reply, () => {
      const filter = rulesFilter(req.query as Record<string, unknown>);
      return sharded ? sharded.rules(tenantOf(req), filter) : rulesResponse(opts.ruler, tenantOf(req), filter);
    }),
  );
  app.get('/api/v1/alerts', { onRequest }, async (req, reply) =>
    answer(reply, () => (sharded ? sharded.alerts(tenantOf(req)) : alertsResponse(opts.ruler, tenantOf(req)))),
  );
}

async function answer(reply: FastifyReply, fn: () => unknown): Promise<FastifyReply> {
  try {
    const data = await fn();
    return reply.code(200).header('content-type', 'application/json').send({ status: 'success', data });
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
