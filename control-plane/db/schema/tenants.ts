import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './_columns.js';

export const tenants = pgTable(
  'tenants',
  {
    /** Validated with parseTenantId before it ever reaches SQL. */
    id: text('id').primaryKey(),
    displayName: text('display_name').notNull().default(''),
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
    /**
     * `active` | `suspended` | `deleted`. A deleted row stays until the data plane reports its purge
     * complete, so the same ID cannot be reused while old data may still exist.
     */
    status: text('status').$type<'active' | 'suspended' | 'deleted'>().notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('tenants_status_idx').on(t.status)],
);

export type TenantRow = typeof tenants.$inferSelect;
export type NewTenantRow = typeof tenants.$inferInsert;
