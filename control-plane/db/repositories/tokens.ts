import { and, asc, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { TenantId } from '../../../data-plane/model/index.js';
import type {
  NewToken,
  TenantStatus,
  TenantTokenRepository,
  TokenInfo,
  TokenLookup,
  TokenScope,
} from '../../domain/index.js';
import type { Db } from '../client.js';
import { type ApiTokenRow, apiTokens, tenants } from '../schema/index.js';
import { date, dateOrNull, ms, msOrNull } from './_convert.js';

function toToken(r: ApiTokenRow): TokenInfo {
  return {
    id: r.id,
    tenantId: r.tenantId as TenantId,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes as TokenScope[],
    federate: r.federatedTenants as TenantId[],
    createdAt: ms(r.createdAt),
    createdBy: r.createdBy,
    lastUsedAt: msOrNull(r.lastUsedAt),
    expiresAt: msOrNull(r.expiresAt),
    revokedAt: msOrNull(r.revokedAt),
  };
}

/** Tokens of one tenant: every statement is filtered by `tenant_id`. */
export class DrizzleTenantTokenRepository implements TenantTokenRepository {
  constructor(
    private readonly db: Db,
    private readonly tenantId: TenantId,
  ) {}

  private mine() {
    return eq(apiTokens.tenantId, this.tenantId);
  }

  async insert(t: NewToken): Promise<TokenInfo> {
    const [r] = await this.db
      .insert(apiTokens)
      .values({
        id: t.id,
        tenantId: this.tenantId,
        name: t.name,
        prefix: t.prefix,
        secretHash: t.secretHash,
        scopes: [...t.scopes],
        federatedTenants: [...(t.federate ?? [])],
        createdAt: date(t.createdAt),
        createdBy: t.createdBy,
        expiresAt: dateOrNull(t.expiresAt),
      })
      .returning();
    return toToken(r!);
  }

  async list(): Promise<TokenInfo[]> {
    const rows = await this.db
      .select()
      .from(apiTokens)
      .where(this.mine())
      .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
    return rows.map(toToken);
  }

  async get(id: string): Promise<TokenInfo | undefined> {
    const [r] = await this.db
      .select()
      .from(apiTokens)
      .where(and(this.mine(), eq(apiTokens.id, id)));
    return r && toToken(r);
  }

  async revoke(id: string, at: number): Promise<TokenInfo | undefined> {
    await this.db
      .update(apiTokens)
      .set({ revokedAt: date(at) })
      .where(and(this.mine(), eq(apiTokens.id, id), isNull(apiTokens.revokedAt)));
    return this.get(id);
  }

  async revokeAll(at: number): Promise<number> {
    const rows = await this.db
      .update(apiTokens)
      .set({ revokedAt: date(at) })
      .where(and(this.mine(), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    return rows.length;
  }
}

export class DrizzleTokenLookup implements TokenLookup {
  constructor(private readonly db: Db) {}

  async findByHash(
    secretHash: string,
  ): Promise<{ token: TokenInfo; secretHash: string; tenantStatus: TenantStatus } | undefined> {
    const [r] = await this.db
      .select({ token: apiTokens, tenantStatus: tenants.status })
      .from(apiTokens)
      .innerJoin(tenants, eq(tenants.id, apiTokens.tenantId))
      .where(eq(apiTokens.secretHash, secretHash));
    return r && { token: toToken(r.token), secretHash: r.token.secretHash, tenantStatus: r.tenantStatus };
  }

  async statuses(ids: readonly string[]): Promise<Map<string, TenantStatus>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select({ id: tenants.id, status: tenants.status })
      .from(tenants)
      .where(inArray(tenants.id, [...ids]));
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  async touch(id: string, at: number, staleBefore: number): Promise<void> {
    await this.db
      .update(apiTokens)
      .set({ lastUsedAt: date(at) })
      .where(and(eq(apiTokens.id, id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, date(staleBefore)))));
  }
}
