import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isScalar, parseDocument, stringify as stringifyYaml, visit } from 'yaml';
import { authorizeTenants, type CredentialSource, requireScope, tenantOf } from '../gateway/index.js';
import { BadDataError, isTenantId, NotFoundError, type TenantId } from '../model/index.js';
import { countYamlIndicators, MAX_YAML_INDICATORS } from '../validation/index.js';
import type { RuleGroupObject, TenantConfigStore } from './config-store.js';
import { prometheusErrorBody, statusOf } from './errors.js';

export interface ConfigRoutesOptions {
  store: TenantConfigStore;
  credentials: CredentialSource;
  /** Largest YAML body accepted. */
  maxBodyBytes?: number;
}

/**
 * Duplicate keys are found by `firstDuplicateKey` in linear time: the yaml library's own `uniqueKeys`
 * check compares every pair of keys (a 200 kB mapping took seconds of event-loop time, found by the
 * rules-yaml fuzz target).
 */
// prettyErrors off: it computes a line and column for every error, quadratic on a long broken line
const YAML_PARSE = { maxAliasCount: 100, uniqueKeys: false, prettyErrors: false } as const;
/** A lone UTF-16 surrogate (YAML's `"\ud800"` escape yields one): no UTF-8 encoding exists for it. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Tenant-facing configuration APIs, backed by the control plane: Mimir's ruler config API under
 * `/prometheus/config/v1/rules` (what Grafana's rule editor uses) and Cortex's Alertmanager config
 * API at `/api/v1/alerts`. Both speak YAML, as their upstreams do.
 */
export async function configRoutes(app: FastifyInstance, opts: ConfigRoutesOptions): Promise<void> {
  const { store } = opts;
  const rulesRead = requireScope(opts.credentials, 'rules:read');
  const rulesWrite = requireScope(opts.credentials, 'rules:write');
  const alertsRead = requireScope(opts.credentials, 'alerts:read');
  const alertsWrite = requireScope(opts.credentials, 'alerts:write');
  const bodyLimit = opts.maxBodyBytes ?? 4 << 20;

  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));

    const base = '/prometheus/config/v1/rules';
    scoped.get(base, { onRequest: rulesRead }, (req, reply) =>
      handle(reply, async () => yamlReply(reply, await store.listRuleGroups(tenantOf(req)))),
    );
    scoped.get<{ Params: { ns: string } }>(`${base}/:ns`, { onRequest: rulesRead }, (req, reply) =>
      handle(reply, async () => {
        const groups = await store.namespaceRuleGroups(tenantOf(req), req.params.ns);
        if (groups.length === 0) throw new NotFoundError('no rule groups found');
        return yamlReply(reply, { [req.params.ns]: groups });
      }),
    );
    scoped.get<{ Params: { ns: string; group: string } }>(
      `${base}/:ns/:group`,
      { onRequest: rulesRead },
      (req, reply) =>
        handle(reply, async () => {
          const groups = await store.namespaceRuleGroups(tenantOf(req), req.params.ns);
          const g = groups.find((x) => x.name === req.params.group);
          if (!g) throw new NotFoundError('rule group does not exist');
          return yamlReply(reply, g);
        }),
    );
    scoped.post<{ Params: { ns: string } }>(`${base}/:ns`, { onRequest: rulesWrite }, (req, reply) =>
      handle(reply, async () => {
        const group = parseRuleGroupBody(req.body);
        authorizeSourceTenants(req, group.source_tenants);
        await store.putRuleGroup(tenantOf(req), req.params.ns, group);
        return reply.code(202).send({ status: 'success', data: null, errorType: '', error: '' });
      }),
    );
    scoped.delete<{ Params: { ns: string; group: string } }>(
      `${base}/:ns/:group`,
      { onRequest: rulesWrite },
      (req, reply) =>
        handle(reply, async () => {
          await store.deleteRuleGroup(tenantOf(req), req.params.ns, req.params.group);
          return reply.code(202).send({ status: 'success', data: null, errorType: '', error: '' });
        }),
    );
    scoped.delete<{ Params: { ns: string } }>(`${base}/:ns`, { onRequest: rulesWrite }, (req, reply) =>
      handle(reply, async () => {
        await store.deleteNamespace(tenantOf(req), req.params.ns);
        return reply.code(202).send({ status: 'success', data: null, errorType: '', error: '' });
      }),
    );

    scoped.get('/api/v1/alerts', { onRequest: alertsRead }, (req, reply) =>
      handle(reply, async () => {
        const cfg = await store.getAlertmanagerConfig(tenantOf(req));
        if (!cfg) throw new NotFoundError('the Alertmanager is not configured');
        return yamlReply(reply, { template_files: cfg.templates, alertmanager_config: cfg.config });
      }),
    );
    scoped.post('/api/v1/alerts', { onRequest: alertsWrite }, (req, reply) =>
      handle(reply, async () => {
        const { config, templates } = parseAlertmanagerBody(req.body);
        await store.putAlertmanagerConfig(tenantOf(req), config, templates);
        return reply.code(201).send();
      }),
    );
    scoped.delete('/api/v1/alerts', { onRequest: alertsWrite }, (req, reply) =>
      handle(reply, async () => {
        await store.deleteAlertmanagerConfig(tenantOf(req));
        return reply.code(200).send();
      }),
    );
  });
}

