import { MAX_TIME_MS, MIN_TIME_MS, parseTime } from '../api/params.js';
import { parseSeriesSelector } from '../api/selectors.js';
import { BadDataError, type Clock, type Matcher, parseTenantId, systemClock, type TenantId } from '../model/index.js';
import type { KVChunkStore } from '../storage/chunkstore/index.js';

/** An operator's delete-series request as it arrives (Prometheus's admin API parameters). */
export interface DeleteSeriesRequest {
  /** Series selectors (`match[]`); each one is a separate deletion of the same time range. */
  match: string[];
  /** Prometheus API times (unix seconds or RFC 3339); absent = Prometheus's min/max time. */
  start?: string | undefined;
  end?: string | undefined;
}

export interface DeleteSeriesResult {
  tenantId: TenantId;
  /** The selectors as parsed, in `{name="value",…}` form. */
  selectors: string[];
  /** Inclusive range, ms. */
  start: number;
  end: number;
  /** Samples removed from ingester memory (the store's share is hidden by tombstones). */
  samplesRemovedFromMemory: number;
}

/** What a deletion reaches: the ingester's memory (+WAL) and the chunk store's tombstones. */
export interface DeleteSeriesTargets {
  ingester: {
    deleteSeries(tenantId: TenantId, matchers: readonly Matcher[], mint: number, maxt: number): Promise<number>;
  };
  store?: KVChunkStore | undefined;
  /** For "today": its bucket gets a tombstone even before it holds rows (default: system clock). */
  clock?: Clock | undefined;
  /** Drops the tenant's cached query results (the query frontend's results cache). */
  invalidate?: ((tenantId: TenantId) => void) | undefined;
}

/** Values that every real value of `__name__` is likely to look like; used to spot match-all regexes. */
const PROBES = ['a', 'up', 'Z9_:x', 'http_requests_total', 'ñ', '0'];

/** False for a matcher that selects every series: it matches the empty value, or any metric name. */
function selective(m: Matcher): boolean {
  if (m.matchesEmpty()) return false;
  return !(m.name === '__name__' && PROBES.every((p) => m.matches(p)));
}

/**
 * Validates a delete-series request and parses it: at least one selector, each with a matcher that
 * does not select every series, and `start <= end`. Throws BadDataError with the exact reason.
 */
export function parseDeleteSeriesRequest(req: DeleteSeriesRequest): { sets: Matcher[][]; start: number; end: number } {
  const match = req.match.filter((s) => s.trim() !== '');
  if (match.length === 0) {
    throw new BadDataError('delete series: at least one "match[]" series selector is required, e.g. up{job="api"}');
  }
  const everything = (s: string) =>
    new BadDataError(
      `delete series: selector ${JSON.stringify(s)} matches every series; give at least one matcher that selects ` +
        'some series only (e.g. a metric name or job="…")',
    );
  const sets = match.map((s) => {
    let ms: Matcher[];
    try {
      ms = parseSeriesSelector(s);
    } catch (err) {
      // The PromQL parser refuses selectors whose matchers all match the empty value.
      if (err instanceof BadDataError && /at least one non-empty matcher/.test(err.message)) throw everything(s);
      throw err;
    }
    if (!ms.some(selective)) {
      throw everything(s);
    }
    return ms;
  });
  // Clamped to Prometheus's min/max time (the defaults): any valid unix time reaches the ingester and
  // the tombstones as a date that prints (`9000000000000` seconds would overflow `Date`, a 500).
  const time = (s: string | undefined, name: string, dflt: number) =>
    s === undefined || s === '' ? dflt : Math.min(MAX_TIME_MS, Math.max(MIN_TIME_MS, parseTime(s, name)));
  const start = time(req.start, 'start', MIN_TIME_MS);
  const end = time(req.end, 'end', MAX_TIME_MS);
  if (start > end) {
    throw new BadDataError(
      `delete series: start (${new Date(start).toISOString()}) is after end (${new Date(end).toISOString()})`,
    );
  }
  return { sets, start, end };
}

/**
 * Carries out an operator's delete-series for one tenant: the samples leave the ingester's memory
 * at once (logged in its WAL, so a restart does not bring them back), then the chunk store gets a
 * tombstone that hides the flushed ones from every query at once. `KVChunkStore.purgeDeleted`
 * (run by Housekeeping) removes the rows later.
 */
export async function deleteSeries(
  targets: DeleteSeriesTargets,
  tenant: string,
  req: DeleteSeriesRequest,
): Promise<DeleteSeriesResult> {
  const tenantId = parseTenantId(tenant);
  const { sets, start, end } = parseDeleteSeriesRequest(req);
  let removed = 0;
  for (const ms of sets) {
    removed += await targets.ingester.deleteSeries(tenantId, ms, start, end);
    // Today's bucket too: a flush already in flight may be creating it with the old chunk bytes.
    const now = (targets.clock ?? systemClock).now();
    await targets.store?.deleteSeries(tenantId, ms, start, end, { alsoAt: [now] });
  }
  // Cached range-query results may hold the deleted samples.
  targets.invalidate?.(tenantId);
  return {
    tenantId,
    selectors: sets.map((ms) => `{${ms.map((m) => m.toString()).join(',')}}`),
    start,
    end,
    samplesRemovedFromMemory: removed,
  };
}

/** A delete-series request whose tombstones are still in the chunk store (not yet fully purged). */
export interface PendingDeletion {
  id: string;
  selector: string;
  start: number;
  end: number;
}

/** The tenant's deletions still pending in storage (Cortex's `GET …/delete_series`, in spirit). */
export async function listDeletions(store: KVChunkStore | undefined, tenant: string): Promise<PendingDeletion[]> {
  if (!store) return [];
  const tenantId = parseTenantId(tenant);
  return (await store.tombstones(tenantId)).map((t) => ({
    id: t.id,
    selector: `{${t.matchers.map((m) => m.toString()).join(',')}}`,
    start: t.mint,
    end: t.maxt,
  }));
}
