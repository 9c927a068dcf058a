/**
 * The querier's internal API (split mode): a query-frontend in another process sends each (split)
 * query here, so splitting, the results cache and fair queueing stay in the frontend while queriers
 * scale out. `POST /internal/querier/query`, cluster credential + `X-Scope-OrgID`, JSON request
 * (`{query, time}` or `{query, start, end, step}`, optional `lookbackDeltaMs`, `maxSamples`). The
 * answer is one JSON line (`{type, warnings, infos, samplesLoaded, t?, v?}`), then for vectors and
 * matrices the series as a snappy remote-write `WriteRequest` (exact timestamps, floats and native
 * histograms, no float formatting round trip).
 */
import type { FastifyInstance } from 'fastify';
import {
  BadDataError,
  CanceledError,
  CortexError,
  deadlineSignal,
  type FloatHistogram,
  type HistogramSample,
  Labels,
  type QueryTenant,
  type Sample,
  type TenantId,
  TimeoutError,
  UnavailableError,
} from '../model/index.js';
import { decodeWriteRequest, encodeWriteRequest, snappyDecode, snappyEncode } from '../remotewrite/index.js';
import type { InstanceDesc } from '../ring/index.js';
import { kindOf, publicMessage, statusOf } from './errors.js';
import type { ClusterAuth } from './internal-auth.js';
import { knownErrorKind, peerUrl } from './internal-call.js';
import { MAX_DECODED_BYTES } from './internal-codec.js';

/** The querier's error as the same kind here (the API maps kinds to statuses; the frontend retries 5xx kinds). */
function errorFromAnswer(status: number, kind: string | null, text: string): CortexError {
  const known = knownErrorKind(kind);
  if (known && known !== 'unauthorized') {
    if (known === 'canceled') return new CanceledError(text);
    return new CortexError(known, text);
  }
  return new UnavailableError(`querier answered ${status}: ${text.slice(0, 300)}`);
}

/** The engine values a querier returns (data-plane/promql's `PromValue`). */
export type QueryValue =
  | { type: 'scalar'; t: number; v: number }
  | { type: 'string'; t: number; v: string }
  | { type: 'vector'; samples: { labels: Labels; t: number; v?: number; h?: FloatHistogram }[] }
  | { type: 'matrix'; series: { labels: Labels; floats: Sample[]; histograms: HistogramSample[] }[] };

export interface QueryAnswer {
  value: unknown;
  warnings: string[];
  infos: string[];
  stats?: { samplesLoaded: number };
}

export interface QueryCallOptions {
  signal?: AbortSignal;
  lookbackDeltaMs?: number;
  maxSamples?: number;
  timeoutMs?: number;
}

/** What the querier serves (its `TenantQuerier`), and what the remote client implements. */
export interface TenantQueryRunner {
  instantQuery(tenantId: QueryTenant, query: string, timeMs: number, opts?: QueryCallOptions): Promise<QueryAnswer>;
  rangeQuery(
    tenantId: QueryTenant,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryCallOptions,
  ): Promise<QueryAnswer>;
}

export const QUERIER_QUERY_PATH = '/internal/querier/query';

interface Head {
  type: QueryValue['type'];
  warnings: string[];
  infos: string[];
  samplesLoaded?: number;
  t?: number;
  v?: number | string | null;
}

/** Encodes a query answer: a JSON head line, then the series (vector, matrix). */
export function encodeQueryAnswer(a: QueryAnswer): Uint8Array {
  const value = a.value as QueryValue;
  const head: Head = {
    type: value.type,
    warnings: a.warnings,
    infos: a.infos,
    ...(a.stats ? { samplesLoaded: a.stats.samplesLoaded } : {}),
  };
  let series: Uint8Array = new Uint8Array();
  if (value.type === 'scalar' || value.type === 'string') {
    head.t = value.t;
    // JSON has no NaN/Inf: scalars travel as strings.
    head.v = typeof value.v === 'number' ? String(value.v) : value.v;
  } else if (value.type === 'vector') {
    series = snappyEncode(
      encodeWriteRequest({
        timeseries: value.samples.map((s) =>
          s.h
            ? { labels: s.labels, histograms: [{ t: s.t, h: s.h, integer: false }] }
            : { labels: s.labels, samples: [{ t: s.t, v: s.v ?? Number.NaN }] },
        ),
      }),
    );
  } else {
    series = snappyEncode(
      encodeWriteRequest({
        timeseries: value.series.map((s) => ({
          labels: s.labels,
          samples: s.floats,
          histograms: s.histograms.map((h) => ({ ...h, integer: false })),
        })),
      }),
    );
  }
  const headBytes = new TextEncoder().encode(`${JSON.stringify(head)}\n`);
  const out = new Uint8Array(headBytes.length + series.length);
  out.set(headBytes, 0);
  out.set(series, headBytes.length);
  return out;
}

