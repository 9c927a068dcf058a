import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ErrorBody, Ok, TenantIdParam, TenantParams } from '../../api/index.js';
import type { RuleGroupInput } from '../../domain/index.js';
import { actorOf } from '../../plugins/index.js';
import type { AdminRouteOptions } from '../services.js';

/** Rule uploads may be larger than other admin bodies; the per-tenant limits bound what is stored. */
export const RULES_BODY_LIMIT = 1024 * 1024;

const RuleGroup = Type.Object(
  {
    name: Type.String(),
    interval: Type.Optional(Type.String()),
    limit: Type.Optional(Type.Integer()),
    query_offset: Type.Optional(Type.String()),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    rules: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  },
  { description: 'Prometheus rule group' },
);
const NsParams = Type.Object({ id: TenantIdParam, namespace: Type.String({ minLength: 1, maxLength: 255 }) });
const GroupParams = Type.Object({
  id: TenantIdParam,
  namespace: Type.String({ minLength: 1, maxLength: 255 }),
  group: Type.String({ minLength: 1, maxLength: 255 }),
});
/** JSON rule group, or its YAML text (Content-Type: application/yaml); validated in the domain. */
const PutBody = Type.Union([
  Type.String({ description: 'rule group YAML' }),
  Type.Record(Type.String(), Type.Unknown()),
]);
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const ruleRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  const { rules } = services;

  app.get<{ Params: { id: string } }>(
    '/tenants/:id/rules',
    {
      schema: {
        tags: ['rules'],
        params: TenantParams,
        response: { 200: Type.Object({ namespaces: Type.Record(Type.String(), Type.Array(RuleGroup)) }), ...errors },
      },
    },
    async (req) => ({ namespaces: await rules.list(req.params.id) }),
  );

  app.get<{ Params: { id: string; namespace: string } }>(
    '/tenants/:id/rules/:namespace',
    {
      schema: {
        tags: ['rules'],
        params: NsParams,
        response: { 200: Type.Object({ namespace: Type.String(), groups: Type.Array(RuleGroup) }), ...errors },
      },
    },
    async (req) => ({
      namespace: req.params.namespace,
      groups: await rules.namespace(req.params.id, req.params.namespace),
    }),
  );

  app.put<{ Params: { id: string; namespace: string; group: string }; Body: RuleGroupInput }>(
    '/tenants/:id/rules/:namespace/:group',
    {
      bodyLimit: RULES_BODY_LIMIT,
      schema: { tags: ['rules'], params: GroupParams, body: PutBody, response: { 200: RuleGroup, ...errors } },
    },
    async (req) => rules.put(actorOf(req), req.params.id, req.params.namespace, req.params.group, req.body),
  );

  app.delete<{ Params: { id: string; namespace: string; group: string } }>(
    '/tenants/:id/rules/:namespace/:group',
    { schema: { tags: ['rules'], params: GroupParams, response: { 200: Ok, ...errors } } },
    async (req) => {
      await rules.deleteGroup(actorOf(req), req.params.id, req.params.namespace, req.params.group);
      return { ok: true };
    },
  );

  app.delete<{ Params: { id: string; namespace: string } }>(
    '/tenants/:id/rules/:namespace',
    { schema: { tags: ['rules'], params: NsParams, response: { 200: Ok, ...errors } } },
    async (req) => {
      await rules.deleteNamespace(actorOf(req), req.params.id, req.params.namespace);
      return { ok: true };
    },
  );
};
