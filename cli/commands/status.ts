import { TenantCommand } from '../base-command.js';
import { ApiError, type TenantLimits } from '../client/index.js';
import { CommandFailure } from '../errors.js';
import { limitColumns, limitRows, renderFields } from '../format/index.js';

export default class Status extends TenantCommand<typeof Status> {
  static override description = "show server health and version, and with --tenant the tenant's limits";
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --tenant acme',
    '<%= config.bin %> status --address http://cortex:9009 --output json',
  ];

  async run(): Promise<void> {
    const client = await this.client();
    const conn = await this.connection();
    let ready: boolean;
    let readyMessage: string;
    try {
      readyMessage = (await client.ready()).trim() || 'ready';
      ready = true;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      ready = false;
      readyMessage = err.message;
    }
    // buildinfo needs a tenant read token on some deployments; its absence is not a failure.
    const build = await client.buildInfo().then(
      (b) => b.data,
      () => undefined,
    );
    let limits: TenantLimits | undefined;
    if (conn.tenant) limits = await client.getLimits(conn.tenant);
    const data = {
      address: client.address,
      context: conn.context ?? null,
      ready,
      readyMessage,
      version: build?.version ?? null,
      revision: build?.revision ?? null,
      ...(limits ? { tenant: limits.tenantId, limits: limits.limits, overridden: limits.overridden } : {}),
    };
    this.render(data, () => {
      const head = renderFields([
        ['address', data.address],
        ['context', data.context],
        ['ready', ready ? 'yes' : `no (${readyMessage})`],
        ['version', data.version],
        ['revision', data.revision],
        ...(limits ? ([['tenant', limits.tenantId]] as const) : []),
      ]);
      return limits ? `${head}\n${this.table(limitRows(limits), limitColumns)}` : head;
    });
    if (!ready) throw new CommandFailure(`server at ${client.address} is not ready: ${readyMessage}`);
  }
}
