import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { configPath, loadConfig, saveConfig, upsertContext, useContext } from '../../config/index.js';

export default class ContextAdd extends BaseCommand<typeof ContextAdd> {
  static override description = 'save a connection context (address, token, tenant); updates it if it exists';
  static override examples = [
    '<%= config.bin %> context add dev --address http://127.0.0.1:9009 --token $ROOT_TOKEN --use',
    '<%= config.bin %> context add prod-acme --address https://cortex.example.com --token $TOKEN --tenant acme',
  ];
  static override args = { name: Args.string({ description: 'context name', required: true }) };
  static override flags = {
    tenant: Flags.string({ char: 't', description: 'default tenant for tenant-scoped commands' }),
    use: Flags.boolean({ description: 'make it the current context' }),
  };

  async run(): Promise<void> {
    const path = configPath(this.env);
    let config = upsertContext(await loadConfig(path), {
      name: this.args.name,
      ...(this.flags.address ? { address: this.flags.address } : {}),
      ...(this.flags.token ? { token: this.flags.token } : {}),
      ...(this.flags.tenant ? { tenant: this.flags.tenant } : {}),
    });
    if (this.flags.use || !config.currentContext) config = useContext(config, this.args.name);
    await saveConfig(path, config);
    this.info(
      `context ${this.args.name} saved in ${path}${config.currentContext === this.args.name ? ' (current)' : ''}`,
    );
  }
}
