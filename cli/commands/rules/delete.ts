import { Args, Flags } from '@oclif/core';
import { TenantCommand } from '../../base-command.js';

export default class RulesDelete extends TenantCommand<typeof RulesDelete> {
  static override description = 'delete a rule group, or a whole namespace when no group is named';
  static override examples = [
    '<%= config.bin %> rules delete --tenant acme infra node',
    '<%= config.bin %> rules delete --tenant acme infra --yes',
  ];
  static override args = {
    namespace: Args.string({ description: 'namespace', required: true }),
    group: Args.string({ description: 'group (omit to delete the namespace)' }),
  };
  static override flags = { yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }) };

  async run(): Promise<void> {
    const tenant = await this.tenant();
    const { namespace, group } = this.args;
    const what = group === undefined ? `namespace ${namespace}` : `rule group ${namespace}/${group}`;
    await this.confirm(`delete ${what} of tenant ${tenant}?`, this.flags.yes);
    const client = await this.client();
    if (group === undefined) await client.deleteRuleNamespace(tenant, namespace);
    else await client.deleteRuleGroup(tenant, namespace, group);
    this.info(`deleted ${what}`);
  }
}
