import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { tenantColumns } from '../../format/index.js';
import { parseLabels } from '../../parse-input.js';

export default class TenantCreate extends BaseCommand<typeof TenantCreate> {
  static override description = 'create a tenant';
  static override examples = [
    '<%= config.bin %> tenant create acme',
    '<%= config.bin %> tenant create acme --display-name "Acme Corp" --label team=infra --label env=prod',
    '<%= config.bin %> tenant create acme --output json',
  ];
  static override args = {
    id: Args.string({ description: 'tenant ID (1-64 of [A-Za-z0-9_-])', required: true }),
  };
  static override flags = {
    'display-name': Flags.string({ description: 'human-readable name' }),
    label: Flags.string({ description: 'label key=value (repeatable)', multiple: true }),
  };

  async run(): Promise<void> {
    const labels = parseLabels(this.flags.label);
    const client = await this.client();
    const tenant = await client.createTenant({
      id: this.args.id,
      ...(this.flags['display-name'] !== undefined ? { displayName: this.flags['display-name'] } : {}),
      ...(labels ? { labels } : {}),
    });
    this.render(tenant, () => this.table([tenant], tenantColumns));
    this.info(`tenant ${tenant.id} created`);
  }
}
