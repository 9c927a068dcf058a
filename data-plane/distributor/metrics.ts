import { Counter, type CounterConfiguration, Histogram, type Registry } from 'prom-client';
import { discardedSamplesCounter } from '../validation/index.js';

/**
 * Registers a counter, or returns the one already registered under that name: the ingester also
 * counts `cortex_discarded_samples_total` in the same registry when both run in one process.
 */
function counter<L extends string>(registry: Registry, cfg: CounterConfiguration<L>): Counter<L> {
  const existing = registry.getSingleMetric(cfg.name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ ...cfg, registers: [registry] });
}

/** The distributor's self-monitoring, with Cortex's metric names and a `user` (tenant) label. */
export class DistributorMetrics {
  readonly samplesIn: Counter<'user'>;
  readonly receivedSamples: Counter<'user'>;
  readonly receivedExemplars: Counter<'user'>;
  readonly receivedMetadata: Counter<'user'>;
  readonly discardedSamples: Counter<'reason' | 'user'>;
  readonly discardedExemplars: Counter<'reason' | 'user'>;
  readonly discardedMetadata: Counter<'reason' | 'user'>;
  readonly dedupedSamples: Counter<'user' | 'cluster'>;
  readonly electedReplicaChanges: Counter<'user' | 'cluster'>;
  readonly pushDuration: Histogram<'outcome'>;

  constructor(registry: Registry) {
    this.samplesIn = counter(registry, {
      name: 'cortex_distributor_samples_in_total',
      help: 'The total number of samples that have come in to the distributor, including rejected or deduped samples.',
      labelNames: ['user'],
    });
    this.receivedSamples = counter(registry, {
      name: 'cortex_distributor_received_samples_total',
      help: 'The total number of received samples, excluding rejected and deduped samples.',
      labelNames: ['user'],
    });
    this.receivedExemplars = counter(registry, {
      name: 'cortex_distributor_received_exemplars_total',
      help: 'The total number of received exemplars, excluding rejected and deduped exemplars.',
      labelNames: ['user'],
    });
    this.receivedMetadata = counter(registry, {
      name: 'cortex_distributor_received_metadata_total',
      help: 'The total number of received metadata, excluding rejected.',
      labelNames: ['user'],
    });
    this.discardedSamples = discardedSamplesCounter(registry);
    this.discardedExemplars = counter(registry, {
      name: 'cortex_discarded_exemplars_total',
      help: 'The total number of exemplars that were discarded.',
      labelNames: ['reason', 'user'],
    });
    this.discardedMetadata = counter(registry, {
      name: 'cortex_discarded_metadata_total',
      help: 'The total number of metadata that were discarded.',
      labelNames: ['reason', 'user'],
    });
    this.dedupedSamples = counter(registry, {
      name: 'cortex_distributor_deduped_samples_total',
      help: 'The total number of deduplicated samples (from non-elected HA replicas).',
      labelNames: ['user', 'cluster'],
    });
    this.electedReplicaChanges = counter(registry, {
      name: 'cortex_ha_tracker_elected_replica_changes_total',
      help: 'The total number of times the elected replica has changed for a user ID/cluster.',
      labelNames: ['user', 'cluster'],
    });
    this.pushDuration = new Histogram({
      name: 'cortex_distributor_push_duration_seconds',
      help: 'Time spent in Distributor.push, by outcome (success, partial, deduped, rate_limited, error).',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }
}
