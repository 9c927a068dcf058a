import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { configPath, loadConfig, saveConfig, useContext } from '../../config/index.js';
import { UsageError } from '../../errors.js';

export default class ContextUse extends BaseCommand<typeof ContextUse> {
  static override description = 'switch the current context';
  static override examples = ['<%= config.bin %> context use prod-acme'];
  static override args = { name: Args.string({ description: 'context name', required: true }) };

  async run(): Promise<void> {
    const path = configPath(this.env);
    const config = await loadConfig(path);
    if (!config.contexts.some((c) => c.name === this.args.name)) {
      throw new UsageError(`context "${this.args.name}" not found in config file (see: cortexctl context list)`);
    }
    await saveConfig(path, useContext(config, this.args.name));
    this.info(`switched to context ${this.args.name}`);
  }
}
