import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { AdminToken, AdminTokenList, CreateAdminTokenBody, CreatedAdminToken, ErrorBody } from '../../api/index.js';
import { actorOf } from '../../plugins/index.js';
import { adminTokenOut } from '../mappers.js';
import type { AdminRouteOptions } from '../services.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Operator (admin) tokens. Sessions are in sessions.ts because they are reachable without a bearer. */
export const operatorRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  const { adminAuth } = services;

  app.post<{ Body: CreateAdminTokenBody }>(
    '/admin-tokens',
    { schema: { tags: ['admin'], body: CreateAdminTokenBody, response: { 201: CreatedAdminToken, ...errors } } },
    async (req, reply) => {
      const created = await adminAuth.create(actorOf(req), req.body);
      reply.status(201);
      return { ...adminTokenOut(created), token: created.token };
    },
  );

  app.get('/admin-tokens', { schema: { tags: ['admin'], response: { 200: AdminTokenList, ...errors } } }, async () => ({
    items: (await adminAuth.list()).map(adminTokenOut),
  }));

  app.delete<{ Params: { id: string } }>(
    '/admin-tokens/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: AdminToken, ...errors } } },
    async (req) => adminTokenOut(await adminAuth.revoke(actorOf(req), req.params.id)),
  );
};
