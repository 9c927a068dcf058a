/**
 * Storage contracts of the control-plane domain. The drizzle implementations live in
 * control-plane/db/repositories; the domain never imports drizzle. Repositories that hold
 * tenant-owned rows are bound to one tenant when obtained (`tokens(tenantId)`), and every query they
 * run is filtered by that tenant, so one tenant's handle can never read or change another's rows.
 */
import type { TenantId } from '../../data-plane/model/index.js';
import type {
  AdminRole,
  AdminTokenInfo,
  AlertmanagerConfig,
  AuditEntry,
  AuditFilter,
  Feed,
  NewAuditEntry,
  PurgeRequest,
  RuleGroup,
  StoredOverrides,
  StoredRuleGroup,
  Tenant,
  TenantStatus,
  TokenInfo,
} from './types.js';

export interface TenantRepository {
  /** Throws ConflictError when the ID exists (in any status). */
  insert(t: Tenant): Promise<void>;
  get(id: TenantId): Promise<Tenant | undefined>;
  /** Like get, but locks the row until the surrounding transaction ends. */
  getForUpdate(id: TenantId): Promise<Tenant | undefined>;
  /** Ordered by id; `after` is exclusive. */
  list(q: { status?: TenantStatus; after?: string; limit: number }): Promise<Tenant[]>;
  update(
    id: TenantId,
    patch: Partial<Pick<Tenant, 'displayName' | 'labels' | 'status'>>,
    at: number,
  ): Promise<Tenant | undefined>;
  /** Removes the row and, by cascade, every tenant-owned row. */
  remove(id: TenantId): Promise<void>;
}

export interface NewToken {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly secretHash: string;
  readonly scopes: readonly string[];
  /** Federation grant (tenant tokens only); absent or empty = none. */
  readonly federate?: readonly string[];
  readonly createdAt: number;
  readonly createdBy: string;
  readonly expiresAt: number | null;
}

/** Tokens of one tenant. */
export interface TenantTokenRepository {
  insert(t: NewToken): Promise<TokenInfo>;
  list(): Promise<TokenInfo[]>;
  get(id: string): Promise<TokenInfo | undefined>;
  /** Sets revokedAt if unset; returns the token, or undefined when it is not this tenant's. */
  revoke(id: string, at: number): Promise<TokenInfo | undefined>;
  revokeAll(at: number): Promise<number>;
}

/** Cross-tenant token lookup by secret hash, used only by authentication. */
export interface TokenLookup {
  findByHash(
    secretHash: string,
  ): Promise<{ token: TokenInfo; secretHash: string; tenantStatus: TenantStatus } | undefined>;
  /** The status of each of these tenants that exists (one statement; for federation grants). */
  statuses(ids: readonly string[]): Promise<Map<string, TenantStatus>>;
  /** Sets lastUsedAt = at when it is null or older than `staleBefore` (keeps auth mostly read-only). */
  touch(id: string, at: number, staleBefore: number): Promise<void>;
}

export interface AdminTokenRepository {
  insert(t: NewToken & { role: AdminRole }): Promise<AdminTokenInfo>;
  list(): Promise<AdminTokenInfo[]>;
  get(id: string): Promise<AdminTokenInfo | undefined>;
  revoke(id: string, at: number): Promise<AdminTokenInfo | undefined>;
  findByHash(secretHash: string): Promise<{ token: AdminTokenInfo; secretHash: string } | undefined>;
  touch(id: string, at: number, staleBefore: number): Promise<void>;
}

/** Limit overrides of one tenant: only overridden keys, numbers (durations in ms). */
export interface TenantLimitsRepository {
  get(): Promise<StoredOverrides>;
  set(overrides: StoredOverrides, at: number): Promise<void>;
}

