import type { FastifyPluginAsync } from 'fastify';
import {
  CreateTenantBody,
  ErrorBody,
  ListTenantsQuery,
  Tenant,
  TenantPage,
  TenantParams,
  UpdateTenantBody,
} from '../../api/index.js';
import { actorOf } from '../../plugins/index.js';
import { tenantOut } from '../mappers.js';
import type { AdminRouteOptions } from '../services.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const tenantRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  const { tenants } = services;

  app.post<{ Body: CreateTenantBody }>(
    '/tenants',
    { schema: { tags: ['tenants'], body: CreateTenantBody, response: { 201: Tenant, ...errors } } },
    async (req, reply) => {
      reply.status(201);
      return tenantOut(await tenants.create(actorOf(req), req.body));
    },
  );

  app.get<{ Querystring: ListTenantsQuery }>(
    '/tenants',
    { schema: { tags: ['tenants'], querystring: ListTenantsQuery, response: { 200: TenantPage, ...errors } } },
    async (req) => {
      const page = await tenants.list({ ...req.query, limit: req.query.limit ?? 100 });
      return { items: page.items.map(tenantOut), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: TenantParams }>(
    '/tenants/:id',
    { schema: { tags: ['tenants'], params: TenantParams, response: { 200: Tenant, ...errors } } },
    async (req) => tenantOut(await tenants.get(req.params.id)),
  );

  app.patch<{ Params: TenantParams; Body: UpdateTenantBody }>(
    '/tenants/:id',
    {
      schema: { tags: ['tenants'], params: TenantParams, body: UpdateTenantBody, response: { 200: Tenant, ...errors } },
    },
    async (req) => tenantOut(await tenants.update(actorOf(req), req.params.id, req.body)),
  );

  app.post<{ Params: TenantParams }>(
    '/tenants/:id/suspend',
    { schema: { tags: ['tenants'], params: TenantParams, response: { 200: Tenant, ...errors } } },
    async (req) => tenantOut(await tenants.suspend(actorOf(req), req.params.id)),
  );

  app.post<{ Params: TenantParams }>(
    '/tenants/:id/resume',
    { schema: { tags: ['tenants'], params: TenantParams, response: { 200: Tenant, ...errors } } },
    async (req) => tenantOut(await tenants.resume(actorOf(req), req.params.id)),
  );

  app.delete<{ Params: TenantParams }>(
    '/tenants/:id',
    { schema: { tags: ['tenants'], params: TenantParams, response: { 200: Tenant, ...errors } } },
    async (req) => tenantOut(await tenants.delete(actorOf(req), req.params.id)),
  );
};
