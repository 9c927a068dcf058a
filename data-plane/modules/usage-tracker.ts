import type { TenantId } from '../model/index.js';

/**
 * Estimates each tenant's ingestion rate from the ingester's accepted-sample counters, sampled every
 * `intervalMs` and smoothed like Cortex's ingestion-rate EWMA (alpha 0.2 per interval).
 */
export class UsageTracker {
  private readonly last = new Map<TenantId, { count: number; atMs: number; rate: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: {
      tenants(): TenantId[];
      stats(t: TenantId): { numSeries: number; ingestedSamples: number };
    },
    private readonly now: () => number,
    private readonly intervalMs = 10_000,
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
      this.last.set(t, { count, atMs: now, rate: prev.rate === 0 ? instant : prev.rate + 0.2 * (instant - prev.rate) });
    }
  }

  stats(t: TenantId): { numSeries: number; ingestionRate: number } {
    return { numSeries: this.source.stats(t).numSeries, ingestionRate: this.last.get(t)?.rate ?? 0 };
  }
}