/** Rule groups of one tenant. */
export interface TenantRuleGroupRepository {
  list(namespace?: string): Promise<StoredRuleGroup[]>;
  get(namespace: string, name: string): Promise<StoredRuleGroup | undefined>;
  count(): Promise<number>;
  put(namespace: string, group: RuleGroup, revision: number, at: number): Promise<void>;
  delete(namespace: string, name: string): Promise<boolean>;
  deleteNamespace(namespace: string): Promise<number>;
}

/** The Alertmanager config of one tenant. */
export interface TenantAlertmanagerRepository {
  get(): Promise<AlertmanagerConfig | undefined>;
  put(c: AlertmanagerConfig, at: number): Promise<void>;
  delete(): Promise<boolean>;
}

export interface AuditRepository {
  append(e: NewAuditEntry): Promise<void>;
  /** Newest first; oldest first when `after` is given. */
  list(f: AuditFilter): Promise<AuditEntry[]>;
}

export interface PurgeRepository {
  request(tenantId: TenantId, at: number): Promise<void>;
  pending(): Promise<PurgeRequest[]>;
  /** Marks the pending request done; false when there is none. */
  complete(tenantId: TenantId, at: number): Promise<boolean>;
}

export interface RevisionRepository {
  /** Increments and returns the feed's revision; call inside the transaction that makes the change. */
  bump(feed: Feed): Promise<number>;
  get(feed: Feed): Promise<number>;
}

/** Whole-cluster reads for the internal change feed (never reachable from tenant-facing code). */
export interface FeedRepository {
  tenants(): Promise<Array<{ id: TenantId; status: TenantStatus }>>;
  overrides(): Promise<Array<{ tenantId: TenantId; overrides: StoredOverrides }>>;
  ruleGroups(): Promise<Array<StoredRuleGroup & { tenantId: TenantId }>>;
  alertmanagerConfigs(): Promise<Array<AlertmanagerConfig & { tenantId: TenantId }>>;
}

/** Metered usage counters (long format) and the keys of the batches applied. */
export interface UsageRepository {
  /**
   * Adds the rows to their minute, hour and day buckets unless batch `(source, seq)` was applied
   * before; returns whether it was applied now. Call inside a transaction.
   */
  applyBatch(
    source: string,
    seq: number,
    rows: ReadonlyArray<{ tenantId: TenantId; minuteMs: number; counters: Readonly<Record<string, number>> }>,
    at: number,
  ): Promise<boolean>;
  /** The tenant's buckets of one resolution in [fromMs, toMs), any order. */
  list(
    tenantId: TenantId,
    resolution: 'minute' | 'hour' | 'day',
    fromMs: number,
    toMs: number,
  ): Promise<Array<{ bucketMs: number; metric: string; value: number }>>;
  /** Deletes buckets of the resolution older than `beforeMs`; returns how many rows. */
  prune(resolution: 'minute' | 'hour' | 'day', beforeMs: number): Promise<number>;
  pruneBatches(beforeMs: number): Promise<void>;
}

export interface Repositories {
  readonly tenants: TenantRepository;
  tokens(tenantId: TenantId): TenantTokenRepository;
  readonly tokenLookup: TokenLookup;
  readonly adminTokens: AdminTokenRepository;
  limits(tenantId: TenantId): TenantLimitsRepository;
  rules(tenantId: TenantId): TenantRuleGroupRepository;
  alertmanager(tenantId: TenantId): TenantAlertmanagerRepository;
  readonly audit: AuditRepository;
  readonly purges: PurgeRepository;
  readonly revisions: RevisionRepository;
  readonly feed: FeedRepository;
  readonly usage: UsageRepository;
}

/** Unit of work: `transaction` runs fn atomically; `snapshot` gives a consistent read-only view. */
export interface Store {
  read<T>(fn: (r: Repositories) => Promise<T>): Promise<T>;
  transaction<T>(fn: (r: Repositories) => Promise<T>): Promise<T>;
  snapshot<T>(fn: (r: Repositories) => Promise<T>): Promise<T>;
}
