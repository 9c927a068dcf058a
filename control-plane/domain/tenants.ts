import {
  BadDataError,
  ConflictError,
  NotFoundError,
  parseTenantId,
  type TenantId,
} from '../../data-plane/model/index.js';
import { audit, type DomainDeps } from './context.js';
import { decodeCursor, encodeCursor } from './pagination.js';
import type { Repositories } from './repositories.js';
import type { Tenant, TenantStatus } from './types.js';

const MAX_LABELS = 64;
const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const MAX_LABEL_VALUE = 1024;
const MAX_DISPLAY_NAME = 256;

export interface CreateTenantInput {
  id: string;
  displayName?: string;
  labels?: Record<string, string>;
}

export interface TenantPage {
  items: Tenant[];
  nextCursor: string | null;
}

function validateLabels(labels: Record<string, string>): Record<string, string> {
  const keys = Object.keys(labels);
  if (keys.length > MAX_LABELS) throw new BadDataError(`labels: at most ${MAX_LABELS} labels, got ${keys.length}`);
  // Keys are operator-chosen (`constructor` is a valid one): no prototype to collide with.
  const out: Record<string, string> = Object.create(null);
  for (const k of keys) {
    const v = labels[k];
    if (!LABEL_KEY.test(k)) {
      throw new BadDataError(`labels: invalid key ${JSON.stringify(k.slice(0, 140))}: must match ${LABEL_KEY.source}`);
    }
    if (typeof v !== 'string' || v.length > MAX_LABEL_VALUE) {
      throw new BadDataError(`labels.${k}: must be a string of at most ${MAX_LABEL_VALUE} characters`);
    }
    out[k] = v;
  }
  return out;
}

function validateDisplayName(s: string): string {
  if (s.length > MAX_DISPLAY_NAME) throw new BadDataError(`displayName: at most ${MAX_DISPLAY_NAME} characters`);
  if (/[\u0000-\u001f\u007f]/.test(s)) throw new BadDataError('displayName: control characters are not allowed');
  return s;
}

/** Loads a tenant (locked) or throws NotFoundError; deleted tenants only when `allowDeleted`. */
export async function requireTenant(r: Repositories, id: TenantId, allowDeleted = false): Promise<Tenant> {
  const t = await r.tenants.getForUpdate(id);
  if (!t) throw new NotFoundError(`tenant ${id} not found`);
  if (t.status === 'deleted' && !allowDeleted) throw new ConflictError(`tenant ${id} is deleted`);
  return t;
}

/** Tenant lifecycle: create, list, update, suspend/resume, delete (with purge), purge completion. */
export class TenantService {
  constructor(private readonly deps: DomainDeps) {}

  async create(actor: string, input: CreateTenantInput): Promise<Tenant> {
    const id = parseTenantId(input.id);
    const now = this.deps.clock.now();
    const tenant: Tenant = {
      id,
      displayName: validateDisplayName(input.displayName ?? ''),
      labels: validateLabels(input.labels ?? {}),
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    return this.deps.store.transaction(async (r) => {
      await r.tenants.insert(tenant);
      await r.revisions.bump('tenants');
      await audit(r, { at: now, actor, action: 'tenant.create', tenantId: id, after: tenant });
      return tenant;
    });
  }

  async list(q: { status?: TenantStatus; limit: number; cursor?: string }): Promise<TenantPage> {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 'string');
    const rows = await this.deps.store.read((r) =>
      r.tenants.list({
        limit: q.limit + 1,
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(after === undefined ? {} : { after }),
      }),
    );
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.id) : null };
  }

  async get(rawId: string): Promise<Tenant> {
    const id = parseTenantId(rawId);
    const t = await this.deps.store.read((r) => r.tenants.get(id));
    if (!t) throw new NotFoundError(`tenant ${id} not found`);
    return t;
  }

  async update(
    actor: string,
    rawId: string,
    patch: { displayName?: string; labels?: Record<string, string> },
  ): Promise<Tenant> {
    const id = parseTenantId(rawId);
    const clean: { displayName?: string; labels?: Record<string, string> } = {};
    if (patch.displayName !== undefined) clean.displayName = validateDisplayName(patch.displayName);
    if (patch.labels !== undefined) clean.labels = validateLabels(patch.labels);
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (r) => {
      const before = await requireTenant(r, id);
      const after = (await r.tenants.update(id, clean, now))!;
      await audit(r, { at: now, actor, action: 'tenant.update', tenantId: id, before, after });
      return after;
    });
  }

  suspend(actor: string, rawId: string): Promise<Tenant> {
    return this.setStatus(actor, rawId, 'suspended', 'tenant.suspend');
  }

  resume(actor: string, rawId: string): Promise<Tenant> {
    return this.setStatus(actor, rawId, 'active', 'tenant.resume');
  }

  private async setStatus(actor: string, rawId: string, status: TenantStatus, action: string): Promise<Tenant> {
    const id = parseTenantId(rawId);
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (r) => {
      const before = await requireTenant(r, id);
      if (before.status === status) return before;
      const after = (await r.tenants.update(id, { status }, now))!;
      await r.revisions.bump('tenants');
      await audit(r, { at: now, actor, action, tenantId: id, before: { status: before.status }, after: { status } });
      return after;
    });
  }

  /**
   * Marks the tenant deleted, revokes every token and records a purge request. The row stays (so the ID
   * cannot be reused) until the data plane reports the purge complete.
   */
  async delete(actor: string, rawId: string): Promise<Tenant> {
    const id = parseTenantId(rawId);
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (r) => {
      const before = await requireTenant(r, id);
      const after = (await r.tenants.update(id, { status: 'deleted' }, now))!;
      const revoked = await r.tokens(id).revokeAll(now);
      await r.purges.request(id, now);
      // A deleted tenant disappears from every feed.
      for (const feed of ['tenants', 'overrides', 'rules', 'alertmanager'] as const) await r.revisions.bump(feed);
      await audit(r, {
        at: now,
        actor,
        action: 'tenant.delete',
        tenantId: id,
        before: { status: before.status },
        after: { status: 'deleted', revokedTokens: revoked },
      });
      return after;
    });
  }

  /** Called by the data plane once the tenant's data is gone: drops the tenant and frees its ID. */
  async completePurge(actor: string, rawId: string): Promise<void> {
    const id = parseTenantId(rawId);
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (r) => {
      if (!(await r.purges.complete(id, now))) throw new NotFoundError(`no pending purge for tenant ${id}`);
      await r.tenants.remove(id);
      await r.revisions.bump('tenants');
      await audit(r, { at: now, actor, action: 'tenant.purge_complete', tenantId: id });
    });
  }
}
