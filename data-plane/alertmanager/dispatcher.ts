import type { Clock, Labels } from '../model/index.js';
import { type Alert, compareAlerts, formatLabelSet, isResolved } from './alert.js';
import { matchRoutes, type Route } from './route-tree.js';
import type { Cancel, Scheduler } from './scheduler.js';

/** Sends a group's alerts down the notification pipeline; resolves whether every integration succeeded. */
export type GroupNotifier = (route: Route, groupKey: string, groupLabels: Labels, alerts: Alert[]) => Promise<boolean>;

export interface DispatcherOptions {
  clock: Clock;
  scheduler: Scheduler;
  notify: GroupNotifier;
  /** Most aggregation groups at once; new groups beyond it are not created (0 = no limit). Read per new group. */
  maxGroups: number | (() => number);
  onGroupLimit?: (groupKey: string) => void;
}

export interface GroupView {
  route: Route;
  groupKey: string;
  groupLabels: Labels;
  alerts: Alert[];
}

interface AggregationGroup {
  route: Route;
  key: string;
  labels: Labels;
  alerts: Map<string, Alert>;
  hasFlushed: boolean;
  cancel: Cancel | undefined;
  /** The flush in progress; the next one waits for it (one flush per group at a time). */
  running: Promise<void>;
  stopped: boolean;
}

/**
 * Alertmanager's dispatcher: routes each alert, keeps one aggregation group per (route, group
 * labels), flushes a new group after group_wait (at once if its alert is already older than that),
 * then every group_interval; resolved alerts leave the group once a flush delivered them.
 */
export class Dispatcher {
  private readonly groups = new Map<string, AggregationGroup>();

  constructor(
    private readonly root: Route,
    private readonly opts: DispatcherOptions,
  ) {}

  /** Routes one alert into its groups. */
  process(alert: Alert): string[] {
    const routes = matchRoutes(this.root, alert.labels);
    for (const route of routes) {
      const c = route.config;
      const labels = c.groupByAll ? alert.labels : alert.labels.keep(c.groupBy);
      const key = `${route.key}:${formatLabelSet(labels)}`;
      let ag = this.groups.get(key);
      if (!ag) {
        const max = typeof this.opts.maxGroups === 'function' ? this.opts.maxGroups() : this.opts.maxGroups;
        if (max > 0 && this.groups.size >= max) {
          this.opts.onGroupLimit?.(key);
          continue;
        }
        ag = {
          route,
          key,
          labels,
          alerts: new Map(),
          hasFlushed: false,
          cancel: undefined,
          running: Promise.resolve(),
          stopped: false,
        };
        this.groups.set(key, ag);
        this.arm(ag, c.groupWaitMs);
      }
      ag.alerts.set(alert.fingerprint, alert);
      if (!ag.hasFlushed && alert.startsAt + c.groupWaitMs < this.opts.clock.now()) this.arm(ag, 0);
    }
    return routes.map((r) => r.config.receiver);
  }

  /** The receivers an alert with these labels is routed to. */
  receiversFor(labels: Labels): string[] {
    return [...new Set(matchRoutes(this.root, labels).map((r) => r.config.receiver))];
  }

  groupsView(): GroupView[] {
    return [...this.groups.values()].map((g) => ({
      route: g.route,
      groupKey: g.key,
      groupLabels: g.labels,
      alerts: [...g.alerts.values()].sort(compareAlerts),
    }));
  }

  stop(): void {
    for (const g of this.groups.values()) {
      g.stopped = true;
      g.cancel?.();
    }
    this.groups.clear();
  }

  private arm(ag: AggregationGroup, delayMs: number): void {
    ag.cancel?.();
    ag.cancel = this.opts.scheduler.schedule(delayMs, () => {
      ag.running = ag.running.then(() => this.flush(ag));
      return ag.running;
    });
  }

  private async flush(ag: AggregationGroup): Promise<void> {
    if (ag.stopped) return;
    this.arm(ag, ag.route.config.groupIntervalMs);
    const now = this.opts.clock.now();
    const alerts = [...ag.alerts.values()].sort(compareAlerts);
    if (alerts.length === 0) return;
    ag.hasFlushed = true;
    let ok = false;
    try {
      ok = await this.opts.notify(ag.route, ag.key, ag.labels, alerts);
    } catch {
      ok = false;
    }
    if (!ok || ag.stopped) return;
    // Drop resolved alerts that were delivered and not updated meanwhile.
    for (const a of alerts) {
      if (isResolved(a, now) && ag.alerts.get(a.fingerprint) === a) ag.alerts.delete(a.fingerprint);
    }
    if (ag.alerts.size === 0) {
      ag.stopped = true;
      ag.cancel?.();
      this.groups.delete(ag.key);
    }
  }
}
