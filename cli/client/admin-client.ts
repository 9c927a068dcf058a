import { type HttpOptions, HttpTransport } from './http.js';
import type {
  AlertmanagerConfig,
  CreatedToken,
  DeleteSeriesRequest,
  DeleteSeriesResult,
  LimitValue,
  PendingDeletion,
  RuleGroup,
  RuleNamespaces,
  Tenant,
  TenantCreate,
  TenantLimits,
  TenantPage,
  TenantStatus,
  TenantUpdate,
  Token,
  TokenCreate,
} from './types.js';

const API = '/admin/api/v1';

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86_400e3, w: 604_800e3 };

/** `now` and `now-2h` become unix seconds; anything else (unix seconds, RFC 3339) goes as it is. */
export function resolveTime(s: string, now: number): string {
  const m = /^now(?:-(\d+)([smhdw]))?$/.exec(s.trim());
  if (!m) return s;
  const ms = m[1] === undefined ? now : now - Number(m[1]) * UNIT_MS[m[2]!]!;
  return String(ms / 1000);
}
const seg = encodeURIComponent;

/** Typed client for the control plane's admin API (docs/admin-api.md). One method per route. */
export class AdminClient {
  readonly http: HttpTransport;

  constructor(opts: HttpOptions) {
    this.http = new HttpTransport(opts);
  }

  get address(): string {
    return this.http.address;
  }

  createTenant(body: TenantCreate): Promise<Tenant> {
    return this.http.request('POST', `${API}/tenants`, { body });
  }

  listTenants(q: { status?: TenantStatus; limit?: number; cursor?: string } = {}): Promise<TenantPage> {
    return this.http.request('GET', `${API}/tenants`, { query: { ...q } });
  }

  /** Follows `nextCursor` until the last page. */
  async listAllTenants(q: { status?: TenantStatus } = {}): Promise<Tenant[]> {
    const out: Tenant[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listTenants({ ...q, limit: 100, ...(cursor ? { cursor } : {}) });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  getTenant(id: string): Promise<Tenant> {
    return this.http.request('GET', `${API}/tenants/${seg(id)}`);
  }

  updateTenant(id: string, body: TenantUpdate): Promise<Tenant> {
    return this.http.request('PATCH', `${API}/tenants/${seg(id)}`, { body });
  }

  suspendTenant(id: string): Promise<Tenant> {
    return this.http.request('POST', `${API}/tenants/${seg(id)}/suspend`);
  }

  resumeTenant(id: string): Promise<Tenant> {
    return this.http.request('POST', `${API}/tenants/${seg(id)}/resume`);
  }

  deleteTenant(id: string): Promise<Tenant> {
    return this.http.request('DELETE', `${API}/tenants/${seg(id)}`);
  }

  /**
   * Operator delete-series: hides the tenant's matching samples in `[start, end]` from queries at
   * once; storage drops them later. `start`/`end` may also be `now`, or `now-<n><s|m|h|d|w>`.
   */
  deleteSeries(tenantId: string, req: DeleteSeriesRequest, now = Date.now()): Promise<DeleteSeriesResult> {
    const body: DeleteSeriesRequest = { match: req.match };
    if (req.start !== undefined) body.start = resolveTime(req.start, now);
    if (req.end !== undefined) body.end = resolveTime(req.end, now);
    return this.http.request('POST', `${API}/tenants/${seg(tenantId)}/delete-series`, { body });
  }

  /** Deletions whose tombstones are still in storage (not yet removed by housekeeping). */
  async listDeletions(tenantId: string): Promise<PendingDeletion[]> {
    const res = await this.http.request<{ items: PendingDeletion[] }>(
      'GET',
      `${API}/tenants/${seg(tenantId)}/delete-series`,
    );
    return res.items;
  }

  createToken(tenantId: string, body: TokenCreate): Promise<CreatedToken> {
    return this.http.request('POST', `${API}/tenants/${seg(tenantId)}/tokens`, { body });
  }

  async listTokens(tenantId: string): Promise<Token[]> {
    const res = await this.http.request<{ items: Token[] }>('GET', `${API}/tenants/${seg(tenantId)}/tokens`);
    return res.items;
  }

  revokeToken(tenantId: string, tokenId: string): Promise<Token> {
    return this.http.request('DELETE', `${API}/tenants/${seg(tenantId)}/tokens/${seg(tokenId)}`);
  }

  getLimits(tenantId: string): Promise<TenantLimits> {
    return this.http.request('GET', `${API}/tenants/${seg(tenantId)}/limits`);
  }

  /** Sets (value) or unsets (null) individual overrides; other overrides stay. */
  patchLimits(tenantId: string, body: Record<string, LimitValue | null>): Promise<TenantLimits> {
    return this.http.request('PATCH', `${API}/tenants/${seg(tenantId)}/limits`, { body });
  }

  /** Replaces every override of the tenant. */
  replaceLimits(tenantId: string, body: Record<string, LimitValue>): Promise<TenantLimits> {
    return this.http.request('PUT', `${API}/tenants/${seg(tenantId)}/limits`, { body });
  }

  async listRules(tenantId: string): Promise<Record<string, RuleGroup[]>> {
    const res = await this.http.request<RuleNamespaces>('GET', `${API}/tenants/${seg(tenantId)}/rules`);
    return res.namespaces;
  }

  async getRuleNamespace(tenantId: string, namespace: string): Promise<RuleGroup[]> {
    const res = await this.http.request<{ namespace: string; groups: RuleGroup[] }>(
      'GET',
      `${API}/tenants/${seg(tenantId)}/rules/${seg(namespace)}`,
    );
    return res.groups;
  }

  putRuleGroup(tenantId: string, namespace: string, group: RuleGroup): Promise<RuleGroup> {
    return this.http.request('PUT', `${API}/tenants/${seg(tenantId)}/rules/${seg(namespace)}/${seg(group.name)}`, {
      body: group,
    });
  }

  deleteRuleGroup(tenantId: string, namespace: string, group: string): Promise<unknown> {
    return this.http.request('DELETE', `${API}/tenants/${seg(tenantId)}/rules/${seg(namespace)}/${seg(group)}`);
  }

  deleteRuleNamespace(tenantId: string, namespace: string): Promise<unknown> {
    return this.http.request('DELETE', `${API}/tenants/${seg(tenantId)}/rules/${seg(namespace)}`);
  }

  getAlertmanager(tenantId: string): Promise<AlertmanagerConfig> {
    return this.http.request('GET', `${API}/tenants/${seg(tenantId)}/alertmanager`);
  }

  putAlertmanager(tenantId: string, body: AlertmanagerConfig): Promise<unknown> {
    return this.http.request('PUT', `${API}/tenants/${seg(tenantId)}/alertmanager`, { body });
  }

  deleteAlertmanager(tenantId: string): Promise<unknown> {
    return this.http.request('DELETE', `${API}/tenants/${seg(tenantId)}/alertmanager`);
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
