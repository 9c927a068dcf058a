import { Counter, type CounterConfiguration, type Registry } from 'prom-client';

function counter<L extends string>(registry: Registry, cfg: CounterConfiguration<L>): Counter<L> {
  const existing = registry.getSingleMetric(cfg.name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ ...cfg, registers: [registry] });
}

/** Self-monitoring with Cortex's Alertmanager metric names and a `user` (tenant) label. */
export class AlertmanagerMetrics {
  readonly notifications: Counter<'user' | 'integration'>;
  readonly notificationsFailed: Counter<'user' | 'integration' | 'reason'>;
  readonly alertsReceived: Counter<'user'>;
  readonly alertsInvalid: Counter<'user'>;
  readonly rateLimited: Counter<'user' | 'integration'>;
  readonly groupLimitReached: Counter<'user'>;
  readonly dedupSkipped: Counter<'user'>;

  constructor(registry: Registry) {
    this.notifications = counter(registry, {
      name: 'cortex_alertmanager_notifications_total',
      help: 'Notifications attempted, by tenant and integration.',
      labelNames: ['user', 'integration'],
    });
    this.notificationsFailed = counter(registry, {
      name: 'cortex_alertmanager_notifications_failed_total',
      help: 'Notifications that failed (reason: error, firewall, rate_limited), by tenant and integration.',
      labelNames: ['user', 'integration', 'reason'],
    });
    this.alertsReceived = counter(registry, {
      name: 'cortex_alertmanager_alerts_received_total',
      help: 'Alerts received through the API or from the ruler.',
      labelNames: ['user'],
    });
    this.alertsInvalid = counter(registry, {
      name: 'cortex_alertmanager_alerts_invalid_total',
      help: 'Alerts rejected as invalid or over a limit.',
      labelNames: ['user'],
    });
    this.rateLimited = counter(registry, {
      name: 'cortex_alertmanager_notification_rate_limited_total',
      help: 'Notifications dropped by alertmanager_notification_rate_limit, by tenant and integration.',
      labelNames: ['user', 'integration'],
    });
    this.groupLimitReached = counter(registry, {
      name: 'cortex_alertmanager_dispatcher_aggregation_group_limit_reached_total',
      help: 'Aggregation groups not created because of alertmanager_max_dispatcher_aggregation_groups.',
      labelNames: ['user'],
    });
    this.dedupSkipped = counter(registry, {
      name: 'cortex_alertmanager_replica_notifications_deduplicated_total',
      help: 'Sharded: notifications not sent because the shared notification log already has them (sent by another replica, or earlier by this one).',
      labelNames: ['user'],
    });
  }
}
