import { BadDataError, NotFoundError } from '../../data-plane/model/index.js';
import { audit, type DomainDeps } from './context.js';
import { generateToken, hashToken, isWellFormedToken, sameHash, sameSecret } from './token-format.js';
import { LAST_USED_RESOLUTION_MS, parseExpiry, validateName } from './tokens.js';
import type { AdminPrincipal, AdminRole, AdminTokenInfo } from './types.js';

/** Admin token ids are UUIDs (crypto.randomUUID). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ROOT_ACTOR = 'root';

/** Operator credentials: the root token from config, and admin tokens stored (hashed) in the database. */
export class AdminAuthService {
  constructor(private readonly deps: DomainDeps & { readonly rootToken: string }) {
    if (deps.rootToken.length < 16) throw new Error('control plane: rootToken must be at least 16 characters');
  }

  /** Resolves a root or admin token (not a JWT: sessions are verified at the HTTP edge). */
  async authenticate(secret: string): Promise<AdminPrincipal | undefined> {
    if (sameSecret(secret, this.deps.rootToken)) return { actor: ROOT_ACTOR, role: 'admin' };
    if (!isWellFormedToken(secret, 'cxa_')) return undefined;
    const hash = hashToken(secret);
    const found = await this.deps.store.read((r) => r.adminTokens.findByHash(hash));
    if (!found || !sameHash(found.secretHash, hash)) return undefined;
    const t = found.token;
    const now = this.deps.clock.now();
    if (t.revokedAt !== null || (t.expiresAt !== null && t.expiresAt <= now)) return undefined;
    if (t.lastUsedAt === null || t.lastUsedAt < now - LAST_USED_RESOLUTION_MS) {
      await this.deps.store.read((r) => r.adminTokens.touch(t.id, now, now - LAST_USED_RESOLUTION_MS));
    }
    return { actor: `admin:${t.id}`, role: t.role };
  }

  /** Authenticates a root or admin token for a new session and records the login in the audit log. */
  async startSession(secret: string): Promise<AdminPrincipal | undefined> {
    const principal = await this.authenticate(secret);
    if (principal) {
      const now = this.deps.clock.now();
      await this.deps.store.transaction((r) =>
        audit(r, { at: now, actor: principal.actor, action: 'session.create', tenantId: null }),
      );
    }
    return principal;
  }

  async create(
    actor: string,
    input: { name: string; role?: AdminRole; expiresAt?: string },
  ): Promise<AdminTokenInfo & { token: string }> {
    const now = this.deps.clock.now();
    const name = validateName(input.name);
    if (name === '') throw new BadDataError('name: required');
    const expiresAt = parseExpiry(input.expiresAt, now);
    const g = generateToken('cxa_');
    return this.deps.store.transaction(async (r) => {
      const info = await r.adminTokens.insert({
        id: crypto.randomUUID(),
        name,
        role: input.role ?? 'admin',
        prefix: g.prefix,
        secretHash: g.secretHash,
        scopes: [],
        createdAt: now,
        createdBy: actor,
        expiresAt,
      });
      await audit(r, { at: now, actor, action: 'admin_token.create', tenantId: null, target: info.id, after: info });
      return { ...info, token: g.secret };
    });
  }

  list(): Promise<AdminTokenInfo[]> {
    return this.deps.store.read((r) => r.adminTokens.list());
  }

  async revoke(actor: string, id: string): Promise<AdminTokenInfo> {
    // ids are UUIDs; anything else (a NUL byte made PostgreSQL fail: a 500, found by the admin-rest
    // fuzz target, issue #24) cannot name a token
    if (!UUID.test(id)) throw new NotFoundError(`admin token ${id.slice(0, 64)} not found`);
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (r) => {
      const before = await r.adminTokens.get(id);
      if (!before) throw new NotFoundError(`admin token ${id.slice(0, 64)} not found`);
      const after = (await r.adminTokens.revoke(id, now))!;
      if (before.revokedAt === null) {
        await audit(r, { at: now, actor, action: 'admin_token.revoke', tenantId: null, target: id, before, after });
      }
      return after;
    });
  }
}
