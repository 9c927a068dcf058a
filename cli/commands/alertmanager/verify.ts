import { Args } from '@oclif/core';
import { readAlertmanagerFiles } from '../../alertmanager/index.js';
import { BaseCommand } from '../../base-command.js';
import { CommandFailure } from '../../errors.js';

export default class AlertmanagerVerify extends BaseCommand<typeof AlertmanagerVerify> {
  static override description =
    'check an Alertmanager configuration offline: structure, receivers, no *_file fields, http(s) URLs only';
  static override examples = [
    '<%= config.bin %> alertmanager verify alertmanager.yaml',
    '<%= config.bin %> alertmanager verify alertmanager.yaml templates/*.tmpl',
  ];
  static override strict = false;
  static override args = {
    config: Args.string({
      description: 'Alertmanager YAML (or the Cortex alertmanager_config wrapper)',
      required: true,
    }),
    templates: Args.string({ description: 'template files the config refers to' }),
  };

  async run(): Promise<void> {
    const [configFile, ...templateFiles] = this.restArgs;
    const { problems } = await readAlertmanagerFiles(configFile!, templateFiles);
    if (this.format !== 'table') this.render({ valid: problems.length === 0, problems }, () => '');
    else for (const p of problems) this.info(p);
    if (problems.length > 0) throw new CommandFailure(`${problems.length} problem(s) in ${configFile}`);
    this.info(`${configFile}: valid`);
  }
}
