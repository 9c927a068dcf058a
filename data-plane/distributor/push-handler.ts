import { CortexError, LimitExceededError, type TenantId } from '../model/index.js';
import {
  decodeWriteRequest,
  decodeWriteRequestV2,
  seriesCache,
  snappyDecode,
  wireFromColumns,
} from '../remotewrite/index.js';
import { ERROR_IDS, withId } from '../validation/index.js';
import type { DecodePool } from './decode-pool.js';
import type { Distributor, DistributorRequest, DroppedItem, PushResult } from './distributor.js';

export interface PushRequest {
  tenantId: TenantId;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  remoteWriteVersion: string | undefined;
  body: Uint8Array;
}

export interface PushResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface PushHandlerOptions {
  /** Largest snappy-decompressed body accepted; checked before the output buffer is allocated. */
  maxDecompressedBytes: number;
  /** Lines listed in a partial-write 400 before the rest is summarised (default 50). */
  maxErrorLines?: number;
  /** Decode threads for remote write 1.0 bodies; without it every body is decoded on this thread. */
  decodePool?: DecodePool;
  /**
   * Smaller compressed bodies are decoded on this thread (default 4 KiB): below that, the trip to a
   * worker costs more than it saves.
   */
  minPooledBytes?: number;
}

/** Largest decompression buffer kept between requests (a rare huge request gets its own). */
const MAX_SCRATCH_BYTES = 8 << 20;

const NOTHING_WRITTEN = { samplesWritten: 0, histogramsWritten: 0, exemplarsWritten: 0 };

type Negotiated = { ok: true; version: 1 | 2 } | { ok: false; response: PushResponse };

const V2_PROTO = 'io.prometheus.write.v2.Request';
const V1_PROTO = 'prometheus.WriteRequest';

/**
 * The framework-free remote-write edge: content negotiation, snappy, decode, distributor, and the
 * mapping to Prometheus remote-write status codes (this is the one place the write path picks them):
 * 204 stored; 202 dropped on purpose (non-elected HA replica); 400 never acceptable (partial: the
 * valid series were stored, the body lists the rest); 415 wrong content type or encoding; 429 +
 * Retry-After rate limited; 503 retryable (ingester unavailable); 500 anything unexpected.
 */
export function createPushHandler(
  d: Distributor,
  opts: PushHandlerOptions,
): (req: PushRequest) => Promise<PushResponse> {
  const maxLines = opts.maxErrorLines ?? 50;
  const pool = opts.decodePool;
  const minPooled = opts.minPooledBytes ?? 4096;
  // One decompression buffer for every request: decoding is synchronous and copies what it keeps
  // (strings, numbers), so the bytes are free again before the next request is decoded.
  let scratch: Uint8Array | undefined;
  // Most 1.0 bodies are decoded into columns on a worker; the rest (and any a worker could not
  // decode, which then fail here with the precise error) on this thread.
  const decode = async (body: Uint8Array, version: 1 | 2): Promise<DistributorRequest> => {
    if (version === 1 && pool !== undefined && body.length >= minPooled) {
      const columns = await pool.decode(body, opts.maxDecompressedBytes);
      if (columns !== undefined) return wireFromColumns(columns, seriesCache);
    }
    const raw = snappyDecode(body, opts.maxDecompressedBytes, scratch);
    if (raw.buffer !== scratch?.buffer && raw.length <= MAX_SCRATCH_BYTES) scratch = new Uint8Array(raw.buffer);
    return version === 2 ? decodeWriteRequestV2(raw) : decodeWriteRequest(raw, { cache: seriesCache });
  };
  return async (req) => {
    const neg = negotiate(req);
    if (!neg.ok) return neg.response;
    let result: PushResult;
    try {
      let wire: DistributorRequest | undefined = await decode(req.body, neg.version);
      const pending = d.push(req.tenantId, wire);
      wire = undefined; // not kept alive by this frame while the write waits for the WAL
      result = await pending;
    } catch (err) {
      // 2.0 requires the written counts on errors too; nothing was written on this path.
      const res = errorResponse(err);
      if (neg.version === 2) Object.assign(res.headers, writtenHeaders(NOTHING_WRITTEN));
      return res;
    }
    // 1.0 has no such headers; Prometheus sends none (the 2.0 compliance suite checks it).
    const headers = neg.version === 2 ? writtenHeaders(result) : {};
    if (result.deduplicated) {
      const { replica, elected } = result.deduplicated;
      const id = ERROR_IDS.haReplicaNotElected;
      return text(
        202,
        withId(`replicas did not match, rejecting sample: replica=${replica}, elected=${elected}`, id),
        headers,
      );
    }
    if (result.errors.length === 0) return { status: 204, headers, body: '' };
    return text(400, partialBody(result.errors, maxLines), headers);
  };
}

