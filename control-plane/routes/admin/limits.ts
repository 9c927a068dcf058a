import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ErrorBody, TenantIdParam, TenantParams } from '../../api/index.js';
import { actorOf } from '../../plugins/index.js';
import type { AdminRouteOptions } from '../services.js';

const LimitValue = Type.Union([Type.Number(), Type.String()]);
const LimitsView = Type.Object({
  tenantId: Type.String(),
  limits: Type.Record(Type.String(), LimitValue),
  overridden: Type.Array(Type.String()),
  defaults: Type.Record(Type.String(), LimitValue),
});
/** Keys and ranges are checked by the domain against limitSpecs, with messages naming the limit. */
const PutBody = Type.Record(Type.String(), Type.Unknown(), {
  description: 'limit key → number, or Prometheus duration string for duration limits',
});
const PatchBody = Type.Record(Type.String(), Type.Unknown(), { description: 'as PUT; null unsets a key' });
const KeyParams = Type.Object({ id: TenantIdParam, key: Type.String({ minLength: 1, maxLength: 100 }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const limitRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  const { limits } = services;

  app.get<{ Params: TenantParams }>(
    '/tenants/:id/limits',
    { schema: { tags: ['limits'], params: TenantParams, response: { 200: LimitsView, ...errors } } },
    async (req) => limits.get(req.params.id),
  );

  app.put<{ Params: TenantParams; Body: Record<string, unknown> }>(
    '/tenants/:id/limits',
    { schema: { tags: ['limits'], params: TenantParams, body: PutBody, response: { 200: LimitsView, ...errors } } },
    async (req) => limits.put(actorOf(req), req.params.id, req.body),
  );

  app.patch<{ Params: TenantParams; Body: Record<string, unknown> }>(
    '/tenants/:id/limits',
    { schema: { tags: ['limits'], params: TenantParams, body: PatchBody, response: { 200: LimitsView, ...errors } } },
    async (req) => limits.patch(actorOf(req), req.params.id, req.body),
  );

  app.delete<{ Params: { id: string; key: string } }>(
    '/tenants/:id/limits/:key',
    { schema: { tags: ['limits'], params: KeyParams, response: { 200: LimitsView, ...errors } } },
    async (req) => limits.unset(actorOf(req), req.params.id, req.params.key),
  );
};
