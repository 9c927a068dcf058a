import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { ConflictError, type TenantId } from '../../../data-plane/model/index.js';
import type { Tenant, TenantRepository, TenantStatus } from '../../domain/index.js';
import type { Db } from '../client.js';
import { type TenantRow, tenants } from '../schema/index.js';
import { date, ms } from './_convert.js';

export function toTenant(r: TenantRow): Tenant {
  return {
    id: r.id as TenantId,
    displayName: r.displayName,
    labels: r.labels,
    status: r.status,
    createdAt: ms(r.createdAt),
    updatedAt: ms(r.updatedAt),
  };
}

export class DrizzleTenantRepository implements TenantRepository {
  constructor(private readonly db: Db) {}

  async insert(t: Tenant): Promise<void> {
    const rows = await this.db
      .insert(tenants)
      .values({
        id: t.id,
        displayName: t.displayName,
        labels: { ...t.labels },
        status: t.status,
        createdAt: date(t.createdAt),
        updatedAt: date(t.updatedAt),
      })
      .onConflictDoNothing()
      .returning({ id: tenants.id });
    if (rows.length === 0) throw new ConflictError(`tenant ${t.id} already exists (or is being purged)`);
  }

  async get(id: TenantId): Promise<Tenant | undefined> {
    const [r] = await this.db.select().from(tenants).where(eq(tenants.id, id));
    return r && toTenant(r);
  }

  async getForUpdate(id: TenantId): Promise<Tenant | undefined> {
    const [r] = await this.db.select().from(tenants).where(eq(tenants.id, id)).for('update');
    return r && toTenant(r);
  }

  async list(q: { status?: TenantStatus; after?: string; limit: number }): Promise<Tenant[]> {
    const where: SQL[] = [];
    if (q.status !== undefined) where.push(eq(tenants.status, q.status));
    if (q.after !== undefined) where.push(gt(tenants.id, q.after));
    const rows = await this.db
      .select()
      .from(tenants)
      .where(and(...where))
      .orderBy(asc(tenants.id))
      .limit(q.limit);
    return rows.map(toTenant);
  }

  async update(
    id: TenantId,
    patch: Partial<Pick<Tenant, 'displayName' | 'labels' | 'status'>>,
    at: number,
  ): Promise<Tenant | undefined> {
    const set: Partial<TenantRow> = { updatedAt: date(at) };
    if (patch.displayName !== undefined) set.displayName = patch.displayName;
    if (patch.labels !== undefined) set.labels = { ...patch.labels };
    if (patch.status !== undefined) set.status = patch.status;
    const [r] = await this.db.update(tenants).set(set).where(eq(tenants.id, id)).returning();
    return r && toTenant(r);
  }

  async remove(id: TenantId): Promise<void> {
    await this.db.delete(tenants).where(eq(tenants.id, id));
  }
}
