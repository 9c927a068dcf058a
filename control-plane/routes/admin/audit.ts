import type { FastifyPluginAsync } from 'fastify';
import { AuditPage, AuditQuery, ErrorBody } from '../../api/index.js';
import { auditOut } from '../mappers.js';
import type { AdminRouteOptions } from '../services.js';

export const auditRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  app.get<{ Querystring: AuditQuery }>(
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
