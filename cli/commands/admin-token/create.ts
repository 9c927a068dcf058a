import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { renderFields } from '../../format/index.js';
import { expiresAt } from '../../parse-input.js';

export default class AdminTokenCreate extends BaseCommand<typeof AdminTokenCreate> {
  static override description = 'create an operator token for the admin API; the secret is shown only once';
  static override examples = [
    '<%= config.bin %> admin-token create --name alice',
    '<%= config.bin %> admin-token create --name dashboards --role viewer --expires-in 90d --output json',
  ];
  static override flags = {
    name: Flags.string({ description: 'who or what uses the token', required: true }),
    role: Flags.option({
      description: 'admin may change anything; viewer may only read',
      options: ['admin', 'viewer'] as const,
      default: 'admin' as const,
    })(),
    'expires-in': Flags.string({ description: 'lifetime, e.g. 30d, 12h, 1y (default: never expires)' }),
  };

  async run(): Promise<void> {
    const expires = this.flags['expires-in'] ? expiresAt(this.flags['expires-in'], Date.now()) : undefined;
    const t = await (await this.client()).createAdminToken({
      name: this.flags.name,
      role: this.flags.role,
      ...(expires ? { expiresAt: expires } : {}),
    });
    this.render(t, () =>
      renderFields([
        ['token', t.token],
        ['id', t.id],
        ['name', t.name],
        ['role', t.role],
        ['expires', t.expiresAt],
      ]),
    );
    this.info('store the token now: it cannot be shown again');
  }
}
