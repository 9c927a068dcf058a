import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { tenantColumns } from '../../format/index.js';

export default class TenantSuspend extends BaseCommand<typeof TenantSuspend> {
  static override description = 'suspend a tenant: its writes and queries are refused until resumed';
  static override examples = ['<%= config.bin %> tenant suspend acme'];
  static override args = { id: Args.string({ description: 'tenant ID', required: true }) };

  async run(): Promise<void> {
    const t = await (await this.client()).suspendTenant(this.args.id);
    this.render(t, () => this.table([t], tenantColumns));
    this.info(`tenant ${t.id} is ${t.status}`);
  }
}
