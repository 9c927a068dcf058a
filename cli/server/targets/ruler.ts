/**
 * Target `ruler`: rule groups (polled from the control plane) sharded over the `ruler` ring,
 * evaluated by an embedded querier and written back through an embedded distributor over the
 * rings; alerts go to the local Alertmanager, else to the tenant's replicas of the `alertmanager`
 * ring.
 */
import type { MultitenantAlertmanager } from '../../../data-plane/alertmanager/index.js';
import type { HttpAlertmanagerPeers } from '../../../data-plane/api/alertmanager-peers.js';
import { rulerRoutes } from '../../../data-plane/api/index.js';
import { HttpRulerPeers, rulerPeerRoutes } from '../../../data-plane/api/ruler-peers.js';
import type { Distributor } from '../../../data-plane/distributor/index.js';
import type { CredentialSource } from '../../../data-plane/gateway/index.js';
import { UnavailableError } from '../../../data-plane/model/index.js';
import { type RingClient, tenantHash } from '../../../data-plane/ring/index.js';
import {
  distributorRuleWriter,
  type Notifier,
  PollingRuleGroupSource,
  querierQueryFunc,
  Ruler,
  ShardedRuleGroups,
} from '../../../data-plane/ruler/index.js';
import type { TargetContext } from './context.js';
import { buildDistributor } from './distributor.js';
import { metering } from './metering.js';
import { buildQuerier, type QuerierParts } from './querier.js';

export async function startRuler(
  ctx: TargetContext,
  deps: {
    querier: QuerierParts | undefined;
    distributor: Distributor | undefined;
    alertmanager: MultitenantAlertmanager | undefined;
    amPeers: HttpAlertmanagerPeers;
  },
): Promise<Ruler | undefined> {
  if (!ctx.targets.has('ruler')) return undefined;
  const { logger, split } = ctx;
  const q = deps.querier ?? (await buildQuerier(ctx));
  const d = deps.distributor ?? (await buildDistributor(ctx));
  const source = new PollingRuleGroupSource(ctx.feed('rules'), {
    intervalMs: 2_000,
    onError: (err) => logger.warn(`rules feed: ${String(err)}`),
  });
  await ctx.register('ruler', { stateless: false });
  const recorder = await metering(ctx);
  const notifier: Notifier = deps.alertmanager ?? ringNotifier(await ctx.ring('alertmanager'), deps.amPeers);
  const ruler = new Ruler({
    source,
    query: querierQueryFunc(q.querier),
    writer: distributorRuleWriter(d),
    notifier,
    ...(split.externalUrl ? { externalURL: `${split.externalUrl}/prometheus` } : {}),
    ring: { ring: await ctx.ring('ruler'), instanceId: split.instanceId },
    limits: ctx.overrides,
    clock: ctx.clock,
    registry: ctx.registry,
    log: logger,
    onEvaluated: (tenant, rules) => recorder.recordRuleEvaluations(tenant, rules),
  });
  await source.start();
  ruler.start();
  ctx.onStop(async () => {
    await ruler.stop();
    source.stop();
  });
  return ruler;
}

/** `/prometheus/api/v1/rules|alerts` (across the ruler ring) and the rulers' peer API. */
export async function rulerApi(ctx: TargetContext, ruler: Ruler | undefined, credentials: CredentialSource) {
  if (!ruler) return;
  const rulerRing = { ring: await ctx.ring('ruler'), instanceId: ctx.split.instanceId };
  await ctx.app.register(rulerRoutes, {
    prefix: '/prometheus',
    ruler,
    credentials,
    sharded: new ShardedRuleGroups({
      local: ruler,
      ring: rulerRing,
      peers: new HttpRulerPeers({ clusterSecret: ctx.auth }),
      clock: ctx.clock,
    }),
  });
  await ctx.app.register(rulerPeerRoutes, { ruler, auth: ctx.auth });
}

/**
 * The ruler's notifier when no Alertmanager runs in this process: the tenant's alerts go to every
 * replica the `alertmanager` ring owns it on, as the Alertmanagers' own peer call; one replica
 * taking them is enough (they share the notification log).
 */
function ringNotifier(amRing: RingClient, peers: HttpAlertmanagerPeers): Notifier {
  return {
    async send(tenantId, alerts) {
      if (alerts.length === 0) return;
      // The same owners the alertmanagers compute for themselves; fewer than a quorum still gets the
      // alerts to whoever runs the tenant now (any of them forwards to the rest).
      const owners = amRing.owners(tenantHash(tenantId), amRing.replicationFactor);
      if (owners.length === 0) throw new UnavailableError('no healthy alertmanager in the ring');
      const postable = alerts.map((a) => ({
        labels: a.labels.toObject(),
        annotations: a.annotations.toObject(),
        startsAt: new Date(a.startsAt).toISOString(),
        endsAt: new Date(a.endsAt).toISOString(),
        generatorURL: a.generatorURL,
      }));
      const results = await Promise.allSettled(
        owners.map((inst) => peers.call(inst, tenantId, { op: 'receiveAlerts', alerts: postable })),
      );
      if (results.some((r) => r.status === 'fulfilled')) return;
      const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      throw first?.reason ?? new Error('no alertmanager replica for the tenant');
    },
  };
}
