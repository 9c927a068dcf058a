import { BadDataError, parseTenantId } from '../../data-plane/model/index.js';
import type { DomainDeps } from './context.js';
import { decodeCursor, encodeCursor } from './pagination.js';
import type { AuditEntry } from './types.js';

export interface AuditQuery {
  tenant?: string;
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

function parseTime(name: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s);
  if (!Number.isFinite(t))
    throw new BadDataError(`${name}: ${JSON.stringify(s.slice(0, 40))} is not RFC 3339 or Unix seconds`);
  return t;
}

/** Reads the audit log, newest first. Entries are written by the services inside their transactions. */
export class AuditService {
  constructor(private readonly deps: DomainDeps) {}

  async list(q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const since = parseTime('since', q.since);
    const until = parseTime('until', q.until);
    const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 'number');
    const rows = await this.deps.store.read((r) =>
      r.audit.list({
        limit: q.limit + 1,
        ...(q.tenant === undefined ? {} : { tenantId: parseTenantId(q.tenant) }),
        ...(q.actor === undefined ? {} : { actor: q.actor }),
        ...(q.action === undefined ? {} : { action: q.action }),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
        ...(before === undefined ? {} : { before }),
      }),
    );
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.id) : null };
  }
}
