import type { Clock } from '../model/index.js';

interface Bucket {
  tokens: number;
  last: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number; neverFits: boolean };

/**
 * Per-tenant token buckets (Cortex's "local" ingestion-rate strategy: each distributor enforces the
 * whole limit). Rate and burst are passed on every call, so limit changes apply at once; a bucket
 * that shrank is clamped to the new burst.
 */
export class TenantRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Takes `n` tokens if available; otherwise takes none and says when to retry. */
  tryTake(tenant: string, n: number, rate: number, burst: number): RateDecision {
    const now = this.clock.now();
    let b = this.buckets.get(tenant);
    if (b === undefined) {
      b = { tokens: burst, last: now };
      this.buckets.set(tenant, b);
    }
    const elapsed = Math.max(0, now - b.last) / 1000;
    b.tokens = Math.min(burst, b.tokens + elapsed * rate);
    b.last = now;
    if (n <= b.tokens) {
      b.tokens -= n;
      return { ok: true };
    }
    const neverFits = n > burst;
    // A request larger than the bucket can never pass; Cortex still answers 429, so tell the sender to
    // back off for the time a full bucket takes to refill.
    const missing = neverFits ? burst : n - b.tokens;
    const seconds = rate > 0 ? Math.ceil(missing / rate) : 60;
    return { ok: false, retryAfterSeconds: Math.max(1, seconds), neverFits };
  }

  /** Forgets a tenant (e.g. when it is deleted). */
  forget(tenant: string): void {
    this.buckets.delete(tenant);
  }
}
