import { BadDataError, type Labels, Matcher, type TenantId, UnavailableError } from '../model/index.js';
import type { Queryable } from '../storage/index.js';
import type { Params } from './params.js';
import type { ApiAnswer } from './prometheus-api.js';
import { parseSeriesSelector } from './selectors.js';

export interface UsageBackend {
  /** Active series in the ingesters and the recent ingestion rate (samples/s); may be asynchronous (split mode). */
  stats(
    tenantId: TenantId,
  ): { numSeries: number; ingestionRate: number } | Promise<{ numSeries: number; ingestionRate: number }>;
  /** The tenant's effective limits, snake_case keys. */
  limits(tenantId: TenantId): Readonly<Record<string, number | readonly string[]>>;
  /** Recent data only (ingesters): cardinality is about active series. */
  activeQueryable(tenantId: TenantId): Queryable;
  now(): number;
  /**
   * The tenant's metered usage from the control plane (docs/usage.md); `from`/`to` as given (dates or
   * RFC 3339), `by` minute, hour or day. Throws BadDataError for bad bounds. Absent: 503.
   */
  report?(tenantId: TenantId, q: { from: string; to: string; by?: string }): Promise<unknown>;
}

const ALL_SERIES = [new Matcher('=~', '__name__', '.+')];
const ACTIVE_WINDOW_MS = 60 * 60_000;

/**
 * Mimir's tenant usage endpoints: `user_stats`, `user_limits` and the `cardinality/*` reports, so a
 * tenant can see what it sends and what it may send.
 */
export class UsageApi {
  constructor(private readonly b: UsageBackend) {}

  async userStats(tenantId: TenantId): Promise<ApiAnswer> {
    const s = await this.b.stats(tenantId);
    return {
      data: {
        numSeries: s.numSeries,
        ingestionRate: s.ingestionRate,
        APIIngestionRate: s.ingestionRate,
        RuleIngestionRate: 0,
      },
    };
  }

  /** `usage_report?from=&to=&by=`: the tenant's own metered usage, what operators see in `cortexctl usage`. */
  async usageReport(tenantId: TenantId, p: Params): Promise<ApiAnswer> {
    if (!this.b.report) throw new UnavailableError('usage reports are not available on this server');
    const from = p.get('from');
    if (!from) throw new BadDataError('from param is required (YYYY-MM-DD or RFC 3339)');
    const to = p.get('to') || new Date(this.b.now()).toISOString();
    const by = p.get('by');
    return { data: await this.b.report(tenantId, { from, to, ...(by ? { by } : {}) }) };
  }

  userLimits(tenantId: TenantId): ApiAnswer {
    return { data: { ...this.b.limits(tenantId) } };
  }

  /** `cardinality/label_names`: per label name, how many distinct values it has. */
  async labelNames(tenantId: TenantId, p: Params): Promise<ApiAnswer> {
    const limit = boundedInt(p, 'limit', 20, 500);
    const series = await this.activeSeries(tenantId, p);
    const values = new Map<string, Set<string>>();
    for (const l of series) {
      l.forEach((n, v) => {
        let set = values.get(n);
        if (!set) values.set(n, (set = new Set()));
        set.add(v);
      });
    }
    const rows = [...values.entries()]
      .map(([label_name, set]) => ({ label_name, label_values_count: set.size }))
      .sort((a, b) => b.label_values_count - a.label_values_count || cmp(a.label_name, b.label_name));
    return {
      data: {
        label_values_count_total: rows.reduce((n, r) => n + r.label_values_count, 0),
        label_names_count: rows.length,
        cardinality: rows.slice(0, limit),
      },
    };
  }

  /** `cardinality/label_values?label_names[]=…`: per label, its values by series count. */
  async labelValues(tenantId: TenantId, p: Params): Promise<ApiAnswer> {
    const names = p.all('label_names[]');
    if (names.length === 0) throw new BadDataError('label_names[] param is required');
    const limit = boundedInt(p, 'limit', 20, 500);
    const series = await this.activeSeries(tenantId, p);
    const labels = names.map((label_name) => {
      const counts = new Map<string, number>();
      let seriesCount = 0;
      for (const l of series) {
        const v = l.get(label_name);
        if (v === '') continue;
        seriesCount++;
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const cardinality = [...counts.entries()]
        .map(([label_value, series_count]) => ({ label_value, series_count }))
        .sort((a, b) => b.series_count - a.series_count || cmp(a.label_value, b.label_value));
      return {
        label_name,
        label_values_count: counts.size,
        series_count: seriesCount,
        cardinality: cardinality.slice(0, limit),
      };
    });
    return { data: { series_count_total: series.length, labels } };
  }

  private async activeSeries(tenantId: TenantId, p: Params): Promise<Labels[]> {
    const selector = p.get('selector');
    const matchers = selector ? parseSeriesSelector(selector) : ALL_SERIES;
    const now = this.b.now();
    const q = this.b.activeQueryable(tenantId).querier(now - ACTIVE_WINDOW_MS, now);
    try {
      const series = await q.select(false, { start: now - ACTIVE_WINDOW_MS, end: now, func: 'series' }, matchers);
      return series.map((s) => s.labels);
    } finally {
      q.close();
    }
  }
}

/** A decimal integer in [0, max]; `Number()` alone would also take `0x10`, `1e1` and ` 5 `. */
function boundedInt(p: Params, name: string, dflt: number, max: number): number {
  const v = p.get(name);
  if (v === undefined || v === '') return dflt;
  const n = /^\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new BadDataError(`invalid parameter "${name}": must be an integer between 0 and ${max}`);
  }
  return n;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
