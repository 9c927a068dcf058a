import { asc, ne } from 'drizzle-orm';
import type { TenantId } from '../../../data-plane/model/index.js';
import type {
  AlertmanagerConfig,
  FeedRepository,
  StoredOverrides,
  StoredRuleGroup,
  TenantStatus,
} from '../../domain/index.js';
import type { Db } from '../client.js';
import { alertmanagerConfigs, ruleGroups, tenantLimits, tenants } from '../schema/index.js';
import { toStoredRuleGroup } from './rules.js';

/** Whole-cluster reads for the internal change feed. */
export class DrizzleFeedRepository implements FeedRepository {
  constructor(private readonly db: Db) {}

  async tenants(): Promise<Array<{ id: TenantId; status: TenantStatus }>> {
    const rows = await this.db
      .select({ id: tenants.id, status: tenants.status })
      .from(tenants)
      .where(ne(tenants.status, 'deleted'))
      .orderBy(asc(tenants.id));
    return rows.map((r) => ({ id: r.id as TenantId, status: r.status }));
  }

  async overrides(): Promise<Array<{ tenantId: TenantId; overrides: StoredOverrides }>> {
    const rows = await this.db.select().from(tenantLimits).orderBy(asc(tenantLimits.tenantId));
    return rows.map((r) => ({ tenantId: r.tenantId as TenantId, overrides: r.overrides }));
  }

  async ruleGroups(): Promise<Array<StoredRuleGroup & { tenantId: TenantId }>> {
    const rows = await this.db
      .select()
      .from(ruleGroups)
      .orderBy(asc(ruleGroups.tenantId), asc(ruleGroups.namespace), asc(ruleGroups.name));
    return rows.map((r) => ({ ...toStoredRuleGroup(r), tenantId: r.tenantId as TenantId }));
  }

  async alertmanagerConfigs(): Promise<Array<AlertmanagerConfig & { tenantId: TenantId }>> {
    const rows = await this.db.select().from(alertmanagerConfigs).orderBy(asc(alertmanagerConfigs.tenantId));
    return rows.map((r) => ({
      tenantId: r.tenantId as TenantId,
      config: r.config,
      templates: r.templates,
      revision: r.revision,
    }));
  }
}
