/**
 * Target `querier`: a TenantQuerier over the `ingester` ring (RingIngesterReader) ∪ the chunk store,
 * its internal API for query-frontends (`/internal/querier/query`), and the tenant query APIs
 * (`/prometheus/api/v1`, usage) wherever a querier or query-frontend runs. The ruler builds one too.
 */
import {
  PrometheusApi,
  prometheusRoutes,
  type TenantQueryEngine,
  UsageApi,
  usageRoutes,
} from '../../../data-plane/api/index.js';
import { internalQuerierRoutes, type TenantQueryRunner } from '../../../data-plane/api/internal-querier.js';
import type { CredentialSource } from '../../../data-plane/gateway/index.js';
import type { TenantId } from '../../../data-plane/model/index.js';
import { buildInfo } from '../../../data-plane/modules/index.js';
import { formatQuery, toApiData } from '../../../data-plane/promql/index.js';
import { TenantQuerier } from '../../../data-plane/querier/index.js';
import { RingIngesterReader } from '../../../data-plane/querier/ingester-replicas.js';
import { MergeQueryable } from '../../../data-plane/storage/index.js';
import type { TargetContext } from './context.js';
import { metering } from './metering.js';

export type QuerierParts = Awaited<ReturnType<typeof buildQuerier>>;

export async function buildQuerier(ctx: TargetContext) {
  const reader = new RingIngesterReader({
    ring: await ctx.ring('ingester'),
    readerFor: ctx.remoteFor,
    shardSize: ctx.shardSize,
  });
  const store = await ctx.chunkStore();
  const querier = new TenantQuerier({
    engine: ctx.engine,
    source: (tenant) => new MergeQueryable([reader.queryable(tenant), store.queryable(tenant)]),
    limits: ctx.overrides,
    clock: ctx.clock,
  });
  return { reader, querier };
}

/**
 * A query-frontend without a local querier still reads series, labels and metadata itself (and
 * sends PromQL to the queriers of the ring), so either target builds the querier parts.
 */
export async function startQuerier(ctx: TargetContext): Promise<QuerierParts | undefined> {
  return ctx.targets.has('querier') || ctx.targets.has('query-frontend') ? buildQuerier(ctx) : undefined;
}

/** `/prometheus/api/v1` and the usage endpoints, PromQL through `engine` (the frontend if any). */
export async function queryApiRoutes(
  ctx: TargetContext,
  parts: QuerierParts | undefined,
  engine: TenantQueryEngine | undefined,
  credentials: CredentialSource,
): Promise<void> {
  if (!parts || !engine) return;
  const { app, clock, overrides } = ctx;
  const { reader, querier } = parts;
  // Counted where the client is answered (a frontend's pieces run on queriers: counting there would
  // count one query many times), journaled with this process's other usage.
  const recorder = await metering(ctx);
  const api = new PrometheusApi({
    engine,
    backend: {
      queryable: (tenant) => querier.queryable(tenant),
      metadata: (tenant, o) => reader.metadata(tenant, o),
      exemplars: (tenant, sets, start, end) => reader.exemplars(tenant, sets, start, end),
    },
    toApiData: (v) => toApiData(v as Parameters<typeof toApiData>[0]),
    formatQuery,
    queryTimeoutMs: 120_000,
    now: () => clock.now(),
    onQueryAnswered: (tenant, samples) => recorder.recordQuery(tenant, samples),
  });
  await app.register(prometheusRoutes, {
    prefix: '/prometheus',
    api,
    credentials,
    buildInfo: buildInfo(),
    logger: ctx.logger,
  });
  // Mimir's usage endpoints; the rate is measured between two asks at least 10 s apart.
  const rates = new Map<TenantId, { count: number; at: number; rate: number }>();
  const usage = new UsageApi({
    stats: async (tenant) => {
      const s = await reader.stats(tenant);
      const now = clock.now();
      const prev = rates.get(tenant);
      if (!prev || s.ingestedSamples < prev.count) rates.set(tenant, { count: s.ingestedSamples, at: now, rate: 0 });
      else if (now - prev.at >= 10_000) {
        const rate = ((s.ingestedSamples - prev.count) * 1000) / (now - prev.at);
        rates.set(tenant, { count: s.ingestedSamples, at: now, rate });
      }
      return { numSeries: s.numSeries, ingestionRate: rates.get(tenant)?.rate ?? 0 };
    },
    limits: (tenant) => overrides.forTenant(tenant),
    activeQueryable: (tenant) => reader.queryable(tenant),
    now: () => clock.now(),
    report: (tenant, q) => ctx.usageReport(tenant, q),
  });
  for (const prefix of ['', '/prometheus']) await app.register(usageRoutes, { prefix, usage, credentials });
}

/** `/internal/querier/query` for the query-frontends of the ring (only on a querier target). */
export async function internalQuerierApi(ctx: TargetContext, parts: QuerierParts | undefined): Promise<void> {
  if (!ctx.targets.has('querier') || !parts) return;
  await internalQuerierRoutes(ctx.app, { querier: parts.querier as TenantQueryRunner, auth: ctx.auth });
}
