import { type Static, Type } from '@sinclair/typebox';
import { Cursor, IsoTime, Labels, PageLimit, TenantIdParam } from './common.js';

export const TenantStatus = Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('deleted')]);

export const Tenant = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  labels: Labels,
  status: TenantStatus,
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type Tenant = Static<typeof Tenant>;

export const CreateTenantBody = Type.Object(
  {
    id: Type.String({ maxLength: 200 }),
    displayName: Type.Optional(Type.String({ maxLength: 256 })),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false },
);
export type CreateTenantBody = Static<typeof CreateTenantBody>;

export const UpdateTenantBody = Type.Object(
  { displayName: Type.Optional(Type.String({ maxLength: 256 })), labels: Type.Optional(Labels) },
  { additionalProperties: false },
);
export type UpdateTenantBody = Static<typeof UpdateTenantBody>;

export const ListTenantsQuery = Type.Object(
  { status: Type.Optional(TenantStatus), limit: Type.Optional(PageLimit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);
export type ListTenantsQuery = Static<typeof ListTenantsQuery>;

export const TenantPage = Type.Object({
  items: Type.Array(Tenant),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type TenantPage = Static<typeof TenantPage>;

export const TenantParams = Type.Object({ id: TenantIdParam });
export type TenantParams = Static<typeof TenantParams>;
