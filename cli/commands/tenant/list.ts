import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { tenantColumns } from '../../format/index.js';

export default class TenantList extends BaseCommand<typeof TenantList> {
  static override description = 'list tenants';
  static override examples = [
    '<%= config.bin %> tenant list',
    '<%= config.bin %> tenant list --status suspended --output json',
  ];
  static override flags = {
    status: Flags.option({
      description: 'only tenants in this state',
      options: ['active', 'suspended', 'deleted'] as const,
    })(),
  };

  async run(): Promise<void> {
    const client = await this.client();
    const tenants = await client.listAllTenants(this.flags.status ? { status: this.flags.status } : {});
    this.render(tenants, () => this.table(tenants, tenantColumns));
  }
}