async function handle(reply: FastifyReply, fn: () => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return await fn();
  } catch (err) {
    return reply.code(statusOf(err)).send(prometheusErrorBody(err));
  }
}

function yamlReply(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.code(200).type('application/yaml').send(stringifyYaml(value));
}

function parseYamlBody(body: unknown, what: string): unknown {
  if (typeof body !== 'string' || body.trim() === '') throw new BadDataError(`${what}: empty request body`);
  if (countYamlIndicators(body) > MAX_YAML_INDICATORS) {
    throw new BadDataError(`${what}: more than ${MAX_YAML_INDICATORS} YAML lines, entries, anchors or tags`);
  }
  let value: unknown;
  try {
    const doc = parseDocument(body, YAML_PARSE);
    const first = doc.errors[0];
    if (first) throw new Error(`${first.message} at offset ${first.pos[0]}`);
    const dup = firstDuplicateKey(doc);
    if (dup !== undefined) throw new Error(`map keys must be unique; ${JSON.stringify(dup)} is repeated`);
    value = doc.toJS({ maxAliasCount: YAML_PARSE.maxAliasCount });
  } catch (err) {
    throw new BadDataError(`${what}: invalid YAML: ${(err as Error).message}`, { cause: err });
  }
  return value;
}

function firstDuplicateKey(doc: ReturnType<typeof parseDocument>): string | undefined {
  let dup: string | undefined;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const item of map.items) {
        const k = isScalar(item.key) ? `s:${String(item.key.value)}` : `n:${String(item.key)}`;
        if (seen.has(k)) {
          dup = k.slice(2);
          return visit.BREAK;
        }
        seen.add(k);
      }
      return undefined;
    },
  });
  return dup;
}

/**
 * YAML numbers may be `1e400`, `.inf` or `.nan`, which JSON cannot carry: forwarded to the control
 * plane they would arrive as `null`, silently dropping the field (`limit: 1e400` meaning no limit).
 * Strings with a lone surrogate cannot be encoded as UTF-8 for the control plane's URLs and storage.
 */
function rejectUnencodable(value: unknown, what: string): void {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new BadDataError(`${what}: ${path || 'value'}: ${v} is not a finite number`);
    }
    if (typeof v === 'string' && LONE_SURROGATE.test(v)) {
      throw new BadDataError(`${what}: ${path || 'value'}: a lone UTF-16 surrogate is not valid Unicode`);
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}[${i}]`]);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) throw new BadDataError(`${what}: ${path || 'value'}: a key is not valid Unicode`);
        stack.push([x, path === '' ? k : `${path}.${k}`]);
      }
    }
  }
}

/** One rule group, as Grafana and mimirtool POST it. */
/**
 * A federated group (`source_tenants`) reads other tenants on every evaluation, so storing one is
 * reading them: the token that pushes it must cover them all (403 naming those it does not). The
 * list's shape is checked where the group is validated (400).
 */
function authorizeSourceTenants(req: FastifyRequest, sources: unknown): void {
  if (!Array.isArray(sources) || !req.principal) return;
  const asked = sources.filter((t): t is TenantId => typeof t === 'string' && isTenantId(t));
  authorizeTenants(req.principal, [...new Set(asked)]);
}

export function parseRuleGroupBody(body: unknown): RuleGroupObject {
  const g = parseYamlBody(body, 'rule group');
  if (typeof g !== 'object' || g === null || Array.isArray(g))
    throw new BadDataError('rule group: expected a YAML mapping');
  rejectUnencodable(g, 'rule group');
  const name = Object.hasOwn(g, 'name') ? (g as Record<string, unknown>).name : undefined;
  if (typeof name !== 'string' || name === '') throw new BadDataError('rule group: missing "name"');
  return g as RuleGroupObject;
}

/** Cortex's `{template_files, alertmanager_config}` body, or a bare Alertmanager config. */
export function parseAlertmanagerBody(body: unknown): { config: string; templates: Record<string, string> } {
  const doc = parseYamlBody(body, 'alertmanager config');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new BadDataError('alertmanager config: expected a YAML mapping');
  }
  const o = doc as Record<string, unknown>;
  if (typeof o.alertmanager_config !== 'string') return { config: body as string, templates: {} };
  const templates: Record<string, string> = Object.create(null);
  const tf = o.template_files ?? {};
  if (typeof tf !== 'object' || tf === null || Array.isArray(tf)) {
    throw new BadDataError('alertmanager config: template_files must map file names to template text');
  }
  for (const [k, v] of Object.entries(tf)) {
    if (typeof v !== 'string') throw new BadDataError(`alertmanager config: template_files.${k} must be a string`);
    templates[k] = v;
  }
  return { config: o.alertmanager_config, templates };
}
