import { type Static, Type } from '@sinclair/typebox';
import { TOKEN_SCOPES } from '../domain/index.js';
import { IsoTime, NullableIsoTime, TenantIdParam } from './common.js';

/** One of the closed scope set; unknown values are rejected with the list of valid ones. */
export const Scope = Type.String({ enum: [...TOKEN_SCOPES], description: `one of ${TOKEN_SCOPES.join(', ')}` });

export const Token = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Type.String()),
  federate: Type.Array(Type.String(), {
    description: 'federation grant: tenants (its own included) the token may read together; empty: none',
  }),
  createdAt: IsoTime,
  createdBy: Type.String({ description: 'audit actor that created the token' }),
  lastUsedAt: NullableIsoTime,
  expiresAt: NullableIsoTime,
  revokedAt: NullableIsoTime,
});
export type Token = Static<typeof Token>;

export const CreatedToken = Type.Composite([Token, Type.Object({ token: Type.String({ description: 'shown once' }) })]);
export type CreatedToken = Static<typeof CreatedToken>;

export const CreateTokenBody = Type.Object(
  {
    scopes: Type.Array(Scope, { minItems: 1, maxItems: 16 }),
    name: Type.Optional(Type.String({ maxLength: 128 })),
    expiresAt: Type.Optional(Type.String({ maxLength: 64, description: 'ISO-8601 date-time in the future' })),
    federate: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 100,
        description: 'tenants the token may read together (X-Scope-OrgID: a|b|c, rule source_tenants)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateTokenBody = Static<typeof CreateTokenBody>;

export const TokenList = Type.Object({ items: Type.Array(Token) });
export type TokenList = Static<typeof TokenList>;

export const TokenParams = Type.Object({ id: TenantIdParam, tokenId: Type.String({ minLength: 1, maxLength: 64 }) });
export type TokenParams = Static<typeof TokenParams>;

export const AdminRole = Type.Union([Type.Literal('admin'), Type.Literal('viewer')]);

export const AdminToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: AdminRole,
  prefix: Type.String(),
  createdAt: IsoTime,
  createdBy: Type.String({ description: 'audit actor that created the token' }),
  lastUsedAt: NullableIsoTime,
  expiresAt: NullableIsoTime,
  revokedAt: NullableIsoTime,
});
export type AdminToken = Static<typeof AdminToken>;

export const CreatedAdminToken = Type.Composite([AdminToken, Type.Object({ token: Type.String() })]);
export type CreatedAdminToken = Static<typeof CreatedAdminToken>;

export const CreateAdminTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    role: Type.Optional(AdminRole),
    expiresAt: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type CreateAdminTokenBody = Static<typeof CreateAdminTokenBody>;

export const AdminTokenList = Type.Object({ items: Type.Array(AdminToken) });

export const SessionBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export type SessionBody = Static<typeof SessionBody>;
export const Session = Type.Object({ jwt: Type.String(), expiresAt: IsoTime });
export type Session = Static<typeof Session>;
