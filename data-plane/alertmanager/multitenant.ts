import type { Registry } from 'prom-client';
import {
  BadDataError,
  type Clock,
  CortexError,
  parseTenantId,
  systemClock,
  type TenantId,
  UnavailableError,
} from '../model/index.js';
import { tenantHash } from '../ring/index.js';
import type { InstanceDesc, ReadRing, ReplicationSet } from '../ring/types.js';
import { alertFromPostable, type PostableAlert } from './alert.js';
import { formatConfigErrors, parseAlertmanagerConfig, validateTemplates } from './config/index.js';
import { AlertmanagerMetrics } from './metrics.js';
import { Firewall, type FirewallOptions } from './notify/index.js';
import type { AlertmanagerPeers, PeerCall } from './peers.js';
import { type Scheduler, timerScheduler } from './scheduler.js';
import type { Silence } from './silences.js';
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
  tenants: Record<string, FeedEntry>;
}

type FeedEntry = { config: string; templates: Record<string, string>; revision: number | string };

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

/** The per-tenant limits the Alertmanager reads (Cortex's names); `Overrides` satisfies it. */
export type AlertmanagerLimitKey =
  | 'alertmanager_notification_rate_limit'
  | 'alertmanager_max_alerts_count'
  | 'alertmanager_max_alerts_size_bytes'
  | 'alertmanager_max_silences_count'
  | 'alertmanager_max_dispatcher_aggregation_groups';

export interface AlertmanagerLimitsSource {
  get(tenantId: TenantId, key: AlertmanagerLimitKey): number;
}

/**
 * Cortex's sharded multi-tenant Alertmanager: a tenant runs on the `replicationFactor` instances the
 * ring returns for `hash(tenant)`; alerts go to all of them, API requests to one, silences are
 * pushed to the others, and the shared state store holds silences and the notification log.
 */
export interface AlertmanagerSharding {
  /** The `alertmanager` ring (ownership uses the `own` operation: ACTIVE instances only). */
  ring: ReadRing;
  /** This instance's id in the ring. */
  instanceId: string;
  /** Replicas per tenant (default: the ring's replication factor). */
  replicationFactor?: number;
  peers: AlertmanagerPeers;
  /** Replica n waits n × this before notifying (Cortex's `-alertmanager.peer-timeout`, default 15 s). */
  peerTimeoutMs?: number;
  /** How often ownership is re-read from the ring (default 5 s). */
  ringCheckPeriodMs?: number;
  /** How often running tenants re-read silences from the shared store (default 15 s; pushes are immediate). */
  stateRefreshPeriodMs?: number;
}

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
  /** Per-tenant limits, read on every use (pass the data plane's `Overrides`). */
  overrides?: AlertmanagerLimitsSource;
  /** Fixed limits; they win over `overrides` (tests, embedded use). */
  limits?: Partial<AlertmanagerLimits>;
  /** Spreads tenants over several instances (split mode); without it every tenant runs here. */
  sharding?: AlertmanagerSharding;
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

/** Used when no `overrides` are given: the defaults of data-plane/validation's `alertmanager_*` limits. */
const DEFAULT_LIMITS: AlertmanagerLimits = {
  maxAlerts: 10_000,
  maxAlertsSizeBytes: 0,
  maxSilences: 10_000,
  maxAggregationGroups: 10_000,
  notificationRate: 0,
  notificationBurst: 0,
};

/** One Alertmanager per tenant, configs from a polled feed, the fallback for tenants without one. */
export class MultitenantAlertmanager {
  private readonly tenants = new Map<TenantId, Promise<TenantAlertmanager>>();
  private readonly revisions = new Map<TenantId, number | string>();
  private feedRevision: number | string | undefined;
  /**
   * The last feed, by tenant. A Map: the feed arrives as parsed JSON, where looking up a tenant named
   * `constructor` or `toString` would find Object.prototype's members.
   */
  private feed = new Map<string, FeedEntry>();
  private cancelPoll: (() => void) | undefined;
  private cancelRingCheck: (() => void) | undefined;
  private cancelStateRefresh: (() => void) | undefined;
  private stopped = false;
  /** The time ownership judges heartbeats at (see `ringTime`). */
  private viewAt = Number.NEGATIVE_INFINITY;
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

