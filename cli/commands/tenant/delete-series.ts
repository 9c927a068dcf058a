import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { deleteSeriesColumns } from '../../format/index.js';

export default class TenantDeleteSeries extends BaseCommand<typeof TenantDeleteSeries> {
  static override description =
    'delete a tenant’s series in a time range: hidden from queries at once, removed from storage later';
  static override examples = [
    `<%= config.bin %> tenant delete-series acme --match 'up{job="api"}' --start now-2h --end now`,
    `<%= config.bin %> tenant delete-series acme --match 'secret_metric' --yes`,
  ];
  static override args = { id: Args.string({ description: 'tenant ID', required: true }) };
  static override flags = {
    match: Flags.string({
      description: 'series selector (repeatable), e.g. up{job="api"}',
      required: true,
      multiple: true,
    }),
    start: Flags.string({ description: 'unix seconds, RFC 3339, now or now-<n>[smhdw] (default: the beginning)' }),
    end: Flags.string({ description: 'unix seconds, RFC 3339, now or now-<n>[smhdw] (default: the end of time)' }),
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }),
  };

  async run(): Promise<void> {
    const { match, start, end, yes } = this.flags;
    const range = `${start ?? 'the beginning'} to ${end ?? 'the end of time'}`;
    await this.confirm(`delete ${match.join(', ')} of tenant ${this.args.id} from ${range}?`, yes);
    const r = await (await this.client()).deleteSeries(this.args.id, {
      match,
      ...(start === undefined ? {} : { start }),
      ...(end === undefined ? {} : { end }),
    });
    this.render(r, () => this.table([r], deleteSeriesColumns));
    this.info(`series of tenant ${r.tenantId} deleted (hidden now, removed from storage by housekeeping)`);
  }
}