export function decodeQueryAnswer(body: Uint8Array): QueryAnswer {
  const nl = body.indexOf(0x0a);
  if (nl < 0) throw new UnavailableError('querier answer without a head line');
  const head = JSON.parse(new TextDecoder().decode(body.subarray(0, nl))) as Head;
  const rest = body.subarray(nl + 1);
  let value: QueryValue;
  if (head.type === 'scalar') value = { type: 'scalar', t: head.t ?? 0, v: Number(head.v) };
  else if (head.type === 'string') value = { type: 'string', t: head.t ?? 0, v: String(head.v ?? '') };
  else {
    const wire = rest.length === 0 ? { timeseries: [] } : decodeWriteRequest(snappyDecode(rest, MAX_DECODED_BYTES));
    if (head.type === 'vector') {
      value = {
        type: 'vector',
        samples: wire.timeseries.map((ts) => {
          const labels = Labels.fromSortedFlat(ts.labels);
          const h = ts.histograms[0];
          return h
            ? { labels, t: h.t, h: h.h }
            : { labels, t: ts.samples[0]?.t ?? 0, v: ts.samples[0]?.v ?? Number.NaN };
        }),
      };
    } else {
      value = {
        type: 'matrix',
        series: wire.timeseries.map((ts) => ({
          labels: Labels.fromSortedFlat(ts.labels),
          floats: ts.samples,
          histograms: ts.histograms.map((h) => ({ t: h.t, h: h.h })),
        })),
      };
    }
  }
  return {
    value,
    warnings: head.warnings ?? [],
    infos: head.infos ?? [],
    ...(head.samplesLoaded !== undefined ? { stats: { samplesLoaded: head.samplesLoaded } } : {}),
  };
}

const int = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new BadDataError(`${what} must be an integer`);
  return v;
};

/** Serves `POST /internal/querier/query` from `querier`. */
export async function internalQuerierRoutes(
  app: FastifyInstance,
  opts: { querier: TenantQueryRunner; auth: ClusterAuth },
): Promise<void> {
  await app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1 << 20 }, (_r, b, done) => done(null, b));
    scoped.post(
      QUERIER_QUERY_PATH,
      { onRequest: opts.auth.requirePeer({ tenant: true, federated: true }) },
      async (req, reply) => {
        try {
          let b: Record<string, unknown>;
          try {
            b = JSON.parse(String(req.body)) as Record<string, unknown>;
          } catch (cause) {
            throw new BadDataError('querier request is not JSON', { cause });
          }
          if (typeof b.query !== 'string') throw new BadDataError('query must be a string');
          // the frontend hanging up (its client left, or its timeout passed) stops the evaluation here
          const abort = new AbortController();
          reply.raw.once('close', () => {
            if (!reply.raw.writableFinished) abort.abort();
          });
          const o: QueryCallOptions = {
            signal: abort.signal,
            ...(b.lookbackDeltaMs !== undefined ? { lookbackDeltaMs: int(b.lookbackDeltaMs, 'lookbackDeltaMs') } : {}),
            ...(b.maxSamples !== undefined ? { maxSamples: int(b.maxSamples, 'maxSamples') } : {}),
            ...(b.timeoutMs !== undefined ? { timeoutMs: int(b.timeoutMs, 'timeoutMs') } : {}),
          };
          const tenant = req.peerQueryTenant!;
          const answer =
            b.time !== undefined
              ? await opts.querier.instantQuery(tenant, b.query, int(b.time, 'time'), o)
              : await opts.querier.rangeQuery(
                  tenant,
                  b.query,
                  int(b.start, 'start'),
                  int(b.end, 'end'),
                  int(b.step, 'step'),
                  o,
                );
          return reply.type('application/octet-stream').send(Buffer.from(encodeQueryAnswer(answer)));
        } catch (err) {
          reply.code(statusOf(err)).header('x-cortex-error-kind', kindOf(err));
          return reply.type('text/plain; charset=utf-8').send(publicMessage(err));
        }
      },
    );
  });
}

