import type { FastifyPluginAsync } from 'fastify';
import {
  ErrorBody,
  LimitKeyParams,
  LimitsPatchBody,
  LimitsPutBody,
  LimitsView,
  TenantParams,
} from '../../api/index.js';
import { actorOf } from '../../plugins/index.js';
import type { AdminRouteOptions } from '../services.js';

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
    {
      schema: { tags: ['limits'], params: TenantParams, body: LimitsPutBody, response: { 200: LimitsView, ...errors } },
    },
    async (req) => limits.put(actorOf(req), req.params.id, req.body),
  );

  app.patch<{ Params: TenantParams; Body: Record<string, unknown> }>(
    '/tenants/:id/limits',
    {
      schema: {
        tags: ['limits'],
        params: TenantParams,
        body: LimitsPatchBody,
        response: { 200: LimitsView, ...errors },
      },
    },
    async (req) => limits.patch(actorOf(req), req.params.id, req.body),
  );

  app.delete<{ Params: { id: string; key: string } }>(
    '/tenants/:id/limits/:key',
    { schema: { tags: ['limits'], params: LimitKeyParams, response: { 200: LimitsView, ...errors } } },
    async (req) => limits.unset(actorOf(req), req.params.id, req.params.key),
  );
};
