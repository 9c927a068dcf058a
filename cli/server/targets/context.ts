/**
 * What every split-mode target module builds from: the configuration, logger, metrics registry,
 * cluster auth, the Fastify app, the store opener (Bigtable or DynamoDB + S3), the rings (clients and this process's
 * lifecyclers), the chunk store and the clients of remote ingesters. Everything store-backed is
 * opened on first use, so a process only opens the tables its targets need.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { ControlPlane } from '../../../control-plane/index.js';
import { ClusterAuth } from '../../../data-plane/api/internal-auth.js';
import { RemoteIngester } from '../../../data-plane/api/internal-ingester-client.js';
import { type Clock, systemClock, type TenantId } from '../../../data-plane/model/index.js';
import { Engine, EvalPool, PooledEngine, SERVER_INLINE } from '../../../data-plane/promql/index.js';
import { type InstanceDesc, Lifecycler, RingClient, type RingName, RingStore } from '../../../data-plane/ring/index.js';
import { KVChunkStore } from '../../../data-plane/storage/chunkstore/index.js';
import type { SortedKV } from '../../../data-plane/storage/kv/index.js';
import type { UsageSink } from '../../../data-plane/usage/index.js';
import type { Overrides } from '../../../data-plane/validation/index.js';
import type { ServerConfig } from '../compose.js';
import { MAX_PARAM_LENGTH } from '../http-limits.js';
import { openStorageKV, type StoragePurpose } from '../storage.js';
import type { Target } from '../targets.js';

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
  ingestionRateStrategy?: 'local' | 'global';
  /** Where the control plane's `/internal/v1` is (not needed when control-plane is local). */
  controlPlaneUrl: string | undefined;
  /** Whether `cfg.rootToken` was given by the operator (it then may also forget ring instances). */
  rootTokenGiven?: boolean;
  /** Base URL users reach the platform at (alerts' generatorURL, Alertmanager links). */
  externalUrl?: string;
}

export type Logger = { info(m: string): void; warn(m: string): void; error(m: string): void };

/** The control plane's `/internal/v1` feeds (in-process when the control-plane target is local). */
export type FeedName = 'overrides' | 'rules' | 'alertmanager' | 'tenants';
export type FeedValue<K extends FeedName> = Awaited<ReturnType<ControlPlane['internal'][K]>>;

export interface SplitContext {
  readonly cfg: ServerConfig;
  readonly split: SplitConfig;
  readonly targets: ReadonlySet<Target>;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly auth: ClusterAuth;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly app: FastifyInstance;
  /** Shared by every querier this process builds (the querier target, the ruler's). */
  /** PromQL on a pool of worker threads (spawned on first use, so only querying targets start them). */
  readonly engine: PooledEngine;
  /** This process's ring memberships, in registration order (started once the listener serves). */
  readonly lifecyclers: Lifecycler[];
  /** The ring clients this process reads (what `/ring` shows). */
  readonly rings: Map<string, RingClient>;
  /** Runs on shutdown, last registered first. */
  onStop(fn: () => Promise<void> | void): void;
  /** A table of the shared store: `<table>` for `''`, else `<table>_<purpose>`; closed on shutdown. */
  openKV(purpose: StoragePurpose): Promise<SortedKV>;
  ring(name: RingName): Promise<RingClient>;
  /** A lifecycler for `name` (not started; the orchestrator starts it after listen). */
  register(name: RingName, opts: { stateless: boolean }): Promise<Lifecycler>;
  chunkStore(): Promise<KVChunkStore>;
  /** The internal ingester API of a ring instance (one client per address). */
  remoteFor(inst: InstanceDesc): RemoteIngester;
  /** One value per process for `key` (e.g. the HA tracker store shared by every distributor). */
  memo<T>(key: string, make: () => Promise<T>): Promise<T>;
}

