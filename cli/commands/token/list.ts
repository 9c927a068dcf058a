import { Flags } from '@oclif/core';
import { TenantCommand } from '../../base-command.js';
import { tokenColumns } from '../../format/index.js';

export default class TokenList extends TenantCommand<typeof TokenList> {
  static override description = "list a tenant's tokens (never their secrets)";
  static override examples = [
    '<%= config.bin %> token list --tenant acme',
    '<%= config.bin %> token list --tenant acme --all --output json',
  ];
  static override flags = { all: Flags.boolean({ description: 'include revoked tokens' }) };

  async run(): Promise<void> {
    const tokens = await (await this.client()).listTokens(await this.tenant());
    const shown = this.flags.all ? tokens : tokens.filter((t) => !t.revokedAt);
    this.render(shown, () => this.table(shown, tokenColumns));
  }
}
