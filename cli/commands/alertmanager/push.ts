import { Args } from '@oclif/core';
import { readAlertmanagerFiles } from '../../alertmanager/index.js';
import { TenantCommand } from '../../base-command.js';
import { CommandFailure } from '../../errors.js';

export default class AlertmanagerPush extends TenantCommand<typeof AlertmanagerPush> {
  static override description = "upload a tenant's Alertmanager configuration and templates (verified first)";
  static override examples = [
    '<%= config.bin %> alertmanager push --tenant acme alertmanager.yaml',
    '<%= config.bin %> alertmanager push --tenant acme alertmanager.yaml templates/*.tmpl',
  ];
  static override strict = false;
  static override args = {
    config: Args.string({
      description: 'Alertmanager YAML (or the Cortex alertmanager_config wrapper)',
      required: true,
    }),
    templates: Args.string({ description: 'template files, named by their file name' }),
  };

  async run(): Promise<void> {
    const [configFile, ...templateFiles] = this.restArgs;
    const { config, problems } = await readAlertmanagerFiles(configFile!, templateFiles);
    for (const p of problems) this.info(p);
    if (problems.length > 0) throw new CommandFailure(`${problems.length} problem(s); nothing was uploaded`);
    const tenant = await this.tenant();
    await (await this.client()).putAlertmanager(tenant, config);
    const n = Object.keys(config.templates).length;
    this.render({ tenantId: tenant, templates: Object.keys(config.templates) }, () => '');
    this.info(`Alertmanager configuration of tenant ${tenant} updated (${n} template${n === 1 ? '' : 's'})`);
  }
}
