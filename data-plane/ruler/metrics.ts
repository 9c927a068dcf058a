import { Counter, Gauge, type Registry } from 'prom-client';

type GroupLabels = 'user' | 'rule_group';

/** The ruler's self-monitoring with Cortex's metric names (`user` = tenant, `rule_group` = `namespace;group`). */
export class RulerMetrics {
  readonly iterations: Counter<GroupLabels>;
  readonly iterationsMissed: Counter<GroupLabels>;
  readonly evaluations: Counter<GroupLabels>;
  readonly evaluationFailures: Counter<GroupLabels>;
  readonly lastDuration: Gauge<GroupLabels>;
  readonly lastEvaluation: Gauge<GroupLabels>;
  readonly notificationsSent: Counter<'user'>;
  readonly notificationErrors: Counter<'user'>;
  readonly writeErrors: Counter<'user'>;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      (registry?.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
      (registry?.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers });
    const g: GroupLabels[] = ['user', 'rule_group'];
    this.iterations = counter(
      'cortex_prometheus_rule_group_iterations_total',
      'The total number of scheduled rule group evaluations, whether executed or missed.',
      g,
    );
    this.iterationsMissed = counter(
      'cortex_prometheus_rule_group_iterations_missed_total',
      'The total number of rule group evaluations missed due to slow rule group evaluation.',
      g,
    );
    this.evaluations = counter('cortex_prometheus_rule_evaluations_total', 'The total number of rule evaluations.', g);
    this.evaluationFailures = counter(
      'cortex_prometheus_rule_evaluation_failures_total',
      'The total number of rule evaluation failures.',
      g,
    );
    this.lastDuration = gauge(
      'cortex_prometheus_rule_group_last_duration_seconds',
      'The duration of the last rule group evaluation.',
      g,
    );
    this.lastEvaluation = gauge(
      'cortex_prometheus_rule_group_last_evaluation_timestamp_seconds',
      'The timestamp of the last rule group evaluation in seconds.',
      g,
    );
    this.notificationsSent = counter('cortex_prometheus_notifications_sent_total', 'Total number of alerts sent.', [
      'user',
    ]);
    this.notificationErrors = counter(
      'cortex_prometheus_notifications_errors_total',
      'Total number of errors sending alert notifications.',
      ['user'],
    );
    this.writeErrors = counter('cortex_ruler_write_requests_failed_total', 'Number of failed writes of rule output.', [
      'user',
    ]);
  }
}
