import { type Static, Type } from '@sinclair/typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      kind: Type.String(),
      id: Type.Optional(Type.String()),
      message: Type.String(),
    }),
  },
  { $id: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const IsoTime = Type.String({ format: 'date-time' });
export const NullableIsoTime = Type.Union([IsoTime, Type.Null()]);
export const TenantIdParam = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'tenant ID: [A-Za-z0-9_-], 1-64',
});
export const Labels = Type.Record(Type.String(), Type.String());
export const Ok = Type.Object({ ok: Type.Boolean() });
export const Cursor = Type.String({ maxLength: 200 });
export const PageLimit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });
