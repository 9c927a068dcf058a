/**
 * AdminService over the control plane's domain services: the same calls the REST routes make, with
 * protobuf messages in and out (convert.ts). Authentication and error mapping are the interceptor's
 * (auth.ts); every mutation is audited once, by the domain service it calls.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import { BadDataError, NotFoundError } from '../../data-plane/model/index.js';
import { type AdminService, TenantState, UsageResolution } from '../../gen/cortex/admin/v1/admin_pb.js';
import { ruleGroupFromProto, ruleGroupToProto } from '../api/proto-values.js';
import type { AttributedUsage } from '../domain/index.js';
import type { Services } from '../routes/index.js';
import { actorOf } from './auth.js';
import {
  adminRoleOf,
  adminTokenMsg,
  alertmanagerMsg,
  auditMsg,
  clampedTs,
  isoOrUndefined,
  limitsIn,
  limitsMsg,
  pageSize,
  statusOf,
  tenantMsg,
  tokenMsg,
  usageSampleMsg,
} from './convert.js';

/** How often WatchAuditEvents looks for new entries (the log is in Postgres, shared by every process). */
export const WATCH_POLL_MS = 500;
const WATCH_BATCH = 500;

const TENANT_FIELDS = new Set(['display_name', 'labels', 'state']);

const orUndefined = (s: string): string | undefined => (s === '' ? undefined : s);

function required<T>(v: T | undefined, field: string): T {
  if (v === undefined) throw new BadDataError(`${field}: required`);
  return v;
}

function resolutionOf(r: UsageResolution): 'minute' | 'hour' | 'day' {
  if (r === UsageResolution.MINUTE) return 'minute';
  if (r === UsageResolution.HOUR) return 'hour';
  if (r === UsageResolution.DAY || r === UsageResolution.UNSPECIFIED) return 'day';
  throw new BadDataError(`resolution: unknown value ${Number(r)}`);
}

/** Resolves after `ms`, or at once when the call ends (its signal aborts). */
function pause(ms: number, ctx: HandlerContext): Promise<void> {
  return sleep(ms, undefined, { signal: ctx.signal }).catch(() => {});
}

