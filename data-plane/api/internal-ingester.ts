/**
 * The ingester's internal HTTP API (split mode), served to distributors and queriers only (cluster
 * credential on every route, tenant in `X-Scope-OrgID`):
 *
 * | route | body | answer |
 * |---|---|---|
 * | `POST /internal/ingester/push` | snappy remote-write `WriteRequest` (validated series) | JSON `WriteOutcome` |
 * | `POST /internal/ingester/read` | remote-read `ReadRequest` (one query) | snappy `WriteRequest` of the series |
 * | `POST /internal/ingester/label-names`, `/label-values` | JSON `{mint,maxt,matchers,name?,limit?}` | JSON strings |
 * | `GET /internal/ingester/metadata` | `?metric=&limit=` | JSON metadata |
 * | `POST /internal/ingester/exemplars` | JSON `{matcherSets,start,end}` | JSON series + exemplars |
 * | `GET /internal/ingester/stats` | | JSON `{numSeries, ingestedSamples}` |
 * | `POST /internal/ingester/flush` | | 204 once everything is in the chunk store |
 * | `POST /internal/ingester/delete-series` | JSON `{matchers,start,end}` | JSON `{removed}` |
 *
 * Whole-request failures answer the error kind's status with `X-Cortex-Error-Kind` (and
 * `X-Cortex-Error-Id`, `Retry-After`), which the client maps back to the same CortexError.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  BadDataError,
  CortexError,
  type Exemplar,
  Labels,
  LimitExceededError,
  Matcher,
  type MatchType,
  type MetricMetadata,
  type TenantId,
  type TimeSeries,
  type WriteOutcome,
  type WriteRequest,
} from '../model/index.js';
import { decodeWriteRequest, snappyDecode } from '../remotewrite/index.js';
import type { Queryable } from '../storage/index.js';
import { kindOf, publicMessage, statusOf } from './errors.js';
import type { ClusterAuth } from './internal-auth.js';
import { decodeReadRequest, encodeSeriesSet, MAX_DECODED_BYTES } from './internal-codec.js';

/** What the internal API serves; the ingester satisfies it. */
export interface InternalIngesterBackend {
  push(tenantId: TenantId, req: WriteRequest): Promise<WriteOutcome>;
  queryable(tenantId: TenantId): Queryable;
  metadata(tenantId: TenantId, opts?: { metric?: string; limit?: number }): MetricMetadata[];
  exemplars(
    tenantId: TenantId,
    matcherSets: Matcher[][],
    start: number,
    end: number,
  ): { seriesLabels: Labels; exemplars: Exemplar[] }[];
  stats(tenantId: TenantId): { numSeries: number; ingestedSamples: number };
  flush(): Promise<void>;
  /** Operator delete-series: removes samples from memory (and logs it in the WAL); series touched. */
  deleteSeries?(tenantId: TenantId, matchers: readonly Matcher[], mint: number, maxt: number): Promise<number>;
}

/** JSON form of matchers: `[type, name, value]` triples. */
export type MatcherJson = [MatchType, string, string];

export const matchersToJson = (ms: readonly Matcher[]): MatcherJson[] => ms.map((m) => [m.type, m.name, m.value]);

export function matchersFromJson(v: unknown): Matcher[] {
  if (!Array.isArray(v)) throw new BadDataError('matchers must be an array');
  return v.map((m) => {
    if (!Array.isArray(m) || m.length !== 3 || !m.every((x) => typeof x === 'string')) {
      throw new BadDataError('a matcher is [type, name, value]');
    }
    const [type, name, value] = m as [string, string, string];
    if (!['=', '!=', '=~', '!~'].includes(type)) throw new BadDataError(`unknown matcher type ${type}`);
    return new Matcher(type as MatchType, name, value);
  });
}

/** Wire form of one per-series error in a push outcome. */
export interface SeriesErrorJson {
  kind: string;
  id?: string;
  message: string;
  labels: string[];
  dropped: number;
}

export interface WriteOutcomeJson {
  samplesAppended: number;
  histogramsAppended: number;
  exemplarsAppended: number;
  errors: SeriesErrorJson[];
}

/** Decodes a pushed body (already validated by a distributor) into the model's `WriteRequest`. */
export function decodeInternalPush(body: Uint8Array): WriteRequest {
  const wire = decodeWriteRequest(snappyDecode(body, MAX_DECODED_BYTES), { internal: true });
  return {
    timeseries: wire.timeseries.map((ts) => {
      const out: TimeSeries = {
        labels: Labels.fromSortedFlat(ts.labels),
        samples: ts.samples,
        histograms: ts.histograms,
        exemplars: ts.exemplars.map((e) => ({ labels: Labels.fromSortedFlat(e.labels), t: e.t, v: e.v })),
      };
      if (ts.createdTimestamps !== undefined) out.createdTimestamps = ts.createdTimestamps;
      return out;
    }),
    metadata: wire.metadata,
  };
}

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  reply.code(statusOf(err)).header('x-cortex-error-kind', kindOf(err));
  if (err instanceof CortexError && err.id) reply.header('x-cortex-error-id', err.id);
  if (err instanceof LimitExceededError && err.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(err.retryAfterSeconds));
  }
  return reply.type('text/plain; charset=utf-8').send(publicMessage(err));
}

