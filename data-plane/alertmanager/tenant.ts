import { BadDataError, type Clock, type Labels, LimitExceededError, type TenantId } from '../model/index.js';
import { ERROR_IDS } from '../validation/error-ids.js';
import { type Alert, alertFromPostable, fingerprint, isResolved, mergeAlert, type PostableAlert } from './alert.js';
import type { AlertmanagerConfig, ReceiverConfig, RouteConfig } from './config/index.js';
import { Dispatcher } from './dispatcher.js';
import { Inhibitor } from './inhibit.js';
import type { AlertmanagerMetrics } from './metrics.js';
import { NotificationLog, needsUpdate } from './nflog.js';
import {
  buildIntegrations,
  type Firewall,
  type Integration,
  type IntegrationDeps,
  NotifyError,
} from './notify/index.js';
import { buildRouteTree, type Route } from './route-tree.js';
import { type Scheduler, sleep } from './scheduler.js';
import { type Silence, Silences } from './silences.js';
import type { AlertmanagerStateStore } from './state.js';
import { inTimeInterval } from './time-check.js';

/** A tenant's Alertmanager limits, resolved on every use (the `alertmanager_*` per-tenant limits). */
export interface AlertmanagerLimits {
  /** Alerts held per tenant (0 = no limit): `alertmanager_max_alerts_count`. */
  maxAlerts: number;
  /** Total size of the alerts held (0 = no limit): `alertmanager_max_alerts_size_bytes`. */
  maxAlertsSizeBytes: number;
  /** Active and pending silences per tenant (0 = no limit): `alertmanager_max_silences_count`. */
  maxSilences: number;
  /** Aggregation groups per tenant (0 = no limit): `alertmanager_max_dispatcher_aggregation_groups`. */
  maxAggregationGroups: number;
  /**
   * Notifications per second per integration type (0 = no limit): `alertmanager_notification_rate_limit`.
   * Each integration type (webhook, email, …) has its own token bucket, as in Cortex.
   */
  notificationRate: number;
  /** Bucket size; 0 derives it as Cortex does (the rate, at least 1). */
  notificationBurst: number;
}

/**
 * How a replica of a sharded tenant takes part in deduplication (Cortex's peer wait + shared nflog):
 * replica `position` waits `position × peerTimeoutMs` before notifying, then consults the shared
 * notification log, so only the first healthy replica sends.
 */
export interface ReplicaCoordination {
  /** This instance's position among the tenant's replicas (0 = first); read at every flush. */
  position(): number;
  peerTimeoutMs: number;
}

export interface TenantAlertmanagerOptions {
  tenantId: TenantId;
  clock: Clock;
  scheduler: Scheduler;
  state: AlertmanagerStateStore;
  firewall: Firewall;
  externalUrl: string;
  /** Read on every use, so `cortexctl limits set` applies without a restart. */
  limits: () => AlertmanagerLimits;
  /** Set when the tenant is replicated over several instances. */
  replica?: ReplicaCoordination;
  /** Called after a silence was created, updated or expired here (to push it to the other replicas). */
  onSilenceChange?: (s: Silence) => void;
  /** Attempts per notification (first try included) and the first backoff, doubled each retry. */
  maxAttempts: number;
  initialBackoffMs: number;
  notifyTimeoutMs: number;
  retentionMs: number;
  onError: (msg: string) => void;
  /** Builds a receiver's integrations (default: the real webhook/Slack/PagerDuty/email senders). */
  integrationFactory?: (r: ReceiverConfig, deps: IntegrationDeps) => Integration[];
  metrics?: AlertmanagerMetrics;
}

/** An alert from the in-process ruler (structurally the ruler's NotifierAlert). */
export interface RuleAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt: number;
  generatorURL: string;
}

export interface TenantConfig {
  config: AlertmanagerConfig;
  raw: string;
  templates: Record<string, string>;
  isFallback: boolean;
}

export interface NotifyStats {
  sent: number;
  failed: number;
  rateLimited: number;
}

/** One tenant's Alertmanager: alert store, dispatcher, inhibitor, silences and notification log. */
export class TenantAlertmanager {
  readonly silences: Silences;
  readonly nflog: NotificationLog;
  readonly stats: NotifyStats = { sent: 0, failed: 0, rateLimited: 0 };
  private readonly alerts = new Map<string, Alert>();
  private current!: TenantConfig;
  private dispatcher!: Dispatcher;
  private inhibitor!: Inhibitor;
  private integrations = new Map<string, Integration[]>();
  /** Token buckets per integration type (Cortex rate-limits each integration separately). */
  private readonly buckets = new Map<string, { tokens: number; at: number; burst: number }>();
  private alertsBytes = 0;
  private stopped = false;
  private cancelMaintenance: (() => void) | undefined;

