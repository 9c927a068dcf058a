import {
  BadDataError,
  deadlineSignal,
  type Exemplar,
  isFederated,
  Labels,
  type Matcher,
  type MetricMetadata,
  type QueryTenant,
  type TenantId,
  tenantsOf,
} from '../model/index.js';
import { formatApiFloat } from '../promql/index.js';
import { matchersForTenant, withTenantLabel } from '../querier/index.js';
import { type Queryable, sortedUnion } from '../storage/index.js';
import { MAX_TIME_MS, MIN_TIME_MS, optionalTime, type Params, parseDurationParam, parseTime } from './params.js';
import { parseSeriesSelector, selectorsOf } from './selectors.js';

/**
 * Runs PromQL for a tenant: the querier (limits + engine), or the query-frontend in front of it
 * (splitting, caching, fair queueing).
 */
export interface TenantQueryEngine {
  instantQuery(tenantId: QueryTenant, query: string, timeMs: number, opts?: QueryCallOptions): Promise<EngineResult>;
  rangeQuery(
    tenantId: QueryTenant,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryCallOptions,
  ): Promise<EngineResult>;
}
export interface QueryCallOptions {
  signal?: AbortSignal;
  lookbackDeltaMs?: number;
  maxSamples?: number;
  /** The request's `timeout` (capped by the server's query timeout). */
  timeoutMs?: number;
  /** Ask for the result rendered as the API's `data` JSON where it is evaluated. */
  render?: boolean;
}
export interface EngineResult {
  value: unknown;
  warnings: string[];
  infos: string[];
  stats?: { samplesLoaded: number };
  /** `data` as JSON bytes, when the engine rendered it (then `value` need not be read). */
  rendered?: Uint8Array;
}

/** Tenant-bound data the API reads; the querier module provides it. */
export interface QueryBackend {
  /** One tenant's data, or several tenants' with `__tenant_id__` on every series (federated). */
  queryable(tenantId: QueryTenant): Queryable;
  /** May be asynchronous (a querier asking remote ingesters in split mode). */
  metadata(
    tenantId: TenantId,
    opts: { metric?: string; limit?: number; limitPerMetric?: number },
  ): MetricMetadata[] | Promise<MetricMetadata[]>;
  exemplars(
    tenantId: TenantId,
    matcherSets: Matcher[][],
    start: number,
    end: number,
  ): { seriesLabels: Labels; exemplars: Exemplar[] }[] | Promise<{ seriesLabels: Labels; exemplars: Exemplar[] }[]>;
}

export interface PrometheusApiDeps {
  engine: TenantQueryEngine;
  backend: QueryBackend;
  /** Converts an engine value to Prometheus's `{resultType, result}` JSON. */
  toApiData(value: unknown): { resultType: string; result: unknown };
  /** Canonical form of a query, for format_query. */
  formatQuery(query: string): string;
  /** Default `timeout` (ms) and its cap. */
  queryTimeoutMs: number;
  now(): number;
  /**
   * Called once per PromQL query answered to the client (instant or range, federated included) with
   * the samples it loaded; usage metering. Failed queries are not reported.
   */
  onQueryAnswered?(tenantId: QueryTenant, samplesLoaded: number): void;
}

/** A successful answer's envelope fields besides `status`. */
export interface ApiAnswer {
  data: unknown;
  /** `data` already serialized (rendered off the main thread); sent as is instead of `data`. */
  rawData?: Uint8Array;
  warnings?: string[];
  infos?: string[];
}

const MAX_POINTS = 11_000;

/**
 * The Prometheus HTTP query API (`/api/v1/...`), framework-free: each method takes the tenant and the
 * merged request parameters and returns the `data` of Prometheus's success envelope, or throws a
 * CortexError that the edge maps to Prometheus's error envelope and status.
 */
export class PrometheusApi {
  constructor(private readonly deps: PrometheusApiDeps) {}

  async query(tenantId: QueryTenant, p: Params, signal?: AbortSignal): Promise<ApiAnswer> {
    const query = p.required('query');
    const t = optionalTime(p, 'time', this.deps.now());
    const res = await this.withTimeout(p, signal, (s, ms) =>
      this.deps.engine.instantQuery(tenantId, query, t, this.opts(p, s, ms)),
    );
    this.deps.onQueryAnswered?.(tenantId, res.stats?.samplesLoaded ?? 0);
    return this.answer(res, p);
  }

