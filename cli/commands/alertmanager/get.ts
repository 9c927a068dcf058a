import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { TenantCommand } from '../../base-command.js';
import { UsageError } from '../../errors.js';
import { renderData } from '../../format/index.js';

export default class AlertmanagerGet extends TenantCommand<typeof AlertmanagerGet> {
  static override description =
    "print a tenant's Alertmanager configuration, or write it and its templates to a directory";
  static override examples = [
    '<%= config.bin %> alertmanager get --tenant acme > alertmanager.yaml',
    '<%= config.bin %> alertmanager get --tenant acme --output-dir ./am/',
    '<%= config.bin %> alertmanager get --tenant acme --output json',
  ];
  static override flags = {
    'output-dir': Flags.directory({ description: 'write config.yaml and the templates here' }),
  };

  async run(): Promise<void> {
    const am = await (await this.client()).getAlertmanager(await this.tenant());
    const dir = this.flags['output-dir'];
    if (dir !== undefined) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'config.yaml'), am.config);
      for (const [name, text] of Object.entries(am.templates)) {
        if (name.includes('/') || name.includes('\\') || name.startsWith('.')) {
          throw new UsageError(`refusing to write template with unsafe name ${JSON.stringify(name)}`);
        }
        await writeFile(join(dir, name), text);
      }
      this.info(`wrote config.yaml and ${Object.keys(am.templates).length} template(s) to ${dir}`);
      return;
    }
    if (this.format === 'table') this.out(am.config);
    else this.out(renderData(am, this.format));
  }
}
