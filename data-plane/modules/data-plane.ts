import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import {
  type AlertmanagerFeed,
  type AlertmanagerSharding,
  type AlertmanagerStateStore,
  MultitenantAlertmanager,
} from '../alertmanager/index.js';
import {
  addFormBodyParser,
  alertmanagerRoutes,
  configRoutes,
  PrometheusApi,
  prometheusRoutes,
  pushRoute,
  rulerRoutes,
  type TenantConfigStore,
  UsageApi,
  usageRoutes,
} from '../api/index.js';
import type { ClusterAuth } from '../api/internal-auth.js';
import { createPushHandler, DecodePool, Distributor } from '../distributor/index.js';
import { FairQueue, QueryFrontend } from '../frontend/index.js';
import type { CredentialSource } from '../gateway/index.js';
import { Ingester } from '../ingester/index.js';
import { type Clock, smallestLimit, systemClock, type TenantId } from '../model/index.js';
import { otlpHandlerFor } from '../otlp/index.js';
import { Engine, EvalPool, formatQuery, PooledEngine, SERVER_INLINE, toApiData } from '../promql/index.js';
import { headAndStore, isSplittable, TenantQuerier } from '../querier/index.js';
import {
  distributorRuleWriter,
  type Notifier,
  PollingRuleGroupSource,
  querierQueryFunc,
  Ruler,
  type RulesFeed,
} from '../ruler/index.js';
import type { ChunkStore, Queryable } from '../storage/index.js';
import { ActiveSeriesMeter, CostAttribution, UsageRecorder, UsageShipper, type UsageSink } from '../usage/index.js';
import { type Limits, Overrides, type TenantLimitsSource } from '../validation/index.js';
import { MeteredChunkStore } from './metered-chunk-store.js';
import { MeteredDistributor } from './metered-distributor.js';
import { UsageTracker } from './usage-tracker.js';
import { VERSION } from './version.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface DataPlaneOptions {
  /** WAL directory; undefined keeps the ingester in memory only (tests). */
  walDir: string | undefined;
  walFsync?: 'always' | 'batch' | 'never';
  chunkStore?: ChunkStore;
  limitsSource: TenantLimitsSource;
  limitDefaults?: Partial<Limits>;
  queryTimeoutMs?: number;
  lookbackDeltaMs?: number;
  /** The control plane's rule-group feed; without it no ruler runs. */
  rulesFeed?: () => Promise<RulesFeed>;
  /** Where the ruler sends alerts; defaults to the built-in multi-tenant Alertmanager. */
  notifier?: Notifier;
  /** The control plane's Alertmanager-config feed; without it no Alertmanager runs. */
  alertmanagerFeed?: () => Promise<AlertmanagerFeed>;
  /** Where silences and the notification log persist (default: memory only). */
  alertmanagerState?: AlertmanagerStateStore;
  /**
   * Address ranges receivers may reach although private/loopback (operator setting, e.g. an
   * in-cluster webhook relay). Empty: only public addresses.
   */
  alertmanagerAllowedCidrs?: string[];
  /** Split mode: spread tenants over the `alertmanager` ring with replication (docs/alertmanager.md). */
  alertmanagerSharding?: AlertmanagerSharding;
  /** With `alertmanagerSharding`: the cluster credential the Alertmanager peer endpoint requires. */
  alertmanagerPeerAuth?: ClusterAuth | string;
  /** This service's external base URL, for alerts' generatorURL. */
  externalURL?: string;
  /** Queries evaluated at once across tenants (the querier workers behind the frontend's queue). */
  queryConcurrency?: number;
  /** Worker threads that evaluate PromQL (default: one per core plus one); 0 evaluates on the main thread. */
  queryWorkers?: number;
  /**
   * Worker threads that decode remote-write bodies (default: one per core but one, so the main
   * thread keeps a core for the append); 0 decodes on the main thread.
   */
  decodeWorkers?: number;
  /** Log queries slower than this (ms); 0 disables. */
  slowQueryMs?: number;
  /** Largest snappy-decompressed remote-write body accepted. */
  maxDecompressedBytes?: number;
  /** Largest compressed remote-write body accepted. */
  maxRequestBytes?: number;
  clock?: Clock;
  logger: Logger;
  registry?: Registry;
  /** Where metered usage is delivered (the control plane); without it usage is counted but not kept. */
  usageSink?: UsageSink;
  /** Journal of usage not yet delivered, so a crash loses none of it (see docs/usage.md). */
  usageDir?: string;
  /** How often usage is delivered (default 10 s). */
  usageFlushIntervalMs?: number;
  /** The control plane's usage report, for tenants reading their own (`/api/v1/usage_report`). */
  usageReport?: (tenantId: TenantId, q: { from: string; to: string; by?: string }) => Promise<unknown>;
}

