import { type Timestamp, timestampDate, timestampFromMs } from '@bufbuild/protobuf/wkt';
import { type CallOptions, type Client, Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import {
  limitMapToProto,
  limitValueFromProto,
  type PromRuleGroup,
  ruleGroupFromProto,
  ruleGroupToProto,
} from '../../control-plane/api/proto-values.js';
import {
  AdminRole,
  AdminService,
  type AdminToken as AdminTokenMsg,
  type AlertmanagerConfig as AlertmanagerConfigMsg,
  ErrorDetailSchema,
  type Limits,
  type LimitValue as LimitValueMsg,
  type Tenant as TenantMsg,
  TenantState,
  type Token as TokenMsg,
  UsageResolution,
} from '../../gen/cortex/admin/v1/admin_pb.js';
import { ApiError, TransportError } from './errors.js';
import { describeCause, type HttpOptions, HttpTransport } from './http.js';

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86_400e3, w: 604_800e3 };

/** `now` and `now-2h` become unix seconds; anything else (unix seconds, RFC 3339) goes as it is. */
export function resolveTime(s: string, now: number): string {
  const m = /^now(?:-(\d+)([smhdw]))?$/.exec(s.trim());
  if (!m) return s;
  const ms = m[1] === undefined ? now : now - Number(m[1]) * UNIT_MS[m[2]!]!;
  return String(ms / 1000);
}

// What the CLI prints (`-o json|yaml` and tables): the admin API's resource shapes, made from the
// generated messages here, so output stays what the REST API shows (docs/admin-api.md).

const iso = (t: Timestamp | undefined): string | null => (t === undefined ? null : timestampDate(t).toISOString());

export type TenantStatus = 'active' | 'suspended' | 'deleted';
const STATUS: Readonly<Record<TenantState, TenantStatus | 'unspecified'>> = {
  [TenantState.UNSPECIFIED]: 'unspecified',
  [TenantState.ACTIVE]: 'active',
  [TenantState.SUSPENDED]: 'suspended',
  [TenantState.DELETED]: 'deleted',
};
const STATE: Readonly<Record<TenantStatus, TenantState>> = {
  active: TenantState.ACTIVE,
  suspended: TenantState.SUSPENDED,
  deleted: TenantState.DELETED,
};

export function tenantView(t: TenantMsg) {
  return {
    id: t.id,
    displayName: t.displayName,
    labels: { ...t.labels },
    status: STATUS[t.state],
    createdAt: iso(t.createTime),
    updatedAt: iso(t.updateTime),
  };
}
export type Tenant = ReturnType<typeof tenantView>;

export function tokenView(t: TokenMsg) {
  return {
    id: t.id,
    tenantId: t.tenantId,
    name: t.name,
    prefix: t.prefix,
    scopes: [...t.scopes],
    federate: [...t.federate],
    createdAt: iso(t.createTime),
    createdBy: t.createdBy,
    lastUsedAt: iso(t.lastUseTime),
    expiresAt: iso(t.expireTime),
    revokedAt: iso(t.revokeTime),
  };
}
export type Token = ReturnType<typeof tokenView>;

export function adminTokenView(t: AdminTokenMsg) {
  return {
    id: t.id,
    name: t.name,
    role: t.role === AdminRole.VIEWER ? ('viewer' as const) : ('admin' as const),
    prefix: t.prefix,
    createdAt: iso(t.createTime),
    createdBy: t.createdBy,
    lastUsedAt: iso(t.lastUseTime),
    expiresAt: iso(t.expireTime),
    revokedAt: iso(t.revokeTime),
  };
}
export type AdminToken = ReturnType<typeof adminTokenView>;

export type LimitValue = number | string | string[];
function limitMap(m: Record<string, LimitValueMsg>): Record<string, LimitValue> {
  const out: Record<string, LimitValue> = {};
  for (const [k, v] of Object.entries(m)) {
    const value = limitValueFromProto(v);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

export function limitsView(l: Limits | undefined) {
  return {
    tenantId: l?.tenantId ?? '',
    limits: limitMap(l?.limits ?? {}),
    overridden: [...(l?.overridden ?? [])],
    defaults: limitMap(l?.defaults ?? {}),
  };
}
export type TenantLimits = ReturnType<typeof limitsView>;

/** An Alertmanager configuration: YAML, templates by name, and (from the server) its revision. */
export interface AlertmanagerConfig {
  config: string;
  templates: Record<string, string>;
  revision?: number;
}
function alertmanagerView(c: AlertmanagerConfigMsg | undefined): AlertmanagerConfig {
  return { config: c?.config ?? '', templates: { ...c?.templates }, revision: Number(c?.revision ?? 0) };
}

const SERVICE_PATH = `/${AdminService.typeName}/`;

/** The HTTP status the REST API gives the same failure; the CLI's messages and exit codes use it. */
const STATUS_BY_CODE: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.FailedPrecondition]: 409,
  [Code.ResourceExhausted]: 429,
  [Code.Unavailable]: 503,
};

