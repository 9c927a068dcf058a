import { TenantCommand } from '../../base-command.js';
import { UsageError } from '../../errors.js';
import { limitColumns, limitRows } from '../../format/index.js';
import { limitFlags, limitValuesFromFlags } from '../../limits/index.js';

export default class LimitsSet extends TenantCommand<typeof LimitsSet> {
  static override description = "override some of a tenant's limits; others stay as they are";
  static override examples = [
    '<%= config.bin %> limits set --tenant acme --ingestion-rate 50000 --max-global-series-per-user 2000000',
    '<%= config.bin %> limits set --tenant acme --retention-period 30d --max-query-length 14d',
  ];
  static override flags = { ...limitFlags };

  async run(): Promise<void> {
    const body = limitValuesFromFlags(this.flags as Record<string, unknown>);
    if (Object.keys(body).length === 0) throw new UsageError('no limit given: pass at least one --<limit> flag');
    const limits = await (await this.client()).patchLimits(await this.tenant(), body);
    const changed = new Set(Object.keys(body));
    this.render(limits, () =>
      this.table(
        limitRows(limits).filter((r) => changed.has(r.key)),
        limitColumns,
      ),
    );
    this.info(`${changed.size} limit${changed.size === 1 ? '' : 's'} set for tenant ${limits.tenantId}`);
  }
}
