import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../../data-plane/model/index.js';
import {
  AlertmanagerFeed,
  AuthenticateBody,
  AuthResult,
  AuthThrottleEventBody,
  ErrorBody,
  Ok,
  OverridesFeed,
  RulesFeed,
  TenantIdParam,
  TenantsFeed,
  UsageBatchAnswer,
  UsageBatchBody,
  UsageReportInternal,
} from '../../api/index.js';
import type { AuthThrottleEvent, Feed, UsageBatchInput } from '../../domain/index.js';
import type { Services } from '../services.js';

const etagOf = (feed: Feed, revision: number) => `"${feed}-${revision}"`;

function notModified(req: FastifyRequest, etag: string): boolean {
  const inm = req.headers['if-none-match'];
  if (typeof inm !== 'string') return false;
  return inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** `/internal/v1`: the change feed and authentication for data-plane components (cluster secret only). */
export const internalRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { internal } = services;

  app.post<{ Body: { token: string } }>(
    '/authenticate',
    {
      schema: {
        tags: ['internal'],
        body: AuthenticateBody,
        response: { 200: AuthResult, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const r = await internal.authenticate(req.body.token);
      if (!r) throw new NotFoundError('token unknown, revoked or expired, or its tenant deleted');
      return r;
    },
  );

  const feed = <T extends { revision: number }>(name: Feed, build: () => Promise<T>, schema: object) =>
    app.get(
      `/${name}`,
      { schema: { tags: ['internal'], response: { 200: schema, 401: ErrorBody } } },
      async (req: FastifyRequest, reply: FastifyReply) => {
        // Cheap revision check first, so an unchanged feed costs one primary-key read.
        if (notModified(req, etagOf(name, await services.revisionOf(name)))) return reply.status(304).send();
        const body = await build();
        reply.header('etag', etagOf(name, body.revision));
        reply.header('cache-control', 'no-cache');
        return body;
      },
    );
  feed('overrides', () => internal.overrides(), OverridesFeed);
  feed('rules', () => internal.rules(), RulesFeed);
  feed('alertmanager', () => internal.alertmanager(), AlertmanagerFeed);
  feed('tenants', () => internal.tenants(), TenantsFeed);

  app.post<{ Params: { tenantId: string } }>(
    '/purges/:tenantId/complete',
    {
      schema: {
        tags: ['internal'],
        params: Type.Object({ tenantId: TenantIdParam }),
        response: { 200: Ok, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      await internal.completePurge(req.params.tenantId);
      return { ok: true };
    },
  );

  // Usage batches are large (a row per tenant-minute): a bigger body limit than the admin API's.
  app.post<{ Body: UsageBatchInput }>(
    '/usage',
    {
      bodyLimit: 64 << 20,
      schema: {
        tags: ['internal'],
        body: UsageBatchBody,
        response: { 200: UsageBatchAnswer, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => internal.recordUsage(req.body),
  );

  app.get<{ Params: { tenantId: string }; Querystring: { from: string; to: string; by?: string } }>(
    '/usage/:tenantId/report',
    {
      schema: {
        tags: ['internal'],
        params: Type.Object({ tenantId: TenantIdParam }),
        querystring: Type.Object({
          from: Type.String({ maxLength: 40 }),
          to: Type.String({ maxLength: 40 }),
          by: Type.Optional(Type.String({ maxLength: 10 })),
        }),
        response: { 200: UsageReportInternal, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => internal.usageReport(req.params.tenantId, req.query),
  );

  app.post<{ Body: AuthThrottleEvent }>(
    '/auth-throttle',
    {
      schema: {
        tags: ['internal'],
        body: AuthThrottleEventBody,
        response: { 200: Ok, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => {
      await internal.recordAuthThrottle(req.body);
      return { ok: true };
    },
  );
};
