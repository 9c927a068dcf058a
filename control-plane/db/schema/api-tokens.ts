import { index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, timestamptz } from './_columns.js';
import { tenants } from './tenants.js';

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull().default(''),
    /** Non-secret leading characters of the token (`cxt_AbCd1234`), shown in listings and audit. */
    prefix: text('prefix').notNull(),
    /** Hex SHA-256 of the full token; the secret itself is never stored. */
    secretHash: text('secret_hash').notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    /**
     * Federation grant: the tenants (sorted, the token's own included) this token may read together,
     * e.g. with `X-Scope-OrgID: a|b|c` or a rule group's `source_tenants`. Empty: its own tenant only.
     */
    federatedTenants: jsonb('federated_tenants').$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
    /** The audit actor that created the token (`root`, `admin:<id>`, a session subject); '' before it was recorded. */
    createdBy: text('created_by').notNull().default(''),
    /** Updated at most once a minute per token, so authentication stays a read. */
    lastUsedAt: timestamptz('last_used_at'),
    /** null = never expires. */
    expiresAt: timestamptz('expires_at'),
    /** Set when revoked; `revokedAt == null` means the token is live (subject to expiry). */
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_secret_hash_idx').on(t.secretHash), index('api_tokens_tenant_id_idx').on(t.tenantId)],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type NewApiTokenRow = typeof apiTokens.$inferInsert;