  /** Loads the feed once, then polls it (and, sharded, re-checks ownership and refreshes silences). */
  async start(): Promise<void> {
    await this.sync();
    this.schedulePoll();
    if (this.opts.sharding) {
      this.scheduleRingCheck();
      this.scheduleStateRefresh();
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancelPoll?.();
    this.cancelRingCheck?.();
    this.cancelStateRefresh?.();
    for (const p of this.tenants.values()) void p.then((t) => t.stop()).catch(() => {});
  }

  /** The tenants running here (sharded: the ones this instance is a replica of, and used). */
  runningTenants(): TenantId[] {
    return [...this.tenants.keys()].sort();
  }

  /**
   * The instances that run a tenant, in ring order (position 0 notifies first). Unsharded: none.
   * Throws `UnavailableError` when the ring has no healthy ACTIVE instance.
   */
  replicas(tenantId: TenantId): ReplicationSet {
    const sh = this.opts.sharding;
    if (!sh) return { instances: [], maxErrors: 0 };
    const rf = Math.max(1, sh.replicationFactor ?? sh.ring.replicationFactor);
    const instances = sh.ring.owners(tenantHash(tenantId), rf, this.ringTime());
    if (instances.length === 0) {
      // Ring not read yet, or every instance down: not kept, the next call looks again.
      this.viewAt = Number.NEGATIVE_INFINITY;
      throw new UnavailableError('alertmanager: no healthy ACTIVE instance in the ring');
    }
    return { instances, maxErrors: Math.max(0, instances.length - (Math.floor(instances.length / 2) + 1)) };
  }

  /**
   * Ownership sees healthy ACTIVE instances only (`ring.owners`), so a dead instance's tenants move
   * to the next instances on the ring (as Cortex's ignore-unhealthy strategy, plus the takeover),
   * and a tenant keeps running while at least one instance is alive. Heartbeats are judged as of the
   * last ring check (re-read every `ringCheckPeriodMs`).
   */
  private ringTime(refresh = false): number {
    const now = this.clock.now();
    const period = this.opts.sharding?.ringCheckPeriodMs ?? 5_000;
    if (refresh || !(now - this.viewAt < period)) this.viewAt = now;
    return this.viewAt;
  }

  /** Whether this instance runs the tenant (always, unsharded). */
  owns(tenantId: TenantId): boolean {
    const sh = this.opts.sharding;
    if (!sh) return true;
    return this.replicas(tenantId).instances.some((i) => i.id === sh.instanceId);
  }

  /** This instance's position among the tenant's replicas (the replica count when it is not one). */
  position(tenantId: TenantId): number {
    const sh = this.opts.sharding;
    if (!sh) return 0;
    let set: InstanceDesc[];
    try {
      set = this.replicas(tenantId).instances;
    } catch {
      // No usable ring view: notify rather than stay silent; the shared log still dedups.
      return 0;
    }
    const i = set.findIndex((x) => x.id === sh.instanceId);
    return i < 0 ? set.length : i;
  }

  /**
   * Sends a call to the tenant's replicas other than this instance, in ring order, until one answers.
   * A replica's client error (bad request, not found, limit) is the answer; unreachable ones are skipped.
   */
  async forward(tenantId: TenantId, call: PeerCall): Promise<unknown> {
    const sh = this.opts.sharding;
    if (!sh) throw new UnavailableError('alertmanager: not sharded, nothing to forward to');
    const others = this.replicas(tenantId).instances.filter((i) => i.id !== sh.instanceId);
    let last: unknown;
    for (const inst of others) {
      try {
        return await sh.peers.call(inst, tenantId, call);
      } catch (e) {
        if (e instanceof CortexError && e.kind !== 'unavailable' && e.kind !== 'internal') throw e;
        last = e;
      }
    }
    throw new UnavailableError(
      `alertmanager: no replica of tenant ${tenantId} answered${last ? `: ${(last as Error).message}` : ''}`,
    );
  }

  /** The v2 status `cluster` object: this instance and the tenant's other replicas. */
  clusterStatus(tenantId: TenantId): { name: string; status: string; peers: { name: string; address: string }[] } {
    const sh = this.opts.sharding;
    if (!sh) return { name: '', status: 'disabled', peers: [] };
    let peers: InstanceDesc[] = [];
    try {
      peers = this.replicas(tenantId).instances;
    } catch {
      // ring unavailable: report no peers
    }
    return {
      name: sh.instanceId,
      status: 'ready',
      peers: peers.map((i) => ({ name: i.id, address: i.addr })),
    };
  }

  /** Silences changed on another replica (pushed to this one). */
  async mergeSilences(tenantId: TenantId, silences: readonly Silence[]): Promise<void> {
    (await this.tenant(tenantId)).silences.merge(silences);
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
    this.feed = new Map(Object.entries(feed.tenants));
    const ids = new Set([...this.feed.keys(), ...this.tenants.keys()]);
    for (const id of ids) {
      let tenant: TenantId;
      try {
        tenant = parseTenantId(id);
      } catch {
        continue;
      }
      const entry = this.feed.get(tenant);
      if (this.opts.sharding && !this.ownsOrKeep(tenant)) {
        this.drop(tenant);
        continue;
      }
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
      this.revisions.set(id, this.feed.get(id)?.revision ?? 'fallback');
    }
    return p;
  }

  /**
   * Takes a tenant's alerts. Sharded: validated here, then delivered to every replica of the tenant
   * (this one included when it is one); fails when more replicas than the quorum allows failed.
   */
  async postAlerts(tenantId: TenantId, alerts: readonly PostableAlert[]): Promise<void> {
    const sh = this.opts.sharding;
    if (!sh) return this.receiveAlerts(tenantId, alerts);
    const now = this.clock.now();
    for (const a of alerts) alertFromPostable(a, now, 0);
    const set = this.replicas(tenantId);
    const results = await Promise.allSettled(
      set.instances.map((inst) =>
        inst.id === sh.instanceId
          ? this.receiveAlerts(tenantId, alerts)
          : sh.peers.call(inst, tenantId, { op: 'receiveAlerts', alerts: [...alerts] }),
      ),
    );
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (set.instances.length > 0 && errors.length <= set.maxErrors) return;
    const clientError = errors.find(
      (e) => e instanceof CortexError && e.kind !== 'unavailable' && e.kind !== 'internal',
    );
    if (clientError) throw clientError;
    throw new UnavailableError(
      `alertmanager: alerts reached ${set.instances.length - errors.length} of ${set.instances.length} replicas of tenant ${tenantId}${errors[0] ? `: ${(errors[0] as Error).message}` : ''}`,
    );
  }

  /** Alerts for this instance's own replica of the tenant (never forwarded). */
  async receiveAlerts(tenantId: TenantId, alerts: readonly PostableAlert[]): Promise<void> {
    (await this.tenant(tenantId)).putAlerts(alerts);
  }

  /** The in-process ruler's entry point: this class satisfies the ruler's `Notifier` interface. */
  async send(tenantId: TenantId, alerts: readonly RuleAlert[]): Promise<void> {
    if (!this.opts.sharding) {
      (await this.tenant(tenantId)).receive(alerts);
      return;
    }
    for (const a of alerts) if (a.labels.isEmpty()) throw new BadDataError('at least one label pair required');
    await this.postAlerts(
      tenantId,
      alerts.map((a) => ({
        labels: a.labels.toObject(),
        annotations: a.annotations.toObject(),
        startsAt: new Date(a.startsAt).toISOString(),
        endsAt: new Date(a.endsAt).toISOString(),
        generatorURL: a.generatorURL,
      })),
    );
  }

  /** The limits of a tenant right now: overrides (or the defaults), then the fixed ones. */
  limitsFor(tenantId: TenantId): AlertmanagerLimits {
    const o = this.opts.overrides;
    const base: AlertmanagerLimits = o
      ? {
          maxAlerts: o.get(tenantId, 'alertmanager_max_alerts_count'),
          maxAlertsSizeBytes: o.get(tenantId, 'alertmanager_max_alerts_size_bytes'),
          maxSilences: o.get(tenantId, 'alertmanager_max_silences_count'),
          maxAggregationGroups: o.get(tenantId, 'alertmanager_max_dispatcher_aggregation_groups'),
          notificationRate: o.get(tenantId, 'alertmanager_notification_rate_limit'),
          notificationBurst: 0,
        }
      : DEFAULT_LIMITS;
    return this.opts.limits ? { ...base, ...this.opts.limits } : base;
  }

  /** Sharded: whether to run the tenant here; a ring that cannot answer keeps what runs. */
  private ownsOrKeep(tenant: TenantId): boolean {
    try {
      return this.owns(tenant);
    } catch (e) {
      this.opts.logger?.warn(`alertmanager: ring unavailable, keeping tenant ${tenant} as is: ${(e as Error).message}`);
      return this.tenants.has(tenant);
    }
  }

  /** Stops a tenant that moved to other instances (its state stays in the shared store). */
  private drop(tenant: TenantId): void {
    const p = this.tenants.get(tenant);
    if (!p) return;
    this.tenants.delete(tenant);
    this.revisions.delete(tenant);
    void p.then((t) => t.stop()).catch(() => {});
  }

  /** Sharded: starts the owned tenants that have a config, stops the ones no longer owned. */
  async checkRing(): Promise<void> {
    if (!this.opts.sharding) return;
    this.ringTime(true);
    const ids = new Set<TenantId>([...this.tenants.keys()]);
    for (const id of this.feed.keys()) {
      try {
        ids.add(parseTenantId(id));
      } catch {
        // not a tenant id
      }
    }
    for (const t of ids) {
      if (!this.ownsOrKeep(t)) this.drop(t);
      else if (!this.tenants.has(t) && this.feed.has(t)) void this.tenant(t).catch(() => {});
    }
    await Promise.allSettled(this.tenants.values());
  }

  /** Sharded: re-reads each running tenant's silences from the shared store (a missed push heals here). */
  async refreshState(): Promise<void> {
    for (const [t, p] of this.tenants) {
      try {
        (await p).silences.merge(await this.state.loadSilences(t));
      } catch (e) {
        this.opts.logger?.warn(`alertmanager: refreshing silences of ${t}: ${(e as Error).message}`);
      }
    }
  }

  /** Pushes a silence changed here to the tenant's other replicas (best effort; the store has it). */
  private replicateSilence(tenantId: TenantId, s: Silence): void {
    const sh = this.opts.sharding;
    if (!sh) return;
    let others: InstanceDesc[];
    try {
      others = this.replicas(tenantId).instances.filter((i) => i.id !== sh.instanceId);
    } catch {
      return;
    }
    for (const inst of others) {
      sh.peers.call(inst, tenantId, { op: 'mergeSilences', silences: [s] }).catch((e: unknown) => {
        this.opts.logger?.warn(
          `alertmanager: pushing silence ${s.id} of ${tenantId} to ${inst.id} failed (the store refresh will carry it): ${(e as Error).message}`,
        );
      });
    }
  }

  /** The tenant's parsed config; the fallback when it has none; undefined when its config is rejected. */
  private configFor(tenant: TenantId): TenantConfig | undefined {
    const entry = this.feed.get(tenant);
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
        limits: () => this.limitsFor(tenantId),
        ...(this.opts.sharding
          ? {
              replica: {
                position: () => this.position(tenantId),
                peerTimeoutMs: this.opts.sharding.peerTimeoutMs ?? 15_000,
              },
              onSilenceChange: (s: Silence) => this.replicateSilence(tenantId, s),
            }
          : {}),
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

  private scheduleRingCheck(): void {
    this.cancelRingCheck = this.scheduler.schedule(this.opts.sharding?.ringCheckPeriodMs ?? 5_000, async () => {
      if (this.stopped) return;
      this.scheduleRingCheck();
      await this.checkRing();
    });
  }

  private scheduleStateRefresh(): void {
    this.cancelStateRefresh = this.scheduler.schedule(this.opts.sharding?.stateRefreshPeriodMs ?? 15_000, async () => {
      if (this.stopped) return;
      this.scheduleStateRefresh();
      await this.refreshState();
    });
  }

  private schedulePoll(): void {
    this.cancelPoll = this.scheduler.schedule(this.opts.pollIntervalMs ?? 1_000, async () => {
      this.schedulePoll();
      await this.sync();
    });
  }
}