/** Filled in once the control plane (local or remote) is known. */
export interface TargetContext extends SplitContext {
  readonly overrides: Overrides;
  /** The tenant's ingester shard size (0 = every ingester). */
  shardSize(tenant: TenantId): number;
  /** A control-plane feed: in-process next to the control plane, else polled over HTTP. */
  feed<K extends FeedName>(name: K): () => Promise<FeedValue<K>>;
  /** Delivers metered usage to the control plane (in-process, else `POST /internal/v1/usage`). */
  usageSink: UsageSink;
  /** A tenant's metered usage report from the control plane (in-process, else `/internal/v1/usage/:t/report`). */
  usageReport(tenantId: TenantId, q: { from: string; to: string; by?: string }): Promise<unknown>;
}

/** GET `/internal/v1/<feed>` with the cluster secret, remembering the ETag. */
export function httpFeed<T>(baseUrl: string, auth: ClusterAuth, feed: string): () => Promise<T> {
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
export function activeInstances(ring: RingClient): InstanceDesc[] {
  const now = Date.now();
  return Object.values(ring.describe().instances)
    .filter((i) => i.state === 'ACTIVE' && ring.isHealthy(i, now))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The shared context; `closers` collects what `onStop` registers (the orchestrator runs them). */
export function createContext(
  cfg: ServerConfig,
  split: SplitConfig,
  log: (line: string) => void,
): { ctx: SplitContext; closers: (() => Promise<void> | void)[] } {
  if (cfg.storage.kind === 'embedded') throw new Error('split mode requires a shared store: Bigtable or DynamoDB + S3');
  const storage = cfg.storage;
  const dataDir = resolve(cfg.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const logger: Logger = {
    info: (m) => log(`level=info msg=${JSON.stringify(m)}`),
    warn: (m) => log(`level=warn msg=${JSON.stringify(m)}`),
    error: (m) => log(`level=error msg=${JSON.stringify(m)}`),
  };
  const auth = new ClusterAuth(cfg.clusterSecret);
  const registry = new Registry();
  const closers: (() => Promise<void> | void)[] = [];
  const onStop = (fn: () => Promise<void> | void) => {
    closers.push(fn);
  };
  const openKV = async (purpose: StoragePurpose): Promise<SortedKV> => {
    const kv = await openStorageKV(storage, dataDir, purpose);
    onStop(() => kv.close());
    return kv;
  };

  const memos = new Map<string, Promise<unknown>>();
  const memo = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    let p = memos.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      memos.set(key, p);
    }
    return p;
  };

  const rings = new Map<string, RingClient>();
  const lifecyclers: Lifecycler[] = [];
  const getStore = () => memo('ring-store', async () => new RingStore(await openKV('ring')));
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
      onStop(() => rr.stop());
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

  const chunkStore = () =>
    memo('chunk-store', async () => {
      const cs = new KVChunkStore({ kv: await openKV(''), registry });
      onStop(() => cs.close());
      return cs;
    });

  const remotes = new Map<string, RemoteIngester>();
  const remoteFor = (inst: InstanceDesc) => {
    let r = remotes.get(inst.addr);
    if (!r) {
      r = new RemoteIngester({ url: inst.addr, auth });
      remotes.set(inst.addr, r);
    }
    return r;
  };

  const workers = cfg.queryWorkers ?? availableParallelism() + 1;
  const evalPool =
    workers > 0
      ? new EvalPool({ size: workers, nice: 19, onWorkerLost: (reason) => logger.warn(`query pool: ${reason}`) })
      : undefined;
  onStop(() => evalPool?.close());

  const ctx: SplitContext = {
    cfg,
    split,
    targets: split.targets,
    dataDir,
    logger,
    auth,
    registry,
    clock: systemClock,
    app: Fastify({ logger: false, bodyLimit: 64 << 20, maxParamLength: MAX_PARAM_LENGTH }),
    engine: new PooledEngine(new Engine({ timeoutMs: 120_000 }), evalPool, undefined, undefined, SERVER_INLINE),
    lifecyclers,
    rings,
    onStop,
    openKV,
    ring,
    register,
    chunkStore,
    remoteFor,
    memo,
  };
  return { ctx, closers };
}
