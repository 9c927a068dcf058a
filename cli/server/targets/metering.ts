/**
 * The usage meter of a split-mode process: one recorder and one journaled shipper per process, shared
 * by every target in it that counts usage (distributor, querier or frontend, ingester, ruler).
 */
import { join } from 'node:path';
import { CostAttribution, UsageRecorder, UsageShipper } from '../../../data-plane/usage/index.js';
import type { TargetContext } from './context.js';

/**
 * This process's usage counts, delivered to the control plane every interval, with a journal under
 * the data dir so a crash loses nothing that was acknowledged (one per process, however many
 * distributors it builds).
 */
export function metering(ctx: TargetContext): Promise<UsageRecorder> {
  return ctx.memo('usage', async () => {
    const recorder = new UsageRecorder(() => ctx.clock.now());
    const shipper = new UsageShipper({
      recorder,
      sink: ctx.usageSink,
      dir: join(ctx.dataDir, 'usage'),
      logger: ctx.logger,
      ...(ctx.cfg.usageFlushIntervalMs ? { intervalMs: ctx.cfg.usageFlushIntervalMs } : {}),
    });
    shipper.start();
    ctx.onStop(() => shipper.stop());
    return recorder;
  });
}

/** The process's cost attribution (its cardinality cap is per process: every target in it shares it). */
export function costAttribution(ctx: TargetContext): Promise<CostAttribution> {
  return ctx.memo('cost-attribution', async () => new CostAttribution(ctx.overrides, () => ctx.clock.now()));
}
