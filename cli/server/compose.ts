/**
 * The composition root of `cortexctl server`: builds the control plane and the data plane for the
 * chosen targets and mounts them on one fastify server. The only place that knows every component.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { createControlPlane, validatorFromParser } from '../../control-plane/index.js';
import { KVStateStore } from '../../data-plane/alertmanager/index.js';
import { bearerAuthorizer, ringRoutes } from '../../data-plane/api/ring-routes.js';
import { CredentialCache, principalFromJson } from '../../data-plane/gateway/index.js';
import { systemClock } from '../../data-plane/model/index.js';
import {
  AdminApiConfigStore,
  buildInfo,
  DataPlane,
  deleteSeries,
  Housekeeping,
  listDeletions,
  PollingTenantLimitsSource,
} from '../../data-plane/modules/index.js';
import { parseExpr } from '../../data-plane/promql/index.js';
import { registerRingMetrics, startLocalRing } from '../../data-plane/ring/index.js';
import { KVChunkStore } from '../../data-plane/storage/chunkstore/index.js';
import { type AuthThrottleConfig, createAuthThrottle } from './auth-throttle.js';
import { banner } from './banner.js';
import { consoleRoutes } from './console.js';
import { listenGrpc } from './grpc.js';
import { MAX_PARAM_LENGTH } from './http-limits.js';
import { openStorageKV, type StorageConfig } from './storage.js';

export interface ServerConfig {
  dev: boolean;
  host: string;
  port: number;
  dataDir: string;
  rootToken: string;
  clusterSecret: string;
  postgresUrl: string | undefined;
  migrate: boolean;
  walFsync: 'always' | 'batch' | 'never';
  /** Worker threads that evaluate PromQL (default: one per core plus one; 0 = on the main thread). */
  queryWorkers?: number;
  /** Worker threads that decode remote-write bodies (default: one per core but one; 0 = on the main thread). */
  decodeWorkers?: number;
  /** Address ranges Alertmanager receivers may reach although private or loopback. */
  alertmanagerAllowedCidrs?: string[];
  /** Native gRPC (AdminService, h2c) on this port of `host` (0: any free port); undefined: none. */
  grpcPort?: number;
  /** Browser origins allowed to call the admin RPC cross-origin (`*`: any). */
  corsAllowedOrigins?: string[];
  /** Long-term chunk storage: the embedded store under the data dir, Bigtable, or DynamoDB + S3. */
  storage: StorageConfig;
  /** How often usage counts are delivered to the control plane (default 10 s). */
  usageFlushIntervalMs?: number;
  /** The gateway's failed-auth throttle (default: 20 failures a minute, then 1 min of 429). */
  authThrottle?: AuthThrottleConfig;
}

export interface RunningServer {
  app: FastifyInstance;
  dataPlane: DataPlane;
  housekeeping: Housekeeping;
  url: string;
  /** `host:port` of the native gRPC listener, when there is one. */
  grpcAddress: string | undefined;
  close(): Promise<void>;
}

