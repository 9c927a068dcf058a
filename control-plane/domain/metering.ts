import { BadDataError, parseTenantId } from '../../data-plane/model/index.js';
import { parseAttributionKey } from './attribution-key.js';
import type { DomainDeps } from './context.js';

export type UsageResolution = 'minute' | 'hour' | 'day';
export const USAGE_RESOLUTIONS: readonly UsageResolution[] = ['minute', 'hour', 'day'];
const BUCKET_MS: Record<UsageResolution, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** One delivery from a data-plane process (`POST /internal/v1/usage`); `(source, seq)` is its key. */
export interface UsageBatchInput {
  source: string;
  seq: number;
  rows: ReadonlyArray<{ tenantId: string; minuteMs: number; counters: Readonly<Record<string, number>> }>;
}

export interface UsageReportQuery {
  /** RFC 3339, or a date `YYYY-MM-DD` (UTC midnight). Inclusive. */
  from: string;
  /** RFC 3339 (exclusive), or a date `YYYY-MM-DD` meaning the whole of that day. */
  to: string;
  by?: string | undefined;
}

/** Mean active series over `minutes` minutes (minutes without any count as 0), to 3 decimals. */
function avg(c: Record<string, number>, minutes: number): number {
  return Math.round(((c.active_series_minutes ?? 0) / minutes) * 1000) / 1000;
}

export interface UsageReport {
  tenantId: string;
  by: UsageResolution;
  /** ms, bucket-aligned: [from, to). */
  from: number;
  to: number;
  /**
   * Buckets with any usage, oldest first. Counters are sums over the bucket, except `active_series_max`
   * (the greatest minute); `activeSeriesAvg` is `active_series_minutes` over the bucket's minutes.
   */
  buckets: Array<{
    start: number;
    counters: Record<string, number>;
    activeSeriesAvg: number;
    /** Cost attribution: each label-value combination's samples and active series (absent: none). */
    attribution?: AttributedUsage[];
  }>;
  /** Sums over the range (`active_series_max`: the greatest). */
  totals: Record<string, number>;
  /** Mean active series over the whole range. */
  activeSeriesAvg: number;
  /** Cost attribution over the whole range, by label-value combination (sorted; empty: none). */
  attribution: AttributedUsage[];
}

/** How long each resolution is kept (ms; 0 = forever). */
export interface UsageRetention {
  minuteMs: number;
  hourMs: number;
  dayMs: number;
}

export const DEFAULT_USAGE_RETENTION: UsageRetention = { minuteMs: 8 * 86_400_000, hourMs: 400 * 86_400_000, dayMs: 0 };

const METRIC = /^[a-z_]{1,32}(?::[a-z0-9-]{1,64})?$/;
/** Counters a cost attribution key may follow (`samples{team="a"}`). */
const ATTRIBUTED = /^(samples|active_series_minutes|active_series_max)(\{.*\})$/s;

const isAttributed = (k: string) => {
  const m = ATTRIBUTED.exec(k);
  return m !== null && m[1] !== 'active_series_max' && parseAttributionKey(m[2]!) !== undefined;
};

/** One label-value combination's share of a bucket (cost attribution). */
export interface AttributedUsage {
  labels: Record<string, string>;
  counters: Record<string, number>;
  activeSeriesAvg: number;
}

/** Moves attributed counters (`samples{team="a"}`) out of `c` into one entry per combination. */
function splitAttributed(c: Record<string, number>, minutes: number): AttributedUsage[] {
  const by = new Map<string, AttributedUsage>();
  for (const [k, v] of Object.entries(c)) {
    const m = ATTRIBUTED.exec(k);
    if (!m) continue;
    delete c[k];
    let a = by.get(m[2]!);
    if (!a) {
      const labels = parseAttributionKey(m[2]!);
      if (!labels) continue;
      by.set(m[2]!, (a = { labels, counters: Object.create(null), activeSeriesAvg: 0 }));
    }
    a.counters[m[1]!] = v;
  }
  for (const a of by.values()) a.activeSeriesAvg = avg(a.counters, minutes);
  return [...by.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([, a]) => a);
}
const SOURCE = /^[0-9A-Za-z_-]{1,64}$/;
const MAX_BUCKETS = 50_000;

/**
 * Billing-grade usage: counts delivered by the data plane, applied once per batch key, kept at
 * minute, hour and day resolution, and reported per tenant.
 */
export class MeteringService {
  constructor(private readonly deps: DomainDeps & { retention?: UsageRetention | undefined }) {}

