import type { FastifyPluginAsync } from 'fastify';
import { AlertmanagerConfig, AlertmanagerPutBody, ErrorBody, Ok, TenantParams } from '../../api/index.js';
import type { AlertmanagerBody } from '../../domain/index.js';
import { actorOf } from '../../plugins/index.js';
import type { AdminRouteOptions } from '../services.js';

export const ALERTMANAGER_BODY_LIMIT = 8 * 1024 * 1024;

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const alertmanagerRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  const { alertmanager } = services;

  app.get<{ Params: { id: string } }>(
    '/tenants/:id/alertmanager',
    { schema: { tags: ['alertmanager'], params: TenantParams, response: { 200: AlertmanagerConfig, ...errors } } },
    async (req) => alertmanager.get(req.params.id),
  );

  app.put<{ Params: { id: string }; Body: AlertmanagerBody }>(
    '/tenants/:id/alertmanager',
    {
      bodyLimit: ALERTMANAGER_BODY_LIMIT,
      schema: {
        tags: ['alertmanager'],
        params: TenantParams,
        body: AlertmanagerPutBody,
        response: { 200: AlertmanagerConfig, ...errors },
      },
    },
    async (req) => alertmanager.put(actorOf(req), req.params.id, req.body),
  );

  app.delete<{ Params: { id: string } }>(
    '/tenants/:id/alertmanager',
    { schema: { tags: ['alertmanager'], params: TenantParams, response: { 200: Ok, ...errors } } },
    async (req) => {
      await alertmanager.delete(actorOf(req), req.params.id);
      return { ok: true };
    },
  );
};
