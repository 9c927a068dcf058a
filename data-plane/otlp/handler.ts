import { gunzipSync } from 'node:zlib';
import { Gauge, type Registry } from 'prom-client';
import type { Distributor, PushResult } from '../distributor/index.js';
import { partialBody } from '../distributor/index.js';
import { BadDataError, CortexError, LimitExceededError, type TenantId } from '../model/index.js';
import { ProtoWriter } from '../remotewrite/index.js';
import { WIRE_LEN, WIRE_VARINT } from '../remotewrite/proto-reader.js';
import { ERROR_IDS } from '../validation/index.js';
import { decodeOtlpJson } from './decode-json.js';
import { decodeOtlpProto } from './decode-proto.js';
import { DeltaToCumulative, type DeltaToCumulativeOptions } from './delta-to-cumulative.js';
import { TRANSLATION_STRATEGIES } from './names.js';
import { type OtlpSettings, translateOtlp } from './translate.js';
import { unzstd, ZstdError } from './zstd.js';

export interface OtlpRequestIn {
  tenantId: TenantId;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  body: Uint8Array;
}

export interface OtlpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

export interface OtlpHandlerOptions {
  /** The tenant's translation settings, read on every request. */
  settings(tenant: TenantId): OtlpSettings;
  /** Largest decoded body (after gzip) for the tenant; a bomb is stopped at this size, not inflated. */
  maxDecompressedBytes(tenant: TenantId): number;
  /** Reasons listed in a partial-success message before the rest is summarised. */
  maxErrorLines?: number;
}

type Encoding = 'protobuf' | 'json';

/** gRPC status codes used in the google.rpc.Status body of an error (as OTLP/HTTP asks). */
const GRPC = { invalidArgument: 3, resourceExhausted: 8, internal: 13, unavailable: 14 } as const;

/**
 * `POST /otlp/v1/metrics`: OTLP/HTTP metrics in, the remote-write distributor path behind it. Bodies
 * are protobuf or JSON, optionally gzip or zstd; answers follow the OTLP/HTTP spec in the request's encoding:
 * 200 with an `ExportMetricsServiceResponse` (with `partial_success` when points were dropped), 400
 * with a `google.rpc.Status` for bodies that can never be accepted, 415 for other media types or
 * encodings, 429/503 with `Retry-After` when the client should retry.
 */
export function createOtlpHandler(
  d: Distributor,
  opts: OtlpHandlerOptions,
): (req: OtlpRequestIn) => Promise<OtlpResponse> {
  const maxLines = opts.maxErrorLines ?? 50;
  return async (req) => {
    const type = (req.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const enc: Encoding | undefined =
      type === 'application/x-protobuf' || type === 'application/protobuf'
        ? 'protobuf'
        : type === 'application/json'
          ? 'json'
          : undefined;
    if (enc === undefined) {
      return status(
        'json',
        415,
        GRPC.invalidArgument,
        `unsupported Content-Type ${JSON.stringify(req.contentType ?? '')}; OTLP/HTTP takes application/x-protobuf or application/json (err-cortex-unsupported-content-type)`,
      );
    }
    const ce = (req.contentEncoding ?? '').trim().toLowerCase();
    if (ce !== '' && ce !== 'gzip' && ce !== 'zstd' && ce !== 'identity') {
      return status(
        enc,
        415,
        GRPC.invalidArgument,
        `unsupported Content-Encoding ${JSON.stringify(req.contentEncoding)}; use gzip, zstd or none (err-cortex-unsupported-content-encoding)`,
      );
    }
    let result: PushResult;
    let points = 0;
    let rejectedPoints = 0;
    try {
      const limit = opts.maxDecompressedBytes(req.tenantId);
      const raw = ce === 'gzip' ? gunzip(req.body, limit) : ce === 'zstd' ? zstd(req.body, limit) : req.body;
      if (raw.length > limit) throw tooLarge(raw.length, limit);
      const decoded = enc === 'json' ? decodeOtlpJson(raw) : decodeOtlpProto(raw);
      const t = translateOtlp(decoded, opts.settings(req.tenantId));
      points = t.points;
      rejectedPoints = t.rejectedPoints;
      result = await d.push(req.tenantId, t.wire);
    } catch (err) {
      return errorResponse(enc, err);
    }
    if (result.deduplicated) {
      const { replica, elected } = result.deduplicated;
      return success(enc, 0, `replicas did not match, dropped on purpose: replica=${replica}, elected=${elected}`);
    }
    if (result.errors.length === 0) return success(enc, 0, '');
    // Points the translator refused, plus samples validation or the ingester dropped afterwards.
    let dropped = 0;
    for (const e of result.errors) dropped += e.dropped;
    const translatorDropped = result.errors.reduce(
      (n, e) => n + (e.error.id?.startsWith('err-cortex-otlp-') ? e.dropped : 0),
      0,
    );
    const rejected = Math.min(points, rejectedPoints + (dropped - translatorDropped));
    return success(enc, rejected, partialBody(result.errors, maxLines));
  };
}

function tooLarge(n: number | undefined, limit: number): BadDataError {
  const id = ERROR_IDS.requestTooLarge;
  const size = n === undefined ? 'more than' : `${n} bytes,`;
  return new BadDataError(
    `the decoded OTLP body is ${size} above the limit of ${limit} bytes (otlp_max_decompressed_bytes); send smaller batches (${id})`,
    { id },
  );
}

/** gunzip that stops at `limit` output bytes instead of inflating a bomb in full. */
function gunzip(body: Uint8Array, limit: number): Uint8Array {
  try {
    return gunzipSync(body, { maxOutputLength: Math.max(1, limit) });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(undefined, limit);
    const id = ERROR_IDS.gzipCorrupt;
    throw new BadDataError(`gzip: ${(err as Error).message} (${id})`, { id, cause: err });
  }
}

/** zstd that stops at `limit` output bytes, and refuses a frame declaring more before decoding it. */
function zstd(body: Uint8Array, limit: number): Uint8Array {
  try {
    return unzstd(body, limit);
  } catch (err) {
    if (err instanceof ZstdError && err.tooLarge) throw tooLarge(undefined, limit);
    const id = ERROR_IDS.zstdCorrupt;
    throw new BadDataError(`zstd: ${(err as Error).message} (${id})`, { id, cause: err });
  }
}

function success(enc: Encoding, rejected: number, message: string): OtlpResponse {
  if (enc === 'json') {
    const body =
      rejected === 0 && message === ''
        ? {}
        : { partialSuccess: { rejectedDataPoints: String(rejected), errorMessage: message } };
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }
  const w = new ProtoWriter(256);
  if (rejected !== 0 || message !== '') {
    w.tag(1, WIRE_LEN);
    const m = w.begin();
    if (rejected !== 0) {
      w.tag(1, WIRE_VARINT);
      w.int64(rejected);
    }
    if (message !== '') {
      w.tag(2, WIRE_LEN);
      w.string(message);
    }
    w.finish(m);
  }
  return { status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: w.finishAll() };
}

/** A `google.rpc.Status` body in the request's encoding. */
function status(
  enc: Encoding,
  http: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): OtlpResponse {
  if (enc === 'json') {
    return {
      status: http,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ code, message }),
    };
  }
  const w = new ProtoWriter(256);
  w.tag(1, WIRE_VARINT);
  w.int64(code);
  w.tag(2, WIRE_LEN);
  w.string(message);
  return { status: http, headers: { ...headers, 'content-type': 'application/x-protobuf' }, body: w.finishAll() };
}

