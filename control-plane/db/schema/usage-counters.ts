import { bigint, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from './_columns.js';

/**
 * Metered usage, one row per tenant, resolution, time bucket and counter (long format, so a new
 * counter or discard reason needs no migration). Each delivered batch adds to its minute, hour and
 * day rows in one transaction, so the roll-ups always equal the sum of their minutes (until minutes
 * are pruned by retention). `tenant_id` has no foreign key on purpose: usage is billed after a
 * tenant is gone.
 */
export const usageCounters = pgTable(
  'usage_counters',
  {
    tenantId: text('tenant_id').notNull(),
    /** `minute`, `hour` or `day` (UTC buckets). */
    resolution: text('resolution').$type<'minute' | 'hour' | 'day'>().notNull(),
    /** Start of the bucket. */
    bucket: timestamptz('bucket').notNull(),
    /** `samples`, `histograms`, `exemplars`, `request_bytes`, `discarded_samples:<reason>`, … */
    metric: text('metric').notNull(),
    value: bigint('value', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.resolution, t.bucket, t.metric] }),
    index('usage_counters_retention_idx').on(t.resolution, t.bucket),
  ],
);

/** Batches already applied, by their idempotency key (the sending process and its sequence number). */
export const usageBatches = pgTable(
  'usage_batches',
  {
    source: text('source').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.source, t.seq] }), index('usage_batches_received_at_idx').on(t.receivedAt)],
);

export type UsageCounterRow = typeof usageCounters.$inferSelect;
