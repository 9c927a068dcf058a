import { type QueryTenant, type TenantId, tenantsOf } from '../model/index.js';

/**
 * Counter names of the usage report. `discarded_samples:<reason>` holds samples and histograms
 * dropped for one reason (the error ID, as in `cortex_discarded_samples_total{reason}`); a counter
 * followed by a cost attribution key (`samples{team="a"}`) is that counter's share of one combination.
 */
export type UsageMetric =
  | 'samples'
  | 'histograms'
  | 'exemplars'
  | 'request_bytes'
  | 'queries'
  | 'query_samples'
  | 'rule_evaluations'
  | 'stored_bytes'
  | 'active_series_minutes'
  | `discarded_samples:${string}`
  | `samples{${string}}`
  | `active_series_minutes{${string}}`;

/** What one acknowledged write added (PushResult's counts, and the drops by reason). */
export interface WriteUsage {
  samples: number;
  histograms: number;
  exemplars: number;
  /** Reason (error ID) → samples + histograms dropped. */
  discarded?: ReadonlyMap<string, number> | undefined;
  /** Cost attribution key (`{team="a"}`) → samples + histograms accepted (recorded as `samples{team="a"}`). */
  attributed?: ReadonlyMap<string, number> | undefined;
}

/** One tenant-minute of counts: `minuteMs` is the start of the UTC minute the counts were taken in. */
export interface UsageRow {
  tenantId: string;
  minuteMs: number;
  counters: Record<string, number>;
}

const MINUTE_MS = 60_000;

/**
 * Per-tenant, per-minute usage counters of one process, taken where the decision is made and only
 * for what was acknowledged (a write's counts once its response is decided, never per replica).
 * `drain()` hands over everything counted so far and starts afresh; the caller owns delivery.
 */
export class UsageRecorder {
  private rows = new Map<string, UsageRow>();
  private listener: ((row: UsageRow) => void) | undefined;

  constructor(private readonly now: () => number) {}

  /** Called with each delta as it is counted (the journal writes it before the next request). */
  onRecord(fn: (row: UsageRow) => void): void {
    this.listener = fn;
  }

  recordWrite(tenantId: TenantId, w: WriteUsage): void {
    const c: Record<string, number> = {};
    if (w.samples > 0) c.samples = w.samples;
    if (w.histograms > 0) c.histograms = w.histograms;
    if (w.exemplars > 0) c.exemplars = w.exemplars;
    for (const [reason, n] of w.discarded ?? []) if (n > 0) c[`discarded_samples:${reason}`] = n;
    for (const [key, n] of w.attributed ?? []) if (n > 0) c[`samples${key}`] = n;
    this.add(tenantId, c);
  }

  recordRequestBytes(tenantId: TenantId, bytes: number): void {
    if (bytes > 0) this.add(tenantId, { request_bytes: bytes });
  }

  /**
   * One answered PromQL query (instant or range) and the samples it loaded from storage. A federated
   * query counts once, for the first tenant of its sorted set (the engine's figure is not split by tenant).
   */
  recordQuery(q: QueryTenant, samplesLoaded: number): void {
    const tenantId = tenantsOf(q)[0]!;
    this.add(tenantId, samplesLoaded > 0 ? { queries: 1, query_samples: samplesLoaded } : { queries: 1 });
  }

  /** Rules evaluated in one run of a rule group (each rule counts once per evaluation, as Prometheus's). */
  recordRuleEvaluations(tenantId: TenantId, rules: number): void {
    if (rules > 0) this.add(tenantId, { rule_evaluations: rules });
  }

  /** Adds counts as they are (replaying a journal, or tests). */
  add(tenantId: string, counters: Record<string, number>, minuteMs?: number): void {
    const minute = minuteMs ?? Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    let any = false;
    for (const _ in counters) {
      any = true;
      break;
    }
    if (!any) return;
    const key = `${tenantId}\u0000${minute}`;
    let row = this.rows.get(key);
    if (!row) this.rows.set(key, (row = { tenantId, minuteMs: minute, counters: Object.create(null) }));
    for (const [k, v] of Object.entries(counters)) row.counters[k] = (row.counters[k] ?? 0) + v;
    this.listener?.({ tenantId, minuteMs: minute, counters });
  }

  /** Everything counted since the last drain, and an empty recorder. */
  drain(): UsageRow[] {
    const out = [...this.rows.values()];
    this.rows = new Map();
    return out;
  }
}
