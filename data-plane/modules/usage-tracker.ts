import type { TenantId } from '../model/index.js';

/** One sample of a tenant's usage. */
export interface UsagePoint {
  readonly atMs: number;
  readonly numSeries: number;
  readonly ingestionRate: number;
}

/**
 * Estimates each tenant's ingestion rate from the ingester's accepted-sample counters, sampled every
 * `intervalMs` and smoothed like Cortex's ingestion-rate EWMA (alpha 0.2 per interval), and keeps the
 * last `historyLength` samples per tenant (in memory, for the admin API's usage view).
 */
export class UsageTracker {
  private readonly last = new Map<TenantId, { count: number; atMs: number; rate: number }>();
  private readonly points = new Map<TenantId, UsagePoint[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: {
      tenants(): TenantId[];
      stats(t: TenantId): { numSeries: number; ingestedSamples: number };
    },
    private readonly now: () => number,
    private readonly intervalMs = 10_000,
    private readonly historyLength = 180,
  ) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  tick(): void {
    const now = this.now();
    for (const t of this.source.tenants()) {
      const count = this.source.stats(t).ingestedSamples;
      const prev = this.last.get(t);
      if (!prev) {
        this.last.set(t, { count, atMs: now, rate: 0 });
        continue;
      }
      const dt = (now - prev.atMs) / 1000;
      if (dt <= 0) continue;
      const instant = Math.max(0, count - prev.count) / dt;
      const rate = prev.rate === 0 ? instant : prev.rate + 0.2 * (instant - prev.rate);
      this.last.set(t, { count, atMs: now, rate });
      let h = this.points.get(t);
      if (!h) this.points.set(t, (h = []));
      h.push({ atMs: now, numSeries: this.source.stats(t).numSeries, ingestionRate: rate });
      if (h.length > this.historyLength) h.splice(0, h.length - this.historyLength);
    }
  }

  /** The tenant's recent samples, oldest first (empty for a tenant that has sent nothing). */
  history(t: TenantId): readonly UsagePoint[] {
    return this.points.get(t) ?? [];
  }

  stats(t: TenantId): { numSeries: number; ingestionRate: number } {
    return { numSeries: this.source.stats(t).numSeries, ingestionRate: this.last.get(t)?.rate ?? 0 };
  }
}
