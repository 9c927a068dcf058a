import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { tenantColumns } from '../../format/index.js';

export default class TenantDelete extends BaseCommand<typeof TenantDelete> {
  static override description = 'delete a tenant: its tokens stop working and its data is purged';
  static override examples = ['<%= config.bin %> tenant delete acme', '<%= config.bin %> tenant delete acme --yes'];
  static override args = { id: Args.string({ description: 'tenant ID', required: true }) };
  static override flags = { yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }) };

  async run(): Promise<void> {
    await this.confirm(`delete tenant ${this.args.id} and all its data?`, this.flags.yes);
    const t = await (await this.client()).deleteTenant(this.args.id);
    this.render(t, () => this.table([t], tenantColumns));
    this.info(`tenant ${t.id} deleted`);
  }
}
