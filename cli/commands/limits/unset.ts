import { Args } from '@oclif/core';
import { TenantCommand } from '../../base-command.js';
import { UsageError } from '../../errors.js';
import { limitColumns, limitRows } from '../../format/index.js';
import { parseLimitKeys } from '../../limits/index.js';

export default class LimitsUnset extends TenantCommand<typeof LimitsUnset> {
  static override description = 'remove overrides so the tenant gets the defaults again';
  static override examples = [
    '<%= config.bin %> limits unset --tenant acme ingestion_rate',
    '<%= config.bin %> limits unset --tenant acme ingestion_rate max_global_series_per_user',
  ];
  static override strict = false;
  static override args = { limit: Args.string({ description: 'limit key(s), e.g. ingestion_rate' }) };

  async run(): Promise<void> {
    const keys = parseLimitKeys(this.restArgs);
    if (keys.length === 0) throw new UsageError('no limit given: name at least one limit key');
    const limits = await (await this.client()).resetLimits(await this.tenant(), keys);
    const changed = new Set<string>(keys);
    this.render(limits, () =>
      this.table(
        limitRows(limits).filter((r) => changed.has(r.key)),
        limitColumns,
      ),
    );
    this.info(`${keys.length} override${keys.length === 1 ? '' : 's'} removed for tenant ${limits.tenantId}`);
  }
}
