import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ErrorBody, IsoTime, TenantParams } from '../../api/index.js';
import type { UsageSample } from '../../domain/index.js';
import type { AdminRouteOptions } from '../services.js';

const Sample = Type.Object({ at: IsoTime, activeSeries: Type.Integer(), ingestionRate: Type.Number() });

export const UsageView = Type.Object({
  tenantId: Type.String(),
  current: Sample,
  history: Type.Array(Sample),
  maxActiveSeries: Type.Number({ description: 'max_global_series_per_user (0: unlimited)' }),
  ingestionRateLimit: Type.Number({ description: 'ingestion_rate, samples/s' }),
});

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
};
