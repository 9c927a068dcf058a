/**
 * Authentication of AdminService calls: the REST API's (root token, admin token, session JWT) through
 * the same authenticateAdmin, from `authorization: Bearer` metadata. A tenant token is a valid
 * credential for the wrong API: PERMISSION_DENIED. Methods named Get*, List* and Watch* only read.
 */
import { createContextKey, type HandlerContext, type Interceptor } from '@connectrpc/connect';
import { ForbiddenError } from '../../data-plane/model/index.js';
import type { AdminAuthService, AdminPrincipal, TokenService } from '../domain/index.js';
import { authenticateAdmin, parseBearer, type SessionSigner } from '../plugins/index.js';
import { toConnectError } from './errors.js';

const principalKey = createContextKey<AdminPrincipal | undefined>(undefined);
const READ_ONLY = /^(Get|List|Watch)[A-Z]/;

export function mutates(method: string): boolean {
  return !READ_ONLY.test(method);
}

/** The audit actor of an authenticated call. */
export function actorOf(ctx: HandlerContext): string {
  return ctx.values.get(principalKey)?.actor ?? 'anonymous';
}

export interface RpcAuthOptions {
  auth: AdminAuthService;
  sessions: SessionSigner;
  tokens: TokenService;
  log: (err: unknown) => void;
}

async function principalFor(token: string | undefined, mutating: boolean, o: RpcAuthOptions) {
  try {
    return await authenticateAdmin(token, o.auth, o.sessions, mutating);
  } catch (err) {
    // Only a working tenant token is told apart; anything else stays "invalid credentials".
    if (token?.startsWith('cxt_') && (await o.tokens.authenticate(token))) {
      throw new ForbiddenError('a tenant token cannot call the admin API: use an admin or root token');
    }
    throw err;
  }
}

/**
 * Authenticates every call, keeps the principal for actorOf(), and turns whatever a handler throws
 * (also mid-stream) into a ConnectError with the REST error body as its detail.
 */
export function adminAuthInterceptor(o: RpcAuthOptions): Interceptor {
  return (next) => async (req) => {
    const method = req.method.name;
    try {
      const token = parseBearer(req.header.get('authorization'));
      req.contextValues.set(principalKey, await principalFor(token, mutates(method), o));
      const res = await next(req);
      if (!res.stream) return res;
      const messages = res.message;
      return {
        ...res,
        message: (async function* () {
          try {
            yield* messages;
          } catch (err) {
            throw toConnectError(err, method, o.log);
          }
        })(),
      };
    } catch (err) {
      throw toConnectError(err, method, o.log);
    }
  };
}
