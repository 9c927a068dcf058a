import { Args, Flags } from '@oclif/core';
import { TenantCommand } from '../../base-command.js';
import { tokenColumns } from '../../format/index.js';

export default class TokenRevoke extends TenantCommand<typeof TokenRevoke> {
  static override description = 'revoke a token: it stops working everywhere within seconds';
  static override examples = ['<%= config.bin %> token revoke 6f1c2a… --tenant acme --yes'];
  static override args = { 'token-id': Args.string({ description: 'token ID (see token list)', required: true }) };
  static override flags = { yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }) };

  async run(): Promise<void> {
    const tenant = await this.tenant();
    await this.confirm(`revoke token ${this.args['token-id']} of tenant ${tenant}?`, this.flags.yes);
    const t = await (await this.client()).revokeToken(tenant, this.args['token-id']);
    this.render(t, () => this.table([t], tokenColumns));
    this.info(`token ${t.id} revoked`);
  }
}
