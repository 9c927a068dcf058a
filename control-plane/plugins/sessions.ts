/**
 * Short-lived admin sessions as HS256 JWTs through @fastify/jwt. The algorithm is pinned on both sides;
 * issuer, audience, `exp` and `sub` are required. Key rotation: tokens are signed with the newest key
 * (jwtSecrets[0]) and carry its `kid`; verification picks the key by `kid` among all configured keys,
 * and a token with an unknown `kid` fails — it is never tried against every key.
 */
import { createHash } from 'node:crypto';
import fastifyJwt, { type JWT } from '@fastify/jwt';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../data-plane/model/index.js';
import type { AdminPrincipal, AdminRole } from '../domain/index.js';

const NAMESPACE = 'cortexControlPlane';
const ISSUER = 'cortex-control-plane';
const AUDIENCE = 'cortex-admin';
export const SESSION_TTL_MS = 15 * 60_000;

export interface SessionSigner {
  issue(p: AdminPrincipal): { jwt: string; expiresAt: string };
  /** The session's principal, or undefined for any invalid, expired, unknown-key or wrong-algorithm token. */
  verify(token: string): AdminPrincipal | undefined;
}

export function keyId(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

export async function registerSessions(
  app: FastifyInstance,
  opts: { secrets: readonly string[]; clock: Clock; ttlMs?: number },
): Promise<SessionSigner> {
  const [newest] = opts.secrets;
  if (newest === undefined) throw new Error('control plane: at least one JWT secret is required');
  for (const s of opts.secrets) {
    if (s.length < 32) throw new Error('control plane: every jwtSecret must be at least 32 characters');
  }
  const keys = new Map(opts.secrets.map((s) => [keyId(s), s] as const));
  const ttlMs = opts.ttlMs ?? SESSION_TTL_MS;
  const verifyOptions = {
    algorithms: ['HS256' as const],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    requiredClaims: ['exp', 'sub', 'iss', 'aud'],
    clockTolerance: 5,
  };
  await app.register(fastifyJwt, {
    secret: newest,
    namespace: NAMESPACE,
    sign: { algorithm: 'HS256', kid: keyId(newest), iss: ISSUER, aud: AUDIENCE },
    verify: verifyOptions,
  });
  const jwt = (app.jwt as unknown as Record<string, JWT>)[NAMESPACE]!;

  return {
    issue(p) {
      const now = opts.clock.now();
      // @fastify/jwt reads a numeric expiresIn as seconds (jsonwebtoken style), not milliseconds.
      const token = jwt.sign(
        { sub: p.actor, role: p.role },
        { clockTimestamp: now, expiresIn: Math.floor(ttlMs / 1000) },
      );
      return { jwt: token, expiresAt: new Date(now + ttlMs).toISOString() };
    },
    verify(token) {
      try {
        const decoded = jwt.decode<{ header: { kid?: unknown; alg?: unknown } }>(token, { complete: true });
        const kid = decoded?.header.kid;
        const key = typeof kid === 'string' ? keys.get(kid) : undefined;
        if (key === undefined || decoded?.header.alg !== 'HS256') return undefined;
        const claims = jwt.verify<{ sub: unknown; role: unknown }>(token, {
          ...verifyOptions,
          key,
          clockTimestamp: opts.clock.now(),
        });
        if (typeof claims.sub !== 'string' || (claims.role !== 'admin' && claims.role !== 'viewer')) return undefined;
        return { actor: claims.sub, role: claims.role as AdminRole };
      } catch {
        return undefined;
      }
    },
  };
}
