import { Args } from '@oclif/core';
import { TenantCommand } from '../../base-command.js';
import { CommandFailure } from '../../errors.js';
import { renderData } from '../../format/index.js';

export default class RulesGet extends TenantCommand<typeof RulesGet> {
  static override description = 'print a namespace (or one group) as a Prometheus rule file';
  static override examples = [
    '<%= config.bin %> rules get --tenant acme infra > infra.yaml',
    '<%= config.bin %> rules get --tenant acme infra node --output json',
  ];
  static override args = {
    namespace: Args.string({ description: 'namespace', required: true }),
    group: Args.string({ description: 'only this group' }),
  };

  async run(): Promise<void> {
    let groups = await (await this.client()).getRuleNamespace(await this.tenant(), this.args.namespace);
    if (this.args.group !== undefined) {
      groups = groups.filter((g) => g.name === this.args.group);
      if (groups.length === 0)
        throw new CommandFailure(`group ${this.args.group} not found in namespace ${this.args.namespace}`);
    }
    const file = { namespace: this.args.namespace, groups };
    this.out(renderData(file, this.format === 'json' ? 'json' : 'yaml'));
  }
}
