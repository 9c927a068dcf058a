import { bigint, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { updatedAt } from './_columns.js';
import { tenants } from './tenants.js';

export const ruleGroups = pgTable(
  'rule_groups',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    /** The validated Prometheus rule-group object, normalised to JSON. */
    group: jsonb('group').$type<Record<string, unknown>>().notNull(),
    /** The global `rules` revision at which this group last changed. */
    revision: bigint('revision', { mode: 'number' }).notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.namespace, t.name] }),
    index('rule_groups_tenant_id_idx').on(t.tenantId),
  ],
);

export type RuleGroupRow = typeof ruleGroups.$inferSelect;
