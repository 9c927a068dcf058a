import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { configPath, loadConfig, saveConfig, upsertContext, useContext } from '../../config/index.js';
import { UsageError } from '../../errors.js';

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.trim();
}

export default class ContextAdd extends BaseCommand<typeof ContextAdd> {
  static override description = 'save a connection context (address, token, tenant); updates it if it exists';
  static override examples = [
    '<%= config.bin %> context add dev --address http://127.0.0.1:9009 --token $ROOT_TOKEN --use',
    '<%= config.bin %> context add prod-acme --address https://cortex.example.com --tenant acme --token-stdin < token.txt',
  ];
  static override args = { name: Args.string({ description: 'context name', required: true }) };
  static override flags = {
    tenant: Flags.string({ char: 't', description: 'default tenant for tenant-scoped commands' }),
    use: Flags.boolean({ description: 'make it the current context' }),
    'token-stdin': Flags.boolean({
      description: 'read the token from stdin (keeps it out of shell history)',
      exclusive: ['token'],
    }),
  };

  async run(): Promise<void> {
    if (this.args.name === '') throw new UsageError('the context name must not be empty');
    const path = configPath(this.env);
    const token = this.flags['token-stdin'] ? await readStdin() : this.flags.token;
    if (this.flags['token-stdin'] && !token) throw new UsageError('--token-stdin: no token on stdin');
    let config = upsertContext(await loadConfig(path), {
      name: this.args.name,
      ...(this.flags.address ? { address: this.flags.address } : {}),
      ...(token ? { token } : {}),
      ...(this.flags.tenant ? { tenant: this.flags.tenant } : {}),
    });
    if (this.flags.use || !config.currentContext) config = useContext(config, this.args.name);
    await saveConfig(path, config);
    this.info(
      `context ${this.args.name} saved in ${path}${config.currentContext === this.args.name ? ' (current)' : ''}`,
    );
  }
}
