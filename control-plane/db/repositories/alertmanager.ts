import { eq } from 'drizzle-orm';
import type { TenantId } from '../../../data-plane/model/index.js';
import type { AlertmanagerConfig, TenantAlertmanagerRepository } from '../../domain/index.js';
import type { Db } from '../client.js';
import { alertmanagerConfigs } from '../schema/index.js';
import { date } from './_convert.js';

export class DrizzleTenantAlertmanagerRepository implements TenantAlertmanagerRepository {
  constructor(
    private readonly db: Db,
    private readonly tenantId: TenantId,
  ) {}

  async get(): Promise<AlertmanagerConfig | undefined> {
    const [r] = await this.db.select().from(alertmanagerConfigs).where(eq(alertmanagerConfigs.tenantId, this.tenantId));
    return r && { config: r.config, templates: r.templates, revision: r.revision };
  }

  async put(c: AlertmanagerConfig, at: number): Promise<void> {
    const values = { config: c.config, templates: { ...c.templates }, revision: c.revision, updatedAt: date(at) };
    await this.db
      .insert(alertmanagerConfigs)
      .values({ tenantId: this.tenantId, ...values })
      .onConflictDoUpdate({ target: alertmanagerConfigs.tenantId, set: values });
  }

  async delete(): Promise<boolean> {
    const rows = await this.db
      .delete(alertmanagerConfigs)
      .where(eq(alertmanagerConfigs.tenantId, this.tenantId))
      .returning({ t: alertmanagerConfigs.tenantId });
    return rows.length > 0;
  }
}
