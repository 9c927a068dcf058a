import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ErrorBody, TenantParams } from '../../api/index.js';
import { actorOf } from '../../plugins/index.js';
import type { AdminRouteOptions } from '../services.js';

/** Operator delete-series body: Prometheus's admin API parameters, as JSON. */
export const DeleteSeriesBody = Type.Object(
  {
    match: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), {
      minItems: 1,
      maxItems: 64,
      description: 'series selectors (match[]), e.g. up{job="api"}; each one must not select every series',
    }),
    start: Type.Optional(Type.String({ maxLength: 64, description: 'unix seconds or RFC 3339; default: min time' })),
    end: Type.Optional(Type.String({ maxLength: 64, description: 'unix seconds or RFC 3339; default: max time' })),
  },
  { additionalProperties: false },
);
export type DeleteSeriesBody = Static<typeof DeleteSeriesBody>;

export const DeleteSeriesView = Type.Object({
  tenantId: Type.String(),
  selectors: Type.Array(Type.String()),
  start: Type.String({ format: 'date-time' }),
  end: Type.String({ format: 'date-time' }),
  samplesRemovedFromMemory: Type.Integer(),
});
export type DeleteSeriesView = Static<typeof DeleteSeriesView>;

export const DeletionList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      selector: Type.String(),
      start: Type.String({ format: 'date-time' }),
      end: Type.String({ format: 'date-time' }),
    }),
  ),
});
export type DeletionList = Static<typeof DeletionList>;

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };

const iso = (ms: number) => new Date(Math.min(Math.max(ms, -62135596800000), 253402300799000)).toISOString();

/**
 * `POST /tenants/:id/delete-series`: an operator (root or admin token, not a viewer) deletes a
 * tenant's series in a time range. The data is hidden from queries when the call returns and
 * removed from storage by the housekeeping job later.
 */
export const deleteSeriesRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { services }) => {
  app.post<{ Params: TenantParams; Body: DeleteSeriesBody }>(
    '/tenants/:id/delete-series',
    {
      schema: {
        tags: ['tenants'],
        params: TenantParams,
        body: DeleteSeriesBody,
        response: { 200: DeleteSeriesView, ...errors },
      },
    },
    async (req) => {
      const r = await services.seriesDeletion.delete(actorOf(req), req.params.id, req.body);
      return { ...r, start: iso(r.start), end: iso(r.end) };
    },
  );

  /** Deletions not yet fully removed from storage (their tombstones still hide data). */
  app.get<{ Params: TenantParams }>(
    '/tenants/:id/delete-series',
    { schema: { tags: ['tenants'], params: TenantParams, response: { 200: DeletionList, ...errors } } },
    async (req) => {
      const items = await services.seriesDeletion.list(req.params.id);
      return { items: items.map((d) => ({ ...d, start: iso(d.start), end: iso(d.end) })) };
    },
  );
};
