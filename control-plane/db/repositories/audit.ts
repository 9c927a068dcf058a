import { and, asc, desc, eq, gt, gte, lt, lte, type SQL } from 'drizzle-orm';
import type { AuditEntry, AuditFilter, AuditRepository, NewAuditEntry } from '../../domain/index.js';
import type { Db } from '../client.js';
import { auditLog } from '../schema/index.js';
import { date, ms } from './_convert.js';

export class DrizzleAuditRepository implements AuditRepository {
  constructor(private readonly db: Db) {}

  async append(e: NewAuditEntry): Promise<void> {
    await this.db.insert(auditLog).values({
      at: date(e.at),
      actor: e.actor,
      action: e.action,
      tenantId: e.tenantId,
      target: e.target,
      before: e.before ?? null,
      after: e.after ?? null,
    });
  }

  async list(f: AuditFilter): Promise<AuditEntry[]> {
    const where: SQL[] = [];
    if (f.tenantId !== undefined) where.push(eq(auditLog.tenantId, f.tenantId));
    if (f.actor !== undefined) where.push(eq(auditLog.actor, f.actor));
    if (f.action !== undefined) where.push(eq(auditLog.action, f.action));
    if (f.since !== undefined) where.push(gte(auditLog.at, date(f.since)));
    if (f.until !== undefined) where.push(lte(auditLog.at, date(f.until)));
    if (f.before !== undefined) where.push(lt(auditLog.id, f.before));
    if (f.after !== undefined) where.push(gt(auditLog.id, f.after));
    const rows = await this.db
      .select()
      .from(auditLog)
      .where(and(...where))
      .orderBy(f.after === undefined ? desc(auditLog.id) : asc(auditLog.id))
      .limit(f.limit);
    return rows.map((r) => ({
      id: r.id,
      at: ms(r.at),
      actor: r.actor,
      action: r.action,
      tenantId: r.tenantId,
      target: r.target,
      before: r.before,
      after: r.after,
    }));
  }
}