  private constructor(private readonly opts: TenantAlertmanagerOptions) {
    const t = opts.tenantId;
    this.silences = new Silences({
      clock: opts.clock,
      persist: (s) => opts.state.putSilence(t, s),
      remove: (id) => opts.state.deleteSilence(t, id),
      maxSilences: () => opts.limits().maxSilences,
      retentionMs: opts.retentionMs,
      ...(opts.onSilenceChange ? { onChange: opts.onSilenceChange } : {}),
    });
    this.nflog = new NotificationLog({
      clock: opts.clock,
      persist: (e) => opts.state.putNotification(t, e),
      remove: (e) => opts.state.deleteNotification(t, e),
      retentionMs: opts.retentionMs,
    });
  }

  /** Loads persisted silences and notification log, then applies the config. */
  static async create(opts: TenantAlertmanagerOptions, cfg: TenantConfig): Promise<TenantAlertmanager> {
    const am = new TenantAlertmanager(opts);
    am.silences.load(await opts.state.loadSilences(opts.tenantId));
    am.nflog.load(await opts.state.loadNotificationLog(opts.tenantId));
    am.applyConfig(cfg);
    am.scheduleMaintenance();
    return am;
  }

  get config(): TenantConfig {
    return this.current;
  }

  /** Swaps in a new config: a fresh dispatcher re-ingests the held alerts (silences and log stay). */
  applyConfig(cfg: TenantConfig): void {
    this.dispatcher?.stop();
    this.current = cfg;
    this.inhibitor = new Inhibitor(cfg.config.inhibitRules);
    this.integrations = new Map(
      cfg.config.receivers.map((r) => [
        r.name,
        (this.opts.integrationFactory ?? buildIntegrations)(r, {
          firewall: this.opts.firewall,
          timeoutMs: this.opts.notifyTimeoutMs,
          templates: cfg.templates,
          templateNames: cfg.config.templates,
          global: cfg.config.global,
        }),
      ]),
    );
    this.dispatcher = new Dispatcher(buildRouteTree(cfg.config.route), {
      clock: this.opts.clock,
      scheduler: this.opts.scheduler,
      notify: (route, key, labels, alerts) => this.notifyGroup(route, key, labels, alerts),
      maxGroups: () => this.opts.limits().maxAggregationGroups,
      onGroupLimit: (key) => {
        this.opts.metrics?.groupLimitReached.inc({ user: this.opts.tenantId });
        this.opts.onError(
          `tenant ${this.opts.tenantId}: aggregation group limit reached (alertmanager_max_dispatcher_aggregation_groups, ${ERROR_IDS.alertmanagerMaxAggregationGroups}), dropping group ${key}`,
        );
      },
    });
    for (const a of this.alerts.values()) this.dispatcher.process(a);
  }

  /** Validates every alert first (all or nothing), then merges and routes them. */
  putAlerts(posted: readonly PostableAlert[]): void {
    const now = this.opts.clock.now();
    const user = this.opts.tenantId;
    let parsed: Alert[];
    try {
      parsed = posted.map((p) => alertFromPostable(p, now, this.current.config.global.resolveTimeoutMs));
    } catch (e) {
      this.opts.metrics?.alertsInvalid.inc({ user }, posted.length);
      throw e;
    }
    this.ingest(parsed);
  }

  /**
   * Takes alerts already in typed form (the in-process ruler's path): labels are trusted to be valid
   * label sets; an alert without labels or ending before it starts is rejected like the API does.
   */
  receive(alerts: readonly RuleAlert[]): void {
    const now = this.opts.clock.now();
    const parsed = alerts.map((a): Alert => {
      if (a.labels.isEmpty()) throw new BadDataError('at least one label pair required');
      if (a.endsAt < a.startsAt) throw new BadDataError('start time must be before end time');
      return { ...a, updatedAt: now, timeout: false, fingerprint: fingerprint(a.labels) };
    });
    this.ingest(parsed);
  }

