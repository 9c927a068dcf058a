import type { Registry } from 'prom-client';
import { type Clock, parseTenantId, systemClock, type TenantId } from '../model/index.js';
import type { PostableAlert } from './alert.js';
import { formatConfigErrors, parseAlertmanagerConfig, validateTemplates } from './config/index.js';
import { AlertmanagerMetrics } from './metrics.js';
import { Firewall, type FirewallOptions } from './notify/index.js';
import { type Scheduler, timerScheduler } from './scheduler.js';
import { type AlertmanagerStateStore, MemoryStateStore } from './state.js';
import {
  type AlertmanagerLimits,
  type RuleAlert,
  TenantAlertmanager,
  type TenantAlertmanagerOptions,
  type TenantConfig,
} from './tenant.js';

/** The control plane's feed (`ControlPlaneInternal.alertmanager()` / `GET /internal/v1/alertmanager`). */
export interface AlertmanagerFeed {
  revision: number | string;
  tenants: Record<string, { config: string; templates: Record<string, string>; revision: number | string }>;
}

/**
 * The config of a tenant that uploaded none (Cortex's `-alertmanager.configs.fallback`): the API
 * works, alerts are grouped and shown, and notifications go to a receiver without integrations.
 */
export const FALLBACK_CONFIG = `route:
  receiver: empty-receiver
  group_by: ['alertname']
receivers:
  - name: empty-receiver
`;

export interface MultitenantAlertmanagerOptions {
  fetchConfigs: () => Promise<AlertmanagerFeed>;
  /** How often the feed is polled (default 1 s, well under the 5 s propagation promise). */
  pollIntervalMs?: number;
  fallbackConfig?: string;
  /** Base URL of this Alertmanager as users reach it (`https://host/alertmanager`), sent in payloads. */
  externalUrl: string;
  state?: AlertmanagerStateStore;
  clock?: Clock;
  scheduler?: Scheduler;
  firewall?: FirewallOptions;
  limits?: Partial<AlertmanagerLimits>;
  maxAttempts?: number;
  initialBackoffMs?: number;
  notifyTimeoutMs?: number;
  /** How long expired silences and notification log entries are kept (default 5 days). */
  retentionMs?: number;
  maxConfigBytes?: number;
  logger?: { warn(msg: string): void; error(msg: string): void };
  /** Replaces the real senders (tests that isolate dispatch from the network). */
  integrationFactory?: TenantAlertmanagerOptions['integrationFactory'];
  /** Registers Cortex-named counters (`cortex_alertmanager_*`) here when given. */
  registry?: Registry;
}

const DEFAULT_LIMITS: AlertmanagerLimits = {
  maxAlerts: 10_000,
  maxSilences: 10_000,
  maxAggregationGroups: 10_000,
  notificationRate: 0,
  notificationBurst: 10,
};

/** One Alertmanager per tenant, configs from a polled feed, the fallback for tenants without one. */
export class MultitenantAlertmanager {
  private readonly tenants = new Map<TenantId, Promise<TenantAlertmanager>>();
  private readonly revisions = new Map<TenantId, number | string>();
  private feedRevision: number | string | undefined;
  private feed: AlertmanagerFeed['tenants'] = {};
  private cancelPoll: (() => void) | undefined;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly state: AlertmanagerStateStore;
  private readonly firewall: Firewall;
  private readonly fallback: TenantConfig;
  private readonly metrics: AlertmanagerMetrics | undefined;
  readonly startedAt: number;

  constructor(private readonly opts: MultitenantAlertmanagerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.scheduler = opts.scheduler ?? timerScheduler;
    this.state = opts.state ?? new MemoryStateStore();
    this.firewall = new Firewall(opts.firewall);
    const raw = opts.fallbackConfig ?? FALLBACK_CONFIG;
    const { config, errors } = parseAlertmanagerConfig(raw);
    if (!config) throw new Error(`invalid fallback Alertmanager config: ${formatConfigErrors(errors)}`);
    this.fallback = { config, raw, templates: {}, isFallback: true };
    this.startedAt = this.clock.now();
    this.metrics = opts.registry ? new AlertmanagerMetrics(opts.registry) : undefined;
  }

  /** The injected clock's time (the API computes alert and silence states with it). */
  now(): number {
    return this.clock.now();
  }

  /** Loads the feed once, then polls it. */
  async start(): Promise<void> {
    await this.sync();
    this.schedulePoll();
  }

  stop(): void {
    this.cancelPoll?.();
    for (const p of this.tenants.values()) void p.then((t) => t.stop());
  }

