import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ErrorBody, IsoTime, TenantParams } from '../../api/index.js';
import type { UsageReport, UsageSample } from '../../domain/index.js';
import type { AdminRouteOptions } from '../services.js';

const Sample = Type.Object({ at: IsoTime, activeSeries: Type.Integer(), ingestionRate: Type.Number() });

export const UsageView = Type.Object({
  tenantId: Type.String(),
  current: Sample,
  history: Type.Array(Sample),
  maxActiveSeries: Type.Number({ description: 'max_global_series_per_user (0: unlimited)' }),
  ingestionRateLimit: Type.Number({ description: 'ingestion_rate, samples/s' }),
});

const Counters = Type.Record(Type.String(), Type.Integer());
const Attribution = Type.Array(
  Type.Object({
    labels: Type.Record(Type.String(), Type.String()),
    counters: Counters,
    activeSeriesAvg: Type.Number(),
  }),
  { description: 'cost attribution: each combination of cost_attribution_labels values and its share' },
);
export const UsageReportView = Type.Object({
  tenantId: Type.String(),
  by: Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')]),
  from: IsoTime,
  to: IsoTime,
  buckets: Type.Array(
    Type.Object({
      start: IsoTime,
      counters: Counters,
      activeSeriesAvg: Type.Number({ description: 'mean active series over the bucket' }),
      attribution: Type.Optional(Attribution),
    }),
  ),
  totals: Counters,
  activeSeriesAvg: Type.Number({ description: 'mean active series over the whole range' }),
  attribution: Attribution,
});
const ReportQuery = Type.Object(
  {
    from: Type.String({ maxLength: 40, description: 'YYYY-MM-DD or RFC 3339, inclusive' }),
    to: Type.String({ maxLength: 40, description: 'YYYY-MM-DD (that whole day) or RFC 3339, exclusive' }),
    by: Type.Optional(Type.String({ maxLength: 10, description: 'minute, hour or day (default)' })),
  },
  { additionalProperties: false },
);

/** The report as the REST API shows it (ISO-8601 times). */
export function usageReportOut(r: UsageReport) {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    tenantId: r.tenantId,
    by: r.by,
    from: iso(r.from),
    to: iso(r.to),
    buckets: r.buckets.map((b) => ({
      start: iso(b.start),
      counters: { ...b.counters },
      activeSeriesAvg: b.activeSeriesAvg,
      ...(b.attribution ? { attribution: b.attribution } : {}),
    })),
    totals: { ...r.totals },
    activeSeriesAvg: r.activeSeriesAvg,
    attribution: r.attribution,
  };
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };
const sampleOut = (s: UsageSample) => ({ ...s, at: new Date(s.at).toISOString() });

/** `GET /tenants/:id/usage`: active series and ingestion rate against the tenant's limits (as GetUsage). */
export const usageRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  app.get<{ Params: TenantParams }>(
    '/tenants/:id/usage',
    { schema: { tags: ['tenants'], params: TenantParams, response: { 200: UsageView, ...errors } } },
    async (req) => {
      const u = await services.usage.get(req.params.id);
      return { ...u, current: sampleOut(u.current), history: u.history.map(sampleOut) };
    },
  );

  app.get<{ Params: TenantParams; Querystring: { from: string; to: string; by?: string } }>(
    '/tenants/:id/usage/report',
    {
      schema: {
        tags: ['tenants'],
        params: TenantParams,
        querystring: ReportQuery,
        response: { 200: UsageReportView, ...errors },
      },
    },
    async (req) => usageReportOut(await services.metering.report(req.params.id, req.query)),
  );
};
