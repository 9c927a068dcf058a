import { isStaleNaN } from '../model/index.js';
import type { FloatSink, Series } from './interface.js';

/**
 * `Series.readFloats` of series merged from several sources (mergeSeries): each source's floats are
 * read into `sink` one after another, then made one ascending run as MergeIterator would give it
 * (on equal timestamps the source listed first wins), and only then are staleness markers dropped, so
 * a marker that wins a timestamp hides the other sources' sample there as it does when iterating.
 * Returns -1 when any source cannot read floats (then the caller iterates).
 */
export function readMergedFloats(
  list: readonly Series[],
  mint: number,
  maxt: number,
  dropStale: boolean,
  sink: FloatSink,
): number {
  const start = sink.n;
  const ends: number[] = [];
  for (const s of list) {
    if (!s.readFloats || s.readFloats(mint, maxt, false, sink) < 0) return -1;
    ends.push(sink.n);
  }
  if (!ascending(sink, start, ends)) mergeRuns(sink, start, ends);
  if (dropStale) dropStaleMarkers(sink, start);
  return sink.n - start;
}

/** Whether the runs `[start, ends[0])`, `[ends[0], ends[1])`, … already form one ascending run. */
function ascending(sink: FloatSink, start: number, ends: readonly number[]): boolean {
  let last = Number.NEGATIVE_INFINITY;
  let from = start;
  for (const end of ends) {
    if (end > from) {
      if (sink.t[from]! <= last) return false;
      last = sink.t[end - 1]!;
    }
    from = end;
  }
  return true;
}

/** Merges the ascending runs in place; on equal timestamps the earlier run's sample is kept. */
function mergeRuns(sink: FloatSink, start: number, ends: readonly number[]): void {
  const total = sink.n - start;
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  const pos = ends.map((_, k) => (k === 0 ? start : ends[k - 1]!));
  let n = 0;
  for (;;) {
    let best = -1;
    for (let k = 0; k < ends.length; k++) {
      if (pos[k]! < ends[k]! && (best < 0 || sink.t[pos[k]!]! < sink.t[pos[best]!]!)) best = k;
    }
    if (best < 0) break;
    const at = sink.t[pos[best]!]!;
    t[n] = at;
    v[n] = sink.v[pos[best]!]!;
    n++;
    for (let k = 0; k < ends.length; k++) while (pos[k]! < ends[k]! && sink.t[pos[k]!]! === at) pos[k]!++;
  }
  sink.t.set(t.subarray(0, n), start);
  sink.v.set(v.subarray(0, n), start);
  sink.n = start + n;
}

function dropStaleMarkers(sink: FloatSink, start: number): void {
  let w = start;
  for (let r = start; r < sink.n; r++) {
    if (isStaleNaN(sink.v[r]!)) continue;
    sink.t[w] = sink.t[r]!;
    sink.v[w] = sink.v[r]!;
    w++;
  }
  sink.n = w;
}
