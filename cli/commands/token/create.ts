import { Flags } from '@oclif/core';
import { TenantCommand } from '../../base-command.js';
import { renderFields } from '../../format/index.js';
import { expiresAt, parseScopes, parseTenantList, TOKEN_SCOPES } from '../../parse-input.js';

export default class TokenCreate extends TenantCommand<typeof TokenCreate> {
  static override description = 'create an API token for a tenant; the secret is shown only once';
  static override examples = [
    '<%= config.bin %> token create --tenant acme --scopes metrics:write,metrics:read',
    '<%= config.bin %> token create --tenant acme --scopes metrics:write --name prometheus --expires-in 90d',
    '<%= config.bin %> token create --tenant prod --federate prod,staging,eu --scopes metrics:read --name grafana',
    'TOKEN=$(<%= config.bin %> token create --tenant acme --scopes metrics:read --output json | jq --raw-output .token)',
  ];
  static override flags = {
    scopes: Flags.string({ description: `comma-separated: ${TOKEN_SCOPES.join(', ')}`, required: true }),
    name: Flags.string({ description: 'name to recognise the token by' }),
    'expires-in': Flags.string({ description: 'lifetime, e.g. 30d, 12h, 1y (default: never expires)' }),
    federate: Flags.string({
      description: 'comma-separated tenants the token may read together (X-Scope-OrgID: a|b|c, source_tenants)',
    }),
  };

  async run(): Promise<void> {
    const scopes = parseScopes(this.flags.scopes);
    const expires = this.flags['expires-in'] ? expiresAt(this.flags['expires-in'], Date.now()) : undefined;
    const tenant = await this.tenant();
    const t = await (await this.client()).createToken(tenant, {
      scopes,
      ...(this.flags.name !== undefined ? { name: this.flags.name } : {}),
      ...(expires ? { expiresAt: expires } : {}),
      ...(this.flags.federate !== undefined ? { federate: parseTenantList(this.flags.federate) } : {}),
    });
    this.render(t, () =>
      renderFields([
        ['token', t.token],
        ['id', t.id],
        ['tenant', t.tenantId],
        ['name', t.name],
        ['scopes', t.scopes],
        ['federate', t.federate],
        ['expires', t.expiresAt],
      ]),
    );
    this.info('store the token now: it cannot be shown again');
  }
}
