import { ExecutionError, type Matcher } from '../model/index.js';
import type { CallOptions, Querier, Queryable, SelectHints, Series } from '../storage/index.js';

/**
 * Applies per-query read limits to a tenant's queryable: data older than `minTime` is invisible
 * (max_query_lookback), and the series fetched across all selects of one query are capped
 * (max_fetched_series_per_query). One instance serves exactly one query.
 */
export class LimitedQueryable implements Queryable {
  private fetched = 0;

  constructor(
    private readonly inner: Queryable,
    private readonly minTime: number,
    private readonly maxSeries: number,
    /** Prefixed to the limit's message (a federated query's part names its tenant). */
    private readonly scope = '',
  ) {}

  querier(mint: number, maxt: number): Querier {
    const lo = Math.max(mint, this.minTime);
    if (maxt < lo) return emptyQuerier;
    const q = this.inner.querier(lo, maxt);
    return {
      select: async (
        sorted: boolean,
        hints: SelectHints | undefined,
        matchers: readonly Matcher[],
        opts?: CallOptions,
      ) => {
        const h = hints ? { ...hints, start: Math.max(hints.start, lo) } : hints;
        const series = await q.select(sorted, h, matchers, opts);
        this.count(series);
        return series;
      },
      labelValues: (name, matchers, opts) => q.labelValues(name, matchers, opts),
      labelNames: (matchers, opts) => q.labelNames(matchers, opts),
      close: () => q.close(),
    };
  }

  private count(series: Series[]): void {
    this.fetched += series.length;
    if (this.maxSeries > 0 && this.fetched > this.maxSeries) {
      throw new ExecutionError(
        `${this.scope}the query exceeded the maximum number of series (limit: ${this.maxSeries}) (err-cortex-max-series-per-query). To adjust the related per-tenant limit, configure max_fetched_series_per_query, or contact your service administrator.`,
        { id: 'err-cortex-max-series-per-query' },
      );
    }
  }
}

const emptyQuerier: Querier = {
  select: async () => [],
  labelValues: async () => [],
  labelNames: async () => [],
  close: () => {},
};
