import { type HistogramSample, Labels, type Sample } from '../model/index.js';

/** One series of a range-query result (the engine's `matrix` value). */
export interface MatrixSeries {
  labels: Labels;
  floats: Sample[];
  histograms: HistogramSample[];
}

export interface MatrixValue {
  type: 'matrix';
  series: MatrixSeries[];
}

export function isMatrix(v: unknown): v is MatrixValue {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'matrix';
}

/** Points of `m` with timestamps in `[start, end]`; series left empty are dropped, as Prometheus does. */
export function sliceMatrix(m: readonly MatrixSeries[], start: number, end: number): MatrixSeries[] {
  const out: MatrixSeries[] = [];
  for (const s of m) {
    const floats = s.floats.filter((p) => p.t >= start && p.t <= end);
    const histograms = s.histograms.filter((p) => p.t >= start && p.t <= end);
    if (floats.length > 0 || histograms.length > 0) out.push({ labels: s.labels, floats, histograms });
  }
  return out;
}

/**
 * Concatenates results of consecutive, non-overlapping sub-ranges (given in time order) into one
 * matrix sorted by labels, as an unsplit Prometheus range query returns it.
 */
export function concatMatrices(parts: readonly (readonly MatrixSeries[])[]): MatrixSeries[] {
  const byKey = new Map<string, MatrixSeries>();
  for (const part of parts) {
    for (const s of part) {
      const k = s.labels.key();
      const acc = byKey.get(k);
      if (!acc) byKey.set(k, { labels: s.labels, floats: [...s.floats], histograms: [...s.histograms] });
      else {
        for (const p of s.floats) acc.floats.push(p);
        for (const p of s.histograms) acc.histograms.push(p);
      }
    }
  }
  return [...byKey.values()].sort((a, b) => Labels.compare(a.labels, b.labels));
}

/** Rough number of points, for cache accounting. */
export function pointCount(m: readonly MatrixSeries[]): number {
  let n = 0;
  for (const s of m) n += s.floats.length + s.histograms.length * 8 + 4;
  return n;
}
