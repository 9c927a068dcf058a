/**
 * Split mode of `cortexctl server --target=<list>` (anything but `all`): each target a module under
 * `targets/` building its part from a shared context (config, logger, registry, rings, KV opener,
 * cluster auth), built only when listed. Processes find each other through rings stored in Bigtable
 * (`<table>_ring`, compare-and-set), reach the control plane's `/internal/v1` feeds over HTTP and
 * call each other with the cluster secret. This file is the orchestrator: build order, routes,
 * joining the rings once the listener serves, and shutdown.
 *
 * | target | builds | registers in ring |
 * |---|---|---|
 * | control-plane | admin + internal API on Postgres, housekeeping (retention, purges) | — |
 * | ingester | Ingester (WAL, flush to Bigtable) + internal ingester API | `ingester` |
 * | distributor | Distributor over RingIngesterClient (RF, quorum), HA tracker in `<table>_ha_tracker`, ingestion rate shared over the `distributor` ring; `/api/v1/push` | `distributor` |
 * | querier | TenantQuerier over RingIngesterReader ∪ chunk store; `/prometheus/api/v1` | `querier` |
 * | query-frontend | QueryFrontend (split, cache, fair queue) over the local querier, else over the `querier` ring's `/internal/querier/query` | `query-frontend` |
 * | gateway | tenant auth (control plane), then local modules or a proxy to a healthy instance; config APIs through the admin API (needs `--root-token` unless the control plane is local) | `gateway` |
 * | ruler | Ruler sharded over the `ruler` ring, with an embedded querier and distributor over the rings | `ruler` |
 * | alertmanager | MultitenantAlertmanager sharded over the ring (peers over HTTP, state in `<table>_alertmanager`) | `alertmanager` |
 */
import type { FastifyInstance } from 'fastify';
import { HttpAlertmanagerPeers } from '../../data-plane/api/alertmanager-peers.js';
import { addFormBodyParser, type TenantQueryEngine } from '../../data-plane/api/index.js';
import { bearerAuthorizer, ringRoutes } from '../../data-plane/api/ring-routes.js';
import { buildInfo } from '../../data-plane/modules/index.js';
import type { ServerConfig } from './compose.js';
import { alertmanagerApi, startAlertmanager } from './targets/alertmanager.js';
import { createContext, type SplitConfig } from './targets/context.js';
import { startControlPlane, startHousekeeping, withControlPlane } from './targets/control-plane.js';
import { distributorRoutes, startDistributor } from './targets/distributor.js';
import { gatewayConfigRoutes, gatewayProxyRoutes, gatewayTenantSource } from './targets/gateway.js';
import { type IngesterPart, startIngester, stopIngester } from './targets/ingester.js';
import { internalQuerierApi, queryApiRoutes, startQuerier } from './targets/querier.js';
import { startQueryFrontend } from './targets/query-frontend.js';
import { rulerApi, startRuler } from './targets/ruler.js';

/** A split-mode process. */
export interface SplitServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export type { SplitConfig } from './targets/context.js';
export { TARGETS, type Target } from './targets.js';

export async function startSplitServer(
  cfg: ServerConfig,
  split: SplitConfig,
  log: (line: string) => void,
): Promise<SplitServer> {
  const { ctx: base, closers } = createContext(cfg, split, log);
  const { app, logger, lifecyclers, rings } = base;
  const t = split.targets;
  let ready = false;
  let stopping: Promise<void> | undefined;
  let ingester: IngesterPart | undefined;
  try {
    // Build order: control plane and limits, then the stateful parts, then what reads them.
    const cp = await startControlPlane(base);
    const ctx = await withControlPlane(base, cp);
    await startHousekeeping(ctx, cp);
    ingester = await startIngester(ctx);
    const distributor = await startDistributor(ctx);
    const querier = await startQuerier(ctx);
    const frontend = await startQueryFrontend(ctx, querier);
    const amPeers = new HttpAlertmanagerPeers({ clusterSecret: ctx.auth });
    const alertmanager = await startAlertmanager(ctx, amPeers);
    const ruler = await startRuler(ctx, { querier, distributor, alertmanager, amPeers });

    // Tenant-facing routes. Peers (a gateway) may call any listener with the cluster credential +
    // X-Scope-OrgID; tenants with a token only where a gateway runs.
    ctx.auth.acceptPeers(app);
    const credentials = ctx.auth.credentials(gatewayTenantSource(ctx, cp));
    await gatewayConfigRoutes(ctx, cp, credentials);
    addFormBodyParser(app);
    await distributorRoutes(ctx, distributor, credentials);
    const queryEngine: TenantQueryEngine | undefined = frontend ?? (querier?.querier as TenantQueryEngine | undefined);
    await queryApiRoutes(ctx, querier, queryEngine, credentials);
    await rulerApi(ctx, ruler, credentials);
    await alertmanagerApi(ctx, alertmanager, credentials);
    await internalQuerierApi(ctx, querier);
    await gatewayProxyRoutes(
      ctx,
      {
        querier: querier !== undefined,
        distributor: distributor !== undefined,
        ruler: ruler !== undefined,
        alertmanager: alertmanager !== undefined,
      },
      credentials,
    );

    // --- status ---------------------------------------------------------------------------------------
    app.get('/ready', async (_req, reply) => (ready ? reply.send('ready\n') : reply.code(503).send('starting\n')));
    app.get('/health', async () => 'ok\n');
    // Unauthenticated like Mimir's: what runs here is no secret, and operators' tools ask without a tenant.
    app.get('/api/v1/status/buildinfo', async () => ({ status: 'success', data: buildInfo() }));
    app.get('/metrics', async (_req, reply) => reply.type(ctx.registry.contentType).send(await ctx.registry.metrics()));
    await app.register(ringRoutes, {
      rings: () => [...rings.values()].sort((x, y) => (x.name < y.name ? -1 : 1)),
      authorizeForget: bearerAuthorizer([cfg.clusterSecret, split.rootTokenGiven ? cfg.rootToken : undefined]),
    });

    await app.listen({ host: cfg.host, port: cfg.port });
    // Join the rings only once the listener serves (peers may call right away); the ingester first.
    const ingesterLc = ingester?.lifecycler;
    if (ingesterLc) await ingesterLc.start();
    for (const lc of lifecyclers) if (lc !== ingesterLc) await lc.start();
    for (const [name, svc] of [
      ['distributor', distributor],
      ['querier', t.has('querier') ? true : undefined],
      ['query-frontend', t.has('query-frontend') ? true : undefined],
      ['gateway', t.has('gateway') ? true : undefined],
    ] as const) {
      if (svc) {
        const lc = await ctx.register(name, { stateless: true });
        await lc.start();
      }
    }
    for (const r of rings.values()) await r.refresh().catch(() => {});
    ready = true;
    logger.info(`targets ${[...t].join(',')} listening on ${cfg.host}:${cfg.port} as ${split.instanceId}`);
  } catch (err) {
    await app.close().catch(() => {});
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => {});
    throw err;
  }

  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  const url = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${port}`;
  const ing = ingester;
  return {
    app,
    url,
    close() {
      stopping ??= (async () => {
        ready = false;
        // Stateless rings first, then the ingester: LEAVING → flush everything → unregister.
        for (const lc of lifecyclers) if (lc !== ing?.lifecycler) await lc.leave().catch(() => {});
        await stopIngester(base, ing);
        await app.close();
        for (const c of closers.reverse()) await Promise.resolve(c()).catch((err) => logger.warn(String(err)));
      })();
      return stopping;
    },
  };
}
