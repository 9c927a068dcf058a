import { bigint, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { updatedAt } from './_columns.js';
import { tenants } from './tenants.js';

/** One Alertmanager configuration per tenant. */
export const alertmanagerConfigs = pgTable('alertmanager_configs', {
  tenantId: text('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** The Alertmanager YAML exactly as uploaded (after validation). */
  config: text('config').notNull(),
  templates: jsonb('templates').$type<Record<string, string>>().notNull().default({}),
  /** The global `alertmanager` revision at which this config last changed. */
  revision: bigint('revision', { mode: 'number' }).notNull(),
  updatedAt: updatedAt(),
});

export type AlertmanagerConfigRow = typeof alertmanagerConfigs.$inferSelect;
