import { type Clock, systemClock, type TenantId, UnavailableError } from '../model/index.js';
import type { InstanceDesc } from '../ring/types.js';
import {
  type AlertJson,
  alertsOf,
  filterRuleGroups,
  localRuleGroups,
  type RuleGroupJson,
  type RuleGroupsView,
  type RulesFilter,
} from './api.js';
import type { RulerRing } from './sharding.js';

/**
 * How one ruler reads the groups another evaluates (Cortex's ruler API sharding). The HTTP
 * implementation (`HttpRulerPeers`, cluster secret) is in data-plane/api/ruler-peers.ts.
 */
export interface RulerPeers {
  /** Every group `instance` evaluates for the tenant (its `localRuleGroups`). */
  groups(instance: InstanceDesc, tenantId: TenantId, signal?: AbortSignal): Promise<RuleGroupJson[]>;
}

export interface ShardedRulesOptions {
  /** This process's ruler. */
  local: RuleGroupsView;
  /** The `ruler` ring and this ruler's id in it; without it only local groups are shown. */
  ring?: RulerRing;
  peers?: RulerPeers;
  clock?: Clock;
}

/**
 * /api/v1/rules and /api/v1/alerts over every ruler: this ruler's groups plus those of each other
 * healthy ruler in the ring, asked in parallel. As in Cortex the answer fails (503) when a healthy
 * ruler does not answer, rather than silently leaving groups out. A group two rulers report while it
 * moves between them is shown once, as evaluated most recently.
 */
export class ShardedRuleGroups {
  constructor(private readonly opts: ShardedRulesOptions) {}

  async all(tenantId: TenantId, signal?: AbortSignal): Promise<RuleGroupJson[]> {
    const mine = localRuleGroups(this.opts.local, tenantId);
    const { ring, peers } = this.opts;
    if (!ring || !peers) return mine;
    const now = (this.opts.clock ?? systemClock).now();
    const others = Object.values(ring.ring.describe().instances).filter(
      (i) => i.id !== ring.instanceId && i.state !== 'LEFT' && ring.ring.isHealthy(i, now),
    );
    const answers = await Promise.all(
      others.map((inst) =>
        peers.groups(inst, tenantId, signal).catch((err: unknown) => {
          throw new UnavailableError(`ruler ${inst.id} did not list its rule groups: ${(err as Error).message}`, {
            cause: err,
          });
        }),
      ),
    );
    const byKey = new Map<string, RuleGroupJson>();
    for (const g of [mine, ...answers].flat()) {
      const key = `${g.file}\xff${g.name}`;
      const seen = byKey.get(key);
      if (!seen || g.lastEvaluation > seen.lastEvaluation) byKey.set(key, g);
    }
    return [...byKey.values()].sort((a, b) => cmp(a.file, b.file) || cmp(a.name, b.name));
  }

  async rules(
    tenantId: TenantId,
    filter: RulesFilter = {},
    signal?: AbortSignal,
  ): Promise<{ groups: RuleGroupJson[] }> {
    return { groups: filterRuleGroups(await this.all(tenantId, signal), filter) };
  }

  async alerts(tenantId: TenantId, signal?: AbortSignal): Promise<{ alerts: AlertJson[] }> {
    return alertsOf(await this.all(tenantId, signal));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
