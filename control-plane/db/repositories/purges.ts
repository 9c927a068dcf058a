import { and, asc, eq, isNull } from 'drizzle-orm';
import type { TenantId } from '../../../data-plane/model/index.js';
import type { PurgeRepository, PurgeRequest } from '../../domain/index.js';
import type { Db } from '../client.js';
import { purgeRequests } from '../schema/index.js';
import { date, ms } from './_convert.js';

export class DrizzlePurgeRepository implements PurgeRepository {
  constructor(private readonly db: Db) {}

  async request(tenantId: TenantId, at: number): Promise<void> {
    await this.db.insert(purgeRequests).values({ tenantId, requestedAt: date(at) });
  }

  async pending(): Promise<PurgeRequest[]> {
    const rows = await this.db
      .select()
      .from(purgeRequests)
      .where(isNull(purgeRequests.completedAt))
      .orderBy(asc(purgeRequests.id));
    return rows.map((r) => ({ tenantId: r.tenantId as TenantId, requestedAt: ms(r.requestedAt) }));
  }

  async complete(tenantId: TenantId, at: number): Promise<boolean> {
    const rows = await this.db
      .update(purgeRequests)
      .set({ completedAt: date(at) })
      .where(and(eq(purgeRequests.tenantId, tenantId), isNull(purgeRequests.completedAt)))
      .returning({ id: purgeRequests.id });
    return rows.length > 0;
  }
}