  /** All-or-nothing against the alert count and size limits, then merge and route. */
  private ingest(parsed: Alert[]): void {
    const user = this.opts.tenantId;
    const { maxAlerts: max, maxAlertsSizeBytes: maxBytes } = this.opts.limits();
    let count = this.alerts.size;
    let bytes = this.alertsBytes;
    const seen = new Map<string, number>();
    const reject = (msg: string, id: (typeof ERROR_IDS)[keyof typeof ERROR_IDS]) => {
      this.opts.metrics?.alertsInvalid.inc({ user }, parsed.length);
      throw new LimitExceededError(msg, { id });
    };
    for (const a of parsed) {
      const size = alertSize(a);
      const before = seen.get(a.fingerprint) ?? this.sizeOf(a.fingerprint);
      if (before === undefined) {
        if (max > 0 && count >= max) {
          reject(
            `too many alerts, limit: ${max}, alert name: ${a.labels.get('alertname')} (alertmanager_max_alerts_count, ${ERROR_IDS.alertmanagerMaxAlertsCount})`,
            ERROR_IDS.alertmanagerMaxAlertsCount,
          );
        }
        count++;
      }
      bytes += size - (before ?? 0);
      seen.set(a.fingerprint, size);
      if (maxBytes > 0 && bytes > maxBytes && size > (before ?? 0)) {
        reject(
          `alerts size limit reached, limit: ${maxBytes} bytes, alert name: ${a.labels.get('alertname')} (alertmanager_max_alerts_size_bytes, ${ERROR_IDS.alertmanagerMaxAlertsSize})`,
          ERROR_IDS.alertmanagerMaxAlertsSize,
        );
      }
    }
    this.opts.metrics?.alertsReceived.inc({ user }, parsed.length);
    for (const a of parsed) {
      const prev = this.alerts.get(a.fingerprint);
      const merged = prev ? mergeAlert(prev, a) : a;
      this.setAlert(merged);
      this.dispatcher.process(merged);
    }
  }

  private sizeOf(fp: string): number | undefined {
    const a = this.alerts.get(fp);
    return a ? alertSize(a) : undefined;
  }

  private setAlert(a: Alert): void {
    this.alertsBytes += alertSize(a) - (this.sizeOf(a.fingerprint) ?? 0);
    this.alerts.set(a.fingerprint, a);
  }

  private deleteAlert(fp: string): void {
    this.alertsBytes -= this.sizeOf(fp) ?? 0;
    this.alerts.delete(fp);
  }

  /** Bytes the held alerts count against `alertmanager_max_alerts_size_bytes`. */
  get alertsSizeBytes(): number {
    return this.alertsBytes;
  }

  listAlerts(): Alert[] {
    return [...this.alerts.values()];
  }

  groups() {
    return this.dispatcher.groupsView();
  }

  receiversFor(labels: Labels): string[] {
    return this.dispatcher.receiversFor(labels);
  }

  /** Fingerprints of firing alerts that inhibit this alert. */
  inhibitedBy(a: Alert): string[] {
    return this.inhibitor.inhibitedBy(a.labels, this.firing(), a.fingerprint);
  }

  stop(): void {
    this.stopped = true;
    this.dispatcher.stop();
    this.cancelMaintenance?.();
  }

  /** Drops resolved alerts, expired silences past retention and old log entries. */
  async maintenance(): Promise<void> {
    const now = this.opts.clock.now();
    for (const [fp, a] of this.alerts) if (isResolved(a, now)) this.deleteAlert(fp);
    await this.silences.gc();
    await this.nflog.gc();
  }

  private scheduleMaintenance(): void {
    this.cancelMaintenance = this.opts.scheduler.schedule(15 * 60_000, async () => {
      if (this.stopped) return;
      this.scheduleMaintenance();
      await this.maintenance().catch((e) => this.opts.onError(`maintenance: ${(e as Error).message}`));
    });
  }

  private firing(): Alert[] {
    const now = this.opts.clock.now();
    return [...this.alerts.values()].filter((a) => !isResolved(a, now));
  }

  private mutedByTime(r: RouteConfig, now: number): boolean {
    const inAny = (names: string[]) =>
      names.some((n) =>
        this.current.config.timeIntervals.find((t) => t.name === n)?.intervals.some((s) => inTimeInterval(s, now)),
      );
    if (r.muteTimeIntervals.length > 0 && inAny(r.muteTimeIntervals)) return true;
    return r.activeTimeIntervals.length > 0 && !inAny(r.activeTimeIntervals);
  }

  /** The notification pipeline: time mute → silences/inhibition → per integration dedup, send, log. */
  private async notifyGroup(route: Route, groupKey: string, groupLabels: Labels, alerts: Alert[]): Promise<boolean> {
    let now = this.opts.clock.now();
    if (this.mutedByTime(route.config, now)) return true;
    const firing = this.firing();
    const kept = alerts.filter(
      (a) =>
        this.silences.mutedBy(a.labels).length === 0 &&
        this.inhibitor.inhibitedBy(a.labels, firing, a.fingerprint).length === 0,
    );
    if (kept.length === 0) return true;
    const receiver = route.config.receiver;
    const integrations = this.integrations.get(receiver) ?? [];
    // Replica n of a sharded tenant lets the replicas before it notify first (Cortex's peer wait);
    // the shared notification log consulted below then tells it whether they did.
    const position = this.opts.replica?.position() ?? 0;
    if (position > 0 && integrations.length > 0) {
      await sleep(this.opts.scheduler, position * this.opts.replica!.peerTimeoutMs);
      if (this.stopped) return true;
      now = this.opts.clock.now();
    }
    const results = await Promise.all(
      integrations.map((i) => this.notifyIntegration(i, route, groupKey, groupLabels, receiver, kept, now)),
    );
    return results.every(Boolean);
  }

