import { Flags } from '@oclif/core';
import { TenantCommand } from '../../base-command.js';
import { limitColumns, limitRows } from '../../format/index.js';

export default class LimitsGet extends TenantCommand<typeof LimitsGet> {
  static override description = "show a tenant's effective limits, their defaults and which are overridden";
  static override examples = [
    '<%= config.bin %> limits get --tenant acme',
    '<%= config.bin %> limits get --tenant acme --overridden',
    '<%= config.bin %> limits get --tenant acme --output json',
  ];
  static override flags = { overridden: Flags.boolean({ description: 'only limits the tenant overrides' }) };

  async run(): Promise<void> {
    const limits = await (await this.client()).getLimits(await this.tenant());
    const rows = limitRows(limits).filter((r) => !this.flags.overridden || r.overridden);
    this.render(limits, () => this.table(rows, limitColumns));
  }
}
