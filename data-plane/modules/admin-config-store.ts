import type { RuleGroupObject, TenantConfigStore } from '../api/index.js';
import {
  BadDataError,
  type CortexError,
  ForbiddenError,
  LimitExceededError,
  NotFoundError,
  type TenantId,
  UnavailableError,
} from '../model/index.js';

/** One call to the control plane's admin API; the composition root decides how (in-process or HTTP). */
export type AdminRequest = (
  method: 'GET' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: unknown }>;

/**
 * Tenant config through the control plane's admin API, so tenant-facing writes get exactly the
 * operators' validation, limits, revisions and audit trail.
 */
export class AdminApiConfigStore implements TenantConfigStore {
  constructor(private readonly request: AdminRequest) {}

  async listRuleGroups(tenantId: TenantId): Promise<Record<string, RuleGroupObject[]>> {
    const r = await this.call('GET', `/tenants/${tenantId}/rules`);
    return (r as { namespaces: Record<string, RuleGroupObject[]> }).namespaces;
  }

  async namespaceRuleGroups(tenantId: TenantId, namespace: string): Promise<RuleGroupObject[]> {
    const r = await this.call('GET', `/tenants/${tenantId}/rules/${enc(namespace)}`, undefined, true);
    return (r as { groups?: RuleGroupObject[] } | undefined)?.groups ?? [];
  }

  async putRuleGroup(tenantId: TenantId, namespace: string, group: RuleGroupObject): Promise<void> {
    await this.call('PUT', `/tenants/${tenantId}/rules/${enc(namespace)}/${enc(group.name)}`, group);
  }

  async deleteRuleGroup(tenantId: TenantId, namespace: string, group: string): Promise<void> {
    await this.call('DELETE', `/tenants/${tenantId}/rules/${enc(namespace)}/${enc(group)}`);
  }

  async deleteNamespace(tenantId: TenantId, namespace: string): Promise<void> {
    await this.call('DELETE', `/tenants/${tenantId}/rules/${enc(namespace)}`);
  }

  async getAlertmanagerConfig(
    tenantId: TenantId,
  ): Promise<{ config: string; templates: Record<string, string> } | undefined> {
    const r = (await this.call('GET', `/tenants/${tenantId}/alertmanager`, undefined, true)) as
      | { config: string; templates: Record<string, string> }
      | undefined;
    return r && r.config !== '' ? { config: r.config, templates: r.templates } : undefined;
  }

  async putAlertmanagerConfig(tenantId: TenantId, config: string, templates: Record<string, string>): Promise<void> {
    await this.call('PUT', `/tenants/${tenantId}/alertmanager`, { config, templates });
  }

  async deleteAlertmanagerConfig(tenantId: TenantId): Promise<void> {
    await this.call('DELETE', `/tenants/${tenantId}/alertmanager`);
  }

  private async call(
    method: 'GET' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    notFoundOk = false,
  ): Promise<unknown> {
    let res: { status: number; body: unknown };
    try {
      res = await this.request(method, path, body);
    } catch (err) {
      throw new UnavailableError('control plane unreachable', { cause: err });
    }
    if (res.status >= 200 && res.status < 300) return res.body;
    if (res.status === 404 && notFoundOk) return undefined;
    throw toError(res.status, res.body);
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function toError(status: number, body: unknown): CortexError {
  const message =
    (body as { error?: { message?: string } } | undefined)?.error?.message ?? `control plane answered ${status}`;
  if (status === 400) return new BadDataError(message);
  if (status === 404) return new NotFoundError(message);
  if (status === 403) return new ForbiddenError(message);
  if (status === 429) return new LimitExceededError(message);
  // the forwarded request itself was refused as too large (URL, headers or body): the caller's input
  if (status === 413 || status === 414 || status === 431) {
    return new BadDataError(`request too large for the admin API (${status}): ${message}`);
  }
  return new UnavailableError(`control plane answered ${status}: ${message}`);
}
