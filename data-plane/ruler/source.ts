import { isTenantId, type TenantId } from '../model/index.js';
import type { NamespacedRuleGroup, RuleGroupDesc } from './types.js';

/** Where the ruler learns each tenant's rule groups. `snapshot()` must be cheap (an immutable swap). */
export interface RuleGroupSource {
  snapshot(): ReadonlyMap<TenantId, readonly NamespacedRuleGroup[]>;
  /** Changes whenever the snapshot changes. */
  revision(): number;
}

/** The control plane's internal rules feed (`ControlPlaneInternal.rules()`), structurally. */
export interface RulesFeed {
  revision: number;
  tenants: Record<string, Array<{ namespace: string; group: RuleGroupDesc; revision: number }>>;
}

/** A fixed source for tests and embedded setups. */
export class StaticRuleGroupSource implements RuleGroupSource {
  private map = new Map<TenantId, readonly NamespacedRuleGroup[]>();
  private rev = 0;

  snapshot(): ReadonlyMap<TenantId, readonly NamespacedRuleGroup[]> {
    return this.map;
  }

  revision(): number {
    return this.rev;
  }

  /** Replaces one tenant's groups (an empty list removes the tenant). */
  set(tenantId: TenantId, groups: readonly NamespacedRuleGroup[]): void {
    const next = new Map(this.map);
    if (groups.length === 0) next.delete(tenantId);
    else next.set(tenantId, groups);
    this.map = next;
    this.rev++;
  }
}

export interface PollingSourceOptions {
  /** How often to poll; keep well under 5 s so changes reach the ruler within 5 s. */
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Polls a feed function (the integrator passes `() => cp.internal.rules()`, or an HTTP client of
 * the ETag-polled endpoint). Keeps the last good snapshot when a poll fails, so a control-plane
 * outage never stops evaluation.
 */
export class PollingRuleGroupSource implements RuleGroupSource {
  private map: ReadonlyMap<TenantId, readonly NamespacedRuleGroup[]> = new Map();
  private feedRevision: number | undefined;
  private rev = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private inflight: Promise<boolean> | undefined;

  constructor(
    private readonly fetch: () => Promise<RulesFeed>,
    private readonly opts: PollingSourceOptions = {},
  ) {}

  snapshot(): ReadonlyMap<TenantId, readonly NamespacedRuleGroup[]> {
    return this.map;
  }

  revision(): number {
    return this.rev;
  }

  /** Fetches once; resolves true when the snapshot changed. Concurrent calls share one fetch. */
  poll(): Promise<boolean> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Polls now and then every `intervalMs` (default 2 s). */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.poll().catch(() => {});
    }, this.opts.intervalMs ?? 2000);
    this.timer.unref?.();
    await this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async fetchOnce(): Promise<boolean> {
    let feed: RulesFeed;
    try {
      feed = await this.fetch();
    } catch (err) {
      this.opts.onError?.(err);
      return false;
    }
    if (feed.revision === this.feedRevision) return false;
    const next = new Map<TenantId, NamespacedRuleGroup[]>();
    for (const [tenant, groups] of Object.entries(feed.tenants)) {
      if (!isTenantId(tenant) || !Array.isArray(groups)) continue;
      next.set(
        tenant,
        groups.map((g) => ({ namespace: g.namespace, group: g.group, revision: g.revision })),
      );
    }
    this.map = next;
    this.feedRevision = feed.revision;
    this.rev++;
    return true;
  }
}
