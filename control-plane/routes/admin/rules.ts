import type { FastifyPluginAsync } from 'fastify';
import {
  ErrorBody,
  Ok,
  RuleGroup,
  RuleGroupParams,
  RuleGroupPutBody,
  RuleNamespace,
  RuleNamespaceParams,
  RuleNamespaces,
  TenantParams,
} from '../../api/index.js';
import type { RuleGroupInput } from '../../domain/index.js';
import { actorOf } from '../../plugins/index.js';
import type { AdminRouteOptions } from '../services.js';

/** Rule uploads may be larger than other admin bodies; the per-tenant limits bound what is stored. */
export const RULES_BODY_LIMIT = 1024 * 1024;

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const ruleRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  const { rules } = services;

  app.get<{ Params: { id: string } }>(
    '/tenants/:id/rules',
    {
      schema: {
        tags: ['rules'],
        params: TenantParams,
        response: { 200: RuleNamespaces, ...errors },
      },
    },
    async (req) => ({ namespaces: await rules.list(req.params.id) }),
  );

  app.get<{ Params: { id: string; namespace: string } }>(
    '/tenants/:id/rules/:namespace',
    {
      schema: {
        tags: ['rules'],
        params: RuleNamespaceParams,
        response: { 200: RuleNamespace, ...errors },
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
      schema: {
        tags: ['rules'],
        params: RuleGroupParams,
        body: RuleGroupPutBody,
        response: { 200: RuleGroup, ...errors },
      },
    },
    async (req) => rules.put(actorOf(req), req.params.id, req.params.namespace, req.params.group, req.body),
  );

  app.delete<{ Params: { id: string; namespace: string; group: string } }>(
    '/tenants/:id/rules/:namespace/:group',
    { schema: { tags: ['rules'], params: RuleGroupParams, response: { 200: Ok, ...errors } } },
    async (req) => {
      await rules.deleteGroup(actorOf(req), req.params.id, req.params.namespace, req.params.group);
      return { ok: true };
    },
  );

  app.delete<{ Params: { id: string; namespace: string } }>(
    '/tenants/:id/rules/:namespace',
    { schema: { tags: ['rules'], params: RuleNamespaceParams, response: { 200: Ok, ...errors } } },
    async (req) => {
      await rules.deleteNamespace(actorOf(req), req.params.id, req.params.namespace);
      return { ok: true };
    },
  );
};
