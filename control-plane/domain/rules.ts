import { BadDataError, NotFoundError, parseTenantId } from '../../data-plane/model/index.js';
import { audit, type DomainDeps } from './context.js';
import { lezerExprValidator, type RuleExprValidator } from './expr-validator.js';
import type { LimitsService } from './limits.js';
import { parseObjectName } from './names.js';
import { validateRuleGroup } from './rule-validation.js';
import { checkShape, parseYaml } from './safe-yaml.js';
import { requireTenant } from './tenants.js';
import type { RuleGroup } from './types.js';

/** A rule group as JSON, or its YAML text. */
export type RuleGroupInput = string | Record<string, unknown>;

function parseInput(input: RuleGroupInput): unknown {
  const value = typeof input === 'string' ? parseYaml(input, 'rule group') : input;
  if (typeof input !== 'string') checkShape(value, 'rule group');
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, 'groups')) {
    throw new BadDataError('rule group: send one rule group ({name, rules}), not a rule file with "groups"');
  }
  return value;
}

/** Rule groups per tenant and namespace; every change bumps the `rules` revision. */
export class RulesService {
  private readonly exprs: RuleExprValidator;

  constructor(private readonly deps: DomainDeps & { limits: LimitsService; exprValidator?: RuleExprValidator }) {
    this.exprs = deps.exprValidator ?? lezerExprValidator;
  }

  async list(rawTenant: string): Promise<Record<string, RuleGroup[]>> {
    const tenantId = parseTenantId(rawTenant);
    const groups = await this.deps.store.read(async (r) => {
      if (!(await r.tenants.get(tenantId))) throw new NotFoundError(`tenant ${tenantId} not found`);
      return r.rules(tenantId).list();
    });
    // Namespaces are tenant-chosen (`constructor`, `__proto__`): a plain `{}` would hand back
    // Object.prototype's members for them, so the map has no prototype.
    const out: Record<string, RuleGroup[]> = Object.create(null);
    for (const g of groups) (out[g.namespace] ??= []).push(g.group);
    return out;
  }

  async namespace(rawTenant: string, rawNs: string): Promise<RuleGroup[]> {
    const tenantId = parseTenantId(rawTenant);
    const ns = parseObjectName(rawNs, 'namespace');
    const groups = await this.deps.store.read(async (r) => {
      if (!(await r.tenants.get(tenantId))) throw new NotFoundError(`tenant ${tenantId} not found`);
      return r.rules(tenantId).list(ns);
    });
    if (groups.length === 0) throw new NotFoundError(`no rule groups in namespace ${JSON.stringify(ns)}`);
    return groups.map((g) => g.group);
  }

  async put(
    actor: string,
    rawTenant: string,
    rawNs: string,
    rawGroup: string,
    input: RuleGroupInput,
  ): Promise<RuleGroup> {
    const tenantId = parseTenantId(rawTenant);
    const ns = parseObjectName(rawNs, 'namespace');
    const name = parseObjectName(rawGroup, 'group');
    const value = parseInput(input);
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (r) => {
      await requireTenant(r, tenantId);
      const maxRules = await this.deps.limits.effective(r, tenantId, 'ruler_max_rules_per_rule_group');
      const group = validateRuleGroup(value, { exprs: this.exprs, maxRules });
      if (group.name !== name) {
        throw new BadDataError(
          `rule group: name ${JSON.stringify(group.name.slice(0, 60))} does not match the URL (${JSON.stringify(name)})`,
        );
      }
      if (group.source_tenants) {
        const statuses = await r.tokenLookup.statuses(group.source_tenants);
        const missing = group.source_tenants.filter((t) => (statuses.get(t) ?? 'deleted') === 'deleted');
        if (missing.length > 0) {
          throw new BadDataError(`rule group: source_tenants not found: ${missing.join(', ')}`);
        }
      }
      const repo = r.rules(tenantId);
      const before = await repo.get(ns, name);
      if (!before) {
        const maxGroups = await this.deps.limits.effective(r, tenantId, 'ruler_max_rule_groups_per_tenant');
        const count = await repo.count();
        if (maxGroups > 0 && count >= maxGroups) {
          throw new BadDataError(
            `tenant ${tenantId} already has ${count} rule groups, the limit (err-cortex-max-rule-groups-per-tenant); raise limits.ruler_max_rule_groups_per_tenant for this tenant`,
            { id: 'err-cortex-max-rule-groups-per-tenant' },
          );
        }
      }
      const revision = await r.revisions.bump('rules');
      await repo.put(ns, group, revision, now);
      await audit(r, {
        at: now,
        actor,
        action: 'rules.put',
        tenantId,
        target: `${ns}/${name}`,
        before: before?.group ?? null,
        after: group,
      });
      return group;
    });
  }

  async deleteGroup(actor: string, rawTenant: string, rawNs: string, rawGroup: string): Promise<void> {
    const tenantId = parseTenantId(rawTenant);
    const ns = parseObjectName(rawNs, 'namespace');
    const name = parseObjectName(rawGroup, 'group');
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (r) => {
      await requireTenant(r, tenantId, true);
      const before = await r.rules(tenantId).get(ns, name);
      if (!before || !(await r.rules(tenantId).delete(ns, name))) {
        throw new NotFoundError(`rule group ${JSON.stringify(name)} not found in namespace ${JSON.stringify(ns)}`);
      }
      await r.revisions.bump('rules');
      await audit(r, {
        at: now,
        actor,
        action: 'rules.delete',
        tenantId,
        target: `${ns}/${name}`,
        before: before.group,
      });
    });
  }

  async deleteNamespace(actor: string, rawTenant: string, rawNs: string): Promise<void> {
    const tenantId = parseTenantId(rawTenant);
    const ns = parseObjectName(rawNs, 'namespace');
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (r) => {
      await requireTenant(r, tenantId, true);
      const n = await r.rules(tenantId).deleteNamespace(ns);
      if (n === 0) throw new NotFoundError(`no rule groups in namespace ${JSON.stringify(ns)}`);
      await r.revisions.bump('rules');
      await audit(r, { at: now, actor, action: 'rules.delete_namespace', tenantId, target: ns, before: { groups: n } });
    });
  }
}
