import {
  BadDataError,
  MAX_FEDERATED_TENANTS,
  NotFoundError,
  parseTenantId,
  type TenantId,
} from '../../data-plane/model/index.js';
import { audit, type DomainDeps } from './context.js';
import { requireTenant } from './tenants.js';
import { generateToken, hashToken, isWellFormedToken, sameHash } from './token-format.js';
import { isTokenScope, TOKEN_SCOPES, type TokenInfo, type TokenScope } from './types.js';

/** lastUsedAt is written at most this often per token, so authentication is almost always a pure read. */
export const LAST_USED_RESOLUTION_MS = 60_000;
const MAX_NAME = 128;

/** The internal API's authenticate answer (docs/admin-api.md), also returned in process. */
export interface AuthResult {
  tenantId: string;
  tokenId: string;
  scopes: TokenScope[];
  tenantStatus: 'active' | 'suspended';
  expiresAt: string | null;
  /**
   * Federation grant: the tenants this token may read together (its own included), those deleted or
   * suspended since the grant left out; absent when the token has no grant.
   */
  federate?: string[];
}

export interface CreateTokenInput {
  scopes: string[];
  name?: string;
  expiresAt?: string;
  /** Tenants the token may read together (federation); its own tenant is added when missing. */
  federate?: string[];
}

/** Scopes a federation grant is for: reading (queries) and rule groups that read other tenants. */
const FEDERATION_SCOPES: readonly TokenScope[] = ['metrics:read', 'rules:read', 'rules:write'];

/**
 * Validates a federation grant: valid tenant IDs, no duplicates, at most MAX_FEDERATED_TENANTS, for a
 * token that can read. Returns the sorted set with the token's own tenant; empty when none is asked.
 */
export function parseFederation(own: TenantId, raw: readonly string[] | undefined, scopes: readonly TokenScope[]) {
  if (raw === undefined || raw.length === 0) return [];
  if (!scopes.some((s) => FEDERATION_SCOPES.includes(s))) {
    throw new BadDataError(`federate: a federation grant needs one of the scopes ${FEDERATION_SCOPES.join(', ')}`);
  }
  const out = new Set<TenantId>([own]);
  const seen = new Set<string>();
  for (const t of raw) {
    const id = parseTenantId(t);
    if (seen.has(id)) throw new BadDataError(`federate: tenant ${id} is listed twice`);
    seen.add(id);
    out.add(id);
  }
  if (out.size > MAX_FEDERATED_TENANTS) {
    throw new BadDataError(`federate: at most ${MAX_FEDERATED_TENANTS} tenants (got ${out.size})`);
  }
  if (out.size === 1) return [];
  return [...out].sort();
}

export function parseScopes(scopes: readonly string[]): TokenScope[] {
  if (scopes.length === 0) throw new BadDataError('scopes: at least one scope is required');
  const out = new Set<TokenScope>();
  for (const s of scopes) {
    if (!isTokenScope(s)) {
      throw new BadDataError(
        `scopes: unknown scope ${JSON.stringify(s.slice(0, 64))}; valid: ${TOKEN_SCOPES.join(', ')}`,
      );
    }
    out.add(s);
  }
  return [...out];
}

/** Parses an optional ISO-8601 expiry that must lie in the future. */
export function parseExpiry(s: string | undefined, now: number): number | null {
  if (s === undefined) return null;
  const t = Date.parse(s);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || Number.isNaN(t)) {
    throw new BadDataError(`expiresAt: ${JSON.stringify(s.slice(0, 40))} is not an ISO-8601 date-time`);
  }
  if (t <= now) throw new BadDataError('expiresAt: must be in the future');
  return t;
}

export function validateName(s: string | undefined): string {
  const name = s ?? '';
  if (name.length > MAX_NAME) throw new BadDataError(`name: at most ${MAX_NAME} characters`);
  return name;
}

/** Tenant API tokens: issue (secret shown once), list, revoke, authenticate. */
export class TokenService {
  constructor(private readonly deps: DomainDeps) {}

