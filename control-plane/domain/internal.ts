import { parseTenantId, type TenantId } from '../../data-plane/model/index.js';
import { audit, type DomainDeps } from './context.js';
import type { MeteringService, UsageBatchInput, UsageReport, UsageReportQuery } from './metering.js';
import type { TenantService } from './tenants.js';
import type { AuthResult, TokenService } from './tokens.js';
import type { RuleGroup, StoredOverrides } from './types.js';

export interface OverridesFeed {
  revision: number;
  /** Only overridden keys, numbers (durations in ms) and lists of names; deleted tenants are absent. */
  tenants: Record<string, StoredOverrides>;
}

export interface RulesFeed {
  revision: number;
  tenants: Record<string, Array<{ namespace: string; group: RuleGroup; revision: number }>>;
}

export interface AlertmanagerFeed {
  revision: number;
  tenants: Record<string, { config: string; templates: Record<string, string>; revision: number }>;
}

export interface TenantsFeed {
  revision: number;
  tenants: Array<{ id: string; status: 'active' | 'suspended' }>;
  purges: Array<{ tenantId: string; requestedAt: string }>;
}

/**
 * The internal API as an in-process object, so a single-process server can skip HTTP. Every answer has
 * exactly the JSON shape of the matching `/internal/v1` route (docs/admin-api.md).
 */
export interface ControlPlaneInternal {
  /** Undefined when the token is unknown, malformed, revoked, expired or its tenant deleted. */
  authenticate(token: string): Promise<AuthResult | undefined>;
  overrides(): Promise<OverridesFeed>;
  rules(): Promise<RulesFeed>;
  alertmanager(): Promise<AlertmanagerFeed>;
  tenants(): Promise<TenantsFeed>;
  /** Throws NotFoundError when no purge is pending for the tenant. */
  completePurge(tenantId: string): Promise<void>;
  /** Applies a data-plane usage batch once per `(source, seq)`; `applied` is false for a repeat. */
  recordUsage(batch: UsageBatchInput): Promise<{ applied: boolean }>;
  /** A tenant's metered usage (what `GET /admin/api/v1/tenants/:id/usage/report` answers). */
  usageReport(tenantId: string, q: UsageReportQuery): Promise<UsageReport>;
  /** Records in the audit log that a gateway locked a source address or Basic-auth user. */
  recordAuthThrottle(e: AuthThrottleEvent): Promise<void>;
}

/** A gateway's failed-auth lock (`POST /internal/v1/auth-throttle`). */
export interface AuthThrottleEvent {
  kind: 'address' | 'user';
  /** The address, or the tenant ID the Basic-auth user claimed. */
  value: string;
  failures: number;
  /** ISO-8601: when the lock started and when it lifts. */
  at: string;
  until: string;
}

/**
 * Builds each feed from one consistent snapshot, so a revision always matches its content. The maps
 * are keyed by tenant ID, and `constructor` or `toString` are valid tenant IDs: they have no prototype.
 */
export function createInternal(
  deps: DomainDeps & { tokens: TokenService; tenants: TenantService; metering: MeteringService },
): ControlPlaneInternal {
  const { store } = deps;
  const live = async (r: Parameters<Parameters<typeof store.snapshot>[0]>[0]) =>
    new Set<TenantId>((await r.feed.tenants()).map((t) => t.id));
  return {
    authenticate: (token) => deps.tokens.authenticate(token),

    overrides: () =>
      store.snapshot(async (r) => {
        const alive = await live(r);
        const tenants: OverridesFeed['tenants'] = Object.create(null);
        for (const o of await r.feed.overrides()) {
          if (alive.has(o.tenantId) && Object.keys(o.overrides).length > 0) tenants[o.tenantId] = o.overrides;
        }
        return { revision: await r.revisions.get('overrides'), tenants };
      }),

    rules: () =>
      store.snapshot(async (r) => {
        const alive = await live(r);
        const tenants: RulesFeed['tenants'] = Object.create(null);
        for (const g of await r.feed.ruleGroups()) {
          if (!alive.has(g.tenantId)) continue;
          (tenants[g.tenantId] ??= []).push({ namespace: g.namespace, group: g.group, revision: g.revision });
        }
        return { revision: await r.revisions.get('rules'), tenants };
      }),

    alertmanager: () =>
      store.snapshot(async (r) => {
        const alive = await live(r);
        const tenants: AlertmanagerFeed['tenants'] = Object.create(null);
        for (const c of await r.feed.alertmanagerConfigs()) {
          if (alive.has(c.tenantId)) {
            tenants[c.tenantId] = { config: c.config, templates: ownCopy(c.templates), revision: c.revision };
          }
        }
        return { revision: await r.revisions.get('alertmanager'), tenants };
      }),

    tenants: () =>
      store.snapshot(async (r) => ({
        revision: await r.revisions.get('tenants'),
        tenants: (await r.feed.tenants()).map((t) => ({ id: t.id, status: t.status as 'active' | 'suspended' })),
        purges: (await r.purges.pending()).map((p) => ({
          tenantId: p.tenantId,
          requestedAt: new Date(p.requestedAt).toISOString(),
        })),
      })),

    completePurge: (tenantId) => deps.tenants.completePurge('internal', tenantId),

    recordUsage: async (batch) => ({ applied: await deps.metering.ingest(batch) }),
    usageReport: (tenantId, q) => deps.metering.report(tenantId, q),

    recordAuthThrottle: (e) =>
      store.transaction((r) =>
        audit(r, {
          at: deps.clock.now(),
          actor: 'gateway',
          action: 'auth.throttle',
          tenantId: e.kind === 'user' ? parseTenantId(e.value) : null,
          target: `${e.kind}:${e.value}`,
          after: { failures: e.failures, at: e.at, until: e.until },
        }),
      ),
  };
}

/** A prototype-free copy of a user-named map (template file names). */
function ownCopy(m: Readonly<Record<string, string>>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, m);
}