/**
 * A frontend's downstream in another process: each query goes to a querier `instances()` lists
 * (rotating), the next one when a querier cannot be reached.
 */
export class RemoteQuerier implements TenantQueryRunner {
  private next = 0;

  constructor(
    private readonly instances: () => InstanceDesc[],
    private readonly auth: ClusterAuth,
    private readonly timeoutMs = 130_000,
    /** `max_queriers_per_tenant`: the queriers one tenant's queries may use (0 = all). */
    private readonly maxQueriers: (t: QueryTenant) => number = () => 0,
  ) {}

  instantQuery(
    tenantId: QueryTenant,
    query: string,
    timeMs: number,
    opts: QueryCallOptions = {},
  ): Promise<QueryAnswer> {
    return this.call(tenantId, { query, time: timeMs }, opts);
  }

  rangeQuery(
    tenantId: QueryTenant,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: QueryCallOptions = {},
  ): Promise<QueryAnswer> {
    return this.call(tenantId, { query, start: startMs, end: endMs, step: stepMs }, opts);
  }

  private async call(
    tenantId: QueryTenant,
    req: Record<string, unknown>,
    opts: QueryCallOptions,
  ): Promise<QueryAnswer> {
    const all = queriersOf(tenantId, this.instances(), this.maxQueriers(tenantId));
    if (all.length === 0) throw new UnavailableError('no healthy querier in the ring');
    const start = this.next++ % all.length;
    const body = JSON.stringify({
      ...req,
      ...(opts.lookbackDeltaMs !== undefined ? { lookbackDeltaMs: opts.lookbackDeltaMs } : {}),
      ...(opts.maxSamples !== undefined ? { maxSamples: opts.maxSamples } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    let lastErr: unknown;
    for (let i = 0; i < Math.min(all.length, 3); i++) {
      const inst = all[(start + i) % all.length]!;
      // deadlineSignal: a caller's signal combined with Node's own timeout signal loses it at a GC
      const timeout = opts.signal
        ? deadlineSignal(this.timeoutMs, opts.signal).signal
        : AbortSignal.timeout(this.timeoutMs);
      let res: Response;
      try {
        res = await fetch(peerUrl(inst, QUERIER_QUERY_PATH), {
          method: 'POST',
          headers: { ...this.auth.headers(tenantId), 'content-type': 'application/json' },
          body,
          signal: timeout,
        });
      } catch (err) {
        if (opts.signal?.aborted) throw abortedCall(opts.signal, err);
        lastErr = err;
        continue;
      }
      if (res.ok) return decodeQueryAnswer(new Uint8Array(await res.arrayBuffer()));
      const text = await res.text().catch(() => '');
      throw errorFromAnswer(res.status, res.headers.get('x-cortex-error-kind'), text);
    }
    throw new UnavailableError(`no querier answered: ${(lastErr as Error)?.message ?? String(lastErr)}`, {
      cause: lastErr,
    });
  }
}

/**
 * The queriers a tenant may use: all, or `n` of them chosen by rendezvous hashing on the tenant, so a
 * tenant's expensive queries load only its own queriers (Mimir's max_queriers_per_tenant) and the
 * choice moves little when queriers come and go.
 */
export function queriersOf(tenantId: QueryTenant, all: InstanceDesc[], n: number): InstanceDesc[] {
  if (n <= 0 || n >= all.length) return all;
  return all
    .map((inst) => ({ inst, score: fnv1a(`${tenantId}\u0000${inst.id}`) }))
    .sort((a, b) => a.score - b.score || (a.inst.id < b.inst.id ? -1 : 1))
    .slice(0, n)
    .map((x) => x.inst);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A call aborted by its caller: a timeout if the caller's signal says so, a cancellation otherwise. */
function abortedCall(signal: AbortSignal, cause: unknown): CortexError {
  const r = signal.reason as { name?: string } | undefined;
  return r?.name === 'TimeoutError'
    ? new TimeoutError('query timed out in query execution', { cause })
    : new CanceledError('query was canceled', { cause });
}
