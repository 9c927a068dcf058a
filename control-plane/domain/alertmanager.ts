import { BadDataError, NotFoundError, parseTenantId } from '../../data-plane/model/index.js';
import { type AlertmanagerInput, validateAlertmanagerConfig } from './alertmanager-validation.js';
import { audit, type DomainDeps } from './context.js';
import type { LimitsService } from './limits.js';
import { requireTenant } from './tenants.js';
import type { AlertmanagerConfig } from './types.js';

/** Raw Alertmanager YAML, or `{config, templates}`. */
export type AlertmanagerBody = string | { config?: unknown; templates?: unknown };

function parseBody(body: AlertmanagerBody): AlertmanagerInput {
  if (typeof body === 'string') return { config: body, templates: {} };
  if (typeof body.config !== 'string')
    throw new BadDataError('alertmanager: "config" must be the Alertmanager YAML as a string');
  const t = body.templates ?? {};
  if (typeof t !== 'object' || t === null || Array.isArray(t))
    throw new BadDataError('alertmanager: "templates" must be a map of name to text');
  for (const k of Object.keys(body)) {
    if (k !== 'config' && k !== 'templates')
      throw new BadDataError(`alertmanager: unknown field ${JSON.stringify(k.slice(0, 60))}`);
  }
  return { config: body.config, templates: t as Record<string, string> };
}

/** One Alertmanager config per tenant; every change bumps the `alertmanager` revision. */
export class AlertmanagerService {
  constructor(private readonly deps: DomainDeps & { limits: LimitsService }) {}

  async get(rawTenant: string): Promise<AlertmanagerConfig> {
    const tenantId = parseTenantId(rawTenant);
    const c = await this.deps.store.read(async (r) => {
      if (!(await r.tenants.get(tenantId))) throw new NotFoundError(`tenant ${tenantId} not found`);
      return r.alertmanager(tenantId).get();
    });
    if (!c) throw new NotFoundError(`tenant ${tenantId} has no Alertmanager config`);
    return c;
  }

  async put(actor: string, rawTenant: string, body: AlertmanagerBody): Promise<AlertmanagerConfig> {
    const tenantId = parseTenantId(rawTenant);
    const input = parseBody(body);
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (r) => {
      await requireTenant(r, tenantId);
      const max = await this.deps.limits.effective(r, tenantId, 'alertmanager_max_config_size_bytes');
      validateAlertmanagerConfig(input, max);
      const repo = r.alertmanager(tenantId);
      const before = await repo.get();
      const revision = await r.revisions.bump('alertmanager');
      const after: AlertmanagerConfig = { config: input.config, templates: input.templates, revision };
      await repo.put(after, now);
      await audit(r, { at: now, actor, action: 'alertmanager.put', tenantId, before: before ?? null, after });
      return after;
    });
  }

  async delete(actor: string, rawTenant: string): Promise<void> {
    const tenantId = parseTenantId(rawTenant);
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (r) => {
      await requireTenant(r, tenantId, true);
      const before = await r.alertmanager(tenantId).get();
      if (!before || !(await r.alertmanager(tenantId).delete())) {
        throw new NotFoundError(`tenant ${tenantId} has no Alertmanager config`);
      }
      await r.revisions.bump('alertmanager');
      await audit(r, { at: now, actor, action: 'alertmanager.delete', tenantId, before });
    });
  }
}
