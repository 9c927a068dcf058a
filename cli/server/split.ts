/**
 * Split mode of `cortexctl server --target=<list>` (anything but `all`): each target a module that
 * declares what it needs, built only when listed. Processes find each other through rings stored in
 * Bigtable (`<table>_ring`, compare-and-set), reach the control plane's `/internal/v1` feeds over
 * HTTP and call each other with the cluster secret. Modules:
 *
 * | target | builds | registers in ring |
 * |---|---|---|
 * | control-plane | admin + internal API on Postgres, housekeeping (retention, purges) | — |
 * | ingester | Ingester (WAL, flush to Bigtable) + internal ingester API | `ingester` |
 * | distributor | Distributor over RingIngesterClient (RF, quorum), HA tracker in `<table>_ha_tracker`; `/api/v1/push` | `distributor` |
 * | querier | TenantQuerier over RingIngesterReader ∪ chunk store; `/prometheus/api/v1` | `querier` |
 * | query-frontend | QueryFrontend (split, cache, fair queue) over the local querier, else over the `querier` ring's `/internal/querier/query` | `query-frontend` |
 * | gateway | tenant auth (control plane), then local modules or a proxy to a healthy instance; config APIs through the admin API (needs `--root-token` unless the control plane is local) | `gateway` |
 * | ruler | Ruler sharded over the `ruler` ring, with an embedded querier and distributor over the rings | `ruler` |
 * | alertmanager | MultitenantAlertmanager sharded over the ring (peers over HTTP, state in `<table>_alertmanager`) | `alertmanager` |
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import { createControlPlane, validatorFromParser } from '../../control-plane/index.js';
import { KVStateStore, MultitenantAlertmanager } from '../../data-plane/alertmanager/index.js';
import { HttpAlertmanagerPeers } from '../../data-plane/api/alertmanager-peers.js';
import {
  addFormBodyParser,
  alertmanagerRoutes,
  configRoutes,
  PrometheusApi,
  prometheusRoutes,
  pushRoute,
  rulerRoutes,
  type TenantQueryEngine,
  UsageApi,
  usageRoutes,
} from '../../data-plane/api/index.js';
import { ClusterAuth } from '../../data-plane/api/internal-auth.js';
import { internalIngesterRoutes } from '../../data-plane/api/internal-ingester.js';
import { RemoteIngester } from '../../data-plane/api/internal-ingester-client.js';
import { internalQuerierRoutes, RemoteQuerier, type TenantQueryRunner } from '../../data-plane/api/internal-querier.js';
import { bearerAuthorizer, ringRoutes } from '../../data-plane/api/ring-routes.js';
import { HttpRulerPeers, rulerPeerRoutes } from '../../data-plane/api/ruler-peers.js';
import {
  createIngestionRateStrategy,
  createPushHandler,
  Distributor,
  type IngestionRateStrategyName,
  KVHaTrackerStore,
} from '../../data-plane/distributor/index.js';
import { RingIngesterClient } from '../../data-plane/distributor/ring-ingester-client.js';
import { FairQueue, QueryFrontend } from '../../data-plane/frontend/index.js';
import {
  CredentialCache,
  type CredentialSource,
  HttpCredentialSource,
  principalFromJson,
  requireScope,
  type Scope,
  tenantOf,
} from '../../data-plane/gateway/index.js';
import { Ingester } from '../../data-plane/ingester/index.js';
import { type Matcher, systemClock, type TenantId, UnavailableError } from '../../data-plane/model/index.js';
import {
  AdminApiConfigStore,
  buildInfo,
  deleteSeries,
  Housekeeping,
  listDeletions,
  PollingTenantLimitsSource,
  VERSION,
} from '../../data-plane/modules/index.js';
import { Engine, formatQuery, parseExpr, toApiData } from '../../data-plane/promql/index.js';
import { isSplittable, TenantQuerier } from '../../data-plane/querier/index.js';
import { RingIngesterReader } from '../../data-plane/querier/ingester-replicas.js';
import {
  type InstanceDesc,
  Lifecycler,
  RingClient,
  type RingName,
  RingStore,
  tenantHash,
} from '../../data-plane/ring/index.js';
import {
  distributorRuleWriter,
  type Notifier,
  PollingRuleGroupSource,
  querierQueryFunc,
  Ruler,
  ShardedRuleGroups,
} from '../../data-plane/ruler/index.js';
import { BigtableKV } from '../../data-plane/storage/bigtable/index.js';
import { KVChunkStore } from '../../data-plane/storage/chunkstore/index.js';
import { MergeQueryable } from '../../data-plane/storage/index.js';
import type { SortedKV } from '../../data-plane/storage/kv/index.js';
import { Overrides } from '../../data-plane/validation/index.js';
import type { ServerConfig } from './compose.js';
import type { Target } from './targets.js';

/** A split-mode process. */
export interface SplitServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export { TARGETS, type Target } from './targets.js';