  async queryRange(tenantId: QueryTenant, p: Params, signal?: AbortSignal): Promise<ApiAnswer> {
    const query = p.required('query');
    const start = parseTime(p.required('start'), 'start');
    const end = parseTime(p.required('end'), 'end');
    if (end < start) throw new BadDataError('invalid parameter "end": end timestamp must not be before start time');
    const step = parseDurationParam(p.required('step'), 'step');
    if (step <= 0) {
      throw new BadDataError(
        'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
      );
    }
    if ((end - start) / step > MAX_POINTS) {
      throw new BadDataError(
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    const res = await this.withTimeout(p, signal, (s, ms) =>
      this.deps.engine.rangeQuery(tenantId, query, start, end, step, this.opts(p, s, ms)),
    );
    this.deps.onQueryAnswered?.(tenantId, res.stats?.samplesLoaded ?? 0);
    return this.answer(res, p);
  }

  async series(tenantId: QueryTenant, p: Params, signal?: AbortSignal): Promise<ApiAnswer> {
    const sets = p.all('match[]');
    if (sets.length === 0) throw new BadDataError('no match[] parameter provided');
    const matcherSets = sets.map(parseSeriesSelector);
    const { start, end } = this.range(p);
    const limit = this.limit(p);
    const q = this.deps.backend.queryable(tenantId).querier(start, end);
    try {
      const seen = new Map<string, Labels>();
      for (const ms of matcherSets) {
        // each set may match a tenant's whole index: let other requests in between sets
        await yieldToEventLoop();
        const series = await q.select(true, { start, end, func: 'series' }, ms, signal ? { signal } : {});
        for (const s of series) seen.set(s.labels.key(), s.labels);
      }
      const data = [...seen.values()].sort(Labels.compare).map((l) => l.toObject());
      return limited(data, limit);
    } finally {
      q.close();
    }
  }

  async labelNames(tenantId: QueryTenant, p: Params, signal?: AbortSignal): Promise<ApiAnswer> {
    return this.labelsOrValues(tenantId, p, signal, (q, ms, o) => q.labelNames(ms, o));
  }

  async labelValues(tenantId: QueryTenant, name: string, p: Params, signal?: AbortSignal): Promise<ApiAnswer> {
    const labelName = name.startsWith('U__') ? decodeUtf8LabelName(name) : name;
    if (labelName === '') throw new BadDataError(`invalid label name: "${name}"`);
    return this.labelsOrValues(tenantId, p, signal, (q, ms, o) => q.labelValues(labelName, ms, o));
  }

  async metadata(tenantId: QueryTenant, p: Params): Promise<ApiAnswer> {
    const metric = p.get('metric');
    const limit = optionalInt(p, 'limit');
    const limitPerMetric = optionalInt(p, 'limit_per_metric');
    const o = {
      ...(metric ? { metric } : {}),
      ...(limitPerMetric !== undefined ? { limitPerMetric } : {}),
    };
    // federated: the tenants' metadata merged (metadata carries no tenant, as in Mimir)
    const entries = (await Promise.all(tenantsOf(tenantId).map((t) => this.deps.backend.metadata(t, o)))).flat();
    const data: Record<string, { type: string; help: string; unit: string }[]> = Object.create(null);
    let families = 0;
    for (const m of entries) {
      let list = data[m.metricFamilyName];
      if (!list) {
        if (limit !== undefined && limit >= 0 && families >= limit) continue;
        families++;
        list = data[m.metricFamilyName] = [];
      }
      if (limitPerMetric !== undefined && limitPerMetric > 0 && list.length >= limitPerMetric) continue;
      if (!list.some((e) => e.type === m.type && e.help === m.help && e.unit === m.unit)) {
        list.push({ type: m.type, help: m.help, unit: m.unit });
      }
    }
    return { data };
  }

  /** `/api/v1/query_exemplars`: exemplars of every series the query's selectors select. */
  async queryExemplars(tenantId: QueryTenant, p: Params): Promise<ApiAnswer> {
    const sets = selectorsOf(p.required('query'));
    const start = optionalTime(p, 'start', MIN_TIME_MS);
    const end = optionalTime(p, 'end', MAX_TIME_MS);
    if (end < start) throw new BadDataError('invalid parameter "end": end timestamp must not be before start time');
    const data = (await this.exemplarsOf(tenantId, sets, start, end)).map((r) => ({
      seriesLabels: r.seriesLabels.toObject(),
      exemplars: r.exemplars.map((e) => ({
        labels: e.labels.toObject(),
        value: formatApiFloat(e.v),
        timestamp: e.t / 1000,
      })),
    }));
    return { data };
  }

  /** A tenant's exemplars, or each federated tenant's that its `__tenant_id__` matchers select, labelled. */
  private async exemplarsOf(q: QueryTenant, sets: Matcher[][], start: number, end: number) {
    if (!isFederated(q)) return await this.deps.backend.exemplars(q, sets, start, end);
    const parts = await Promise.all(
      tenantsOf(q).map(async (t) => {
        const mine = sets.map((ms) => matchersForTenant(ms, t)).filter((ms): ms is Matcher[] => ms !== undefined);
        if (mine.length === 0) return [];
        const found = await this.deps.backend.exemplars(t, mine, start, end);
        return found.map((r) => ({ ...r, seriesLabels: withTenantLabel(r.seriesLabels, t) }));
      }),
    );
    return parts.flat();
  }

  formatQuery(p: Params): ApiAnswer {
    return { data: this.deps.formatQuery(p.required('query')) };
  }

  private async labelsOrValues(
    tenantId: QueryTenant,
    p: Params,
    signal: AbortSignal | undefined,
    fn: (
      q: ReturnType<Queryable['querier']>,
      ms: readonly Matcher[],
      o: { signal?: AbortSignal; limit?: number },
    ) => Promise<string[]>,
  ): Promise<ApiAnswer> {
    const { start, end } = this.range(p);
    const limit = this.limit(p);
    const sets = p.all('match[]').map(parseSeriesSelector);
    const q = this.deps.backend.queryable(tenantId).querier(start, end);
    try {
      const opts = signal ? { signal } : {};
      const lists: string[][] = [];
      for (const ms of sets.length === 0 ? [[]] : sets) {
        await yieldToEventLoop();
        lists.push(await fn(q, ms, opts));
      }
      const data = sortedUnion(lists);
      return limited(data, limit);
    } finally {
      q.close();
    }
  }

  private range(p: Params): { start: number; end: number } {
    const start = optionalTime(p, 'start', MIN_TIME_MS);
    const end = optionalTime(p, 'end', MAX_TIME_MS);
    if (end < start) throw new BadDataError('invalid parameter "end": end timestamp must not be before start time');
    return { start, end };
  }

  private limit(p: Params): number | undefined {
    const v = optionalInt(p, 'limit');
    if (v !== undefined && v < 0) throw new BadDataError('invalid parameter "limit": limit must be non-negative');
    return v === 0 ? undefined : v;
  }

  private opts(p: Params, signal: AbortSignal, timeoutMs: number): QueryCallOptions {
    // with `stats` the answer gains a field, so it is built here from the value
    const o: QueryCallOptions = { signal, timeoutMs, render: !p.get('stats') };
    const lb = p.get('lookback_delta');
    if (lb) {
      o.lookbackDeltaMs = parseDurationParam(lb, 'lookback_delta');
      if (o.lookbackDeltaMs < 0) throw new BadDataError('invalid parameter "lookback_delta": must not be negative');
    }
    return o;
  }

  /**
   * Runs `fn` under the request's timeout: the `timeout` parameter (a positive duration, capped by the
   * server's query timeout; 0 or absent means the server's) and the client's hang-up both abort it.
   */
  private async withTimeout<T>(
    p: Params,
    outer: AbortSignal | undefined,
    fn: (s: AbortSignal, timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    const raw = p.get('timeout');
    let ms = this.deps.queryTimeoutMs;
    if (raw) {
      const asked = parseDurationParam(raw, 'timeout');
      if (asked < 0) throw new BadDataError('invalid parameter "timeout": must not be negative');
      if (asked > 0) ms = Math.min(ms, asked);
    }
    const deadline = deadlineSignal(ms, outer);
    try {
      return await fn(deadline.signal, ms);
    } finally {
      deadline.clear();
    }
  }

  private answer(res: EngineResult, p: Params): ApiAnswer {
    if (res.rendered && !p.get('stats')) {
      const out: ApiAnswer = { data: undefined, rawData: res.rendered };
      if (res.warnings.length > 0) out.warnings = res.warnings;
      if (res.infos.length > 0) out.infos = res.infos;
      return out;
    }
    const data = this.deps.toApiData(res.value) as Record<string, unknown>;
    if (p.get('stats') && res.stats) data.stats = { samples: { totalQueryableSamples: res.stats.samplesLoaded } };
    const out: ApiAnswer = { data };
    if (res.warnings.length > 0) out.warnings = res.warnings;
    if (res.infos.length > 0) out.infos = res.infos;
    return out;
  }
}

/** A macrotask boundary: queued I/O (pushes, health checks) runs before the next chunk of work. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function optionalInt(p: Params, name: string): number | undefined {
  const v = p.get(name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new BadDataError(`invalid parameter "${name}": cannot parse "${v}" as an integer`);
  return Number(v);
}

function limited<T>(data: T[], limit: number | undefined): ApiAnswer {
  if (limit !== undefined && data.length > limit) {
    return { data: data.slice(0, limit), warnings: ['results truncated due to limit'] };
  }
  return { data };
}

/** Prometheus 3's `U__` escaping of UTF-8 label names in URL paths (`U__a_2e_b` → `a.b`). */
function decodeUtf8LabelName(s: string): string {
  let out = '';
  const body = s.slice(3);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '_') {
      if (body[i + 1] === '_') {
        out += '_';
        i++;
        continue;
      }
      const end = body.indexOf('_', i + 1);
      if (end < 0) return '';
      const hex = body.slice(i + 1, end);
      const code = /^[0-9a-fA-F]{1,6}$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN;
      // beyond Unicode, or a lone surrogate: not a label name
      if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) return '';
      out += String.fromCodePoint(code);
      i = end;
    } else out += c;
  }
  return out;
}
