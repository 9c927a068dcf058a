import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { UsageError } from '../../errors.js';
import { tenantColumns } from '../../format/index.js';
import { parseLabels } from '../../parse-input.js';

export default class TenantUpdate extends BaseCommand<typeof TenantUpdate> {
  static override description = "change a tenant's display name or labels (labels replace the current set)";
  static override examples = [
    '<%= config.bin %> tenant update acme --display-name "Acme Inc"',
    '<%= config.bin %> tenant update acme --label team=infra --label tier=gold',
  ];
  static override args = { id: Args.string({ description: 'tenant ID', required: true }) };
  static override flags = {
    'display-name': Flags.string({ description: 'human-readable name' }),
    label: Flags.string({ description: 'label key=value (repeatable; replaces all labels)', multiple: true }),
  };

  async run(): Promise<void> {
    const labels = parseLabels(this.flags.label);
    const displayName = this.flags['display-name'];
    if (labels === undefined && displayName === undefined) {
      throw new UsageError('nothing to update: pass --display-name and/or --label');
    }
    const t = await (await this.client()).updateTenant(this.args.id, {
      ...(displayName !== undefined ? { displayName } : {}),
      ...(labels ? { labels } : {}),
    });
    this.render(t, () => this.table([t], tenantColumns));
  }
}
