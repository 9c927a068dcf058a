/** Domain values (ms timestamps, plain objects) ↔ the generated protobuf messages, at the RPC edge. */
import { create, fromJson, type JsonValue } from '@bufbuild/protobuf';
import { type Timestamp, timestampFromMs, timestampMs, ValueSchema } from '@bufbuild/protobuf/wkt';
import { BadDataError } from '../../data-plane/model/index.js';
import {
  AdminRole as AdminRoleMsg,
  type AdminToken,
  AdminTokenSchema,
  type AlertmanagerConfig as AlertmanagerConfigMsg,
  AlertmanagerConfigSchema,
  type AuditEvent,
  AuditEventSchema,
  type Limits,
  LimitsSchema,
  type LimitValue,
  type Tenant as TenantMsg,
  TenantSchema,
  TenantState,
  type Token,
  TokenSchema,
  type UsageSample as UsageSampleMsg,
  UsageSampleSchema,
} from '../../gen/cortex/admin/v1/admin_pb.js';
import { limitMapToProto, limitValueFromProto } from '../api/proto-values.js';
import type {
  AdminRole,
  AdminTokenInfo,
  AlertmanagerConfig,
  AuditEntry,
  LimitsView,
  Tenant,
  TenantStatus,
  TokenInfo,
  UsageSample,
} from '../domain/index.js';

const ts = (ms: number): Timestamp => timestampFromMs(ms);
/** Timestamps (JSON form) hold years 0001-9999; Prometheus's min and max time lie beyond. */
export const clampedTs = (ms: number): Timestamp =>
  ts(Math.min(Math.max(ms, -62_135_596_800_000), 253_402_300_799_000));
const tsOrUnset = (ms: number | null): Timestamp | undefined => (ms === null ? undefined : ts(ms));

/** An optional Timestamp as the REST API's ISO-8601 string (what the domain parses). */
export function isoOrUndefined(t: Timestamp | undefined): string | undefined {
  return t === undefined ? undefined : new Date(timestampMs(t)).toISOString();
}

const STATE_BY_STATUS: Readonly<Record<TenantStatus, TenantState>> = {
  active: TenantState.ACTIVE,
  suspended: TenantState.SUSPENDED,
  deleted: TenantState.DELETED,
};

export function statusOf(state: TenantState): TenantStatus | undefined {
  if (state === TenantState.ACTIVE) return 'active';
  if (state === TenantState.SUSPENDED) return 'suspended';
  if (state === TenantState.DELETED) return 'deleted';
  return undefined;
}

export function tenantMsg(t: Tenant): TenantMsg {
  return create(TenantSchema, {
    id: t.id,
    displayName: t.displayName,
    labels: { ...t.labels },
    state: STATE_BY_STATUS[t.status],
    createTime: ts(t.createdAt),
    updateTime: ts(t.updatedAt),
  });
}

export function tokenMsg(t: TokenInfo): Token {
  return create(TokenSchema, {
    id: t.id,
    tenantId: t.tenantId,
    name: t.name,
    prefix: t.prefix,
    scopes: [...t.scopes],
    federate: [...t.federate],
    createTime: ts(t.createdAt),
    lastUseTime: tsOrUnset(t.lastUsedAt),
    expireTime: tsOrUnset(t.expiresAt),
    revokeTime: tsOrUnset(t.revokedAt),
    createdBy: t.createdBy,
  });
}

export function adminTokenMsg(t: AdminTokenInfo): AdminToken {
  return create(AdminTokenSchema, {
    id: t.id,
    name: t.name,
    role: t.role === 'viewer' ? AdminRoleMsg.VIEWER : AdminRoleMsg.ADMIN,
    prefix: t.prefix,
    createTime: ts(t.createdAt),
    createdBy: t.createdBy,
    lastUseTime: tsOrUnset(t.lastUsedAt),
    expireTime: tsOrUnset(t.expiresAt),
    revokeTime: tsOrUnset(t.revokedAt),
  });
}

/** UNSPECIFIED is the default role, admin; unknown numbers are refused. */
export function adminRoleOf(r: AdminRoleMsg): AdminRole {
  if (r === AdminRoleMsg.UNSPECIFIED || r === AdminRoleMsg.ADMIN) return 'admin';
  if (r === AdminRoleMsg.VIEWER) return 'viewer';
  throw new BadDataError(`role: unknown value ${Number(r)}; valid: ADMIN_ROLE_ADMIN, ADMIN_ROLE_VIEWER`);
}

export function limitsMsg(v: LimitsView): Limits {
  return create(LimitsSchema, {
    tenantId: v.tenantId,
    limits: limitMapToProto(v.limits),
    overridden: v.overridden,
    defaults: limitMapToProto(v.defaults),
  });
}

/** Limit values as the REST body carries them (number or duration string; unset: undefined, refused). */
export function limitsIn(values: Record<string, LimitValue>): Record<string, unknown> {
  // Keys are caller-chosen: no prototype for `__proto__` to reach.
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(values)) out[k] = limitValueFromProto(v);
  return out;
}

export function alertmanagerMsg(c: AlertmanagerConfig): AlertmanagerConfigMsg {
  return create(AlertmanagerConfigSchema, {
    config: c.config,
    templates: { ...c.templates },
    revision: BigInt(c.revision),
  });
}

/** What the audit log stored (jsonb) as a protobuf Value; anything not JSON-shaped becomes null. */
function jsonValue(v: unknown) {
  try {
    return fromJson(ValueSchema, (v ?? null) as JsonValue);
  } catch {
    return fromJson(ValueSchema, null);
  }
}

export function auditMsg(e: AuditEntry): AuditEvent {
  return create(AuditEventSchema, {
    id: BigInt(e.id),
    time: ts(e.at),
    actor: e.actor,
    action: e.action,
    tenantId: e.tenantId ?? '',
    target: e.target ?? '',
    before: jsonValue(e.before),
    after: jsonValue(e.after),
  });
}

export function usageSampleMsg(s: UsageSample): UsageSampleMsg {
  return create(UsageSampleSchema, {
    time: ts(s.at),
    activeSeries: BigInt(Math.round(s.activeSeries)),
    ingestionRate: s.ingestionRate,
  });
}

/** AIP-158 page size: 0 means the default; larger than the maximum is coerced down; negative is refused. */
export function pageSize(n: number, def = 100, max = 1000): number {
  if (n < 0) throw new BadDataError(`page_size: must not be negative, got ${n}`);
  return n === 0 ? def : Math.min(n, max);
}
