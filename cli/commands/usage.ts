import { Flags } from '@oclif/core';
import { TenantCommand } from '../base-command.js';
import type { UsageReport } from '../client/index.js';
import { UsageError } from '../errors.js';
import { OUTPUT_FORMATS, renderData } from '../format/index.js';

const UNIT_MS: Record<string, number> = { m: 60e3, h: 3600e3, d: 86_400e3, w: 604_800e3 };
/** The counters listed first, in this order; others (discards by reason) follow sorted. */
const FIRST = ['samples', 'histograms', 'exemplars', 'request_bytes'];

/** `YYYY-MM-DD` (UTC; as `--to` the whole day), RFC 3339, `now` or `now-<n><m|h|d|w>`, to ms. */
export function parseWhen(s: string, flag: string, end: boolean, now: number): number {
  const rel = /^now(?:-(\d+)([mhdw]))?$/.exec(s);
  if (rel) return rel[1] === undefined ? now : now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const t = Date.parse(`${s}T00:00:00Z`);
    if (Number.isFinite(t)) return end ? t + 86_400_000 : t;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) {
    const t = Date.parse(s);
    if (Number.isFinite(t)) return t;
  }
  throw new UsageError(`invalid ${flag} ${JSON.stringify(s)}: use YYYY-MM-DD, an RFC 3339 time, now or now-7d`);
}

/** Derived from active_series_minutes: the mean over the bucket (not a stored counter). */
const AVG = 'active_series_avg';

export function usageColumns(r: UsageReport): string[] {
  const names = new Set(Object.keys(r.totals));
  if (names.has('active_series_minutes')) names.add(AVG);
  const rest = [...names].filter((n) => !FIRST.includes(n)).sort();
  return [...FIRST, ...rest];
}

type Bucket = { counters: Record<string, number>; activeSeriesAvg?: number };
const cell = (b: Bucket, c: string) => String(c === AVG ? (b.activeSeriesAvg ?? 0) : (b.counters[c] ?? 0));

function csv(r: UsageReport): string {
  const cols = usageColumns(r);
  const lines = [['start', ...cols].join(',')];
  for (const b of r.buckets) lines.push([b.start, ...cols.map((c) => cell(b, c))].join(','));
  return `${lines.join('\n')}\n`;
}

function table(r: UsageReport): string {
  const cols = usageColumns(r);
  const total = { counters: r.totals, activeSeriesAvg: r.activeSeriesAvg };
  const rows = [
    ['START', ...cols.map((c) => c.toUpperCase())],
    ...r.buckets.map((b) => [b.start ?? '', ...cols.map((c) => cell(b, c))]),
    ['TOTAL', ...cols.map((c) => cell(total, c))],
  ];
  const out = columns(rows);
  if (r.attribution.length === 0) return out;
  // Cost attribution over the range: one row per label-value combination.
  const names = Object.keys(r.attribution[0]!.labels);
  const attrCols = ['samples', 'active_series_max', AVG];
  const attrRows = [
    [...names.map((n) => n.toUpperCase()), ...attrCols.map((c) => c.toUpperCase())],
    ...r.attribution.map((a) => [...names.map((n) => a.labels[n] ?? ''), ...attrCols.map((c) => cell(a, c))]),
  ];
  return `${out}\n${columns(attrRows)}`;
}

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return `${rows
    .map((row) =>
      row
        .map((v, i) => v.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export default class Usage extends TenantCommand<typeof Usage> {
  static override description =
    "show a tenant's metered usage (samples, histograms and exemplars accepted, request bytes, samples discarded by reason, active series, queries and samples they processed, rule evaluations, bytes stored) per minute, hour or day";
  static override examples = [
    '<%= config.bin %> usage --tenant acme --from 2026-12-01 --to 2026-12-31',
    '<%= config.bin %> usage --tenant acme --from now-6h --by hour --output csv > usage.csv',
    '<%= config.bin %> usage --tenant acme --from 2026-12-01T00:00:00Z --to now --by minute --output json',
  ];
  static override flags = {
    from: Flags.string({ description: 'start: YYYY-MM-DD (UTC), RFC 3339, now-<n><m|h|d|w>', required: true }),
    to: Flags.string({ description: 'end: YYYY-MM-DD (that whole day), RFC 3339 (exclusive) or now', default: 'now' }),
    by: Flags.option({
      description: 'bucket size',
      options: ['minute', 'hour', 'day'] as const,
      default: 'day' as const,
    })(),
    output: Flags.option({ char: 'o', description: 'output format', options: [...OUTPUT_FORMATS, 'csv'] as const })(),
  };

  async run(): Promise<void> {
    const now = Date.now();
    const fromMs = parseWhen(this.flags.from, '--from', false, now);
    const toMs = parseWhen(this.flags.to, '--to', true, now);
    if (toMs <= fromMs) throw new UsageError('--to must be after --from');
    const r = await (await this.client()).getUsageReport(await this.tenant(), { fromMs, toMs, by: this.flags.by });
    const format = this.flags.output ?? (this.flags.json ? 'json' : 'table');
    if (format === 'csv') this.out(csv(r));
    else if (format === 'table') this.out(table(r));
    else this.out(renderData(r, format));
  }
}
