import type { Matcher, TenantId } from '../model/index.js';
import {
  type CallOptions,
  MergeQueryable,
  type Querier,
  type Queryable,
  type SelectHints,
  type Series,
} from '../storage/index.js';

/** What the querier needs from an in-process ingester to read it together with the chunk store. */
export interface CoveringHead {
  /** The head; with `flushedBefore`, chunks flushed entirely before that time may be left out. */
  queryable(tenantId: TenantId, flushedBefore?: number): Queryable;
  /** From this time on, the head holds every sample of the tenant that the store may hold. */
  coveredSince(tenantId: TenantId, opts?: CallOptions): Promise<number>;
}

/**
 * One tenant's recent data from the ingester joined with its history from the chunk store, each
 * read for the part of the range only it can answer (Cortex's `query_store_after`, derived from
 * what the ingester actually holds instead of configured): a query within the head's coverage
 * never touches the store, and an older one reads the store only up to where the coverage starts
 * while the head leaves out what it flushed before then, so no chunk is read and merged twice.
 */
export function headAndStore(head: CoveringHead, store: Queryable, tenantId: TenantId): Queryable {
  return {
    querier: (mint, maxt) =>
      new DeferredQuerier(async (opts) => {
        const since = await head.coveredSince(tenantId, opts);
        if (mint >= since) return head.queryable(tenantId).querier(mint, maxt);
        const history: Queryable = { querier: (from, to) => store.querier(from, Math.min(to, since - 1)) };
        return new MergeQueryable([head.queryable(tenantId, since), history]).querier(mint, maxt);
      }),
  };
}

/** A querier chosen on its first call (choosing may need a read). */
class DeferredQuerier implements Querier {
  private chosen: Promise<Querier> | undefined;

  constructor(private readonly choose: (opts?: CallOptions) => Promise<Querier>) {}

  private inner(opts?: CallOptions): Promise<Querier> {
    if (this.chosen === undefined) {
      const p = this.choose(opts);
      // A failed choice (store unreachable) is made again by the next call.
      p.catch(() => {
        if (this.chosen === p) this.chosen = undefined;
      });
      this.chosen = p;
    }
    return this.chosen;
  }

  async select(
    sorted: boolean,
    hints: SelectHints | undefined,
    matchers: readonly Matcher[],
    opts?: CallOptions,
  ): Promise<Series[]> {
    return (await this.inner(opts)).select(sorted, hints, matchers, opts);
  }

  async labelValues(name: string, matchers: readonly Matcher[], opts?: CallOptions & { limit?: number }) {
    return (await this.inner(opts)).labelValues(name, matchers, opts);
  }

  async labelNames(matchers: readonly Matcher[], opts?: CallOptions & { limit?: number }) {
    return (await this.inner(opts)).labelNames(matchers, opts);
  }

  close(): void {
    this.chosen?.then(
      (q) => q.close(),
      () => {},
    );
  }
}
