import type { CortexError } from './errors.js';
import type { Labels } from './labels.js';
import type { FloatSamples } from './sample-columns.js';
import type { Exemplar, HistogramSample, MetricMetadata } from './samples.js';

/**
 * One series of a validated write: labels already sorted, unique, non-empty and checked against the
 * tenant's limits by the distributor. Samples are in the order the client sent them.
 */
export interface TimeSeries {
  labels: Labels;
  samples: FloatSamples;
  histograms: HistogramSample[];
  exemplars: Exemplar[];
  /**
   * Created (start) timestamps, ascending, for Prometheus's created-timestamp zero ingestion: before
   * the first sample (or histogram, when the series has no float samples) newer than one of them, a
   * zero is appended at it, but only if it is newer than everything the series already holds. It is
   * never an error: a created timestamp that does not fit is skipped silently. Absent when the
   * tenant has the option off.
   */
  createdTimestamps?: number[];
}

/** A validated write for one tenant, as the distributor hands it to ingesters. */
export interface WriteRequest {
  timeseries: TimeSeries[];
  metadata: MetricMetadata[];
}

/**
 * What an ingester did with a write. Per-series problems (out-of-order, duplicate, series limits) do
 * not fail the request: the rest is stored and each problem is reported here with its series, so the
 * distributor can answer a partial 400 that names them. Whole-request failures are thrown instead.
 */
export interface WriteOutcome {
  samplesAppended: number;
  histogramsAppended: number;
  exemplarsAppended: number;
  errors: SeriesError[];
}

export interface SeriesError {
  error: CortexError;
  labels: Labels;
  /** How many samples of this series were dropped for this reason. */
  dropped: number;
}