function bodyBytes(body: unknown): Uint8Array {
  return Buffer.isBuffer(body) ? new Uint8Array(body.buffer, body.byteOffset, body.length) : new Uint8Array();
}

function bodyJson(body: unknown): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : '{}');
    if (v === null || typeof v !== 'object') throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (cause) {
    throw new BadDataError('internal request body is not a JSON object', { cause });
  }
}

const num = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new BadDataError(`${what} must be an integer`);
  return v;
};

export interface InternalIngesterRoutesOptions {
  backend: InternalIngesterBackend;
  auth: ClusterAuth;
  /** Largest compressed body (default 64 MiB). */
  maxRequestBytes?: number;
}

export async function internalIngesterRoutes(app: FastifyInstance, opts: InternalIngesterRoutesOptions): Promise<void> {
  const { backend, auth } = opts;
  await app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: opts.maxRequestBytes ?? 64 << 20 },
      (_r, b, done) => done(null, b),
    );
    const tenant = { onRequest: auth.requirePeer({ tenant: true }) };
    const t = (req: { peerTenant?: TenantId }): TenantId => req.peerTenant!;

    scoped.post('/internal/ingester/push', tenant, async (req, reply) => {
      try {
        const out = await backend.push(t(req), decodeInternalPush(bodyBytes(req.body)));
        const json: WriteOutcomeJson = {
          samplesAppended: out.samplesAppended,
          histogramsAppended: out.histogramsAppended,
          exemplarsAppended: out.exemplarsAppended,
          errors: out.errors.map((e) => ({
            kind: e.error.kind,
            ...(e.error.id ? { id: e.error.id } : {}),
            message: e.error.message,
            labels: [...e.labels.flat],
            dropped: e.dropped,
          })),
        };
        return reply.send(json);
      } catch (err) {
        return sendError(reply, err);
      }
    });

    scoped.post('/internal/ingester/read', tenant, async (req, reply) => {
      try {
        const q = decodeReadRequest(bodyBytes(req.body));
        const querier = backend.queryable(t(req)).querier(q.mint, q.maxt);
        try {
          const series = await querier.select(true, q.hints, q.matchers);
          const body = encodeSeriesSet(series);
          return reply.type('application/x-protobuf').header('content-encoding', 'snappy').send(Buffer.from(body));
        } finally {
          querier.close();
        }
      } catch (err) {
        return sendError(reply, err);
      }
    });

    for (const what of ['label-names', 'label-values'] as const) {
      scoped.post(`/internal/ingester/${what}`, tenant, async (req, reply) => {
        try {
          const b = bodyJson(req.body);
          const matchers = matchersFromJson(b.matchers ?? []);
          const limit = b.limit === undefined ? undefined : num(b.limit, 'limit');
          const querier = backend.queryable(t(req)).querier(num(b.mint, 'mint'), num(b.maxt, 'maxt'));
          try {
            const o = limit === undefined ? {} : { limit };
            const out =
              what === 'label-names'
                ? await querier.labelNames(matchers, o)
                : await querier.labelValues(String(b.name ?? ''), matchers, o);
            return reply.send(out);
          } finally {
            querier.close();
          }
        } catch (err) {
          return sendError(reply, err);
        }
      });
    }

    scoped.get<{ Querystring: { metric?: string; limit?: string } }>(
      '/internal/ingester/metadata',
      tenant,
      async (req, reply) => {
        try {
          const limit = req.query.limit === undefined ? undefined : Number(req.query.limit);
          return reply.send(
            backend.metadata(t(req), {
              ...(req.query.metric ? { metric: req.query.metric } : {}),
              ...(limit !== undefined && Number.isFinite(limit) ? { limit } : {}),
            }),
          );
        } catch (err) {
          return sendError(reply, err);
        }
      },
    );

    scoped.post('/internal/ingester/exemplars', tenant, async (req, reply) => {
      try {
        const b = bodyJson(req.body);
        if (!Array.isArray(b.matcherSets)) throw new BadDataError('matcherSets must be an array');
        const sets = b.matcherSets.map((s) => matchersFromJson(s));
        const out = backend.exemplars(t(req), sets, num(b.start, 'start'), num(b.end, 'end'));
        return reply.send(
          out.map((r) => ({
            seriesLabels: [...r.seriesLabels.flat],
            exemplars: r.exemplars.map((e) => ({ labels: [...e.labels.flat], t: e.t, v: e.v })),
          })),
        );
      } catch (err) {
        return sendError(reply, err);
      }
    });

    scoped.get('/internal/ingester/stats', tenant, async (req, reply) => reply.send(backend.stats(t(req))));

    scoped.post('/internal/ingester/delete-series', tenant, async (req, reply) => {
      try {
        if (!backend.deleteSeries) throw new BadDataError('this ingester cannot delete series');
        const b = bodyJson(req.body);
        const removed = await backend.deleteSeries(
          t(req),
          matchersFromJson(b.matchers),
          num(b.start, 'start'),
          num(b.end, 'end'),
        );
        return reply.send({ removed });
      } catch (err) {
        return sendError(reply, err);
      }
    });

    scoped.post('/internal/ingester/flush', { onRequest: auth.requirePeer({ tenant: false }) }, async (_req, reply) => {
      try {
        await backend.flush();
        return reply.code(204).send();
      } catch (err) {
        return sendError(reply, err);
      }
    });
  });
}
