import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import type { AdminRole, AdminTokenInfo, AdminTokenRepository, NewToken } from '../../domain/index.js';
import type { Db } from '../client.js';
import { type AdminTokenRow, adminTokens } from '../schema/index.js';
import { date, dateOrNull, ms, msOrNull } from './_convert.js';

function toAdminToken(r: AdminTokenRow): AdminTokenInfo {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    prefix: r.prefix,
    createdAt: ms(r.createdAt),
    createdBy: r.createdBy,
    lastUsedAt: msOrNull(r.lastUsedAt),
    expiresAt: msOrNull(r.expiresAt),
    revokedAt: msOrNull(r.revokedAt),
  };
}

export class DrizzleAdminTokenRepository implements AdminTokenRepository {
  constructor(private readonly db: Db) {}

  async insert(t: NewToken & { role: AdminRole }): Promise<AdminTokenInfo> {
    const [r] = await this.db
      .insert(adminTokens)
      .values({
        id: t.id,
        name: t.name,
        role: t.role,
        prefix: t.prefix,
        secretHash: t.secretHash,
        createdAt: date(t.createdAt),
        createdBy: t.createdBy,
        expiresAt: dateOrNull(t.expiresAt),
      })
      .returning();
    return toAdminToken(r!);
  }

  async list(): Promise<AdminTokenInfo[]> {
    const rows = await this.db.select().from(adminTokens).orderBy(asc(adminTokens.createdAt), asc(adminTokens.id));
    return rows.map(toAdminToken);
  }

  async get(id: string): Promise<AdminTokenInfo | undefined> {
    const [r] = await this.db.select().from(adminTokens).where(eq(adminTokens.id, id));
    return r && toAdminToken(r);
  }

  async revoke(id: string, at: number): Promise<AdminTokenInfo | undefined> {
    await this.db
      .update(adminTokens)
      .set({ revokedAt: date(at) })
      .where(and(eq(adminTokens.id, id), isNull(adminTokens.revokedAt)));
    return this.get(id);
  }

  async findByHash(secretHash: string): Promise<{ token: AdminTokenInfo; secretHash: string } | undefined> {
    const [r] = await this.db.select().from(adminTokens).where(eq(adminTokens.secretHash, secretHash));
    return r && { token: toAdminToken(r), secretHash: r.secretHash };
  }

  async touch(id: string, at: number, staleBefore: number): Promise<void> {
    await this.db
      .update(adminTokens)
      .set({ lastUsedAt: date(at) })
      .where(
        and(eq(adminTokens.id, id), or(isNull(adminTokens.lastUsedAt), lt(adminTokens.lastUsedAt, date(staleBefore)))),
      );
  }
}
