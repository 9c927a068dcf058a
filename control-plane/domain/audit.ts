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

/** Unix seconds (optionally fractional) or RFC 3339; `Date.parse` alone takes `-1`, `1.5`, `+275760-…`. */
const UNIX_SECONDS = /^\d+(?:\.\d+)?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;
/** What the database's timestamp column holds: years 0001 to 9999. */
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_799_999;

function parseTime(name: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = UNIX_SECONDS.test(s) ? Number(s) * 1000 : RFC3339.test(s) ? Date.parse(s) : Number.NaN;
  if (!Number.isFinite(t))
    throw new BadDataError(`${name}: ${JSON.stringify(s.slice(0, 40))} is not RFC 3339 or Unix seconds`);
  if (t < MIN_MS || t > MAX_MS) {
    throw new BadDataError(
      `${name}: ${JSON.stringify(s.slice(0, 40))} is out of range (0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z)`,
    );
  }
  return Math.floor(t);
}

/** Reads the audit log, newest first. Entries are written by the services inside their transactions. */
export class AuditService {
  constructor(private readonly deps: DomainDeps) {}

  async list(q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const since = parseTime('since', q.since);
    const until = parseTime('until', q.until);
    const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 'id');
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

  /** The newest entry's ID (0 when the log is empty): where following the log starts. */
  async latestId(): Promise<number> {
    const [newest] = await this.deps.store.read((r) => r.audit.list({ limit: 1 }));
    return newest?.id ?? 0;
  }

  /**
   * Entries recorded after entry `afterId`, oldest first, at most `limit`, matching the filter: one
   * step of following the log (the caller passes the last ID it saw).
   */
  async after(afterId: number, f: { tenant?: string; action?: string }, limit = 500): Promise<AuditEntry[]> {
    return this.deps.store.read((r) =>
      r.audit.list({
        after: afterId,
        limit,
        ...(f.tenant === undefined ? {} : { tenantId: parseTenantId(f.tenant) }),
        ...(f.action === undefined ? {} : { action: f.action }),
      }),
    );
  }
}
