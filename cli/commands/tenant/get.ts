import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { renderFields } from '../../format/index.js';

export default class TenantGet extends BaseCommand<typeof TenantGet> {
  static override description = 'show one tenant';
  static override examples = ['<%= config.bin %> tenant get acme', '<%= config.bin %> tenant get acme --output yaml'];
  static override args = { id: Args.string({ description: 'tenant ID', required: true }) };

  async run(): Promise<void> {
    const t = await (await this.client()).getTenant(this.args.id);
    this.render(t, () =>
      renderFields([
        ['id', t.id],
        ['status', t.status],
        ['display name', t.displayName],
        ['labels', t.labels],
        ['created', t.createdAt],
        ['updated', t.updatedAt],
      ]),
    );
  }
}
