import { bigserial, index, pgTable, text } from 'drizzle-orm/pg-core';
import { timestamptz } from './_columns.js';

/**
 * A deleted tenant whose data the data plane must erase. No foreign key: the tenant row is removed
 * when the purge completes, and the request stays as a record.
 */
export const purgeRequests = pgTable(
  'purge_requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: text('tenant_id').notNull(),
    requestedAt: timestamptz('requested_at').notNull().defaultNow(),
    /** null while pending. */
    completedAt: timestamptz('completed_at'),
  },
  (t) => [index('purge_requests_tenant_id_idx').on(t.tenantId)],
);

export type PurgeRequestRow = typeof purgeRequests.$inferSelect;
