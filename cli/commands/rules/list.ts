import { Flags } from '@oclif/core';
import { TenantCommand } from '../../base-command.js';

export default class RulesList extends TenantCommand<typeof RulesList> {
  static override description = "list a tenant's rule groups";
  static override examples = [
    '<%= config.bin %> rules list --tenant acme',
    '<%= config.bin %> rules list --tenant acme --output yaml',
  ];
  static override flags = { namespace: Flags.string({ char: 'n', description: 'only this namespace' }) };

  async run(): Promise<void> {
    const all = await (await this.client()).listRules(await this.tenant());
    const ns = this.flags.namespace;
    // Own properties only: `--namespace constructor` must not find Object's constructor.
    const namespaces = ns ? { [ns]: Object.hasOwn(all, ns) ? all[ns]! : [] } : all;
    const rows = Object.entries(namespaces)
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([ns, groups]) =>
        groups.map((g) => ({ namespace: ns, group: g.name, interval: g.interval, rules: g.rules.length })),
      );
    this.render({ namespaces }, () =>
      this.table(rows, [
        { header: 'namespace', get: (r) => r.namespace },
        { header: 'group', get: (r) => r.group },
        { header: 'interval', get: (r) => r.interval },
        { header: 'rules', get: (r) => r.rules },
      ]),
    );
  }
}
