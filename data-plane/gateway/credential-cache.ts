import { createHash } from 'node:crypto';
import { type Clock, systemClock, UnavailableError } from '../model/index.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { CredentialSource, Principal } from './credentials.js';

interface Entry {
  principal: Principal | undefined;
  checkedAtMs: number;
  refreshing: Promise<Principal | undefined> | undefined;
}

export interface CredentialCacheOptions {
  source: CredentialSource;
  /** How long an answer is trusted before the control plane is asked again; keeps revocation under 5 s. */
  refreshAfterMs?: number;
  /** How long a positive answer may be served while the control plane is unreachable. */
  maxStaleMs?: number;
  maxEntries?: number;
  clock?: Clock;
  /** Failed-auth throttle the gateway applies in front of this cache. */
  throttle?: AuthThrottle;
}

/**
 * Caches token lookups by the token's SHA-256 (the secret itself is never kept). A revoked token stops
 * working within `refreshAfterMs` plus one lookup. When the control plane is down, known-good tokens
 * keep working for `maxStaleMs`, and unknown ones get `UnavailableError` (503), never a 401 that would
 * make Prometheus drop data.
 */
export class CredentialCache implements CredentialSource {
  private readonly source: CredentialSource;
  private readonly refreshAfterMs: number;
  private readonly maxStaleMs: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();
  readonly throttle: AuthThrottle | undefined;

  constructor(opts: CredentialCacheOptions) {
    this.source = opts.source;
    this.refreshAfterMs = opts.refreshAfterMs ?? 2_000;
    this.maxStaleMs = opts.maxStaleMs ?? 3_600_000;
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.clock = opts.clock ?? systemClock;
    this.throttle = opts.throttle;
  }

  knownGood(token: string): boolean {
    const e = this.entries.get(keyOf(token));
    const now = this.clock.now();
    return e !== undefined && now - e.checkedAtMs < this.maxStaleMs && this.unexpired(e.principal, now) !== undefined;
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    const key = keyOf(token);
    const now = this.clock.now();
    const e = this.entries.get(key);
    if (e && now - e.checkedAtMs < this.refreshAfterMs) return this.unexpired(e.principal, now);
    try {
      const principal = await this.lookup(key, token, e);
      return this.unexpired(principal, this.clock.now());
    } catch (err) {
      if (e?.principal && now - e.checkedAtMs < this.maxStaleMs) return this.unexpired(e.principal, now);
      if (err instanceof UnavailableError) throw err;
      throw new UnavailableError('cannot verify credentials: control plane unavailable', { cause: err });
    }
  }

  private async lookup(key: string, token: string, e: Entry | undefined): Promise<Principal | undefined> {
    // One lookup per token at a time: concurrent requests share it.
    if (e?.refreshing) return await e.refreshing;
    const entry: Entry = e ?? { principal: undefined, checkedAtMs: Number.NEGATIVE_INFINITY, refreshing: undefined };
    const p = this.source.authenticate(token);
    entry.refreshing = p;
    if (!e) this.insert(key, entry);
    try {
      const principal = await p;
      entry.principal = principal;
      entry.checkedAtMs = this.clock.now();
      return principal;
    } finally {
      entry.refreshing = undefined;
    }
  }

  private insert(key: string, entry: Entry): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, entry);
  }

  private unexpired(p: Principal | undefined, now: number): Principal | undefined {
    if (p && p.expiresAtMs !== null && p.expiresAtMs <= now) return undefined;
    return p;
  }
}

function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