/**
 * The single-process data plane: distributor → ingester (WAL) → chunk store, and the querier that
 * reads ingesters ∪ store through the PromQL engine. `routes()` mounts the tenant-facing HTTP API.
 */
export class DataPlane {
  readonly registry: Registry;
  readonly overrides: Overrides;
  readonly ingester: Ingester;
  readonly distributor: Distributor;
  readonly engine: Engine;
  readonly evalPool: EvalPool | undefined;
  readonly decodePool: DecodePool | undefined;
  readonly querier: TenantQuerier<Awaited<ReturnType<Engine['instantQuery']>>>;
  readonly frontend: QueryFrontend;
  readonly usage: UsageTracker;
  /** Billing-grade usage counted by this process (see data-plane/usage). */
  readonly metering: UsageRecorder;
  readonly usageShipper: UsageShipper | undefined;
  /** Samples active series once a minute (with a usage sink). */
  readonly activeSeriesMeter: ActiveSeriesMeter | undefined;
  readonly ruler: Ruler | undefined;
  readonly alertmanager: MultitenantAlertmanager | undefined;
  private readonly rulesSource: PollingRuleGroupSource | undefined;
  private readonly opts: DataPlaneOptions;

  constructor(opts: DataPlaneOptions) {
    this.opts = opts;
    const clock = opts.clock ?? systemClock;
    this.registry = opts.registry ?? new Registry();
    this.overrides = new Overrides(opts.limitsSource, opts.limitDefaults);
    this.metering = new UsageRecorder(() => clock.now());
    // One ingester, RF 1: it counts every series and every chunk it stores.
    const ingesterStore =
      opts.chunkStore && opts.usageSink ? new MeteredChunkStore(opts.chunkStore, this.metering) : opts.chunkStore;
    this.ingester = new Ingester({
      ...(opts.walDir !== undefined ? { walDir: opts.walDir } : {}),
      ...(opts.walFsync ? { fsync: opts.walFsync } : {}),
      ...(ingesterStore ? { chunkStore: ingesterStore } : {}),
      limits: this.overrides,
      clock,
      logger: opts.logger,
      registry: this.registry,
    });
    const attribution = opts.usageSink ? new CostAttribution(this.overrides, () => clock.now()) : undefined;
    const distributorOpts = {
      limits: this.overrides,
      ingester: this.ingester,
      clock,
      registry: this.registry,
      ...(attribution ? { attribution } : {}),
    };
    // Without a sink nothing would ever drain the counters: meter only when they are delivered.
    this.distributor = opts.usageSink
      ? new MeteredDistributor(distributorOpts, this.metering)
      : new Distributor(distributorOpts);
    this.usageShipper = opts.usageSink
      ? new UsageShipper({
          recorder: this.metering,
          sink: opts.usageSink,
          dir: opts.usageDir,
          ...(opts.usageFlushIntervalMs ? { intervalMs: opts.usageFlushIntervalMs } : {}),
          logger: opts.logger,
        })
      : undefined;
    this.activeSeriesMeter = opts.usageSink
      ? new ActiveSeriesMeter({
          source: this.ingester,
          recorder: this.metering,
          now: () => clock.now(),
          ...(attribution ? { attribution } : {}),
          ...(opts.usageDir ? { stateFile: join(opts.usageDir, 'active-series-minute') } : {}),
        })
      : undefined;
    this.engine = new Engine({
      ...(opts.lookbackDeltaMs ? { lookbackDeltaMs: opts.lookbackDeltaMs } : {}),
      timeoutMs: opts.queryTimeoutMs ?? 120_000,
    });
    // one per core for a query's shards, plus one so another tenant always finds a worker free
    const workers = opts.queryWorkers ?? availableParallelism() + 1;
    this.evalPool =
      workers > 0
        ? new EvalPool({
            size: workers,
            nice: 19,
            onWorkerLost: (reason) => opts.logger.warn(`query pool: ${reason}`),
          })
        : undefined;
    const decoders = opts.decodeWorkers ?? defaultDecodeWorkers();
    this.decodePool =
      decoders > 0
        ? new DecodePool({
            size: decoders,
            registry: this.registry,
            onWorkerLost: (reason) => opts.logger.warn(`decode pool: ${reason}`),
          })
        : undefined;
    this.querier = new TenantQuerier({
      engine: new PooledEngine(this.engine, this.evalPool, undefined, undefined, SERVER_INLINE),
      source: (t) => this.queryable(t),
      limits: this.overrides,
      clock,
    });
    this.frontend = new QueryFrontend({
      downstream: this.querier,
      queue: new FairQueue({
        concurrency: opts.queryConcurrency ?? 8,
        maxOutstanding: (q) => smallestLimit(q, (t) => this.overrides.maxOutstandingRequestsPerTenant(t)),
      }),
      canSplit: isSplittable,
      slowQueryMs: opts.slowQueryMs ?? 10_000,
      logger: opts.logger,
      clock,
    });
    this.usage = new UsageTracker(this.ingester, () => clock.now());
    if (opts.alertmanagerFeed) {
      this.alertmanager = new MultitenantAlertmanager({
        fetchConfigs: opts.alertmanagerFeed,
        externalUrl: `${opts.externalURL ?? ''}/alertmanager`,
        ...(opts.alertmanagerState ? { state: opts.alertmanagerState } : {}),
        firewall: { allowedCidrs: opts.alertmanagerAllowedCidrs ?? [] },
        overrides: this.overrides,
        ...(opts.alertmanagerSharding ? { sharding: opts.alertmanagerSharding } : {}),
        clock,
        registry: this.registry,
        logger: opts.logger,
      });
    }
    const notifier = opts.notifier ?? this.alertmanager;
    if (opts.rulesFeed) {
      this.rulesSource = new PollingRuleGroupSource(opts.rulesFeed, {
        intervalMs: 2_000,
        onError: (err) => opts.logger.warn(`rules feed: ${String(err)}`),
      });
      this.ruler = new Ruler({
        source: this.rulesSource,
        query: querierQueryFunc(this.querier),
        writer: distributorRuleWriter(this.distributor),
        ...(notifier ? { notifier } : {}),
        limits: this.overrides,
        clock,
        registry: this.registry,
        ...(opts.externalURL ? { externalURL: `${opts.externalURL}/prometheus` } : {}),
        log: opts.logger,
        ...(opts.usageSink
          ? { onEvaluated: (t: TenantId, n: number) => this.metering.recordRuleEvaluations(t, n) }
          : {}),
      });
    }
  }

