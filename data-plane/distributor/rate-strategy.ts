/**
 * Cortex's `ingestion_rate_strategy`: how a distributor turns the tenant's `ingestion_rate` into the
 * refill rate of its own token bucket.
 *
 * - `local`: every distributor enforces the whole rate (one distributor, or the `all` target).
 * - `global`: the rate is shared out over the healthy ACTIVE members of the `distributor` ring, so N
 *   distributors behind a load balancer together let the tenant send `ingestion_rate`, not N× it.
 *   The burst is not divided (as in Cortex): one request must still fit whichever distributor gets
 *   it, and the buckets refill at the shared rate anyway.
 *
 * The global share assumes the load balancer spreads a tenant's requests evenly; a distributor that
 * gets more than its share rejects earlier (Cortex and Mimir accept the same trade-off).
 */
import { BadDataError, type TenantId } from '../model/index.js';
import type { ReadRing } from '../ring/types.js';
import type { DistributorLimits } from './limits.js';

export type IngestionRateStrategyName = 'local' | 'global';

export const INGESTION_RATE_STRATEGIES: readonly IngestionRateStrategyName[] = ['local', 'global'];

export interface IngestionRateStrategy {
  readonly name: IngestionRateStrategyName;
  /** samples/s this distributor grants the tenant (token bucket refill). */
  limit(tenant: TenantId): number;
  /** samples; this distributor's token bucket size. */
  burst(tenant: TenantId): number;
}

/** What the strategies read from the limits (both read on every call, so changes apply at once). */
export type RateLimits = Pick<DistributorLimits, 'ingestionRate' | 'ingestionBurstSize'>;

/** The distributor ring as the global strategy reads it (a `RingClient` or any `ReadRing`). */
export type DistributorRingView = Pick<ReadRing, 'describe' | 'isHealthy'>;

export class LocalIngestionRateStrategy implements IngestionRateStrategy {
  readonly name = 'local';

  constructor(private readonly limits: RateLimits) {}

  limit(tenant: TenantId): number {
    return this.limits.ingestionRate(tenant);
  }

  burst(tenant: TenantId): number {
    return this.limits.ingestionBurstSize(tenant);
  }
}

export interface GlobalIngestionRateStrategyOptions {
  limits: RateLimits;
  /** The `distributor` ring (kept up to date by its client; this strategy never reads the store). */
  ring: DistributorRingView;
  now?: () => number;
  /**
   * ms; the healthy count is recomputed at most this often (default 1 s, the ring client's poll
   * interval), so a push never walks the ring.
   */
  refreshMs?: number;
}

export class GlobalIngestionRateStrategy implements IngestionRateStrategy {
  readonly name = 'global';
  private readonly limits: RateLimits;
  private readonly ring: DistributorRingView;
  private readonly now: () => number;
  private readonly refreshMs: number;
  private count = 1;
  private countedAt: number | undefined;

  constructor(opts: GlobalIngestionRateStrategyOptions) {
    this.limits = opts.limits;
    this.ring = opts.ring;
    this.now = opts.now ?? Date.now;
    this.refreshMs = opts.refreshMs ?? 1_000;
  }

  /**
   * Healthy ACTIVE distributors, at least 1: while this distributor has not joined the ring yet, or
   * everyone else looks dead, it enforces the whole rate rather than nothing.
   */
  healthyDistributors(): number {
    const now = this.now();
    if (this.countedAt === undefined || now - this.countedAt >= this.refreshMs || now < this.countedAt) {
      let n = 0;
      for (const inst of Object.values(this.ring.describe().instances)) {
        if (inst.state === 'ACTIVE' && this.ring.isHealthy(inst, now)) n++;
      }
      this.count = Math.max(1, n);
      this.countedAt = now;
    }
    return this.count;
  }

  limit(tenant: TenantId): number {
    return this.limits.ingestionRate(tenant) / this.healthyDistributors();
  }

  burst(tenant: TenantId): number {
    return this.limits.ingestionBurstSize(tenant);
  }
}

/**
 * The strategy for `name`. `global` needs the distributor ring; without one (the `all` target, a
 * single distributor) it would equal `local`, so asking for it without a ring is a wiring error.
 */
export function createIngestionRateStrategy(
  name: IngestionRateStrategyName,
  limits: RateLimits,
  ring?: DistributorRingView,
  opts: { now?: () => number; refreshMs?: number } = {},
): IngestionRateStrategy {
  if (name === 'local') return new LocalIngestionRateStrategy(limits);
  if (ring === undefined) throw new BadDataError('the global ingestion rate strategy needs the distributor ring');
  return new GlobalIngestionRateStrategy({ limits, ring, ...opts });
}