function errorResponse(enc: Encoding, err: unknown): OtlpResponse {
  if (err instanceof LimitExceededError) {
    const after = String(Math.max(1, Math.ceil(err.retryAfterSeconds ?? 1)));
    return status(enc, 429, GRPC.resourceExhausted, err.message, { 'retry-after': after });
  }
  if (err instanceof CortexError) {
    switch (err.kind) {
      case 'bad_data':
        return status(enc, 400, GRPC.invalidArgument, err.message);
      case 'unavailable':
      case 'timeout':
      case 'canceled':
        return status(
          enc,
          503,
          GRPC.unavailable,
          `the write could not be completed and should be retried: ${err.message}`,
          {
            'retry-after': '1',
          },
        );
      default:
        break;
    }
  }
  // Unknown failures may be transient (a crashed ingester): 503 makes OTLP exporters retry.
  return status(enc, 503, GRPC.unavailable, 'internal error while writing; the request should be retried', {
    'retry-after': '1',
  });
}

/** The per-tenant limits the OTLP path reads (satisfied by `Overrides`). */
export interface OtlpLimits {
  otlpTranslationStrategy(t: TenantId): number;
  otlpPromoteResourceAttributes(t: TenantId): readonly string[];
  otlpAllowDeltaTemporality(t: TenantId): boolean;
  otlpConvertDeltaToCumulative(t: TenantId): boolean;
  otlpDeltaToCumulativeMaxStreams(t: TenantId): number;
  otlpConvertHistogramsToNhcb(t: TenantId): boolean;
  otlpMaxDecompressedBytes(t: TenantId): number;
  /** created_timestamp_zero_ingestion_enabled (absent: off). */
  createdTimestampZeroIngestion?(t: TenantId): boolean;
}

/**
 * The OTLP handler over a distributor, with every setting read from the tenant's limits per request.
 * Running sums for delta → cumulative conversion live in this handler (one per process).
 */
export function otlpHandlerFor(
  d: Distributor,
  limits: OtlpLimits,
  opts: DeltaToCumulativeOptions & { registry?: Registry } = {},
): (req: OtlpRequestIn) => Promise<OtlpResponse> {
  const deltas = new DeltaToCumulative(opts);
  const name = 'cortex_distributor_otlp_delta_streams';
  // One gauge per registry: a second handler on the same registry (tests) is not reported.
  if (opts.registry && !opts.registry.getSingleMetric(name)) {
    new Gauge({
      name,
      help: 'OTLP delta streams summed into cumulative ones (otlp_convert_delta_to_cumulative), per tenant.',
      labelNames: ['user'],
      registers: [opts.registry],
      collect() {
        this.reset();
        for (const [t, n] of deltas.sizes()) this.set({ user: t }, n);
      },
    });
  }
  return createOtlpHandler(d, {
    settings: (t) => ({
      translationStrategy:
        TRANSLATION_STRATEGIES[limits.otlpTranslationStrategy(t)] ?? 'UnderscoreEscapingWithSuffixes',
      promoteResourceAttributes: limits.otlpPromoteResourceAttributes(t),
      allowDeltaTemporality: limits.otlpAllowDeltaTemporality(t),
      convertHistogramsToNHCB: limits.otlpConvertHistogramsToNhcb(t),
      createdTimestampZeroIngestion: limits.createdTimestampZeroIngestion?.(t) ?? false,
      deltaToCumulative: limits.otlpConvertDeltaToCumulative(t)
        ? deltas.forTenant(t, limits.otlpDeltaToCumulativeMaxStreams(t))
        : undefined,
    }),
    maxDecompressedBytes: (t) => limits.otlpMaxDecompressedBytes(t),
  });
}