export function adminService(services: Services, watchPollMs = WATCH_POLL_MS): ServiceImpl<typeof AdminService> {
  const { tenants, tokens, limits, rules, alertmanager, audit, seriesDeletion, usage, adminAuth, metering } = services;
  return {
    async createTenant(req, ctx) {
      const t = await tenants.create(actorOf(ctx), { id: req.id, displayName: req.displayName, labels: req.labels });
      return { tenant: tenantMsg(t) };
    },

    async getTenant(req) {
      return { tenant: tenantMsg(await tenants.get(req.id)) };
    },

    async listTenants(req) {
      const status = req.state === TenantState.UNSPECIFIED ? undefined : statusOf(req.state);
      if (req.state !== TenantState.UNSPECIFIED && status === undefined) {
        throw new BadDataError(`state: unknown value ${req.state}`);
      }
      const page = await tenants.list({
        limit: pageSize(req.pageSize),
        ...(status === undefined ? {} : { status }),
        ...(req.pageToken === '' ? {} : { cursor: req.pageToken }),
      });
      return { tenants: page.items.map(tenantMsg), nextPageToken: page.nextCursor ?? '' };
    },

    async updateTenant(req, ctx) {
      const tenant = required(req.tenant, 'tenant');
      const paths = req.updateMask?.paths.length ? req.updateMask.paths : ['display_name', 'labels'];
      for (const p of paths) {
        if (!TENANT_FIELDS.has(p)) {
          throw new BadDataError(`update_mask: unknown or immutable field ${JSON.stringify(p.slice(0, 60))}`);
        }
      }
      const actor = actorOf(ctx);
      if (paths.includes('state')) {
        if (paths.length > 1) throw new BadDataError('update_mask: change "state" in a call of its own');
        if (tenant.state === TenantState.ACTIVE) return { tenant: tenantMsg(await tenants.resume(actor, tenant.id)) };
        if (tenant.state === TenantState.SUSPENDED) {
          return { tenant: tenantMsg(await tenants.suspend(actor, tenant.id)) };
        }
        throw new BadDataError('tenant.state: only ACTIVE (resume) or SUSPENDED (suspend); delete with DeleteTenant');
      }
      const patch: { displayName?: string; labels?: Record<string, string> } = {};
      if (paths.includes('display_name')) patch.displayName = tenant.displayName;
      if (paths.includes('labels')) patch.labels = tenant.labels;
      return { tenant: tenantMsg(await tenants.update(actor, tenant.id, patch)) };
    },

    async deleteTenant(req, ctx) {
      return { tenant: tenantMsg(await tenants.delete(actorOf(ctx), req.id)) };
    },

    async createToken(req, ctx) {
      const expiresAt = isoOrUndefined(req.expireTime);
      const created = await tokens.create(actorOf(ctx), req.tenantId, {
        scopes: req.scopes,
        name: req.name,
        ...(expiresAt === undefined ? {} : { expiresAt }),
        ...(req.federate.length === 0 ? {} : { federate: req.federate }),
      });
      return { token: tokenMsg(created), secret: created.token };
    },

    async listTokens(req) {
      return { tokens: (await tokens.list(req.tenantId)).map(tokenMsg) };
    },

    async revokeToken(req, ctx) {
      return { token: tokenMsg(await tokens.revoke(actorOf(ctx), req.tenantId, req.tokenId)) };
    },

    async getLimits(req) {
      return { limits: limitsMsg(await limits.get(req.tenantId)) };
    },

    async setLimits(req, ctx) {
      const body = limitsIn(req.limits);
      const view = req.replace
        ? await limits.put(actorOf(ctx), req.tenantId, body)
        : await limits.patch(actorOf(ctx), req.tenantId, body);
      return { limits: limitsMsg(view) };
    },

    async resetLimits(req, ctx) {
      const actor = actorOf(ctx);
      const view =
        req.keys.length === 0
          ? await limits.put(actor, req.tenantId, {})
          : await limits.patch(actor, req.tenantId, Object.fromEntries(req.keys.map((k) => [k, null])));
      return { limits: limitsMsg(view) };
    },

    async listRuleGroups(req) {
      const byNs = await rules.list(req.tenantId);
      const namespaces = Object.keys(byNs)
        .filter((ns) => req.namespace === '' || ns === req.namespace)
        .sort();
      return { ruleGroups: namespaces.flatMap((ns) => byNs[ns]!.map((g) => ruleGroupToProto(ns, g))) };
    },

    async getRuleGroup(req) {
      const group = (await rules.namespace(req.tenantId, req.namespace)).find((g) => g.name === req.name);
      if (!group) {
        throw new NotFoundError(
          `no rule group ${JSON.stringify(req.name)} in namespace ${JSON.stringify(req.namespace)}`,
        );
      }
      return { ruleGroup: ruleGroupToProto(req.namespace, group) };
    },

    async setRuleGroup(req, ctx) {
      const g = required(req.ruleGroup, 'rule_group');
      const stored = await rules.put(actorOf(ctx), req.tenantId, g.namespace, g.name, { ...ruleGroupFromProto(g) });
      return { ruleGroup: ruleGroupToProto(g.namespace, stored) };
    },

    async deleteRuleGroup(req, ctx) {
      await rules.deleteGroup(actorOf(ctx), req.tenantId, req.namespace, req.name);
      return {};
    },

    async deleteRuleNamespace(req, ctx) {
      await rules.deleteNamespace(actorOf(ctx), req.tenantId, req.namespace);
      return {};
    },

    async getAlertmanagerConfig(req) {
      return { alertmanagerConfig: alertmanagerMsg(await alertmanager.get(req.tenantId)) };
    },

    async setAlertmanagerConfig(req, ctx) {
      const c = required(req.alertmanagerConfig, 'alertmanager_config');
      const stored = await alertmanager.put(actorOf(ctx), req.tenantId, { config: c.config, templates: c.templates });
      return { alertmanagerConfig: alertmanagerMsg(stored) };
    },

    async deleteAlertmanagerConfig(req, ctx) {
      await alertmanager.delete(actorOf(ctx), req.tenantId);
      return {};
    },

    async deleteSeries(req, ctx) {
      const r = await seriesDeletion.delete(actorOf(ctx), req.tenantId, {
        match: req.matchers,
        start: orUndefined(req.start),
        end: orUndefined(req.end),
      });
      return {
        tenantId: r.tenantId,
        selectors: r.selectors,
        startTime: clampedTs(r.start),
        endTime: clampedTs(r.end),
        samplesRemovedFromMemory: BigInt(r.samplesRemovedFromMemory),
      };
    },

    async listSeriesDeletions(req) {
      const items = await seriesDeletion.list(req.tenantId);
      return {
        seriesDeletions: items.map((d) => ({
          id: d.id,
          selector: d.selector,
          startTime: clampedTs(d.start),
          endTime: clampedTs(d.end),
        })),
      };
    },

    async listAuditEvents(req) {
      const since = req.startTime === undefined ? undefined : String(timestampMs(req.startTime) / 1000);
      const until = req.endTime === undefined ? undefined : String(timestampMs(req.endTime) / 1000);
      const page = await audit.list({
        limit: pageSize(req.pageSize),
        ...(req.pageToken === '' ? {} : { cursor: req.pageToken }),
        ...(req.tenantId === '' ? {} : { tenant: req.tenantId }),
        ...(req.actor === '' ? {} : { actor: req.actor }),
        ...(req.action === '' ? {} : { action: req.action }),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
      });
      return { auditEvents: page.items.map(auditMsg), nextPageToken: page.nextCursor ?? '' };
    },

    async *watchAuditEvents(req, ctx) {
      const filter = {
        ...(req.tenantId === '' ? {} : { tenant: req.tenantId }),
        ...(req.action === '' ? {} : { action: req.action }),
      };
      let last = await audit.latestId();
      while (!ctx.signal.aborted) {
        const entries = await audit.after(last, filter, WATCH_BATCH);
        for (const e of entries) {
          last = e.id;
          yield { auditEvent: auditMsg(e) };
        }
        // A full batch means more are waiting: read on at once.
        if (entries.length < WATCH_BATCH) await pause(watchPollMs, ctx);
      }
    },

    async getUsage(req) {
      const u = await usage.get(req.tenantId);
      return {
        tenantId: u.tenantId,
        current: usageSampleMsg(u.current),
        maxActiveSeries: BigInt(Math.round(u.maxActiveSeries)),
        ingestionRateLimit: u.ingestionRateLimit,
        history: u.history.map(usageSampleMsg),
      };
    },

    async getUsageReport(req) {
      const by = resolutionOf(req.resolution);
      const r = await metering.report(req.tenantId, {
        from: required(isoOrUndefined(req.startTime), 'start_time'),
        to: required(isoOrUndefined(req.endTime), 'end_time'),
        by,
      });
      const counters = (c: Record<string, number>) =>
        Object.fromEntries(Object.entries(c).map(([k, v]) => [k, BigInt(v)]));
      const attributed = (a: AttributedUsage) => ({
        labels: { ...a.labels },
        counters: counters(a.counters),
        activeSeriesAvg: a.activeSeriesAvg,
      });
      return {
        tenantId: r.tenantId,
        resolution: req.resolution === UsageResolution.UNSPECIFIED ? UsageResolution.DAY : req.resolution,
        startTime: timestampFromMs(r.from),
        endTime: timestampFromMs(r.to),
        buckets: r.buckets.map((b) => ({
          startTime: timestampFromMs(b.start),
          counters: counters(b.counters),
          activeSeriesAvg: b.activeSeriesAvg,
          attribution: (b.attribution ?? []).map(attributed),
        })),
        totals: counters(r.totals),
        activeSeriesAvg: r.activeSeriesAvg,
        attribution: r.attribution.map(attributed),
      };
    },

    async createAdminToken(req, ctx) {
      const expiresAt = isoOrUndefined(req.expireTime);
      const created = await adminAuth.create(actorOf(ctx), {
        name: req.name,
        role: adminRoleOf(req.role),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
      return { adminToken: adminTokenMsg(created), secret: created.token };
    },

    async listAdminTokens() {
      return { adminTokens: (await adminAuth.list()).map(adminTokenMsg) };
    },

    async revokeAdminToken(req, ctx) {
      return { adminToken: adminTokenMsg(await adminAuth.revoke(actorOf(ctx), req.id)) };
    },
  };
}