function negotiate(req: PushRequest): Negotiated {
  const enc = req.contentEncoding?.trim().toLowerCase();
  if (enc !== undefined && enc !== '' && enc !== 'snappy') {
    const id = ERROR_IDS.unsupportedContentEncoding;
    return reject(415, withId(`unsupported Content-Encoding ${JSON.stringify(req.contentEncoding)}; use snappy`, id));
  }
  const ct = parseContentType(req.contentType);
  if (ct === undefined) return { ok: true, version: 1 }; // Prometheus treats a missing Content-Type as 1.0.
  const id = ERROR_IDS.unsupportedContentType;
  if (ct.type !== 'application/x-protobuf') {
    return reject(
      415,
      withId(`unsupported Content-Type ${JSON.stringify(req.contentType)}; use application/x-protobuf`, id),
    );
  }
  // The Content-Type decides, as in Prometheus. A 2.x version header with a bare content type is
  // ambiguous: guessing either way would turn the body into an empty request and drop it silently.
  const major = req.remoteWriteVersion?.trim().split('.')[0];
  if (ct.proto === undefined && major === '2') {
    return reject(
      415,
      withId(
        `X-Prometheus-Remote-Write-Version ${req.remoteWriteVersion} needs Content-Type application/x-protobuf;proto=${V2_PROTO}`,
        id,
      ),
    );
  }
  const proto = ct.proto ?? V1_PROTO;
  if (proto === V2_PROTO) return { ok: true, version: 2 };
  if (proto !== V1_PROTO) {
    return reject(
      415,
      withId(`unsupported protobuf message ${JSON.stringify(proto)}; use ${V1_PROTO} or ${V2_PROTO}`, id),
    );
  }
  return { ok: true, version: 1 };
}

function parseContentType(v: string | undefined): { type: string; proto: string | undefined } | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const [type, ...params] = v.split(';');
  let proto: string | undefined;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() === 'proto')
      proto = p
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
  }
  return { type: type!.trim().toLowerCase(), proto };
}

function reject(status: number, message: string): Negotiated {
  return { ok: false, response: text(status, message, {}) };
}

function text(status: number, body: string, headers: Record<string, string>): PushResponse {
  return { status, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' }, body: `${body}\n` };
}

function writtenHeaders(
  r: Pick<PushResult, 'samplesWritten' | 'histogramsWritten' | 'exemplarsWritten'>,
): Record<string, string> {
  return {
    'x-prometheus-remote-write-samples-written': String(r.samplesWritten),
    'x-prometheus-remote-write-histograms-written': String(r.histogramsWritten),
    'x-prometheus-remote-write-exemplars-written': String(r.exemplarsWritten),
  };
}

/** One line per reason (error ID): the first occurrence in full, with a count of the others. */
export function partialBody(errors: DroppedItem[], maxLines: number): string {
  const byId = new Map<string, { first: DroppedItem; count: number; dropped: number }>();
  for (const e of errors) {
    const key = e.error.id ?? e.error.message;
    const g = byId.get(key);
    if (g) {
      g.count++;
      g.dropped += e.dropped;
    } else byId.set(key, { first: e, count: 1, dropped: e.dropped });
  }
  const lines: string[] = [];
  for (const g of byId.values()) {
    if (lines.length === maxLines) {
      lines.push(`… and ${byId.size - maxLines} more reasons`);
      break;
    }
    let line = describe(g.first);
    if (g.count > 1) line += ` [${g.count} items were rejected for this reason, ${g.dropped} samples in total]`;
    lines.push(line);
  }
  return lines.join('\n');
}

function describe(item: DroppedItem): string {
  const msg = item.error.message;
  if (item.labels === undefined) return msg;
  const series = item.labels.toString();
  return msg.includes(series) ? msg : `${msg} series: '${series.slice(0, 200)}'`;
}

/** Whole-request failures. A 5xx body never echoes an internal message. */
function errorResponse(err: unknown): PushResponse {
  if (err instanceof LimitExceededError) {
    const headers: Record<string, string> = {};
    if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.ceil(err.retryAfterSeconds));
    return text(429, err.message, headers);
  }
  if (err instanceof CortexError) {
    switch (err.kind) {
      case 'bad_data':
        return text(400, err.message, {});
      case 'unavailable':
      case 'timeout':
        return text(503, `the write could not be completed and should be retried: ${err.message}`, {});
      case 'canceled':
        return text(503, 'the write was canceled and should be retried', {});
      default:
        break;
    }
  }
  // Unknown failures may be transient (a crashed ingester): 500 makes Prometheus retry.
  return text(500, 'internal error while writing; the request should be retried', {});
}
