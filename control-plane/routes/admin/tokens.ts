import type { FastifyPluginAsync } from 'fastify';
import {
  CreatedToken,
  CreateTokenBody,
  ErrorBody,
  TenantParams,
  Token,
  TokenList,
  TokenParams,
} from '../../api/index.js';
import { actorOf } from '../../plugins/index.js';
import { tokenOut } from '../mappers.js';
import type { AdminRouteOptions } from '../services.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const tokenRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  const { tokens } = services;

  app.post<{ Params: TenantParams; Body: CreateTokenBody }>(
    '/tenants/:id/tokens',
    {
      schema: {
        tags: ['tokens'],
        params: TenantParams,
        body: CreateTokenBody,
        response: { 201: CreatedToken, ...errors },
      },
    },
    async (req, reply) => {
      const created = await tokens.create(actorOf(req), req.params.id, req.body);
      reply.status(201);
      return { ...tokenOut(created), token: created.token };
    },
  );

  app.get<{ Params: TenantParams }>(
    '/tenants/:id/tokens',
    { schema: { tags: ['tokens'], params: TenantParams, response: { 200: TokenList, ...errors } } },
    async (req) => ({ items: (await tokens.list(req.params.id)).map(tokenOut) }),
  );

  app.delete<{ Params: TokenParams }>(
    '/tenants/:id/tokens/:tokenId',
    { schema: { tags: ['tokens'], params: TokenParams, response: { 200: Token, ...errors } } },
    async (req) => tokenOut(await tokens.revoke(actorOf(req), req.params.id, req.params.tokenId)),
  );
};
