import type { AdminClient } from '../client/index.js';
import type { RuleChange } from './diff.js';
import type { RuleGroup } from './rule-file.js';

/**
 * Applies planned changes in order: creates and updates first (so a failure never leaves a tenant
 * with fewer rules than before), then deletions. A namespace whose every remote group is deleted is
 * removed in one call. `progress` gets one line per change for stderr.
 */
export async function applyChanges(
  client: AdminClient,
  tenantId: string,
  changes: readonly RuleChange[],
  remote: Record<string, RuleGroup[]>,
  progress: (line: string) => void,
): Promise<void> {
  for (const c of changes) {
    if (c.kind !== 'create' && c.kind !== 'update') continue;
    await client.putRuleGroup(tenantId, c.namespace, c.local!);
    progress(`${c.kind === 'create' ? 'created' : 'updated'} ${c.namespace}/${c.group}`);
  }
  const deletions = changes.filter((c) => c.kind === 'delete');
  const byNs = new Map<string, RuleChange[]>();
  for (const c of deletions) byNs.set(c.namespace, [...(byNs.get(c.namespace) ?? []), c]);
  for (const [ns, list] of byNs) {
    // Own properties only: a namespace named `constructor` must not find Object's.
    if (list.length === (Object.hasOwn(remote, ns) ? remote[ns]!.length : 0)) {
      await client.deleteRuleNamespace(tenantId, ns);
      progress(`deleted namespace ${ns}`);
      continue;
    }
    for (const c of list) {
      await client.deleteRuleGroup(tenantId, ns, c.group);
      progress(`deleted ${ns}/${c.group}`);
    }
  }
}
