import { BaseCommand } from '../../base-command.js';
import { redactToken } from '../../config/index.js';

export default class ContextCurrent extends BaseCommand<typeof ContextCurrent> {
  static override description = 'show the connection in effect and where each setting comes from';
  static override examples = [
    '<%= config.bin %> context current',
    'CORTEXCTL_CONTEXT=prod <%= config.bin %> context current',
  ];

  async run(): Promise<void> {
    const c = await this.connection();
    const data = {
      context: c.context ?? null,
      address: c.address,
      tenant: c.tenant ?? null,
      token: c.token ? redactToken(c.token) : null,
      source: c.source,
    };
    this.render(data, () =>
      this.table(
        [
          { setting: 'context', value: data.context, source: c.context ? '' : 'none' },
          { setting: 'address', value: data.address, source: c.source.address },
          { setting: 'token', value: data.token, source: c.source.token },
          { setting: 'tenant', value: data.tenant, source: c.source.tenant },
        ],
        [
          { header: 'setting', get: (r) => r.setting },
          { header: 'value', get: (r) => r.value },
          { header: 'source', get: (r) => r.source },
        ],
      ),
    );
  }
}
