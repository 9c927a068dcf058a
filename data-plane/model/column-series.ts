import type { Labels } from './labels.js';
import { SampleColumns } from './sample-columns.js';
import type { Exemplar, HistogramSample } from './samples.js';
import type { TimeSeries } from './write.js';

const NO_HISTOGRAMS: readonly HistogramSample[] = Object.freeze([]);
const NO_EXEMPLARS: readonly Exemplar[] = Object.freeze([]);

/**
 * A validated series of float samples only, whose samples are a window of a request's columns: the
 * series is its own `samples` (one object per series on the remote-write fast path, where a
 * `TimeSeries` literal beside a `SampleColumns` would be two).
 */
export class ColumnSeries extends SampleColumns implements TimeSeries {
  constructor(
    t: Float64Array,
    v: Float64Array,
    start: number,
    end: number,
    readonly labels: Labels,
  ) {
    super(t, v, start, end);
  }

  get samples(): SampleColumns {
    return this;
  }

  // Shared and frozen: nobody downstream writes a series' histograms or exemplars.
  get histograms(): HistogramSample[] {
    return NO_HISTOGRAMS as HistogramSample[];
  }

  get exemplars(): Exemplar[] {
    return NO_EXEMPLARS as Exemplar[];
  }
}
