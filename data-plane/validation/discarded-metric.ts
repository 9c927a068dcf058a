import { Counter, type Registry } from 'prom-client';

const NAME = 'cortex_discarded_samples_total';

/**
 * `cortex_discarded_samples_total{reason,user}`, shared by every component that drops samples (the
 * distributor for validation and rate limits, ingesters for ordering and series limits), so one
 * registry exports one counter as Cortex does.
 */
export function discardedSamplesCounter(registry: Registry | undefined): Counter<'reason' | 'user'> {
  const existing = registry?.getSingleMetric(NAME);
  if (existing) return existing as Counter<'reason' | 'user'>;
  return new Counter({
    name: NAME,
    help: 'The total number of samples that were discarded.',
    labelNames: ['reason', 'user'],
    registers: registry ? [registry] : [],
  });
}
