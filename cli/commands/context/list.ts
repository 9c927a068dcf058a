import { BaseCommand } from '../../base-command.js';
import { configPath, loadConfig, redactToken } from '../../config/index.js';

export default class ContextList extends BaseCommand<typeof ContextList> {
  static override description = 'list saved contexts; the current one is marked with *';
  static override examples = ['<%= config.bin %> context list', '<%= config.bin %> context list --output yaml'];

  async run(): Promise<void> {
    const config = await loadConfig(configPath(this.env));
    const rows = config.contexts.map((c) => ({
      current: c.name === config.currentContext,
      name: c.name,
      address: c.address ?? null,
      tenant: c.tenant ?? null,
      token: c.token ? redactToken(c.token) : null,
    }));
    this.render(rows, () =>
      this.table(rows, [
        { header: 'current', get: (r) => (r.current ? '*' : ' ') },
        { header: 'name', get: (r) => r.name },
        { header: 'address', get: (r) => r.address },
        { header: 'tenant', get: (r) => r.tenant },
        { header: 'token', get: (r) => r.token },
      ]),
    );
  }
}
