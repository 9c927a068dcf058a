import { Flags } from '@oclif/core';
import { TenantCommand } from '../../base-command.js';

export default class AlertmanagerDelete extends TenantCommand<typeof AlertmanagerDelete> {
  static override description = "delete a tenant's Alertmanager configuration";
  static override examples = ['<%= config.bin %> alertmanager delete --tenant acme --yes'];
  static override flags = { yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }) };

  async run(): Promise<void> {
    const tenant = await this.tenant();
    await this.confirm(`delete the Alertmanager configuration of tenant ${tenant}?`, this.flags.yes);
    await (await this.client()).deleteAlertmanager(tenant);
    this.info(`Alertmanager configuration of tenant ${tenant} deleted`);
  }
}