  private async notifyIntegration(
    integ: Integration,
    route: Route,
    groupKey: string,
    groupLabels: Labels,
    receiver: string,
    alerts: Alert[],
    now: number,
  ): Promise<boolean> {
    const logKey = `${receiver}/${integ.name}/${integ.index}`;
    const firing = new Set(alerts.filter((a) => !isResolved(a, now)).map((a) => a.fingerprint));
    const resolved = new Set(alerts.filter((a) => isResolved(a, now)).map((a) => a.fingerprint));
    if (this.opts.replica) {
      // Replicas share the notification log through the state store: whatever another replica sent
      // (or this one, before a failover) is there.
      try {
        const stored = await this.opts.state.getNotification(this.opts.tenantId, groupKey, logKey);
        if (stored) this.nflog.merge(stored);
      } catch (e) {
        this.opts.onError(`tenant ${this.opts.tenantId}: reading the shared notification log: ${(e as Error).message}`);
      }
    }
    const entry = this.nflog.query(groupKey, logKey);
    if (!needsUpdate(entry, firing, resolved, integ.sendResolved, route.config.repeatIntervalMs, now)) {
      if (this.opts.replica && (this.opts.replica.position() > 0 || entry)) {
        this.opts.metrics?.dedupSkipped.inc({ user: this.opts.tenantId });
      }
      return true;
    }
    const toSend = integ.sendResolved ? alerts : alerts.filter((a) => firing.has(a.fingerprint));
    if (toSend.length > 0) {
      const labels = { user: this.opts.tenantId, integration: integ.name };
      if (!this.takeToken(integ.name)) {
        this.stats.rateLimited++;
        this.opts.metrics?.rateLimited.inc(labels);
        this.opts.metrics?.notificationsFailed.inc({ ...labels, reason: 'rate_limited' });
        this.opts.onError(
          `tenant ${this.opts.tenantId}: notification to ${logKey} dropped: notification rate limit reached (alertmanager_notification_rate_limit, ${ERROR_IDS.alertmanagerNotificationRateLimited})`,
        );
        return false;
      }
      const data = {
        tenantId: this.opts.tenantId,
        receiver,
        groupKey,
        groupLabels,
        alerts: toSend,
        externalUrl: this.opts.externalUrl,
        now,
      };
      let backoff = this.opts.initialBackoffMs;
      for (let attempt = 1; ; attempt++) {
        try {
          this.opts.metrics?.notifications.inc(labels);
          await integ.notify(data);
          this.stats.sent++;
          break;
        } catch (e) {
          // Network and server errors come wrapped as NotifyError; anything else (a template that fails
          // to render) would fail the same way again.
          const retryable = e instanceof NotifyError && e.retryable;
          if (!retryable || attempt >= this.opts.maxAttempts || this.stopped) {
            this.stats.failed++;
            const reason = /blocked by the firewall/.test((e as Error).message) ? 'firewall' : 'error';
            this.opts.metrics?.notificationsFailed.inc({ ...labels, reason });
            this.opts.onError(
              `tenant ${this.opts.tenantId}: notify ${logKey} failed after ${attempt} attempt(s): ${(e as Error).message}`,
            );
            return false;
          }
          await sleep(this.opts.scheduler, backoff);
          backoff = Math.min(backoff * 2, 60_000);
        }
      }
    }
    await this.nflog.log(groupKey, logKey, [...firing], [...resolved]);
    return true;
  }

  /** One token from the integration type's bucket; rate and burst are re-read every time. */
  private takeToken(integration: string): boolean {
    const { notificationRate: rate, notificationBurst } = this.opts.limits();
    if (rate <= 0) {
      this.buckets.delete(integration);
      return true;
    }
    const burst = notificationBurst > 0 ? notificationBurst : Math.max(1, rate);
    const now = this.opts.clock.now();
    let b = this.buckets.get(integration);
    if (!b || b.burst !== burst) {
      b = { tokens: Math.min(b?.tokens ?? burst, burst), at: now, burst };
      this.buckets.set(integration, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens--;
    return true;
  }
}

/** What an alert counts against the size limit (Cortex: label and annotation names and values, generator URL). */
export function alertSize(a: Alert): number {
  let n = a.generatorURL.length;
  a.labels.forEach((k, v) => {
    n += k.length + v.length;
  });
  a.annotations.forEach((k, v) => {
    n += k.length + v.length;
  });
  return n;
}