  /** Applies a batch once; false when it had been applied before (a retry). Throws BadDataError on malformed input. */
  async ingest(b: UsageBatchInput): Promise<boolean> {
    if (!SOURCE.test(b.source)) throw new BadDataError('source: 1-64 characters of [0-9A-Za-z_-]');
    if (!Number.isSafeInteger(b.seq) || b.seq < 0) throw new BadDataError('seq: a non-negative integer');
    const rows = b.rows.map((r, i) => {
      const tenantId = parseTenantId(r.tenantId);
      if (!Number.isSafeInteger(r.minuteMs) || r.minuteMs % 60_000 !== 0) {
        throw new BadDataError(`rows[${i}].minuteMs: must be the start of a minute, in ms`);
      }
      const counters: Record<string, number> = Object.create(null);
      for (const [k, v] of Object.entries(r.counters)) {
        if ((!METRIC.test(k) && !isAttributed(k)) || k === 'active_series_max') {
          throw new BadDataError(`rows[${i}].counters: invalid counter name ${JSON.stringify(k)}`);
        }
        if (!Number.isSafeInteger(v) || v < 0)
          throw new BadDataError(`rows[${i}].counters.${k}: a non-negative integer`);
        if (v > 0) counters[k] = v;
      }
      return { tenantId, minuteMs: r.minuteMs, counters };
    });
    const at = this.deps.clock.now();
    return this.deps.store.transaction((r) => r.usage.applyBatch(b.source, b.seq, rows, at));
  }

  async report(rawTenant: string, q: UsageReportQuery): Promise<UsageReport> {
    const tenantId = parseTenantId(rawTenant);
    const by = (q.by ?? 'day') as UsageResolution;
    if (!USAGE_RESOLUTIONS.includes(by)) throw new BadDataError(`by: must be one of ${USAGE_RESOLUTIONS.join(', ')}`);
    const step = BUCKET_MS[by];
    const from = Math.floor(parseBound('from', q.from, false) / step) * step;
    // rounded up to a bucket, but never past 9999-12-31 (a year-10000 bound is no SQL timestamp)
    const to = Math.min(Math.ceil(parseBound('to', q.to, true) / step), Math.floor(LAST_MS / step)) * step;
    if (to <= from) throw new BadDataError('to: must be after from');
    if ((to - from) / step > MAX_BUCKETS) {
      throw new BadDataError(`the range holds more than ${MAX_BUCKETS} ${by} buckets; use a coarser --by`);
    }
    const rows = await this.deps.store.read((r) => r.usage.list(tenantId, by, from, to));
    const buckets = new Map<number, Record<string, number>>();
    const totals: Record<string, number> = Object.create(null);
    for (const row of rows) {
      let c = buckets.get(row.bucketMs);
      if (!c) buckets.set(row.bucketMs, (c = Object.create(null) as Record<string, number>));
      c[row.metric] = row.value;
      totals[row.metric] = row.metric.startsWith('active_series_max')
        ? Math.max(totals[row.metric] ?? 0, row.value)
        : (totals[row.metric] ?? 0) + row.value;
    }
    const minutes = step / 60_000;
    const rangeMinutes = (to - from) / 60_000;
    return {
      tenantId,
      by,
      from,
      to,
      buckets: [...buckets.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([start, counters]) => {
          const attribution = splitAttributed(counters, minutes);
          return {
            start,
            counters,
            activeSeriesAvg: avg(counters, minutes),
            ...(attribution.length > 0 ? { attribution } : {}),
          };
        }),
      totals,
      activeSeriesAvg: avg(totals, rangeMinutes),
      attribution: splitAttributed(totals, rangeMinutes),
    };
  }

  /** Deletes buckets older than the retention of their resolution, and batch keys past the minute retention. */
  async prune(): Promise<number> {
    const ret = this.deps.retention ?? DEFAULT_USAGE_RETENTION;
    const now = this.deps.clock.now();
    let n = 0;
    for (const [res, ms] of [
      ['minute', ret.minuteMs],
      ['hour', ret.hourMs],
      ['day', ret.dayMs],
    ] as const) {
      if (ms > 0) n += await this.deps.store.read((r) => r.usage.prune(res, now - ms));
    }
    // A batch key is only needed while its sender may still retry it: a day is ample.
    await this.deps.store.read((r) => r.usage.pruneBatches(now - 86_400_000));
    return n;
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;

/** The last millisecond of 9999-12-31, the latest time a bound may name. */
const LAST_MS = 253_402_300_799_999;

function parseBound(name: string, s: string, end: boolean): number {
  const t = DATE.test(s)
    ? Date.parse(`${s}T00:00:00Z`) + (end ? 86_400_000 : 0)
    : RFC3339.test(s)
      ? Date.parse(s)
      : NaN;
  if (!Number.isFinite(t) || t < 0 || t > LAST_MS) {
    throw new BadDataError(
      `${name}: ${JSON.stringify(String(s).slice(0, 40))} is not a date (YYYY-MM-DD) or RFC 3339 time`,
    );
  }
  return t;
}