/** A failed call as ApiError (the server said no) or TransportError (no answer at all). */
function callError(err: unknown, address: string, method: string): Error {
  const ce = ConnectError.from(err);
  const detail = ce.findDetails(ErrorDetailSchema)[0];
  const path = SERVICE_PATH + method;
  if (detail === undefined && (ce.code === Code.Unavailable || ce.code === Code.DeadlineExceeded || ce.cause)) {
    const why = ce.code === Code.DeadlineExceeded ? 'request timed out' : describeCause(ce.cause ?? ce);
    return new TransportError(`cannot reach ${address}: ${why}`, 'POST', path, { cause: err });
  }
  if (detail === undefined && ce.code === Code.Unimplemented) {
    const message = `${address} does not serve the admin RPC API (${AdminService.typeName}); is it an older cortex-ts server?`;
    return new ApiError(404, 'not_found', message, 'POST', path);
  }
  const status = STATUS_BY_CODE[ce.code] ?? 500;
  const kind = detail?.kind || Code[ce.code] || 'internal';
  return new ApiError(status, kind, detail?.message ?? ce.rawMessage, 'POST', path, detail?.id || undefined);
}

type Rpc = Client<typeof AdminService>;

/**
 * The admin API client of the CLI: AdminService (proto/cortex/admin/v1/admin.proto) through the
 * generated Connect client, Connect protocol over HTTP/1.1; answers as the resource shapes above.
 * Plain HTTP (`http`) stays for what is not the admin API: `/ready`, build info, `/ring`.
 */
