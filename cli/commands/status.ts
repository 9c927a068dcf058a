import { TenantCommand } from '../base-command.js';
import { ApiError, type TenantLimits } from '../client/index.js';
import { CommandFailure } from '../errors.js';
import { limitColumns, limitRows, renderFields } from '../format/index.js';
import { fetchRings, ringColumns, ringRows, ringSummary } from '../status/ring.js';

export default class Status extends TenantCommand<typeof Status> {
  static override description =
    "show server health, version and hash rings (instances, state, zone, tokens, heartbeat age), and with --tenant the tenant's limits";
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
    // The rings this server knows (`/ring`); absent on servers without one.
    const rings = await fetchRings(client.http);
    const data = {
      address: client.address,
      context: conn.context ?? null,
      ready,
      readyMessage,
      version: build?.version ?? null,
      revision: build?.revision ?? null,
      ...(limits ? { tenant: limits.tenantId, limits: limits.limits, overridden: limits.overridden } : {}),
      ...(rings ? { rings: rings.rings } : {}),
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
      const ring = rings ? `\n${ringSummary(rings).join('\n')}\n\n${this.table(ringRows(rings), ringColumns)}` : '';
      return limits ? `${head}${ring}\n${this.table(limitRows(limits), limitColumns)}` : `${head}${ring}`;
    });
    if (!ready) throw new CommandFailure(`server at ${client.address} is not ready: ${readyMessage}`);
  }
}
