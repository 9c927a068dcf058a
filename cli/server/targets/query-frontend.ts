/**
 * Target `query-frontend`: the QueryFrontend (split by interval, results cache, per-tenant fair
 * queue) over the local querier, or, without one, over the `querier` ring's
 * `/internal/querier/query`.
 */
import { RemoteQuerier } from '../../../data-plane/api/internal-querier.js';
import { FairQueue, QueryFrontend } from '../../../data-plane/frontend/index.js';
import { smallestLimit } from '../../../data-plane/model/index.js';
import { isSplittable } from '../../../data-plane/querier/index.js';
import { activeInstances, type TargetContext } from './context.js';
import type { QuerierParts } from './querier.js';

export async function startQueryFrontend(
  ctx: TargetContext,
  querierParts: QuerierParts | undefined,
): Promise<QueryFrontend | undefined> {
  const t = ctx.targets;
  const querierRing = t.has('query-frontend') && !t.has('querier') ? await ctx.ring('querier') : undefined;
  if (!t.has('query-frontend') || !querierParts) return undefined;
  return new QueryFrontend({
    downstream: querierRing
      ? new RemoteQuerier(
          () => activeInstances(querierRing),
          ctx.auth,
          undefined,
          (q) => smallestLimit(q, (t) => ctx.overrides.maxQueriersPerTenant(t)),
        )
      : querierParts.querier,
    queue: new FairQueue({
      concurrency: 8,
      maxOutstanding: (q) => smallestLimit(q, (t) => ctx.overrides.maxOutstandingRequestsPerTenant(t)),
    }),
    canSplit: isSplittable,
    slowQueryMs: 10_000,
    logger: ctx.logger,
    clock: ctx.clock,
  });
}
