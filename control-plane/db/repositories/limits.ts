import { eq } from 'drizzle-orm';
import type { TenantId } from '../../../data-plane/model/index.js';
import type { StoredOverrides, TenantLimitsRepository } from '../../domain/index.js';
import type { Db } from '../client.js';
import { tenantLimits } from '../schema/index.js';
import { date } from './_convert.js';

export class DrizzleTenantLimitsRepository implements TenantLimitsRepository {
  constructor(
    private readonly db: Db,
    private readonly tenantId: TenantId,
  ) {}

  async get(): Promise<StoredOverrides> {
    const [r] = await this.db.select().from(tenantLimits).where(eq(tenantLimits.tenantId, this.tenantId));
    return r ? { ...r.overrides } : {};
  }

  async set(overrides: StoredOverrides, at: number): Promise<void> {
    await this.db
      .insert(tenantLimits)
      .values({ tenantId: this.tenantId, overrides, updatedAt: date(at) })
      .onConflictDoUpdate({ target: tenantLimits.tenantId, set: { overrides, updatedAt: date(at) } });
  }
}
