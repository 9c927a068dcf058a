import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Cursor, ErrorBody, IsoTime, PageLimit } from '../../api/index.js';
import { auditOut } from '../mappers.js';
import type { AdminRouteOptions } from '../services.js';

const AuditQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    actor: Type.Optional(Type.String({ maxLength: 200 })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    since: Type.Optional(Type.String({ maxLength: 64, description: 'RFC 3339 or Unix seconds, inclusive' })),
    until: Type.Optional(Type.String({ maxLength: 64, description: 'RFC 3339 or Unix seconds, inclusive' })),
    limit: Type.Optional(PageLimit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: IsoTime,
  actor: Type.String(),
  action: Type.String(),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  target: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
});
const AuditPage = Type.Object({ items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const auditRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        querystring: AuditQuery,
        response: { 200: AuditPage, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => {
      const page = await services.audit.list({ ...req.query, limit: req.query.limit ?? 100 });
      return { items: page.items.map(auditOut), nextCursor: page.nextCursor };
    },
  );
};
