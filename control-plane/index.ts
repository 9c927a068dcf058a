/**
 * The control plane: tenants, scoped tokens, limits, rules and Alertmanager configs on Postgres
 * (or in-process PGlite), served as one fastify plugin plus an in-process internal API.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import { type Clock, systemClock } from '../data-plane/model/index.js';
import type { Limits } from '../data-plane/validation/index.js';
import { controlPlanePlugin } from './app.js';
import { type DatabaseOptions, DrizzleStore, openDatabase } from './db/index.js';
import type { DeletionLister, RuleExprValidator, SeriesDeleter, UsageSource } from './domain/index.js';
import {
  AdminAuthService,
  AlertmanagerService,
  AuditService,
  type ControlPlaneInternal,
  createInternal,
  LimitsService,
  MeteringService,
  RulesService,
  SeriesDeletionService,
  TenantService,
  TokenService,
  type UsageRetention,
  UsageService,
} from './domain/index.js';
import type { Services } from './routes/index.js';
import { adminRpcPlugin, type RpcPluginOptions } from './rpc/index.js';

export { ADMIN_PREFIX, INTERNAL_PREFIX } from './app.js';
export type {
  AlertmanagerFeed,
  AuthResult,
  AuthThrottleEvent,
  ControlPlaneInternal,
  OverridesFeed,
  RulesFeed,
  TenantsFeed,
  UsageBatchInput,
  UsageReport,
  UsageRetention,
} from './domain/index.js';
export {
  generateToken,
  isWellFormedToken,
  lezerExprValidator,
  type RuleExprValidator,
  type RuleGroup,
  TOKEN_SCOPES,
  type TokenScope,
  validatorFromParser,
} from './domain/index.js';

export interface ControlPlaneOptions {
  database: DatabaseOptions;
  /** Operator root token (≥ 16 characters); compared in constant time, never stored. */
  rootToken: string;
  /** Bearer secret for `/internal/v1` (≥ 16 characters). */
  clusterSecret: string;
  /**
   * HS256 keys for admin session JWTs (each ≥ 32 characters), newest first: sessions are signed with
   * the first and verified with any. Omitted: a random per-process key (sessions end on restart).
   */
  jwtSecrets?: string[];
  /** Apply migrations on start (default true). */
  migrate?: boolean;
  /** Cluster-wide defaults that tenant overrides are merged onto (validated like overrides). */
  limitDefaults?: Partial<Limits>;
  logger?: FastifyBaseLogger | false;
  /**
   * Checks rule `expr` on write. Default: lezer-promql syntax check. The integrator plugs in the real
   * parser with `validatorFromParser(parseExpr)`.
   */
  ruleExprValidator?: RuleExprValidator;
  /** Time source (tests inject one); defaults to the system clock. */
  clock?: Clock;
  /**
   * The data plane's delete-series behind `POST /admin/api/v1/tenants/:id/delete-series`; the
   * composition root passes it in (without it that route answers 503).
   */
  deleteSeries?: SeriesDeleter;
  /** Lists a tenant's deletions still pending in storage (`GET …/delete-series`). */
  listDeletions?: DeletionLister;
  /** The data plane's per-tenant usage (active series, ingestion rate) for GetUsage and `…/usage`. */
  usage?: UsageSource;
  /** How long metered usage is kept per resolution (default: minutes 8 d, hours 400 d, days forever). */
  usageRetention?: UsageRetention;
}

export interface ControlPlane {
  /** Registers `/admin/api/v1/*` and `/internal/v1/*` into the host fastify server (encapsulated). */
  plugin: FastifyPluginAsync;
  /**
   * AdminService (Connect, gRPC-Web, gRPC) at `/cortex.admin.v1.AdminService/*`, for the host's HTTP
   * port and for an HTTP/2 cleartext server of its own (native gRPC, with `reflection`).
   */
  rpcPlugin(o?: Pick<RpcPluginOptions, 'corsOrigins' | 'reflection' | 'watchPollMs'>): FastifyPluginAsync;
  internal: ControlPlaneInternal;
  close(): Promise<void>;
}

export async function createControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const clock = opts.clock ?? systemClock;
  // Fail before touching the database when a secret is too weak to be one.
  if (opts.rootToken.length < 16) throw new Error('control plane: rootToken must be at least 16 characters');
  if (opts.clusterSecret.length < 16) throw new Error('control plane: clusterSecret must be at least 16 characters');
  if (opts.jwtSecrets !== undefined && (opts.jwtSecrets.length === 0 || opts.jwtSecrets.some((s) => s.length < 32))) {
    throw new Error('control plane: jwtSecrets needs at least one key, each at least 32 characters');
  }
  const log = opts.logger === false ? undefined : opts.logger;
  const migrate = opts.migrate ?? true;
  const opened = await openDatabase(opts.database, migrate);
  log?.info({ database: opts.database.kind, migrated: migrate }, 'control plane: database opened');
  if (opts.jwtSecrets === undefined) {
    log?.warn('control plane: no jwtSecrets configured; admin sessions use a per-process key and end on restart');
  }
  try {
    const store = new DrizzleStore(opened.db);
    const deps = { store, clock };
    const tenants = new TenantService(deps);
    const tokens = new TokenService(deps);
    const limits = new LimitsService({ ...deps, ...(opts.limitDefaults ? { limitDefaults: opts.limitDefaults } : {}) });
    const metering = new MeteringService({ ...deps, retention: opts.usageRetention });
    const services: Services = {
      tenants,
      tokens,
      limits,
      rules: new RulesService({
        ...deps,
        limits,
        ...(opts.ruleExprValidator ? { exprValidator: opts.ruleExprValidator } : {}),
      }),
      alertmanager: new AlertmanagerService({ ...deps, limits }),
      audit: new AuditService(deps),
      adminAuth: new AdminAuthService({ ...deps, rootToken: opts.rootToken }),
      seriesDeletion: new SeriesDeletionService({
        ...deps,
        tenants,
        deleter: opts.deleteSeries,
        lister: opts.listDeletions,
      }),
      usage: new UsageService({ limits, source: opts.usage }),
      metering,
      internal: createInternal({ ...deps, tokens, tenants, metering }),
      revisionOf: (feed) => store.read((r) => r.revisions.get(feed)),
    };
    const jwtSecrets = opts.jwtSecrets ?? [randomBytes(32).toString('base64url')];
    const plugin = controlPlanePlugin({ services, clusterSecret: opts.clusterSecret, jwtSecrets, clock });
    const rpcPlugin = (o: Pick<RpcPluginOptions, 'corsOrigins' | 'reflection' | 'watchPollMs'> = {}) =>
      adminRpcPlugin({
        ...o,
        services,
        jwtSecrets,
        clock,
        log: (err) => log?.error({ err }, 'control plane RPC failed'),
      });
    const pruneUsage = () =>
      metering.prune().catch((err: unknown) => log?.warn({ err }, 'control plane: pruning usage failed'));
    const pruning = setInterval(pruneUsage, 3_600_000);
    pruning.unref();
    return {
      plugin,
      rpcPlugin,
      internal: services.internal,
      close: () => {
        clearInterval(pruning);
        return opened.close();
      },
    };
  } catch (err) {
    await opened.close();
    throw err;
  }
}
