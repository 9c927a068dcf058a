import { describe, expect, it } from 'vitest';
import { TenantRateLimiter } from './index.js';

describe('TenantRateLimiter', () => {
  // One tenant, rate 100/s, burst 200, driven step by step: [ms since start, n, expected].
  const steps: { at: number; n: number; ok: boolean; retryAfter?: number }[] = [
    { at: 0, n: 150, ok: true }, // 50 left
    { at: 0, n: 51, ok: false, retryAfter: 1 },
    { at: 0, n: 50, ok: true }, // 0 left
    { at: 500, n: 60, ok: false, retryAfter: 1 }, // 50 refilled
    { at: 500, n: 50, ok: true },
    { at: 10_000, n: 200, ok: true }, // refill caps at the burst
    { at: 10_000, n: 1, ok: false, retryAfter: 1 },
    { at: 10_000, n: 201, ok: false, retryAfter: 2 }, // can never fit: time to refill a full bucket
  ];
  it('refills at the rate up to the burst', () => {
    let now = 0;
    const l = new TenantRateLimiter({ now: () => now });
    for (const s of steps) {
      now = s.at;
      const d = l.tryTake('t', s.n, 100, 200);
      expect({ step: s, ok: d.ok }).toEqual({ step: s, ok: s.ok });
      if (!d.ok) expect(d.retryAfterSeconds).toBe(s.retryAfter);
    }
  });

  it('clamps the bucket when the burst shrinks and applies a new rate at once', () => {
    let now = 0;
    const l = new TenantRateLimiter({ now: () => now });
    expect(l.tryTake('t', 1, 10, 1000).ok).toBe(true);
    expect(l.tryTake('t', 20, 10, 10).ok).toBe(false);
    expect(l.tryTake('t', 10, 10, 10).ok).toBe(true);
    now = 1000;
    // The new rate applies to the elapsed second: 1000 tokens, capped by the new burst.
    expect(l.tryTake('t', 500, 1000, 1000).ok).toBe(true);
    expect(l.tryTake('t', 501, 1000, 1000).ok).toBe(false);
  });

  it('says when to retry with rate 0 (bucket never refills)', () => {
    const l = new TenantRateLimiter({ now: () => 0 });
    const d = l.tryTake('t', 5, 0, 1);
    expect(d).toEqual({ ok: false, retryAfterSeconds: 60, neverFits: true });
  });
});