  /** Polls the feed once and (re)configures the tenants whose config changed. */
  async sync(): Promise<void> {
    let feed: AlertmanagerFeed;
    try {
      feed = await this.opts.fetchConfigs();
    } catch (e) {
      this.opts.logger?.warn(`alertmanager: config poll failed, keeping the last configs: ${(e as Error).message}`);
      return;
    }
    if (feed.revision === this.feedRevision) return;
    this.feedRevision = feed.revision;
    this.feed = feed.tenants;
    const ids = new Set([...Object.keys(feed.tenants), ...this.tenants.keys()]);
    for (const id of ids) {
      let tenant: TenantId;
      try {
        tenant = parseTenantId(id);
      } catch {
        continue;
      }
      const entry = feed.tenants[tenant];
      if (entry && this.revisions.get(tenant) === entry.revision) continue;
      if (!entry && (!this.tenants.has(tenant) || this.revisions.get(tenant) === 'fallback')) continue;
      const existing = this.tenants.get(tenant);
      const parsed = this.configFor(tenant);
      this.revisions.set(tenant, entry?.revision ?? 'fallback');
      if (existing) {
        const t = await existing;
        // A rejected update keeps the last good config rather than dropping to the fallback.
        if (parsed || t.config.isFallback) t.applyConfig(parsed ?? this.fallback);
      } else this.tenants.set(tenant, this.create(tenant, parsed ?? this.fallback));
    }
    await Promise.all(this.tenants.values());
  }

  /** The tenant's instance, created on first use with its config or the fallback. */
  tenant(id: TenantId): Promise<TenantAlertmanager> {
    let p = this.tenants.get(id);
    if (!p) {
      p = this.create(id, this.configFor(id) ?? this.fallback);
      this.tenants.set(id, p);
      this.revisions.set(id, this.feed[id]?.revision ?? 'fallback');
    }
    return p;
  }

  async postAlerts(tenantId: TenantId, alerts: readonly PostableAlert[]): Promise<void> {
    (await this.tenant(tenantId)).putAlerts(alerts);
  }

  /** The in-process ruler's entry point: this class satisfies the ruler's `Notifier` interface. */
  async send(tenantId: TenantId, alerts: readonly RuleAlert[]): Promise<void> {
    (await this.tenant(tenantId)).receive(alerts);
  }

  /** The tenant's parsed config; the fallback when it has none; undefined when its config is rejected. */
  private configFor(tenant: TenantId): TenantConfig | undefined {
    const entry = this.feed[tenant];
    if (!entry) return this.fallback;
    const { config, errors } = parseAlertmanagerConfig(entry.config, { maxBytes: this.opts.maxConfigBytes ?? 1 << 20 });
    errors.push(...validateTemplates(entry.templates ?? {}));
    if (!config || errors.length > 0) {
      this.opts.logger?.error(`alertmanager: tenant ${tenant} config rejected: ${formatConfigErrors(errors)}`);
      return undefined;
    }
    return { config, raw: entry.config, templates: entry.templates ?? {}, isFallback: false };
  }

  private create(tenantId: TenantId, cfg: TenantConfig): Promise<TenantAlertmanager> {
    const p = TenantAlertmanager.create(
      {
        tenantId,
        clock: this.clock,
        scheduler: this.scheduler,
        state: this.state,
        firewall: this.firewall,
        externalUrl: this.opts.externalUrl,
        limits: { ...DEFAULT_LIMITS, ...this.opts.limits },
        maxAttempts: this.opts.maxAttempts ?? 5,
        initialBackoffMs: this.opts.initialBackoffMs ?? 1_000,
        notifyTimeoutMs: this.opts.notifyTimeoutMs ?? 10_000,
        retentionMs: this.opts.retentionMs ?? 5 * 24 * 3600_000,
        onError: (m) => this.opts.logger?.warn(`alertmanager: ${m}`),
        ...(this.opts.integrationFactory ? { integrationFactory: this.opts.integrationFactory } : {}),
        ...(this.metrics ? { metrics: this.metrics } : {}),
      },
      cfg,
    );
    // A failed start (state store down) must not stick: the next request or poll tries again.
    p.catch(() => {
      if (this.tenants.get(tenantId) === p) {
        this.tenants.delete(tenantId);
        this.revisions.delete(tenantId);
      }
    });
    return p;
  }

  private schedulePoll(): void {
    this.cancelPoll = this.scheduler.schedule(this.opts.pollIntervalMs ?? 1_000, async () => {
      this.schedulePoll();
      await this.sync();
    });
  }
}