export class AdminClient {
  readonly http: HttpTransport;
  readonly #rpc: Rpc;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(opts: HttpOptions) {
    this.http = new HttpTransport(opts);
    this.#headers = {};
    if (opts.token !== undefined) this.#headers.authorization = `Bearer ${opts.token}`;
    if (opts.userAgent !== undefined) this.#headers['user-agent'] = opts.userAgent;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#rpc = createClient(
      AdminService,
      createConnectTransport({ baseUrl: this.http.address, httpVersion: '1.1', useBinaryFormat: true }),
    );
  }

  get address(): string {
    return this.http.address;
  }

  /** One call of the generated client, with the credentials; errors as ApiError/TransportError. */
  async #call<M extends keyof Rpc & string>(
    method: M,
    req: Parameters<Rpc[M]>[0],
  ): Promise<Awaited<ReturnType<Extract<Rpc[M], (...a: never[]) => Promise<unknown>>>>> {
    const fn = this.#rpc[method] as unknown as (r: unknown, o: CallOptions) => Promise<never>;
    try {
      return await fn.call(this.#rpc, req, { headers: this.#headers, timeoutMs: this.#timeoutMs });
    } catch (err) {
      throw callError(err, this.address, method[0]!.toUpperCase() + method.slice(1));
    }
  }

  async createTenant(body: { id: string; displayName?: string; labels?: Record<string, string> }): Promise<Tenant> {
    const r = await this.#call('createTenant', body);
    return tenantView(r.tenant!);
  }

  async listTenants(q: { status?: TenantStatus; limit?: number; cursor?: string } = {}) {
    const r = await this.#call('listTenants', {
      pageSize: q.limit ?? 100,
      pageToken: q.cursor ?? '',
      state: q.status === undefined ? TenantState.UNSPECIFIED : STATE[q.status],
    });
    return { items: r.tenants.map(tenantView), nextCursor: r.nextPageToken === '' ? null : r.nextPageToken };
  }

  /** Follows the page tokens until the last page. */
  async listAllTenants(q: { status?: TenantStatus } = {}): Promise<Tenant[]> {
    const out: Tenant[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Tenant[]; nextCursor: string | null } = await this.listTenants({
        ...q,
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  async getTenant(id: string): Promise<Tenant> {
    return tenantView((await this.#call('getTenant', { id })).tenant!);
  }

  async updateTenant(id: string, body: { displayName?: string; labels?: Record<string, string> }): Promise<Tenant> {
    const paths = [...(body.displayName !== undefined ? ['display_name'] : []), ...(body.labels ? ['labels'] : [])];
    const r = await this.#call('updateTenant', {
      tenant: { id, displayName: body.displayName ?? '', labels: body.labels ?? {} },
      updateMask: { paths },
    });
    return tenantView(r.tenant!);
  }

  async #setState(id: string, state: TenantState): Promise<Tenant> {
    const r = await this.#call('updateTenant', {
      tenant: { id, state },
      updateMask: { paths: ['state'] },
    });
    return tenantView(r.tenant!);
  }

  suspendTenant(id: string): Promise<Tenant> {
    return this.#setState(id, TenantState.SUSPENDED);
  }

  resumeTenant(id: string): Promise<Tenant> {
    return this.#setState(id, TenantState.ACTIVE);
  }

  async deleteTenant(id: string): Promise<Tenant> {
    return tenantView((await this.#call('deleteTenant', { id })).tenant!);
  }

  /**
   * Operator delete-series: hides the tenant's matching samples in `[start, end]` from queries at
   * once; storage drops them later. `start`/`end` may also be `now`, or `now-<n><s|m|h|d|w>`.
   */
  async deleteSeries(tenantId: string, req: { match: string[]; start?: string; end?: string }, now = Date.now()) {
    const r = await this.#call('deleteSeries', {
      tenantId,
      matchers: req.match,
      start: req.start === undefined ? '' : resolveTime(req.start, now),
      end: req.end === undefined ? '' : resolveTime(req.end, now),
    });
    return {
      tenantId: r.tenantId,
      selectors: r.selectors,
      start: iso(r.startTime),
      end: iso(r.endTime),
      samplesRemovedFromMemory: Number(r.samplesRemovedFromMemory),
    };
  }

  async createToken(
    tenantId: string,
    body: { scopes: string[]; name?: string; expiresAt?: string; federate?: string[] },
  ) {
    const r = await this.#call('createToken', {
      tenantId,
      scopes: body.scopes,
      name: body.name ?? '',
      federate: body.federate ?? [],
      ...(body.expiresAt === undefined ? {} : { expireTime: timestampFromMs(Date.parse(body.expiresAt)) }),
    });
    return { ...tokenView(r.token!), token: r.secret };
  }

  async listTokens(tenantId: string): Promise<Token[]> {
    return (await this.#call('listTokens', { tenantId })).tokens.map(tokenView);
  }

  async revokeToken(tenantId: string, tokenId: string): Promise<Token> {
    const r = await this.#call('revokeToken', { tenantId, tokenId });
    return tokenView(r.token!);
  }

  /** Metered usage of a tenant in [fromMs, toMs), by minute, hour or day. */
  async getUsageReport(tenantId: string, q: { fromMs: number; toMs: number; by: 'minute' | 'hour' | 'day' }) {
    const resolution = { minute: UsageResolution.MINUTE, hour: UsageResolution.HOUR, day: UsageResolution.DAY }[q.by];
    const r = await this.#call('getUsageReport', {
      tenantId,
      startTime: timestampFromMs(q.fromMs),
      endTime: timestampFromMs(q.toMs),
      resolution,
    });
    const counters = (c: Record<string, bigint>) =>
      Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Number(v)])) as Record<string, number>;
    const attributed = (a: {
      labels: Record<string, string>;
      counters: Record<string, bigint>;
      activeSeriesAvg: number;
    }) => ({
      labels: { ...a.labels },
      counters: counters(a.counters),
      activeSeriesAvg: a.activeSeriesAvg,
    });
    return {
      tenantId: r.tenantId,
      by: q.by,
      from: iso(r.startTime),
      to: iso(r.endTime),
      buckets: r.buckets.map((b) => ({
        start: iso(b.startTime),
        counters: counters(b.counters),
        activeSeriesAvg: b.activeSeriesAvg,
        ...(b.attribution.length > 0 ? { attribution: b.attribution.map(attributed) } : {}),
      })),
      totals: counters(r.totals),
      activeSeriesAvg: r.activeSeriesAvg,
      attribution: r.attribution.map(attributed),
    };
  }

  async createAdminToken(body: { name: string; role: 'admin' | 'viewer'; expiresAt?: string }) {
    const r = await this.#call('createAdminToken', {
      name: body.name,
      role: body.role === 'viewer' ? AdminRole.VIEWER : AdminRole.ADMIN,
      ...(body.expiresAt === undefined ? {} : { expireTime: timestampFromMs(Date.parse(body.expiresAt)) }),
    });
    return { ...adminTokenView(r.adminToken!), token: r.secret };
  }

  async listAdminTokens(): Promise<AdminToken[]> {
    return (await this.#call('listAdminTokens', {})).adminTokens.map(adminTokenView);
  }

  async revokeAdminToken(id: string): Promise<AdminToken> {
    return adminTokenView((await this.#call('revokeAdminToken', { id })).adminToken!);
  }

  async getLimits(tenantId: string): Promise<TenantLimits> {
    return limitsView((await this.#call('getLimits', { tenantId })).limits);
  }

  /** Sets individual overrides; other overrides stay. */
  async patchLimits(tenantId: string, values: Record<string, LimitValue>): Promise<TenantLimits> {
    const r = await this.#call('setLimits', {
      tenantId,
      limits: limitMapToProto(values),
    });
    return limitsView(r.limits);
  }

  /** Removes overrides (the defaults apply again); no keys: every override. */
  async resetLimits(tenantId: string, keys: string[]): Promise<TenantLimits> {
    return limitsView((await this.#call('resetLimits', { tenantId, keys })).limits);
  }

  /** Every rule group of the tenant by namespace. */
  async listRules(tenantId: string): Promise<Record<string, PromRuleGroup[]>> {
    const r = await this.#call('listRuleGroups', { tenantId });
    // Namespaces are tenant-chosen (`constructor`): no prototype.
    const out: Record<string, PromRuleGroup[]> = Object.create(null);
    for (const g of r.ruleGroups) (out[g.namespace] ??= []).push(ruleGroupFromProto(g));
    return out;
  }

  async putRuleGroup(tenantId: string, namespace: string, group: PromRuleGroup): Promise<PromRuleGroup> {
    const extra = Object.keys(group).filter(
      (k) => !['name', 'interval', 'limit', 'query_offset', 'labels', 'source_tenants', 'rules'].includes(k),
    );
    if (extra.length > 0) {
      throw new ApiError(
        400,
        'bad_data',
        `rule group: unknown field ${JSON.stringify(extra[0])}`,
        'POST',
        SERVICE_PATH,
      );
    }
    const r = await this.#call('setRuleGroup', { tenantId, ruleGroup: ruleGroupToProto(namespace, group) });
    return ruleGroupFromProto(r.ruleGroup!);
  }

  /** The groups of one namespace; NOT_FOUND (404) when it has none, as REST answers. */
  async getRuleNamespace(tenantId: string, namespace: string): Promise<PromRuleGroup[]> {
    const r = await this.#call('listRuleGroups', { tenantId, namespace });
    if (r.ruleGroups.length === 0) {
      const path = `${SERVICE_PATH}ListRuleGroups`;
      throw new ApiError(404, 'not_found', `no rule groups in namespace ${JSON.stringify(namespace)}`, 'POST', path);
    }
    return r.ruleGroups.map(ruleGroupFromProto);
  }

  async deleteRuleGroup(tenantId: string, namespace: string, name: string): Promise<void> {
    await this.#call('deleteRuleGroup', { tenantId, namespace, name });
  }

  async deleteRuleNamespace(tenantId: string, namespace: string): Promise<void> {
    await this.#call('deleteRuleNamespace', { tenantId, namespace });
  }

  async getAlertmanager(tenantId: string): Promise<AlertmanagerConfig> {
    const r = await this.#call('getAlertmanagerConfig', { tenantId });
    return alertmanagerView(r.alertmanagerConfig);
  }

  async putAlertmanager(tenantId: string, body: AlertmanagerConfig): Promise<AlertmanagerConfig> {
    const r = await this.#call('setAlertmanagerConfig', {
      tenantId,
      alertmanagerConfig: { config: body.config, templates: body.templates },
    });
    return alertmanagerView(r.alertmanagerConfig);
  }

  async deleteAlertmanager(tenantId: string): Promise<void> {
    await this.#call('deleteAlertmanagerConfig', { tenantId });
  }

  /** `GET /ready` answers text; resolves with the body, throws ApiError when not ready. */
  ready(): Promise<string> {
    return this.http.request('GET', '/ready', { text: true });
  }

  /** The server's build (unauthenticated at the root; older servers only serve it to tenants). */
  async buildInfo(): Promise<{ status: string; data: Record<string, string> }> {
    try {
      return await this.http.request('GET', '/api/v1/status/buildinfo');
    } catch {
      return this.http.request('GET', '/prometheus/api/v1/status/buildinfo');
    }
  }
}

/** What `tenant delete-series` prints. */
export type DeleteSeriesResult = Awaited<ReturnType<AdminClient['deleteSeries']>>;

/** What `cortexctl usage` prints. */
export type UsageReport = Awaited<ReturnType<AdminClient['getUsageReport']>>;
