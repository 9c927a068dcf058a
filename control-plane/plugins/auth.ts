/**
 * Admin and internal authentication hooks. Admin callers present the root token, an admin token or a
 * session JWT; the cluster secret authenticates data-plane components on /internal/v1.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../../data-plane/model/index.js';
import type { AdminAuthService, AdminPrincipal } from '../domain/index.js';
import { sameSecret } from '../domain/index.js';
import type { SessionSigner } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the admin auth hook on every /admin/api/v1 request that passed it. */
    cortexAdmin?: AdminPrincipal;
  }
}

export function bearer(req: FastifyRequest): string | undefined {
  return parseBearer(req.headers.authorization);
}

/** The token of an `Authorization: Bearer <token>` header value. */
export function parseBearer(h: string | string[] | null | undefined): string | undefined {
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer +(\S+) *$/i.exec(h);
  return m?.[1];
}

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/;

/**
 * The admin principal behind a bearer token (root, admin token or session JWT), shared by the REST
 * hook and the RPC interceptor. Throws UnauthorizedError for no or bad credentials and
 * ForbiddenError when `mutates` and the principal is a viewer.
 */
export async function authenticateAdmin(
  token: string | undefined,
  auth: AdminAuthService,
  sessions: SessionSigner,
  mutates: boolean,
): Promise<AdminPrincipal> {
  if (token === undefined) throw new UnauthorizedError('missing credentials: send Authorization: Bearer <token>');
  const principal = JWT_SHAPE.test(token) ? sessions.verify(token) : await auth.authenticate(token);
  if (!principal) throw new UnauthorizedError('invalid, revoked or expired credentials');
  if (principal.role === 'viewer' && mutates) {
    throw new ForbiddenError(`${principal.actor} has the viewer role and may not change anything`);
  }
  return principal;
}

export function adminAuthHook(auth: AdminAuthService, sessions: SessionSigner) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const mutates = req.method !== 'GET' && req.method !== 'HEAD';
    req.cortexAdmin = await authenticateAdmin(bearer(req), auth, sessions, mutates);
  };
}

export function actorOf(req: FastifyRequest): string {
  return req.cortexAdmin?.actor ?? 'anonymous';
}

export function clusterAuthHook(clusterSecret: string) {
  if (clusterSecret.length < 16) throw new Error('control plane: clusterSecret must be at least 16 characters');
  return async (req: FastifyRequest): Promise<void> => {
    const token = bearer(req);
    if (token === undefined || !sameSecret(token, clusterSecret)) {
      throw new UnauthorizedError('internal API: cluster secret required');
    }
  };
}
