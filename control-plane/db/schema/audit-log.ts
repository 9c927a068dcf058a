import { bigserial, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './_columns.js';

/**
 * Append-only record of every mutating admin call. `tenant_id` deliberately has no foreign key:
 * entries must outlive the tenant they describe.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: createdAt(),
    /** `root`, `admin:<token id>` or the session subject. */
    actor: text('actor').notNull(),
    /** Dotted verb, e.g. `tenant.create`, `limits.patch`, `token.revoke`. */
    action: text('action').notNull(),
    tenantId: text('tenant_id'),
    /** The affected object (token id, `namespace/group`, limit key …). */
    target: text('target'),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [
    index('audit_log_tenant_id_idx').on(t.tenantId, t.id),
    index('audit_log_actor_idx').on(t.actor, t.id),
    index('audit_log_at_idx').on(t.at),
  ],
);

export type AuditRow = typeof auditLog.$inferSelect;
