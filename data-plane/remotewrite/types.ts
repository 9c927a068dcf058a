import type { BadDataError, FloatHistogram, FloatSamples, MetricMetadata, Sample } from '../model/index.js';
import type { SeriesMemo } from './series-cache.js';

/**
 * A remote-write request as it came off the wire, before validation. Labels stay flat string arrays
 * (`[n0, v0, n1, v1, …]`) in the order the client sent them: validation sorts, de-duplicates and turns
 * them into `Labels`. Nothing here is trusted yet. `S`: how float samples are held; decoders
 * produce objects, the columnar fast path (`wireFromColumns`) windows of columns, and the
 * distributor takes either (`AnyWireWriteRequest`).
 */
export interface WireWriteRequest<S extends FloatSamples = Sample[]> {
  timeseries: WireSeries<S>[];
  metadata: MetricMetadata[];
  /**
   * Parts the decoder or translator already refused (a 2.0 series whose label refs point outside the
   * symbols table, an OTLP point of an unsupported kind, …): the distributor reports them beside its
   * own validation drops, so the rest of the request is still written and the 400 names them.
   */
  rejected?: WireRejection[];
}

export interface WireRejection {
  /** Names the series (or metric) and the problem; carries a stable error ID. */
  error: BadDataError;
  /** Samples and histograms lost with it (0 for exemplars and metadata). */
  dropped: number;
}

/** What the distributor accepts: float samples as objects or as columns. */
export type AnyWireWriteRequest = WireWriteRequest<FloatSamples>;

export interface WireSeries<S extends FloatSamples = Sample[]> {
  /** Flat `[name, value, …]` exactly as sent (possibly unsorted, duplicated or with empty values). */
  labels: string[];
  samples: S;
  histograms: WireHistogramSample[];
  exemplars: WireExemplar[];
  /**
   * Start (created) timestamps sent with the points, each older than the point it came with (remote
   * write 2.0 `start_timestamp` or 2.0-draft `created_timestamp`, OTLP `start_time_unix_nano` of
   * counters, histograms and summaries): where a zero may go (see `TimeSeries.createdTimestamps`).
   */
  createdTimestamps?: number[];
  /**
   * Set (only when decoding with a SeriesCache) when these exact label bytes were decoded before:
   * shared with every other series carrying them, so later stages can reuse what they derived (see
   * SeriesMemo). `labels` may then be the cache's own array (`memo.flat`): copy it before mutating.
   */
  memo?: SeriesMemo | undefined;
}

export interface WireExemplar {
  labels: string[];
  t: number;
  v: number;
}

/**
 * A native histogram sample with absolute bucket counts (integer deltas already summed). `integer`
 * records whether the client sent an integer histogram (count oneof = `count_int`), which chunk
 * encoding and re-encoding need; it is structurally compatible with the model's `HistogramSample`.
 */
export interface WireHistogramSample {
  t: number;
  h: FloatHistogram;
  integer: boolean;
}
