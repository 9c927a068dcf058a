import { type Static, Type } from '@sinclair/typebox';
import { NullableIsoTime } from './common.js';

export const AuthenticateBody = Type.Object(
  { token: Type.String({ maxLength: 512 }) },
  { additionalProperties: false },
);
export const AuthResult = Type.Object({
  tenantId: Type.String(),
  tokenId: Type.String(),
  scopes: Type.Array(Type.String()),
  tenantStatus: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  expiresAt: NullableIsoTime,
  /** Federation grant (tenants it may read together, its own included), when it has one. */
  federate: Type.Optional(Type.Array(Type.String())),
});
export type AuthResult = Static<typeof AuthResult>;

export const OverridesFeed = Type.Object({
  revision: Type.Integer(),
  tenants: Type.Record(Type.String(), Type.Record(Type.String(), Type.Number())),
});
export const RulesFeed = Type.Object({
  revision: Type.Integer(),
  tenants: Type.Record(
    Type.String(),
    Type.Array(Type.Object({ namespace: Type.String(), group: Type.Unknown(), revision: Type.Integer() })),
  ),
});
export const AlertmanagerFeed = Type.Object({
  revision: Type.Integer(),
  tenants: Type.Record(
    Type.String(),
    Type.Object({
      config: Type.String(),
      templates: Type.Record(Type.String(), Type.String()),
      revision: Type.Integer(),
    }),
  ),
});
export const TenantsFeed = Type.Object({
  revision: Type.Integer(),
  tenants: Type.Array(Type.Object({ id: Type.String(), status: Type.String() })),
  purges: Type.Array(Type.Object({ tenantId: Type.String(), requestedAt: Type.String() })),
});

const RFC3339 = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', maxLength: 40 });

export const AuthThrottleEventBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('address'), Type.Literal('user')]),
    value: Type.String({ minLength: 1, maxLength: 128 }),
    failures: Type.Integer({ minimum: 0 }),
    at: RFC3339,
    until: RFC3339,
  },
  { additionalProperties: false },
);

export const UsageBatchBody = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 64 }),
    seq: Type.Integer({ minimum: 0 }),
    rows: Type.Array(
      Type.Object(
        {
          tenantId: Type.String({ maxLength: 64 }),
          minuteMs: Type.Integer(),
          counters: Type.Record(Type.String({ maxLength: 100 }), Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1_000_000 },
    ),
  },
  { additionalProperties: false },
);
export const UsageBatchAnswer = Type.Object({ applied: Type.Boolean() });

const UsageCounters = Type.Record(Type.String(), Type.Integer());
/** A usage report as the domain returns it (times in ms): what the data plane relays to a tenant. */
const AttributedUsageInternal = Type.Object({
  labels: Type.Record(Type.String(), Type.String()),
  counters: UsageCounters,
  activeSeriesAvg: Type.Number(),
});
export const UsageReportInternal = Type.Object({
  tenantId: Type.String(),
  by: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  buckets: Type.Array(
    Type.Object({
      start: Type.Integer(),
      counters: UsageCounters,
      activeSeriesAvg: Type.Number(),
      attribution: Type.Optional(Type.Array(AttributedUsageInternal)),
    }),
  ),
  totals: UsageCounters,
  activeSeriesAvg: Type.Number(),
  attribution: Type.Array(AttributedUsageInternal),
});
