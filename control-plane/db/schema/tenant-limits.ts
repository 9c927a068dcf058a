import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { updatedAt } from './_columns.js';
import { tenants } from './tenants.js';

export const tenantLimits = pgTable('tenant_limits', {
  tenantId: text('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** Only the overridden keys: numbers (durations in ms) and lists of names; defaults are merged on read. */
  overrides: jsonb('overrides').$type<Record<string, number | readonly string[]>>().notNull().default({}),
  updatedAt: updatedAt(),
});

export type TenantLimitsRow = typeof tenantLimits.$inferSelect;
