import { pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, timestamptz } from './_columns.js';

/** Operator credentials for the admin API (the root token lives only in config). */
export const adminTokens = pgTable(
  'admin_tokens',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** `admin` may change anything; `viewer` may only read (mutations answer 403). */
    role: text('role').$type<'admin' | 'viewer'>().notNull().default('admin'),
    prefix: text('prefix').notNull(),
    /** Hex SHA-256 of the full token. */
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    /** The audit actor that created the token; '' before it was recorded. */
    createdBy: text('created_by').notNull().default(''),
    lastUsedAt: timestamptz('last_used_at'),
    expiresAt: timestamptz('expires_at'),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [uniqueIndex('admin_tokens_secret_hash_idx').on(t.secretHash)],
);

export type AdminTokenRow = typeof adminTokens.$inferSelect;
