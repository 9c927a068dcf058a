import { Counter, type CounterConfiguration, type Registry } from 'prom-client';
import { type Clock, isTenantId, LimitExceededError, systemClock } from '../model/index.js';

/** What a failed-auth throttle is keyed by: the peer address, or the tenant a Basic-auth user claims. */
export type ThrottleKeyKind = 'address' | 'user';

/** A key that reached the burst and is locked until `untilMs` (for logs and the audit log). */
export interface ThrottleEvent {
  readonly kind: ThrottleKeyKind;
  /** The address, or the claimed tenant ID. */
  readonly value: string;
  readonly failures: number;
  readonly atMs: number;
  readonly untilMs: number;
}

export interface AuthThrottleOptions {
  /** Failed attempts one key may make within `windowMs` before it is locked (default 20). */
  burst?: number;
  /** Failures older than this are forgotten (default 60 s). */
  windowMs?: number;
  /** How long a key stays locked once it reached the burst (default 60 s). */
  cooldownMs?: number;
  /** Keys remembered at most; the least recently failed are forgotten first (default 100,000). */
  maxKeys?: number;
  clock?: Clock;
  registry?: Registry;
  /** Called once per lock (not per refused request). */
  onThrottle?: (e: ThrottleEvent) => void;
}

interface Entry {
  failures: number;
  windowStartMs: number;
  lockedUntilMs: number;
}

export interface ThrottleKey {
  readonly kind: ThrottleKeyKind;
  readonly value: string;
}

/** Refused because of earlier failed attempts from the same source or against the same user (429). */
export class AuthThrottledError extends LimitExceededError {
  constructor(key: ThrottleKey, retryAfterSeconds: number) {
    const who = key.kind === 'address' ? `from ${key.value}` : `for user ${key.value}`;
    super(
      `too many failed authentication attempts ${who}; retry in ${retryAfterSeconds}s (err-cortex-auth-throttled)`,
      { id: 'err-cortex-auth-throttled', retryAfterSeconds },
    );
  }
}

/**
 * Per-process failed-authentication throttle. Each source address, and each tenant a Basic-auth user
 * claims, may fail `burst` times within `windowMs`; then it is locked for `cooldownMs`, during which
 * the gateway answers 429 without looking the presented token up (so a locked source learns nothing).
 * Memory is bounded: at most `maxKeys` keys, least recently failed evicted first. A source that never
 * fails costs nothing, so valid clients elsewhere are never slowed.
 */
export class AuthThrottle {
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly cooldownMs: number;
  private readonly maxKeys: number;
  private readonly clock: Clock;
  private readonly onThrottle: ((e: ThrottleEvent) => void) | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly failuresTotal: Counter | undefined;
  private readonly throttledTotal: Counter<'key'> | undefined;

  constructor(opts: AuthThrottleOptions = {}) {
    this.burst = opts.burst ?? 20;
    this.windowMs = opts.windowMs ?? 60_000;
    this.cooldownMs = opts.cooldownMs ?? 60_000;
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.clock = opts.clock ?? systemClock;
    this.onThrottle = opts.onThrottle;
    if (!(this.burst >= 1) || !(this.cooldownMs > 0) || !(this.windowMs > 0)) {
      throw new Error('auth throttle: burst must be >= 1, window and cooldown > 0');
    }
    if (opts.registry) {
      this.failuresTotal = counter(opts.registry, {
        name: 'cortex_auth_failures_total',
        help: 'Requests whose credentials were presented but rejected (unknown, revoked, expired, malformed).',
      });
      this.throttledTotal = counter(opts.registry, {
        name: 'cortex_auth_throttled_total',
        help: 'Requests refused with 429 because their source address or Basic-auth user failed too often.',
        labelNames: ['key'],
      });
    }
  }

  /** The keys of a request: its peer address, plus the claimed tenant when it is a valid tenant ID. */
  static keysOf(address: string | undefined, claimedTenant: string | undefined): ThrottleKey[] {
    const keys: ThrottleKey[] = [];
    if (address) keys.push({ kind: 'address', value: address });
    if (claimedTenant !== undefined && isTenantId(claimedTenant)) keys.push({ kind: 'user', value: claimedTenant });
    return keys;
  }

  /**
   * Throws AuthThrottledError when one of `keys` is locked, unless `exempt()` (asked only then) says
   * the request's credentials are already known to be good; counts the refusal.
   */
  check(keys: readonly ThrottleKey[], exempt?: () => boolean): void {
    const now = this.clock.now();
    for (const k of keys) {
      const e = this.entries.get(mapKey(k));
      if (e && e.lockedUntilMs > now) {
        if (exempt?.()) return;
        this.throttledTotal?.inc({ key: k.kind });
        throw new AuthThrottledError(k, Math.max(1, Math.ceil((e.lockedUntilMs - now) / 1000)));
      }
    }
  }

  /** Records one failed attempt against every key; locks those that reach the burst. */
  fail(keys: readonly ThrottleKey[]): void {
    this.failuresTotal?.inc();
    const now = this.clock.now();
    for (const k of keys) {
      const id = mapKey(k);
      let e = this.entries.get(id);
      if (e) this.entries.delete(id); // re-inserted below: Map order is the LRU order
      if (!e || now - e.windowStartMs > this.windowMs) e = { failures: 0, windowStartMs: now, lockedUntilMs: 0 };
      e.failures++;
      if (e.failures >= this.burst && e.lockedUntilMs <= now) {
        e.lockedUntilMs = now + this.cooldownMs;
        this.onThrottle?.({ ...k, failures: e.failures, atMs: now, untilMs: e.lockedUntilMs });
        e.failures = 0;
        e.windowStartMs = now;
      }
      this.entries.set(id, e);
      if (this.entries.size > this.maxKeys) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
  }

  /** Keys currently remembered (for tests and self-monitoring). */
  get size(): number {
    return this.entries.size;
  }
}

function mapKey(k: ThrottleKey): string {
  return `${k.kind}\u0000${k.value}`;
}

/** One counter per registry, also when several gateways' throttles share it (tests, one process). */
function counter<L extends string>(registry: Registry, cfg: CounterConfiguration<L>): Counter<L> {
  const existing = registry.getSingleMetric(cfg.name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ ...cfg, registers: [registry] });
}
