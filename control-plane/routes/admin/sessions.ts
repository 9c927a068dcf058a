import type { FastifyPluginAsync } from 'fastify';
import { UnauthorizedError } from '../../../data-plane/model/index.js';
import { ErrorBody, Session, SessionBody } from '../../api/index.js';
import type { AdminRouteOptions } from '../services.js';

/** `POST /sessions` exchanges a root or admin token for a short-lived JWT; it needs no bearer itself. */
export const sessionRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services, sessions }) => {
  app.post<{ Body: SessionBody }>(
    '/sessions',
    { schema: { tags: ['admin'], body: SessionBody, response: { 200: Session, 400: ErrorBody, 401: ErrorBody } } },
    async (req) => {
      const principal = await services.adminAuth.startSession(req.body.token);
      if (!principal) throw new UnauthorizedError('invalid, revoked or expired admin token');
      return sessions.issue(principal);
    },
  );
};
