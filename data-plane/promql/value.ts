import { type FloatHistogram, Labels } from '../model/index.js';

/**
 * One output series of an instant-vector expression evaluated over all steps: parallel arrays of
 * points at step timestamps. `h[i]` is set when point i is a native histogram (then `f[i]` is 0).
 * `dropName` implements Prometheus's delayed `__name__` removal: the name is dropped at the end.
 */
export interface SeriesOut {
  metric: Labels;
  t: number[];
  f: number[];
  h: (FloatHistogram | undefined)[] | undefined;
  dropName: boolean;
}

/** Evaluated value of an expression over all steps of the evaluator. */
export type EvalValue =
  | { kind: 'vector'; series: SeriesOut[] }
  | { kind: 'scalar'; v: Float64Array }
  | { kind: 'string'; v: string }
  | { kind: 'range'; series: SeriesOut[] };

/** A sample of a per-step vector handed to per-step operators. */
export interface VSample {
  metric: Labels;
  t: number;
  f: number;
  h: FloatHistogram | undefined;
  dropName: boolean;
}

export function newSeries(metric: Labels, dropName: boolean): SeriesOut {
  return { metric, t: [], f: [], h: undefined, dropName };
}

export function pushPoint(s: SeriesOut, t: number, f: number, h: FloatHistogram | undefined): void {
  if (h !== undefined) {
    if (!s.h) s.h = new Array(s.t.length);
    s.h[s.t.length] = h;
    s.f.push(0);
  } else {
    if (s.h) s.h.push(undefined);
    s.f.push(f);
  }
  s.t.push(t);
}

const RESERVED_WITH_NAME = ['__name__', '__type__', '__unit__'];

/** Drops the metric name and the type/unit labels that travel with it (Prometheus DropReserved). */
export function dropMetricName(l: Labels): Labels {
  const f = l.flat;
  for (let i = 0; i < f.length; i += 2) {
    if (RESERVED_WITH_NAME.includes(f[i]!)) return l.without(RESERVED_WITH_NAME);
  }
  return l;
}

/** Walks step-aligned series, yielding for each step the index of each series' point (or -1). */
export class StepCursor {
  private readonly pos: Int32Array;
  constructor(private readonly series: SeriesOut[]) {
    this.pos = new Int32Array(series.length);
  }

  /** Index into series[k]'s arrays of the point at time t, or -1; t must not decrease. */
  at(k: number, t: number): number {
    const s = this.series[k]!;
    let p = this.pos[k]!;
    while (p < s.t.length && s.t[p]! < t) p++;
    this.pos[k] = p;
    return p < s.t.length && s.t[p] === t ? p : -1;
  }
}

export { Labels };