export function generateSecret(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

export async function startServer(cfg: ServerConfig, log: (line: string) => void): Promise<RunningServer> {
  const dataDir = resolve(cfg.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const cp = await createControlPlane({
    database: cfg.postgresUrl
      ? { kind: 'postgres', url: cfg.postgresUrl }
      : { kind: 'pglite', dataDir: join(dataDir, 'control-plane') },
    rootToken: cfg.rootToken,
    clusterSecret: cfg.clusterSecret,
    migrate: cfg.migrate,
    logger: false,
    // Rule expressions are checked with the querier's own parser.
    ruleExprValidator: validatorFromParser(parseExpr),
    // Operator delete-series (admin API): the ingester's memory + WAL, then the store's tombstones.
    // Called only once the server is up, after `dp` and `chunkStore` below exist.
    deleteSeries: (tenant, req) =>
      deleteSeries(
        { ingester: dp.ingester, store: chunkStore, invalidate: (t) => dp.frontend.invalidate(t) },
        tenant,
        req,
      ),
    listDeletions: (tenant) => listDeletions(chunkStore, tenant),
    usage: (tenant) => {
      const s = dp.usage.stats(tenant);
      const sample = (atMs: number, numSeries: number, ingestionRate: number) => ({
        at: atMs,
        activeSeries: numSeries,
        ingestionRate,
      });
      return {
        current: sample(Date.now(), s.numSeries, s.ingestionRate),
        history: dp.usage.history(tenant).map((p) => sample(p.atMs, p.numSeries, p.ingestionRate)),
      };
    },
  });

  const logger = {
    info: (m: string) => log(`level=info msg=${JSON.stringify(m)}`),
    warn: (m: string) => log(`level=warn msg=${JSON.stringify(m)}`),
    error: (m: string) => log(`level=error msg=${JSON.stringify(m)}`),
  };
  const limits = new PollingTenantLimitsSource(
    () => cp.internal.overrides(),
    1_000,
    (err) => logger.warn(`limits feed: ${String(err)}`),
  );
  await limits.start();
  const registry = new Registry();
  const chunkStore = new KVChunkStore({ kv: await openStorageKV(cfg.storage, dataDir, ''), registry });
  const amStateKV = await openStorageKV(cfg.storage, dataDir, 'alertmanager');
  const externalURL = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${cfg.port}`;
  const dp = new DataPlane({
    rulesFeed: () => cp.internal.rules(),
    alertmanagerFeed: () => cp.internal.alertmanager(),
    alertmanagerState: new KVStateStore(amStateKV),
    alertmanagerAllowedCidrs: cfg.alertmanagerAllowedCidrs ?? [],
    externalURL,
    walDir: join(dataDir, 'wal'),
    chunkStore,
    registry,
    walFsync: cfg.walFsync,
    ...(cfg.queryWorkers !== undefined ? { queryWorkers: cfg.queryWorkers } : {}),
    ...(cfg.decodeWorkers !== undefined ? { decodeWorkers: cfg.decodeWorkers } : {}),
    limitsSource: limits,
    logger,
    // Usage lands in the control plane's Postgres; the journal keeps what is not there yet.
    usageSink: async (batch) => {
      await cp.internal.recordUsage(batch);
    },
    usageDir: join(dataDir, 'usage'),
    usageReport: (tenant, q) => cp.internal.usageReport(tenant, q),
    ...(cfg.usageFlushIntervalMs ? { usageFlushIntervalMs: cfg.usageFlushIntervalMs } : {}),
  });
  await dp.start();
  // start the query workers now rather than on the first query (a worker takes tens of ms to boot)
  void dp.evalPool?.warm();
  const housekeeping = new Housekeeping({
    store: chunkStore,
    tenants: () => cp.internal.tenants(),
    completePurge: (t) => cp.internal.completePurge(t),
    retentionMs: (t) => dp.overrides.retentionPeriodMs(t),
    clock: systemClock,
    logger,
  });
  housekeeping.start();

  const throttle = createAuthThrottle(cfg.authThrottle, registry, logger, (e) => cp.internal.recordAuthThrottle(e));
  const credentials = new CredentialCache({
    source: {
      authenticate: async (token) => {
        const r = await cp.internal.authenticate(token);
        return r ? principalFromJson(r) : undefined;
      },
    },
    ...(throttle ? { throttle } : {}),
  });

  const app = Fastify({ logger: false, bodyLimit: 16 << 20, maxParamLength: MAX_PARAM_LENGTH });
  await app.register(cp.plugin);
  await app.register(cp.rpcPlugin({ corsOrigins: cfg.corsAllowedOrigins ?? [] }));
  await app.register(consoleRoutes());
  // Tenant-facing config APIs write through the admin API in-process, as the operator would.
  const configStore = new AdminApiConfigStore(async (method, path, body) => {
    const res = await app.inject({
      method,
      url: `/admin/api/v1${path}`,
      headers: { authorization: `Bearer ${cfg.rootToken}` },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  });
  await dp.routes(app, credentials, configStore);
  // `all` mode: a ring of one (this process) on /ring; forgetting needs the cluster secret or root token.
  const localRing = await startLocalRing({ name: 'ingester', id: `${hostname()}-${cfg.port}`, addr: externalURL });
  app.addHook('onClose', () => localRing.stop());
  registerRingMetrics(dp.registry, () => [localRing.ring]);
  await app.register(ringRoutes, {
    rings: () => [localRing.ring],
    authorizeForget: bearerAuthorizer([cfg.clusterSecret, cfg.rootToken]),
  });
  let ready = false;
  app.get('/ready', async (_req, reply) => (ready ? reply.send('ready\n') : reply.code(503).send('starting\n')));
  app.get('/health', async () => 'ok\n');
  // Unauthenticated like Mimir's: what runs here is no secret, and operators' tools ask without a tenant.
  app.get('/api/v1/status/buildinfo', async () => ({ status: 'success', data: buildInfo() }));
  app.get('/metrics', async (_req, reply) => reply.type(dp.registry.contentType).send(await dp.registry.metrics()));

  await app.listen({ host: cfg.host, port: cfg.port });
  const grpc =
    cfg.grpcPort === undefined
      ? undefined
      : await listenGrpc(cp, cfg.host, cfg.grpcPort).catch(async (err) => {
          await app.close();
          throw new Error(`gRPC listener on port ${cfg.grpcPort}: ${(err as Error).message}`, { cause: err });
        });
  ready = true;
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  const url = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    app,
    dataPlane: dp,
    housekeeping,
    url,
    grpcAddress: grpc?.address,
    close() {
      closing ??= (async () => {
        ready = false;
        await grpc?.close();
        await app.close();
        limits.stop();
        await housekeeping.stop();
        await dp.stop();
        await amStateKV.close();
        await cp.close();
      })();
      return closing;
    },
  };
}

export { banner };
