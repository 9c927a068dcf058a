import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { adminTokenColumns } from '../../format/index.js';

export default class AdminTokenRevoke extends BaseCommand<typeof AdminTokenRevoke> {
  static override description = 'revoke an operator token: the admin API refuses it from the next call on';
  static override examples = ['<%= config.bin %> admin-token revoke 6f1c2a… --yes'];
  static override args = { id: Args.string({ description: 'token ID (see admin-token list)', required: true }) };
  static override flags = { yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }) };

  async run(): Promise<void> {
    await this.confirm(`revoke operator token ${this.args.id}?`, this.flags.yes);
    const t = await (await this.client()).revokeAdminToken(this.args.id);
    this.render(t, () => this.table([t], adminTokenColumns));
    this.info(`operator token ${t.id} revoked`);
  }
}
