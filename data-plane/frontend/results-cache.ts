import type { MatrixSeries } from './matrix.js';

/** A cached, contiguous run of one split interval's result: grid points from `start` to `end`. */
export interface Extent {
  readonly start: number;
  readonly end: number;
  readonly series: MatrixSeries[];
  readonly points: number;
}

/**
 * An extent whose series are built on first read (then kept), with its size from the point counts
 * (weighted as `pointCount` weighs them, the series overhead left out).
 */
export function lazyExtent(
  start: number,
  end: number,
  build: () => MatrixSeries[],
  counted: { floats: number; histograms: number },
): Extent {
  let series: MatrixSeries[] | undefined;
  return {
    start,
    end,
    points: counted.floats + counted.histograms * 8,
    get series() {
      series ??= build();
      return series;
    },
  };
}

/**
 * An in-process LRU of extents bounded by total points. Keys always begin with the tenant (or the
 * sorted `a|b|c` tenant set of a federated query), so cached results never answer a query of another
 * tenant or tenant set; auth headers are never part of a key.
 */
export class ResultsCache {
  private readonly map = new Map<string, Extent>();
  private total = 0;

  constructor(private readonly maxPoints: number) {}

  get(key: string): Extent | undefined {
    const e = this.map.get(key);
    if (e) {
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e;
  }

  set(key: string, e: Extent): void {
    if (e.points > this.maxPoints) return;
    const old = this.map.get(key);
    if (old) {
      this.total -= old.points;
      this.map.delete(key);
    }
    this.map.set(key, e);
    this.total += e.points;
    while (this.total > this.maxPoints) {
      const [k, v] = this.map.entries().next().value as [string, Extent];
      this.map.delete(k);
      this.total -= v.points;
    }
  }

  /** Drops every entry of a tenant (after a delete-series request), federated sets it is part of included. */
  invalidateTenant(tenantId: string): void {
    for (const [k, v] of this.map) {
      const set = k.slice(0, k.indexOf('\x00'));
      if (set === tenantId || set.split('|').includes(tenantId)) {
        this.map.delete(k);
        this.total -= v.points;
      }
    }
  }

  get size(): number {
    return this.map.size;
  }
}
