import { BadDataError, type Clock, type Labels, LimitExceededError, type TenantId } from '../model/index.js';
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
import { Silences } from './silences.js';
import type { AlertmanagerStateStore } from './state.js';
import { inTimeInterval } from './time-check.js';

export interface AlertmanagerLimits {
  /** Alerts held per tenant (0 = no limit). */
  maxAlerts: number;
  /** Active and pending silences per tenant (0 = no limit). */
  maxSilences: number;
  /** Aggregation groups per tenant (0 = no limit). */
  maxAggregationGroups: number;
  /** Notifications per second per tenant (0 = no limit), with this burst. */
  notificationRate: number;
  notificationBurst: number;
}

export interface TenantAlertmanagerOptions {
  tenantId: TenantId;
  clock: Clock;
  scheduler: Scheduler;
  state: AlertmanagerStateStore;
  firewall: Firewall;
  externalUrl: string;
  limits: AlertmanagerLimits;
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
  private tokens: number;
  private tokensAt: number;
  private stopped = false;
  private cancelMaintenance: (() => void) | undefined;

  private constructor(private readonly opts: TenantAlertmanagerOptions) {
    const t = opts.tenantId;
    this.silences = new Silences({
      clock: opts.clock,
      persist: (s) => opts.state.putSilence(t, s),
      remove: (id) => opts.state.deleteSilence(t, id),
      maxSilences: opts.limits.maxSilences,
      retentionMs: opts.retentionMs,
    });
    this.nflog = new NotificationLog({
      clock: opts.clock,
      persist: (e) => opts.state.putNotification(t, e),
      remove: (e) => opts.state.deleteNotification(t, e),
      retentionMs: opts.retentionMs,
    });
    this.tokens = opts.limits.notificationBurst;
    this.tokensAt = opts.clock.now();
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
      maxGroups: this.opts.limits.maxAggregationGroups,
      onGroupLimit: (key) =>
        this.opts.onError(`tenant ${this.opts.tenantId}: aggregation group limit reached, dropping group ${key}`),
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

  /** All-or-nothing against the alert limit, then merge and route. */
  private ingest(parsed: Alert[]): void {
    const user = this.opts.tenantId;
    const max = this.opts.limits.maxAlerts;
    let size = this.alerts.size;
    for (const a of parsed) {
      if (!this.alerts.has(a.fingerprint)) {
        if (max > 0 && size >= max) {
          this.opts.metrics?.alertsInvalid.inc({ user }, parsed.length);
          throw new LimitExceededError(`too many alerts, limit: ${max}, alert name: ${a.labels.get('alertname')}`);
        }
        size++;
      }
    }
    this.opts.metrics?.alertsReceived.inc({ user }, parsed.length);
    for (const a of parsed) {
      const prev = this.alerts.get(a.fingerprint);
      const merged = prev ? mergeAlert(prev, a) : a;
      this.alerts.set(a.fingerprint, merged);
      this.dispatcher.process(merged);
    }
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
    for (const [fp, a] of this.alerts) if (isResolved(a, now)) this.alerts.delete(fp);
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
    const now = this.opts.clock.now();
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
    const entry = this.nflog.query(groupKey, logKey);
    if (!needsUpdate(entry, firing, resolved, integ.sendResolved, route.config.repeatIntervalMs, now)) return true;
    const toSend = integ.sendResolved ? alerts : alerts.filter((a) => firing.has(a.fingerprint));
    if (toSend.length > 0) {
      const labels = { user: this.opts.tenantId, integration: integ.name };
      if (!this.takeToken()) {
        this.stats.rateLimited++;
        this.opts.metrics?.notificationsFailed.inc({ ...labels, reason: 'rate_limited' });
        this.opts.onError(
          `tenant ${this.opts.tenantId}: notification to ${logKey} dropped: notification rate limit reached`,
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

  private takeToken(): boolean {
    const { notificationRate: rate, notificationBurst: burst } = this.opts.limits;
    if (rate <= 0) return true;
    const now = this.opts.clock.now();
    this.tokens = Math.min(burst, this.tokens + ((now - this.tokensAt) / 1000) * rate);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
