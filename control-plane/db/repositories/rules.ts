import { and, asc, count, eq } from 'drizzle-orm';
import type { TenantId } from '../../../data-plane/model/index.js';
import type { RuleGroup, StoredRuleGroup, TenantRuleGroupRepository } from '../../domain/index.js';
import type { Db } from '../client.js';
import { type RuleGroupRow, ruleGroups } from '../schema/index.js';
import { date } from './_convert.js';

export function toStoredRuleGroup(r: RuleGroupRow): StoredRuleGroup {
  return { namespace: r.namespace, name: r.name, group: r.group as unknown as RuleGroup, revision: r.revision };
}

/** Rule groups of one tenant: every statement is filtered by `tenant_id`. */
export class DrizzleTenantRuleGroupRepository implements TenantRuleGroupRepository {
  constructor(
    private readonly db: Db,
    private readonly tenantId: TenantId,
  ) {}

  private mine() {
    return eq(ruleGroups.tenantId, this.tenantId);
  }

  async list(namespace?: string): Promise<StoredRuleGroup[]> {
    const where = namespace === undefined ? this.mine() : and(this.mine(), eq(ruleGroups.namespace, namespace));
    const rows = await this.db
      .select()
      .from(ruleGroups)
      .where(where)
      .orderBy(asc(ruleGroups.namespace), asc(ruleGroups.name));
    return rows.map(toStoredRuleGroup);
  }

  async get(namespace: string, name: string): Promise<StoredRuleGroup | undefined> {
    const [r] = await this.db
      .select()
      .from(ruleGroups)
      .where(and(this.mine(), eq(ruleGroups.namespace, namespace), eq(ruleGroups.name, name)));
    return r && toStoredRuleGroup(r);
  }

  async count(): Promise<number> {
    const [r] = await this.db.select({ n: count() }).from(ruleGroups).where(this.mine());
    return r?.n ?? 0;
  }

  async put(namespace: string, group: RuleGroup, revision: number, at: number): Promise<void> {
    const json = group as unknown as Record<string, unknown>;
    await this.db
      .insert(ruleGroups)
      .values({ tenantId: this.tenantId, namespace, name: group.name, group: json, revision, updatedAt: date(at) })
      .onConflictDoUpdate({
        target: [ruleGroups.tenantId, ruleGroups.namespace, ruleGroups.name],
        set: { group: json, revision, updatedAt: date(at) },
      });
  }

  async delete(namespace: string, name: string): Promise<boolean> {
    const rows = await this.db
      .delete(ruleGroups)
      .where(and(this.mine(), eq(ruleGroups.namespace, namespace), eq(ruleGroups.name, name)))
      .returning({ name: ruleGroups.name });
    return rows.length > 0;
  }

  async deleteNamespace(namespace: string): Promise<number> {
    const rows = await this.db
      .delete(ruleGroups)
      .where(and(this.mine(), eq(ruleGroups.namespace, namespace)))
      .returning({ name: ruleGroups.name });
    return rows.length;
  }
}
