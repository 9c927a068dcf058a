import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { adminTokenColumns } from '../../format/index.js';

export default class AdminTokenList extends BaseCommand<typeof AdminTokenList> {
  static override description = 'list operator tokens (never their secrets)';
  static override examples = [
    '<%= config.bin %> admin-token list',
    '<%= config.bin %> admin-token list --all --output json',
  ];
  static override flags = { all: Flags.boolean({ description: 'include revoked tokens' }) };

  async run(): Promise<void> {
    const tokens = await (await this.client()).listAdminTokens();
    const shown = this.flags.all ? tokens : tokens.filter((t) => !t.revokedAt);
    this.render(shown, () => this.table(shown, adminTokenColumns));
  }
}
