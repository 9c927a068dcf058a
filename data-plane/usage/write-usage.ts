import type { WriteUsage } from './usage-recorder.js';

/** The parts of the distributor's PushResult that usage reads (declared here, by the consumer). */
export interface PushOutcome {
  samplesWritten: number;
  histogramsWritten: number;
  exemplarsWritten: number;
  errors: ReadonlyArray<{ error: { id?: string | undefined }; dropped: number }>;
  deduplicated?: unknown;
  attributed?: ReadonlyMap<string, number> | undefined;
}

/**
 * What an acknowledged push adds to a tenant's usage: the written counts the client was told (the
 * `X-Prometheus-Remote-Write-*-Written` figures), and the samples dropped from it, by reason.
 */
export function writeUsageOf(r: PushOutcome): WriteUsage {
  const discarded = new Map<string, number>();
  for (const e of r.errors) {
    if (e.dropped > 0)
      discarded.set(e.error.id ?? 'unknown', (discarded.get(e.error.id ?? 'unknown') ?? 0) + e.dropped);
  }
  return {
    samples: r.samplesWritten,
    histograms: r.histogramsWritten,
    exemplars: r.exemplarsWritten,
    discarded,
    attributed: r.attributed,
  };
}