export interface SplitConfig {
  targets: ReadonlySet<Target>;
  instanceId: string;
  advertiseUrl: string;
  zone: string;
  replicationFactor: number;
  ringTokens: number;
  heartbeatPeriodMs: number;
  heartbeatTimeoutMs: number;
  /** How distributors apply a tenant's ingestion_rate (`global`: shared over the `distributor` ring). */
  ingestionRateStrategy?: IngestionRateStrategyName;
  /** Where the control plane's `/internal/v1` is (not needed when control-plane is local). */
  controlPlaneUrl: string | undefined;
  /** Whether `cfg.rootToken` was given by the operator (it then may also forget ring instances). */
  rootTokenGiven?: boolean;
  /** Base URL users reach the platform at (alerts' generatorURL, Alertmanager links). */
  externalUrl?: string;
}

type Logger = { info(m: string): void; warn(m: string): void; error(m: string): void };

/** GET `/internal/v1/<feed>` with the cluster secret, remembering the ETag. */
function httpFeed<T>(baseUrl: string, auth: ClusterAuth, feed: string): () => Promise<T> {
  let etag: string | undefined;
  let last: T | undefined;
  return async () => {
    const res = await fetch(new URL(`/internal/v1/${feed}`, baseUrl), {
      headers: { ...auth.headers(), ...(etag && last !== undefined ? { 'if-none-match': etag } : {}) },
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status === 304 && last !== undefined) return last;
    if (!res.ok) throw new Error(`control plane ${feed} feed answered ${res.status}`);
    last = (await res.json()) as T;
    etag = res.headers.get('etag') ?? undefined;
    return last;
  };
}

/** Healthy ACTIVE instances of a stateless ring (any one may serve a request). */
function activeInstances(ring: RingClient): InstanceDesc[] {
  const now = Date.now();
  return Object.values(ring.describe().instances)
    .filter((i) => i.state === 'ACTIVE' && ring.isHealthy(i, now))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

const HOP_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'authorization',
  'cookie',
  'x-scope-orgid',
  'keep-alive',
  'upgrade',
]);

