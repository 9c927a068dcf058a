import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { tenantColumns } from '../../format/index.js';

export default class TenantResume extends BaseCommand<typeof TenantResume> {
  static override description = 'resume a suspended tenant';
  static override examples = ['<%= config.bin %> tenant resume acme'];
  static override args = { id: Args.string({ description: 'tenant ID', required: true }) };

  async run(): Promise<void> {
    const t = await (await this.client()).resumeTenant(this.args.id);
    this.render(t, () => this.table([t], tenantColumns));
    this.info(`tenant ${t.id} is ${t.status}`);
  }
}
