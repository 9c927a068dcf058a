/**
 * Target `ingester`: the Ingester (WAL, flush to the chunk store) behind the internal ingester API,
 * registered in the `ingester` ring (its lifecycler is started by the orchestrator, first, once the
 * listener serves; on shutdown it leaves LEAVING → flush → unregister).
 */
import { join } from 'node:path';
import { internalIngesterRoutes } from '../../../data-plane/api/internal-ingester.js';
import { Ingester } from '../../../data-plane/ingester/index.js';
import type { Labels, TenantId } from '../../../data-plane/model/index.js';
import { MeteredChunkStore } from '../../../data-plane/modules/index.js';
import { type Lifecycler, shardHash } from '../../../data-plane/ring/index.js';
import { ActiveSeriesMeter } from '../../../data-plane/usage/index.js';
import type { SplitContext, TargetContext } from './context.js';
import { costAttribution, metering } from './metering.js';

export interface IngesterPart {
  ingester: Ingester;
  lifecycler: Lifecycler;
  activeSeries: ActiveSeriesMeter;
}

export async function startIngester(ctx: TargetContext): Promise<IngesterPart | undefined> {
  if (!ctx.targets.has('ingester')) return undefined;
  const { overrides, split } = ctx;
  const ingRing = await ctx.ring('ingester');
  // Usage: each series is counted by one replica only, the first live ingester of its replica set
  // (the distributor's shardHash within the tenant's shard), so RF 3 counts once. LEAVING counts as
  // live: an ingester flushing on its way out still owns (and bills) what it flushes.
  const owner = (tenant: TenantId) => {
    const ring = ingRing.shuffleShard(tenant, ctx.shardSize(tenant));
    return (labels: Labels) => {
      const h = shardHash(tenant, labels);
      let first: string | undefined;
      try {
        first = ring.get(h, 'read').instances[0]?.id;
      } catch {
        first = ring.owners(h, 1)[0]?.id; // fewer than a quorum alive: the first usable one
      }
      return first === split.instanceId;
    };
  };
  const recorder = await metering(ctx);
  const ingester = new Ingester({
    walDir: join(ctx.dataDir, 'wal'),
    fsync: ctx.cfg.walFsync,
    chunkStore: new MeteredChunkStore(await ctx.chunkStore(), recorder, owner),
    limits: overrides,
    // Each ingester holds RF/N of a tenant's series: global series limits are shared out.
    seriesLimitShare: (tenant) => {
      const n = ingRing.instanceCount;
      const shard = overrides.ingestionTenantShardSize(tenant);
      const size = shard > 0 ? Math.min(shard, n) : n;
      return size > 0 ? Math.min(1, split.replicationFactor / size) : 1;
    },
    clock: ctx.clock,
    logger: ctx.logger,
    registry: ctx.registry,
  });
  await ingester.start();
  const meter = new ActiveSeriesMeter({
    source: ingester,
    recorder,
    now: () => ctx.clock.now(),
    owner,
    attribution: await costAttribution(ctx),
    stateFile: join(ctx.dataDir, 'usage', 'active-series-minute'),
  });
  meter.start();
  await internalIngesterRoutes(ctx.app, { backend: ingester, auth: ctx.auth });
  const lifecycler = await ctx.register('ingester', { stateless: false });
  return { ingester, lifecycler, activeSeries: meter };
}

/** Shutdown: LEAVING, flush everything to the chunk store, unregister; then stop the ingester. */
export async function stopIngester(ctx: SplitContext, part: IngesterPart | undefined): Promise<void> {
  if (!part) return;
  const { ingester, lifecycler } = part;
  // The minute in progress is sampled while this ingester still owns its series in the ring.
  await part.activeSeries.stop().catch((err) => ctx.logger.warn(`usage: active series: ${String(err)}`));
  try {
    await lifecycler.leave(async () => {
      await ingester.flush();
    });
    ctx.logger.info('ingester: flushed everything to the chunk store and left the ring');
  } catch (err) {
    // Still registered (LEAVING, no heartbeats): it turns unhealthy, and what was not
    // flushed stays in the WAL checkpoint for the next start.
    ctx.logger.error(`ingester: leaving the ring failed: ${(err as Error).message}`);
  }
  await ingester.stop();
}