export async function startSplitServer(
  cfg: ServerConfig,
  split: SplitConfig,
  log: (line: string) => void,
): Promise<SplitServer> {
  const t = split.targets;
  if (cfg.storage.kind !== 'bigtable') throw new Error('split mode requires Bigtable');
  const bt = cfg.storage;
  const dataDir = resolve(cfg.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const logger: Logger = {
    info: (m) => log(`level=info msg=${JSON.stringify(m)}`),
    warn: (m) => log(`level=warn msg=${JSON.stringify(m)}`),
    error: (m) => log(`level=error msg=${JSON.stringify(m)}`),
  };
  const auth = new ClusterAuth(cfg.clusterSecret);
  const registry = new Registry();
  const clock = systemClock;
  const closers: (() => Promise<void> | void)[] = [];
  const openKV = async (suffix: string): Promise<SortedKV> => {
    const kv = await BigtableKV.open({
      projectId: bt.projectId,
      instanceId: bt.instanceId,
      tableId: suffix === '' ? bt.tableId : `${bt.tableId}_${suffix}`,
      ...(bt.emulatorHost ? { apiEndpoint: bt.emulatorHost } : {}),
    });
    closers.push(() => kv.close());
    return kv;
  };

  const app = Fastify({ logger: false, bodyLimit: 64 << 20 });
  let ready = false;
  let stopping: Promise<void> | undefined;
  const lifecyclers: Lifecycler[] = [];
  let ingester: Ingester | undefined;
  let deleteOnAllIngesters: (t: TenantId, ms: readonly Matcher[], mint: number, maxt: number) => Promise<number> =
    async () => {
      throw new UnavailableError('starting');
    };
  try {
    // --- control plane ----------------------------------------------------------------------------
    const cp = t.has('control-plane')
      ? await createControlPlane({
          database: cfg.postgresUrl
            ? { kind: 'postgres', url: cfg.postgresUrl }
            : { kind: 'pglite', dataDir: join(dataDir, 'control-plane') },
          rootToken: cfg.rootToken,
          clusterSecret: cfg.clusterSecret,
          migrate: cfg.migrate,
          logger: false,
          ruleExprValidator: validatorFromParser(parseExpr),
          // Operator delete-series: every ingester's memory + WAL, then the store's tombstones.
          deleteSeries: async (tenant, req) =>
            deleteSeries(
              { ingester: { deleteSeries: (...a) => deleteOnAllIngesters(...a) }, store: await getChunkStore() },
              tenant,
              req,
            ),
          listDeletions: async (tenant) => listDeletions(await getChunkStore(), tenant),
        })
      : undefined;
    if (cp) {
      closers.push(() => cp.close());
      await app.register(cp.plugin);
    }
    const cpUrl = split.controlPlaneUrl;
    const needsCp = [...t].some((x) => x !== 'control-plane');
    if (!cp && needsCp && !cpUrl)
      throw new Error('--control-plane-url is required for targets other than control-plane');
    const feed = <T>(name: 'overrides' | 'rules' | 'alertmanager' | 'tenants', local: () => Promise<T>) =>
      cp ? local : httpFeed<T>(cpUrl!, auth, name);

    const limits = new PollingTenantLimitsSource(
      feed('overrides', () => cp!.internal.overrides()),
      1_000,
      (err) => logger.warn(`limits feed: ${String(err)}`),
    );
    if (needsCp) {
      await limits.start();
      closers.push(() => limits.stop());
    }
    const overrides = new Overrides(limits);

    // --- rings --------------------------------------------------------------------------------------
    let ringStore: RingStore | undefined;
    const getStore = async () => {
      ringStore ??= new RingStore(await openKV('ring'));
      return ringStore;
    };
    const rings = new Map<string, RingClient>();
    const ring = async (name: RingName): Promise<RingClient> => {
      let r = rings.get(name);
      if (!r) {
        const stateful = name === 'ingester' || name === 'ruler' || name === 'alertmanager';
        r = new RingClient(await getStore(), name, {
          replicationFactor: stateful ? split.replicationFactor : 1,
          heartbeatTimeoutMs: split.heartbeatTimeoutMs,
          onError: (err) => logger.warn(`ring ${name}: ${String(err)}`),
        });
        rings.set(name, r);
        await r.start();
        const rr = r;
        closers.push(() => rr.stop());
      }
      return r;
    };
    const register = async (name: RingName, opts: { stateless: boolean }): Promise<Lifecycler> => {
      const lc = new Lifecycler({
        store: await getStore(),
        ringName: name,
        id: split.instanceId,
        addr: split.advertiseUrl,
        zone: split.zone,
        numTokens: opts.stateless ? 1 : split.ringTokens,
        heartbeatPeriodMs: split.heartbeatPeriodMs,
        ...(opts.stateless ? { autoForgetAfterMs: split.heartbeatTimeoutMs * 10 } : {}),
        onError: (err) => logger.warn(`ring ${name} heartbeat: ${String(err)}`),
      });
      lifecyclers.push(lc);
      await ring(name);
      return lc;
    };

    // --- chunk store ----------------------------------------------------------------------------------
    let chunkStore: KVChunkStore | undefined;
    const getChunkStore = async () => {
      if (!chunkStore) {
        chunkStore = new KVChunkStore({ kv: await openKV(''), registry });
        const cs = chunkStore;
        closers.push(() => cs.close());
      }
      return chunkStore;
    };

    if (cp) {
      const store = await getChunkStore();
      const housekeeping = new Housekeeping({
        store,
        tenants: () => cp.internal.tenants(),
        completePurge: (tenant) => cp.internal.completePurge(tenant),
        retentionMs: (tenant) => overrides.retentionPeriodMs(tenant),
        clock,
        logger,
      });
      housekeeping.start();
      closers.push(() => housekeeping.stop());
    }

    /** Every registered ingester must apply an operator's delete (a missed replica would bring data back). */
    deleteOnAllIngesters = async (tenant: TenantId, ms: readonly Matcher[], mint: number, maxt: number) => {
      const ingRing = await ring('ingester');
      await ingRing.refresh().catch(() => {});
      const all = Object.values(ingRing.describe().instances).filter((i) => i.state !== 'LEFT');
      if (all.length === 0) throw new UnavailableError('no ingesters registered');
      const counts = await Promise.all(all.map((inst) => remoteFor(inst).deleteSeries(tenant, ms, mint, maxt)));
      return Math.round(counts.reduce((a, b) => a + b, 0) / Math.max(1, Math.min(split.replicationFactor, all.length)));
    };

    // --- ingester -------------------------------------------------------------------------------------
    let ingesterLc: Lifecycler | undefined;
    if (t.has('ingester')) {
      const ingRing = await ring('ingester');
      ingester = new Ingester({
        walDir: join(dataDir, 'wal'),
        fsync: cfg.walFsync,
        chunkStore: await getChunkStore(),
        limits: overrides,
        // Each ingester holds RF/N of a tenant's series: global series limits are shared out.
        seriesLimitShare: (tenant) => {
          const n = ingRing.instanceCount;
          const shard = overrides.ingestionTenantShardSize(tenant);
          const size = shard > 0 ? Math.min(shard, n) : n;
          return size > 0 ? Math.min(1, split.replicationFactor / size) : 1;
        },
        clock,
        logger,
        registry,
      });
      await ingester.start();
      await internalIngesterRoutes(app, { backend: ingester, auth });
      ingesterLc = await register('ingester', { stateless: false });
    }

    // --- distributor and querier over the ingester ring ------------------------------------------------
    const remotes = new Map<string, RemoteIngester>();
    const remoteFor = (inst: InstanceDesc) => {
      let r = remotes.get(inst.addr);
      if (!r) {
        r = new RemoteIngester({ url: inst.addr, auth });
        remotes.set(inst.addr, r);
      }
      return r;
    };
    const shardSize = (tenant: TenantId) => overrides.ingestionTenantShardSize(tenant);
    // HA election state shared by every distributor (one row per tenant+cluster, compare-and-set).
    let haStore: KVHaTrackerStore | undefined;
    // `global` (the split-mode default): the tenant's ingestion_rate is shared out over the healthy
    // members of the `distributor` ring (every distributor target registers there, below).
    const rateStrategyName = split.ingestionRateStrategy ?? 'global';
    const buildDistributor = async () => {
      haStore ??= new KVHaTrackerStore(await openKV('ha_tracker'));
      return new Distributor({
        limits: overrides,
        ingester: new RingIngesterClient({ ring: await ring('ingester'), clientFor: remoteFor, shardSize }),
        haStore,
        rateStrategy: createIngestionRateStrategy(
          rateStrategyName,
          overrides,
          rateStrategyName === 'global' ? await ring('distributor') : undefined,
        ),
        clock,
        registry,
      });
    };
    const engine = new Engine({ timeoutMs: 120_000 });
    const buildQuerier = async () => {
      const reader = new RingIngesterReader({ ring: await ring('ingester'), readerFor: remoteFor, shardSize });
      const store = await getChunkStore();
      const querier = new TenantQuerier({
        engine,
        source: (tenant) => new MergeQueryable([reader.queryable(tenant), store.queryable(tenant)]),
        limits: overrides,
        clock,
      });
      return { reader, querier };
    };

    const distributor = t.has('distributor') ? await buildDistributor() : undefined;
    // A query-frontend without a local querier reads series, labels and metadata itself and sends
    // PromQL to the queriers of the ring (/internal/querier/query).
    const querierParts = t.has('querier') || t.has('query-frontend') ? await buildQuerier() : undefined;
    const querierRing = t.has('query-frontend') && !t.has('querier') ? await ring('querier') : undefined;
    const frontend =
      t.has('query-frontend') && querierParts
        ? new QueryFrontend({
            downstream: querierRing
              ? new RemoteQuerier(() => activeInstances(querierRing), auth)
              : querierParts.querier,
            queue: new FairQueue({
              concurrency: 8,
              maxOutstanding: (tenant) => overrides.maxOutstandingRequestsPerTenant(tenant),
            }),
            canSplit: isSplittable,
            slowQueryMs: 10_000,
            logger,
            clock,
          })
        : undefined;

    // --- alertmanager (tenants sharded over the alertmanager ring, state in <table>_alertmanager) -------
    const amPeers = new HttpAlertmanagerPeers({ clusterSecret: auth });
    let alertmanager: MultitenantAlertmanager | undefined;
    if (t.has('alertmanager')) {
      await register('alertmanager', { stateless: false });
      alertmanager = new MultitenantAlertmanager({
        fetchConfigs: feed('alertmanager', () => cp!.internal.alertmanager()),
        externalUrl: `${split.externalUrl ?? split.advertiseUrl}/alertmanager`,
        state: new KVStateStore(await openKV('alertmanager')),
        firewall: { allowedCidrs: cfg.alertmanagerAllowedCidrs ?? [] },
        overrides,
        sharding: {
          ring: await ring('alertmanager'),
          instanceId: split.instanceId,
          replicationFactor: split.replicationFactor,
          peers: amPeers,
        },
        clock,
        registry,
        logger,
      });
    }

    // --- ruler (embedded querier + distributor over the rings) -----------------------------------------
    let ruler: Ruler | undefined;
    if (t.has('ruler')) {
      const q = querierParts ?? (await buildQuerier());
      const d = distributor ?? (await buildDistributor());
      const source = new PollingRuleGroupSource(
        feed('rules', () => cp!.internal.rules()),
        { intervalMs: 2_000, onError: (err) => logger.warn(`rules feed: ${String(err)}`) },
      );
      await register('ruler', { stateless: false });
      const notifier: Notifier = alertmanager ?? ringNotifier(await ring('alertmanager'), amPeers);
      ruler = new Ruler({
        source,
        query: querierQueryFunc(q.querier),
        writer: distributorRuleWriter(d),
        notifier,
        ...(split.externalUrl ? { externalURL: `${split.externalUrl}/prometheus` } : {}),
        ring: { ring: await ring('ruler'), instanceId: split.instanceId },
        limits: overrides,
        clock,
        registry,
        log: logger,
      });
      await source.start();
      ruler.start();
      const r = ruler;
      closers.push(async () => {
        await r.stop();
        source.stop();
      });
    }

    // --- tenant-facing routes --------------------------------------------------------------------------
    // Peers (a gateway) may call any listener with the cluster credential + X-Scope-OrgID; tenants
    // with a token only where a gateway runs.
    auth.acceptPeers(app);
    let tenantSource: CredentialSource | undefined;
    if (t.has('gateway')) {
      tenantSource = new CredentialCache({
        source: cp
          ? {
              authenticate: async (token) => {
                const r = await cp.internal.authenticate(token);
                return r ? principalFromJson(r) : undefined;
              },
            }
          : new HttpCredentialSource(cpUrl!, cfg.clusterSecret),
      });
    }
    const credentials = auth.credentials(tenantSource);
    // Tenant config APIs (rules, Alertmanager config) write through the admin API as the operator
    // would: in-process next to the control plane, else over HTTP with the operator's root token.
    if (t.has('gateway') && (cp || split.rootTokenGiven)) {
      const configStore = new AdminApiConfigStore(async (method, path, body) => {
        if (cp) {
          const res = await app.inject({
            method,
            url: `/admin/api/v1${path}`,
            headers: { authorization: `Bearer ${cfg.rootToken}` },
            ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
          });
          return { status: res.statusCode, body: res.body ? res.json() : undefined };
        }
        const res = await fetch(`${cpUrl}/admin/api/v1${path}`, {
          method,
          headers: {
            authorization: `Bearer ${cfg.rootToken}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      });
      await app.register(configRoutes, { store: configStore, credentials });
    }
    addFormBodyParser(app);

    if (distributor) {
      await app.register(pushRoute, {
        credentials,
        handler: createPushHandler(distributor, { maxDecompressedBytes: 64 << 20 }),
        maxRequestBytes: 16 << 20,
      });
    }
    const queryEngine: TenantQueryEngine | undefined =
      frontend ?? (querierParts?.querier as TenantQueryEngine | undefined);
    if (querierParts && queryEngine) {
      const { reader, querier } = querierParts;
      const api = new PrometheusApi({
        engine: queryEngine,
        backend: {
          queryable: (tenant) => querier.queryable(tenant),
          metadata: (tenant, o) => reader.metadata(tenant, o),
          exemplars: (tenant, sets, start, end) => reader.exemplars(tenant, sets, start, end),
        },
        toApiData: (v) => toApiData(v as Parameters<typeof toApiData>[0]),
        formatQuery,
        queryTimeoutMs: 120_000,
        now: () => clock.now(),
      });
      await app.register(prometheusRoutes, { prefix: '/prometheus', api, credentials, buildInfo: buildInfo() });
      // Mimir's usage endpoints; the rate is measured between two asks at least 10 s apart.
      const rates = new Map<TenantId, { count: number; at: number; rate: number }>();
      const usage = new UsageApi({
        stats: async (tenant) => {
          const s = await reader.stats(tenant);
          const now = clock.now();
          const prev = rates.get(tenant);
          if (!prev || s.ingestedSamples < prev.count)
            rates.set(tenant, { count: s.ingestedSamples, at: now, rate: 0 });
          else if (now - prev.at >= 10_000) {
            const rate = ((s.ingestedSamples - prev.count) * 1000) / (now - prev.at);
            rates.set(tenant, { count: s.ingestedSamples, at: now, rate });
          }
          return { numSeries: s.numSeries, ingestionRate: rates.get(tenant)?.rate ?? 0 };
        },
        limits: (tenant) => overrides.forTenant(tenant),
        activeQueryable: (tenant) => reader.queryable(tenant),
        now: () => clock.now(),
      });
      for (const prefix of ['', '/prometheus']) await app.register(usageRoutes, { prefix, usage, credentials });
    }
    if (ruler) {
      const rulerRing = { ring: await ring('ruler'), instanceId: split.instanceId };
      await app.register(rulerRoutes, {
        prefix: '/prometheus',
        ruler,
        credentials,
        sharded: new ShardedRuleGroups({
          local: ruler,
          ring: rulerRing,
          peers: new HttpRulerPeers({ clusterSecret: auth }),
          clock,
        }),
      });
      await app.register(rulerPeerRoutes, { ruler, auth });
    }
    if (alertmanager) {
      await alertmanager.start();
      const am = alertmanager;
      closers.push(() => am.stop());
      await app.register(alertmanagerRoutes, { alertmanager: am, credentials, version: VERSION, clusterAuth: auth });
    }

    if (t.has('querier') && querierParts) {
      await internalQuerierRoutes(app, { querier: querierParts.querier as TenantQueryRunner, auth });
    }

    // Gateway: proxy what is not served here to a healthy instance.
    const proxyTargets: { prefix: string; scope: Scope | Scope[]; ring: RingName[] }[] = [];
    if (t.has('gateway')) {
      if (!querierParts) {
        proxyTargets.push({
          prefix: '/prometheus/api/v1/',
          scope: 'metrics:read',
          ring: ['query-frontend', 'querier'],
        });
        for (const prefix of ['/api/v1/user_stats', '/api/v1/user_limits', '/api/v1/cardinality/']) {
          proxyTargets.push({ prefix, scope: 'metrics:read', ring: ['query-frontend', 'querier'] });
        }
      }
      if (!distributor) proxyTargets.push({ prefix: '/api/v1/push', scope: 'metrics:write', ring: ['distributor'] });
      if (!ruler) {
        proxyTargets.push({ prefix: '/prometheus/api/v1/rules', scope: 'rules:read', ring: ['ruler'] });
        proxyTargets.push({ prefix: '/prometheus/api/v1/alerts', scope: 'rules:read', ring: ['ruler'] });
      }
      if (!alertmanager) {
        proxyTargets.push({
          prefix: '/alertmanager/',
          scope: ['alerts:read', 'alerts:write'],
          ring: ['alertmanager'],
        });
      }
    }
    if (proxyTargets.length > 0) {
      const rr = new Map<string, number>();
      const pick = async (names: RingName[]): Promise<InstanceDesc[]> => {
        for (const name of names) {
          const insts = activeInstances(await ring(name)).filter((i) => i.addr !== split.advertiseUrl);
          if (insts.length > 0) {
            const k = (rr.get(name) ?? 0) + 1;
            rr.set(name, k);
            return insts.map((_, i) => insts[(i + k) % insts.length]!);
          }
        }
        return [];
      };
      for (const name of new Set(proxyTargets.flatMap((p) => p.ring))) await ring(name);
      await app.register(async (scoped) => {
        scoped.removeAllContentTypeParsers();
        scoped.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 << 20 }, (_r, b, done) => done(null, b));
        for (const p of proxyTargets) {
          const handler = async (req: FastifyRequest, reply: FastifyReply) =>
            proxy(req, reply, tenantOf(req), await pick(p.ring), auth);
          const opts = { onRequest: requireScope(credentials, p.scope) };
          if (p.prefix.endsWith('/')) {
            scoped.all(`${p.prefix}*`, opts, handler);
          } else scoped.all(p.prefix, opts, handler);
        }
      });
    }

    // --- status ---------------------------------------------------------------------------------------
    app.get('/ready', async (_req, reply) => (ready ? reply.send('ready\n') : reply.code(503).send('starting\n')));
    app.get('/health', async () => 'ok\n');
    app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
    await app.register(ringRoutes, {
      rings: () => [...rings.values()].sort((x, y) => (x.name < y.name ? -1 : 1)),
      authorizeForget: bearerAuthorizer([cfg.clusterSecret, split.rootTokenGiven ? cfg.rootToken : undefined]),
    });

    await app.listen({ host: cfg.host, port: cfg.port });
    // Join the rings only once the listener serves (peers may call right away).
    if (ingesterLc) await ingesterLc.start();
    for (const lc of lifecyclers) if (lc !== ingesterLc) await lc.start();
    for (const [name, svc] of [
      ['distributor', distributor],
      ['querier', t.has('querier') ? true : undefined],
      ['query-frontend', t.has('query-frontend') ? true : undefined],
      ['gateway', t.has('gateway') ? true : undefined],
    ] as const) {
      if (svc) {
        const lc = await register(name, { stateless: true });
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
  return {
    app,
    url,
    close() {
      stopping ??= (async () => {
        ready = false;
        // Stateless rings first, then the ingester: LEAVING → flush everything → unregister.
        const ing = lifecyclers.find((l) => l.ringName === 'ingester');
        for (const lc of lifecyclers) if (lc !== ing) await lc.leave().catch(() => {});
        if (ing && ingester) {
          const i = ingester;
          try {
            await ing.leave(async () => {
              await i.flush();
            });
            logger.info('ingester: flushed everything to the chunk store and left the ring');
          } catch (err) {
            // Still registered (LEAVING, no heartbeats): it turns unhealthy, and what was not
            // flushed stays in the WAL checkpoint for the next start.
            logger.error(`ingester: leaving the ring failed: ${(err as Error).message}`);
          }
        }
        await ingester?.stop();
        await app.close();
        for (const c of closers.reverse()) await Promise.resolve(c()).catch((err) => logger.warn(String(err)));
      })();
      return stopping;
    },
  };
}

/** Forwards a tenant request to the first instance that answers, as a cluster peer for `tenant`. */
async function proxy(
  req: FastifyRequest,
  reply: FastifyReply,
  tenant: TenantId,
  instances: InstanceDesc[],
  auth: ClusterAuth,
): Promise<FastifyReply> {
  if (instances.length === 0) {
    return reply
      .code(503)
      .send({ status: 'error', errorType: 'unavailable', error: 'no healthy instance to serve this request' });
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || HOP_HEADERS.has(k)) continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  Object.assign(headers, auth.headers(tenant));
  const body = Buffer.isBuffer(req.body) ? req.body : undefined;
  let lastErr: unknown;
  // A connection failure means the request never arrived: the next instance may take it.
  for (const inst of instances.slice(0, 3)) {
    let res: Response;
    try {
      res = await fetch(`${inst.addr}${req.url}`, {
        method: req.method,
        headers,
        ...(body && req.method !== 'GET' && req.method !== 'HEAD' ? { body } : {}),
        signal: AbortSignal.timeout(130_000),
      });
    } catch (err) {
      lastErr = err;
      continue;
    }
    reply.code(res.status);
    res.headers.forEach((v, k) => {
      if (!HOP_HEADERS.has(k) && k !== 'content-encoding') reply.header(k, v);
    });
    return reply.send(Buffer.from(await res.arrayBuffer()));
  }
  return reply.code(503).send({
    status: 'error',
    errorType: 'unavailable',
    error: `no instance answered: ${(lastErr as Error)?.message ?? String(lastErr)}`,
  });
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
      const set = amRing.get(tenantHash(tenantId), 'own');
      const postable = alerts.map((a) => ({
        labels: a.labels.toObject(),
        annotations: a.annotations.toObject(),
        startsAt: new Date(a.startsAt).toISOString(),
        endsAt: new Date(a.endsAt).toISOString(),
        generatorURL: a.generatorURL,
      }));
      const results = await Promise.allSettled(
        set.instances.map((inst) => peers.call(inst, tenantId, { op: 'receiveAlerts', alerts: postable })),
      );
      if (results.some((r) => r.status === 'fulfilled')) return;
      const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      throw first?.reason ?? new Error('no alertmanager replica for the tenant');
    },
  };
}
