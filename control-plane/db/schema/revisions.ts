import { bigint, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Change counters for the internal change feed, one row per feed (`tenants`, `overrides`, `rules`,
 * `alertmanager`). Bumped in the same transaction as the change, so a reader that sees a new
 * revision also sees the change; the revision is the feed's ETag.
 */
export const revisions = pgTable('revisions', {
  feed: text('feed').primaryKey(),
  value: bigint('value', { mode: 'number' }).notNull().default(0),
});
