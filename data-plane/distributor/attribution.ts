import type { Labels, TimeSeries } from '../model/index.js';

/** Samples + histograms of each series, summed per attribution key (one pass, per series, not per sample). */
export function attributeSeries(key: (labels: Labels) => string, series: readonly TimeSeries[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const ts of series) {
    const n = ts.samples.length + ts.histograms.length;
    if (n === 0) continue;
    const k = key(ts.labels);
    out.set(k, (out.get(k) ?? 0) + n);
  }
  return out;
}

/** Takes away what the ingesters refused per series (their errors name the series). */
export function withoutDrops(
  attributed: Map<string, number>,
  key: (labels: Labels) => string,
  errors: ReadonlyArray<{ labels?: Labels | undefined; dropped: number }>,
): Map<string, number> {
  for (const e of errors) {
    if (!e.labels || e.dropped <= 0) continue;
    const k = key(e.labels);
    const left = (attributed.get(k) ?? 0) - e.dropped;
    if (left > 0) attributed.set(k, left);
    else attributed.delete(k);
  }
  return attributed;
}
