/**
 * Target `alertmanager`: the MultitenantAlertmanager, tenants sharded over the `alertmanager` ring
 * (peers over HTTP), notification log and silences in `<table>_alertmanager`.
 */
import { KVStateStore, MultitenantAlertmanager } from '../../../data-plane/alertmanager/index.js';
import type { HttpAlertmanagerPeers } from '../../../data-plane/api/alertmanager-peers.js';
import { alertmanagerRoutes } from '../../../data-plane/api/index.js';
import type { CredentialSource } from '../../../data-plane/gateway/index.js';
import { VERSION } from '../../../data-plane/modules/index.js';
import type { TargetContext } from './context.js';

export async function startAlertmanager(
  ctx: TargetContext,
  peers: HttpAlertmanagerPeers,
): Promise<MultitenantAlertmanager | undefined> {
  if (!ctx.targets.has('alertmanager')) return undefined;
  const { split } = ctx;
  await ctx.register('alertmanager', { stateless: false });
  return new MultitenantAlertmanager({
    fetchConfigs: ctx.feed('alertmanager'),
    externalUrl: `${split.externalUrl ?? split.advertiseUrl}/alertmanager`,
    state: new KVStateStore(await ctx.openKV('alertmanager')),
    firewall: { allowedCidrs: ctx.cfg.alertmanagerAllowedCidrs ?? [] },
    overrides: ctx.overrides,
    sharding: {
      ring: await ctx.ring('alertmanager'),
      instanceId: split.instanceId,
      replicationFactor: split.replicationFactor,
      peers,
    },
    clock: ctx.clock,
    registry: ctx.registry,
    logger: ctx.logger,
  });
}

/** Starts it (stopped on shutdown) and serves `/alertmanager` and the peer API. */
export async function alertmanagerApi(
  ctx: TargetContext,
  alertmanager: MultitenantAlertmanager | undefined,
  credentials: CredentialSource,
): Promise<void> {
  if (!alertmanager) return;
  await alertmanager.start();
  ctx.onStop(() => alertmanager.stop());
  await ctx.app.register(alertmanagerRoutes, {
    alertmanager,
    credentials,
    version: VERSION,
    clusterAuth: ctx.auth,
  });
}