  async create(actor: string, rawTenant: string, input: CreateTokenInput): Promise<TokenInfo & { token: string }> {
    const tenantId = parseTenantId(rawTenant);
    const now = this.deps.clock.now();
    const scopes = parseScopes(input.scopes);
    const name = validateName(input.name);
    const expiresAt = parseExpiry(input.expiresAt, now);
    const federate = parseFederation(tenantId, input.federate, scopes);
    const g = generateToken('cxt_');
    return this.deps.store.transaction(async (r) => {
      await requireTenant(r, tenantId);
      const statuses = await r.tokenLookup.statuses(federate);
      const missing = federate.filter((t) => (statuses.get(t) ?? 'deleted') === 'deleted');
      if (missing.length > 0) throw new NotFoundError(`federate: tenants not found: ${missing.join(', ')}`);
      const info = await r.tokens(tenantId).insert({
        id: crypto.randomUUID(),
        name,
        prefix: g.prefix,
        secretHash: g.secretHash,
        scopes,
        federate,
        createdAt: now,
        createdBy: actor,
        expiresAt,
      });
      await audit(r, { at: now, actor, action: 'token.create', tenantId, target: info.id, after: info });
      return { ...info, token: g.secret };
    });
  }

  async list(rawTenant: string): Promise<TokenInfo[]> {
    const tenantId = parseTenantId(rawTenant);
    return this.deps.store.read(async (r) => {
      if (!(await r.tenants.get(tenantId))) throw new NotFoundError(`tenant ${tenantId} not found`);
      return r.tokens(tenantId).list();
    });
  }

  async revoke(actor: string, rawTenant: string, tokenId: string): Promise<TokenInfo> {
    const tenantId = parseTenantId(rawTenant);
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (r) => {
      await requireTenant(r, tenantId, true);
      const before = await r.tokens(tenantId).get(tokenId);
      if (!before) throw new NotFoundError(`token ${tokenId.slice(0, 64)} not found for tenant ${tenantId}`);
      const after = (await r.tokens(tenantId).revoke(tokenId, now))!;
      if (before.revokedAt === null) {
        await audit(r, { at: now, actor, action: 'token.revoke', tenantId, target: tokenId, before, after });
      }
      return after;
    });
  }

  /**
   * Resolves a tenant token. Undefined when it is malformed, unknown, revoked, expired, or its tenant is
   * deleted. Reads the database on every call, so revocation and suspension take effect immediately.
   */
  async authenticate(secret: string): Promise<AuthResult | undefined> {
    if (!isWellFormedToken(secret, 'cxt_')) return undefined;
    const hash = hashToken(secret);
    const found = await this.deps.store.read((r) => r.tokenLookup.findByHash(hash));
    if (!found || !sameHash(found.secretHash, hash)) return undefined;
    const { token, tenantStatus } = found;
    const now = this.deps.clock.now();
    if (token.revokedAt !== null || tenantStatus === 'deleted') return undefined;
    if (token.expiresAt !== null && token.expiresAt <= now) return undefined;
    if (token.lastUsedAt === null || token.lastUsedAt < now - LAST_USED_RESOLUTION_MS) {
      await this.deps.store.read((r) => r.tokenLookup.touch(token.id, now, now - LAST_USED_RESOLUTION_MS));
    }
    const out: AuthResult = {
      tenantId: token.tenantId,
      tokenId: token.id,
      scopes: [...token.scopes],
      tenantStatus,
      expiresAt: token.expiresAt === null ? null : new Date(token.expiresAt).toISOString(),
    };
    if (token.federate.length > 0) out.federate = await this.liveGrant(token.federate);
    return out;
  }

  /** A grant as it stands now: a tenant deleted or suspended since is no longer readable through it. */
  private async liveGrant(grant: readonly TenantId[]): Promise<string[]> {
    const statuses = await this.deps.store.read((r) => r.tokenLookup.statuses(grant));
    return grant.filter((t) => statuses.get(t) === 'active');
  }
}
