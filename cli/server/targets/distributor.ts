/**
 * Target `distributor`: a Distributor over the `ingester` ring (RF, quorum), the HA tracker's
 * elections in `<table>_ha_tracker`, the ingestion rate shared over the `distributor` ring
 * (`--ingestion-rate-strategy=global`), and `/api/v1/push`. The ruler builds one too.
 */

import { pushRoute } from '../../../data-plane/api/index.js';
import {
  createIngestionRateStrategy,
  createPushHandler,
  DecodePool,
  type Distributor,
  KVHaTrackerStore,
} from '../../../data-plane/distributor/index.js';
import { RingIngesterClient } from '../../../data-plane/distributor/ring-ingester-client.js';
import type { CredentialSource } from '../../../data-plane/gateway/index.js';
import { defaultDecodeWorkers, MeteredDistributor } from '../../../data-plane/modules/index.js';
import { otlpHandlerFor } from '../../../data-plane/otlp/index.js';
import type { TargetContext } from './context.js';
import { costAttribution, metering } from './metering.js';

/** A Distributor writing through the ingester ring (every one of a process shares the HA store). */
export async function buildDistributor(ctx: TargetContext): Promise<Distributor> {
  // HA election state shared by every distributor (one row per tenant+cluster, compare-and-set).
  const haStore = await ctx.memo('ha-tracker', async () => new KVHaTrackerStore(await ctx.openKV('ha_tracker')));
  // `global` (the split-mode default): the tenant's ingestion_rate is shared out over the healthy
  // members of the `distributor` ring (every distributor target registers there).
  const rateStrategyName = ctx.split.ingestionRateStrategy ?? 'global';
  return new MeteredDistributor(
    {
      limits: ctx.overrides,
      ingester: new RingIngesterClient({
        ring: await ctx.ring('ingester'),
        clientFor: ctx.remoteFor,
        shardSize: ctx.shardSize,
      }),
      haStore,
      rateStrategy: createIngestionRateStrategy(
        rateStrategyName,
        ctx.overrides,
        rateStrategyName === 'global' ? await ctx.ring('distributor') : undefined,
      ),
      clock: ctx.clock,
      registry: ctx.registry,
      attribution: await costAttribution(ctx),
    },
    await metering(ctx),
  );
}

export async function startDistributor(ctx: TargetContext): Promise<Distributor | undefined> {
  return ctx.targets.has('distributor') ? buildDistributor(ctx) : undefined;
}

/** `/api/v1/push` and the OTLP paths (tenants through a gateway, or a gateway's proxied request as a cluster peer). */
export async function distributorRoutes(
  ctx: TargetContext,
  distributor: Distributor | undefined,
  credentials: CredentialSource,
): Promise<void> {
  if (!distributor) return;
  const recorder = await metering(ctx);
  const decoders = ctx.cfg.decodeWorkers ?? defaultDecodeWorkers();
  const decodePool =
    decoders > 0
      ? new DecodePool({
          size: decoders,
          registry: ctx.registry,
          onWorkerLost: (reason) => ctx.logger.warn(`decode pool: ${reason}`),
        })
      : undefined;
  if (decodePool) ctx.onStop(() => decodePool.close());
  await ctx.app.register(pushRoute, {
    credentials,
    handler: createPushHandler(distributor, {
      maxDecompressedBytes: 64 << 20,
      ...(decodePool ? { decodePool } : {}),
    }),
    maxRequestBytes: 16 << 20,
    otlp: otlpHandlerFor(distributor, ctx.overrides, { now: () => ctx.clock.now(), registry: ctx.registry }),
    onAcknowledged: (tenant, bytes) => recorder.recordRequestBytes(tenant, bytes),
  });
}
