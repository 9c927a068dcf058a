import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { configPath, loadConfig, removeContext, saveConfig } from '../../config/index.js';
import { UsageError } from '../../errors.js';

export default class ContextDelete extends BaseCommand<typeof ContextDelete> {
  static override description = 'delete a saved context';
  static override examples = ['<%= config.bin %> context delete old-cluster'];
  static override args = { name: Args.string({ description: 'context name', required: true }) };

  async run(): Promise<void> {
    const path = configPath(this.env);
    const config = await loadConfig(path);
    if (!config.contexts.some((c) => c.name === this.args.name)) {
      throw new UsageError(`context "${this.args.name}" not found in config file`);
    }
    await saveConfig(path, removeContext(config, this.args.name));
    this.info(`context ${this.args.name} deleted`);
  }
}
