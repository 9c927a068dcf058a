/**
 * Target `control-plane`: the admin API and `/internal/v1` feeds on PostgreSQL (PGlite without a
 * URL), operator delete-series over every registered ingester, and housekeeping (retention, purges).
 * Without it locally, the feeds are polled from `--control-plane-url`.
 */
import { join } from 'node:path';
import { type ControlPlane, createControlPlane, validatorFromParser } from '../../../control-plane/index.js';
import { BadDataError, type Matcher, type TenantId, UnavailableError } from '../../../data-plane/model/index.js';
import {
  deleteSeries,
  Housekeeping,
  listDeletions,
  PollingTenantLimitsSource,
} from '../../../data-plane/modules/index.js';
import { parseExpr } from '../../../data-plane/promql/index.js';
import type { UsageSink } from '../../../data-plane/usage/index.js';
import { Overrides } from '../../../data-plane/validation/index.js';
import { consoleRoutes } from '../console.js';
import { listenGrpc } from '../grpc.js';
import { type FeedName, type FeedValue, httpFeed, type SplitContext, type TargetContext } from './context.js';

/** The control plane when `control-plane` is a target of this process (its plugin registered). */
export async function startControlPlane(ctx: SplitContext): Promise<ControlPlane | undefined> {
  if (!ctx.targets.has('control-plane')) return undefined;
  const { cfg } = ctx;
  const cp = await createControlPlane({
    database: cfg.postgresUrl
      ? { kind: 'postgres', url: cfg.postgresUrl }
      : { kind: 'pglite', dataDir: join(ctx.dataDir, 'control-plane') },
    rootToken: cfg.rootToken,
    clusterSecret: cfg.clusterSecret,
    migrate: cfg.migrate,
    logger: false,
    ruleExprValidator: validatorFromParser(parseExpr),
    // Operator delete-series: every ingester's memory + WAL, then the store's tombstones.
    deleteSeries: async (tenant, req) =>
      deleteSeries(
        { ingester: { deleteSeries: (...a) => deleteOnAllIngesters(ctx, ...a) }, store: await ctx.chunkStore() },
        tenant,
        req,
      ),
    listDeletions: async (tenant) => listDeletions(await ctx.chunkStore(), tenant),
  });
  ctx.onStop(() => cp.close());
  await ctx.app.register(cp.plugin);
  await ctx.app.register(cp.rpcPlugin({ corsOrigins: cfg.corsAllowedOrigins ?? [] }));
  await ctx.app.register(consoleRoutes());
  if (cfg.grpcPort !== undefined) {
    const grpc = await listenGrpc(cp, cfg.host, cfg.grpcPort);
    ctx.onStop(() => grpc.close());
    ctx.logger.info(`admin gRPC listening on ${grpc.address}`);
  }
  return cp;
}

/**
 * The tenant limits (polled from the local or remote control plane) and the feeds: what every other
 * target builds on.
 */
export async function withControlPlane(ctx: SplitContext, cp: ControlPlane | undefined): Promise<TargetContext> {
  const cpUrl = ctx.split.controlPlaneUrl;
  const needsCp = [...ctx.targets].some((x) => x !== 'control-plane');
  if (!cp && needsCp && !cpUrl) throw new Error('--control-plane-url is required for targets other than control-plane');
  const feed = <K extends FeedName>(name: K): (() => Promise<FeedValue<K>>) =>
    cp ? () => cp.internal[name]() as Promise<FeedValue<K>> : httpFeed<FeedValue<K>>(cpUrl!, ctx.auth, name);
  const limits = new PollingTenantLimitsSource(feed('overrides'), 1_000, (err) =>
    ctx.logger.warn(`limits feed: ${String(err)}`),
  );
  if (needsCp) {
    await limits.start();
    ctx.onStop(() => limits.stop());
  }
  const overrides = new Overrides(limits);
  const usageSink: UsageSink = cp
    ? async (batch) => {
        await cp.internal.recordUsage(batch);
      }
    : async (batch) => {
        const res = await fetch(new URL('/internal/v1/usage', cpUrl), {
          method: 'POST',
          headers: { ...ctx.auth.headers(), 'content-type': 'application/json' },
          body: JSON.stringify(batch),
          signal: AbortSignal.timeout(30_000),
        });
        if (!res.ok) throw new Error(`control plane answered ${res.status} to a usage batch`);
      };
  const usageReport: TargetContext['usageReport'] = cp
    ? (tenant, q) => cp.internal.usageReport(tenant, q)
    : async (tenant, q) => {
        const url = new URL(`/internal/v1/usage/${tenant}/report`, cpUrl);
        for (const [k, v] of Object.entries(q)) if (v !== undefined) url.searchParams.set(k, v);
        const res = await fetch(url, { headers: ctx.auth.headers(), signal: AbortSignal.timeout(30_000) });
        const body = (await res.json()) as { error?: { message?: string } };
        if (res.status === 400) throw new BadDataError(body.error?.message ?? 'bad usage report request');
        if (!res.ok) throw new UnavailableError(`control plane answered ${res.status} to a usage report`);
        return body;
      };
  return {
    ...ctx,
    overrides,
    feed,
    usageSink,
    usageReport,
    shardSize: (tenant) => overrides.ingestionTenantShardSize(tenant),
  };
}

/** Retention and tenant purges over the chunk store (only next to the control plane). */
export async function startHousekeeping(ctx: TargetContext, cp: ControlPlane | undefined): Promise<void> {
  if (!cp) return;
  const housekeeping = new Housekeeping({
    store: await ctx.chunkStore(),
    tenants: () => cp.internal.tenants(),
    completePurge: (tenant) => cp.internal.completePurge(tenant),
    retentionMs: (tenant) => ctx.overrides.retentionPeriodMs(tenant),
    clock: ctx.clock,
    logger: ctx.logger,
  });
  housekeeping.start();
  ctx.onStop(() => housekeeping.stop());
}

/** Every registered ingester must apply an operator's delete (a missed replica would bring data back). */
async function deleteOnAllIngesters(
  ctx: SplitContext,
  tenant: TenantId,
  ms: readonly Matcher[],
  mint: number,
  maxt: number,
): Promise<number> {
  const ingRing = await ctx.ring('ingester');
  await ingRing.refresh().catch(() => {});
  const all = Object.values(ingRing.describe().instances).filter((i) => i.state !== 'LEFT');
  if (all.length === 0) throw new UnavailableError('no ingesters registered');
  const counts = await Promise.all(all.map((inst) => ctx.remoteFor(inst).deleteSeries(tenant, ms, mint, maxt)));
  const rf = ctx.split.replicationFactor;
  return Math.round(counts.reduce((a, b) => a + b, 0) / Math.max(1, Math.min(rf, all.length)));
}
