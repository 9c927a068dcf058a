import {
  BadDataError,
  type Labels,
  type Sample,
  type SeriesError,
  type TenantId,
  UnavailableError,
  type WriteOutcome,
  type WriteRequest,
} from '../model/index.js';
import { ERROR_IDS, withId } from '../validation/index.js';
import type { IngesterClient } from './ingester-client.js';

interface StoredSeries {
  labels: Labels;
  samples: Sample[];
}

/**
 * A tiny in-memory `IngesterClient` for distributor unit tests and the in-process ingest benchmark:
 * it keeps float samples per tenant and series, rejects samples older than a series' newest one (so
 * partial ingester errors can be exercised) and can be told to fail as unavailable. It is not the
 * ingester and has no WAL.
 */
export class InMemoryIngesterClient implements IngesterClient {
  readonly tenants = new Map<string, Map<string, StoredSeries>>();
  /** When set, every push throws `UnavailableError` (a retryable whole-request failure). */
  unavailable = false;
  /** When false, samples are counted but not kept (benchmarks). */
  retain: boolean;
  pushes = 0;

  constructor(opts: { retain?: boolean } = {}) {
    this.retain = opts.retain ?? true;
  }

  async push(tenantId: TenantId, req: WriteRequest): Promise<WriteOutcome> {
    this.pushes++;
    if (this.unavailable) throw new UnavailableError('in-memory ingester is marked unavailable');
    let tenant = this.tenants.get(tenantId);
    if (tenant === undefined) {
      tenant = new Map();
      this.tenants.set(tenantId, tenant);
    }
    const errors: SeriesError[] = [];
    let samplesAppended = 0;
    for (const ts of req.timeseries) {
      if (!this.retain) {
        samplesAppended += ts.samples.length;
        continue;
      }
      const key = ts.labels.key();
      let s = tenant.get(key);
      if (s === undefined) {
        s = { labels: ts.labels, samples: [] };
        tenant.set(key, s);
      }
      let dropped = 0;
      for (const sample of ts.samples) {
        const last = s.samples[s.samples.length - 1];
        if (last !== undefined && sample.t < last.t) {
          dropped++;
          continue;
        }
        s.samples.push(sample);
        samplesAppended++;
      }
      if (dropped > 0) {
        const id = ERROR_IDS.sampleOutOfOrder;
        errors.push({
          error: new BadDataError(
            withId(
              `the sample has been rejected because another sample with a more recent timestamp has already been ingested and out-of-order samples are not allowed, series: '${ts.labels.toString()}'`,
              id,
            ),
            { id },
          ),
          labels: ts.labels,
          dropped,
        });
      }
    }
    return {
      samplesAppended,
      histogramsAppended: req.timeseries.reduce((n, ts) => n + ts.histograms.length, 0),
      exemplarsAppended: req.timeseries.reduce((n, ts) => n + ts.exemplars.length, 0),
      errors,
    };
  }

  /** The stored samples of one series, by its `Labels.key()`. */
  samples(tenantId: string, labels: Labels): Sample[] | undefined {
    return this.tenants.get(tenantId)?.get(labels.key())?.samples;
  }

  seriesCount(tenantId: string): number {
    return this.tenants.get(tenantId)?.size ?? 0;
  }
}