  async start(): Promise<void> {
    await this.ingester.start();
    this.usage.start();
    this.usageShipper?.start();
    this.activeSeriesMeter?.start();
    await this.alertmanager?.start();
    if (this.rulesSource && this.ruler) {
      await this.rulesSource.start();
      this.ruler.start();
    }
  }

  async stop(): Promise<void> {
    this.usage.stop();
    await this.activeSeriesMeter?.stop();
    await this.usageShipper?.stop();
    await this.ruler?.stop();
    this.rulesSource?.stop();
    await this.alertmanager?.stop();
    // Requests still being decoded reach the ingester before it stops taking writes.
    await this.decodePool?.close();
    await this.ingester.stop();
    await this.evalPool?.close();
    await this.opts.chunkStore?.close();
  }

  /** Long-term storage, when configured. */
  get chunkStore(): ChunkStore | undefined {
    return this.opts.chunkStore;
  }

  /** Recent data from the ingester joined with history from the chunk store, for one tenant. */
  queryable(tenantId: TenantId): Queryable {
    const store = this.opts.chunkStore;
    return store ? headAndStore(this.ingester, store.queryable(tenantId), tenantId) : this.ingester.queryable(tenantId);
  }

  /**
   * Mounts `/api/v1/push`, `/prometheus/api/v1/...` and, given a config store, the tenant config
   * APIs (`/prometheus/config/v1/rules`, `/api/v1/alerts`) behind the gateway's auth hooks.
   */
  async routes(app: FastifyInstance, credentials: CredentialSource, configStore?: TenantConfigStore): Promise<void> {
    if (configStore) await app.register(configRoutes, { store: configStore, credentials });
    addFormBodyParser(app);
    const clock = this.opts.clock ?? systemClock;
    await app.register(pushRoute, {
      credentials,
      handler: createPushHandler(this.distributor, {
        maxDecompressedBytes: this.opts.maxDecompressedBytes ?? 64 << 20,
        ...(this.decodePool ? { decodePool: this.decodePool } : {}),
      }),
      maxRequestBytes: this.opts.maxRequestBytes ?? 16 << 20,
      otlp: otlpHandlerFor(this.distributor, this.overrides, { now: () => clock.now(), registry: this.registry }),
      ...(this.usageShipper ? { onAcknowledged: (t, bytes) => this.metering.recordRequestBytes(t, bytes) } : {}),
    });
    const api = new PrometheusApi({
      engine: this.frontend,
      backend: {
        queryable: (t) => this.querier.queryable(t),
        metadata: (t, o) => this.ingester.metadata(t, o),
        exemplars: (t, sets, start, end) => this.ingester.exemplars(t, sets, start, end),
      },
      toApiData: (v) => toApiData(v as Parameters<typeof toApiData>[0]),
      formatQuery,
      queryTimeoutMs: this.opts.queryTimeoutMs ?? 120_000,
      now: () => clock.now(),
      ...(this.usageShipper ? { onQueryAnswered: (t, n) => this.metering.recordQuery(t, n) } : {}),
    });
    const usage = new UsageApi({
      stats: (t) => this.usage.stats(t),
      limits: (t) => this.overrides.forTenant(t),
      activeQueryable: (t) => this.ingester.queryable(t),
      now: () => clock.now(),
      ...(this.opts.usageReport ? { report: this.opts.usageReport } : {}),
    });
    for (const prefix of ['', '/prometheus']) await app.register(usageRoutes, { prefix, usage, credentials });
    if (this.alertmanager) {
      await app.register(alertmanagerRoutes, {
        alertmanager: this.alertmanager,
        credentials,
        version: VERSION,
        ...(this.opts.alertmanagerPeerAuth !== undefined ? { clusterAuth: this.opts.alertmanagerPeerAuth } : {}),
      });
    }
    if (this.ruler) await app.register(rulerRoutes, { prefix: '/prometheus', ruler: this.ruler, credentials });
    await app.register(prometheusRoutes, {
      prefix: '/prometheus',
      api,
      credentials,
      buildInfo: buildInfo(),
      logger: this.opts.logger,
    });
  }
}

/** `/api/v1/status/buildinfo`, with the `features` Grafana reads to treat us as Mimir-like. */
export function buildInfo(): Record<string, unknown> {
  return {
    application: 'cortex-ts',
    version: VERSION,
    revision: '',
    branch: 'main',
    buildUser: '',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    features: {
      ruler_config_api: 'true',
      alertmanager_config_api: 'true',
      query_sharding: 'true',
      federated_rules: 'true',
    },
  };
}

/** One decode thread per core but one (the main thread's), none on a single core. */
export function defaultDecodeWorkers(): number {
  return Math.min(8, availableParallelism() - 1);
}
