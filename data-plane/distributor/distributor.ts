import { performance } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import {
  type Clock,
  ColumnSeries,
  type CortexError,
  type Exemplar,
  type FloatSamples,
  Labels,
  LimitExceededError,
  type MetricMetadata,
  SampleColumns,
  systemClock,
  type TenantId,
  type TimeSeries,
} from '../model/index.js';
import { type AnyWireWriteRequest, ColumnWireRequest, type SeriesMemo, type WireSeries } from '../remotewrite/index.js';
import {
  ERROR_IDS,
  type LabelLimitValues,
  limitHistogramBuckets,
  normalizeLabels,
  resolveLabelLimits,
  type TimeBounds,
  timeBounds,
  ValidationError,
  validateExemplar,
  validateHistogram,
  validateLabelsWith,
  validateMetadata,
  validateTimestamp,
  withId,
} from '../validation/index.js';
import { attributeSeries, withoutDrops } from './attribution.js';
import { HaTracker, type HaTrackerStore, InMemoryHaTrackerStore } from './ha-tracker.js';
import type { IngesterClient } from './ingester-client.js';
import type { DistributorLimits } from './limits.js';
import { DistributorMetrics } from './metrics.js';
import { TenantRateLimiter } from './rate-limiter.js';
import { type IngestionRateStrategy, LocalIngestionRateStrategy } from './rate-strategy.js';

export interface DistributorOptions {
  limits: DistributorLimits;
  ingester: IngesterClient;
  registry: Registry;
  clock?: Clock;
  /** HA election state; defaults to one in memory (correct for a single distributor only). */
  haStore?: HaTrackerStore;
  /** Label that names an HA Prometheus pair (Cortex `ha_cluster_label`). */
  haClusterLabel?: string;
  /** Label that names the replica within the pair; removed before storing (`ha_replica_label`). */
  haReplicaLabel?: string;
  /** How `ingestion_rate` becomes this distributor's share (default local: the whole rate). */
  rateStrategy?: IngestionRateStrategy;
  /**
   * Usage cost attribution: a tenant's key function (undefined for a tenant without one, the common
   * case, which then costs nothing more). Accepted series' samples are summed per key.
   */
  attribution?: { forTenant(tenantId: TenantId): ((labels: Labels) => string) | undefined };
}

/** What the distributor takes: a decoded request, or one read from a decode worker's columns. */
export type DistributorRequest = AnyWireWriteRequest | ColumnWireRequest;

/** What every series of one push is checked against, and where its drops are listed. */
interface LabelCheck {
  tenant: TenantId;
  /** HA: strip the replica label from every series (then no memo applies). */
  removeReplica: boolean;
  limits: LabelLimitValues;
  /** See `validationToken`. */
  validatedFor: object;
  errors: DroppedItem[];
}

/** The series a push keeps, and what they carry. */
interface KeptSeries {
  timeseries: TimeSeries[];
  samples: number;
  histograms: number;
  exemplars: number;
}

/** One dropped series, exemplar or metadata entry (or an ingester's per-series rejection). */
export interface DroppedItem {
  error: CortexError;
  /** Samples + histograms lost (0 for exemplars and metadata). */
  dropped: number;
  /** The series, when the error came from the ingester (validation messages already name it). */
  labels?: Labels;
}

export interface PushResult {
  samplesWritten: number;
  histogramsWritten: number;
  exemplarsWritten: number;
  /** Non-empty means a partial write: the rest was stored, the edge answers 400 listing these. */
  errors: DroppedItem[];
  /** Set when the request came from a non-elected HA replica and was dropped on purpose (202). */
  deduplicated?: { cluster: string; replica: string; elected: string };
  /** With cost attribution: samples + histograms of the accepted series per attribution key. */
  attributed?: Map<string, number>;
}

/**
 * The write path's front half: HA deduplication, validation (dropping only bad series), the per-tenant
 * ingestion rate limit, then one call to the ingester. Limits are read on every push.
 */
export class Distributor {
  private readonly limits: DistributorLimits;
  private readonly ingester: IngesterClient;
  private readonly clock: Clock;
  private readonly metrics: DistributorMetrics;
  private readonly limiter: TenantRateLimiter;
  private readonly rateStrategy: IngestionRateStrategy;
  private readonly ha: HaTracker;
  private readonly clusterLabel: string;
  private readonly replicaLabel: string;
  private readonly attribution: DistributorOptions['attribution'];
  private readonly validationTokens = new Map<string, object>();

  constructor(opts: DistributorOptions) {
    this.limits = opts.limits;
    this.ingester = opts.ingester;
    this.clock = opts.clock ?? systemClock;
    this.metrics = new DistributorMetrics(opts.registry);
    this.limiter = new TenantRateLimiter(this.clock);
    this.rateStrategy = opts.rateStrategy ?? new LocalIngestionRateStrategy(opts.limits);
    this.ha = new HaTracker({ store: opts.haStore ?? new InMemoryHaTrackerStore(), clock: this.clock });
    this.clusterLabel = opts.haClusterLabel ?? 'cluster';
    this.replicaLabel = opts.haReplicaLabel ?? '__replica__';
    this.attribution = opts.attribution;
  }

  /**
   * Pushes one decoded request for a tenant. The request's label arrays are normalised in place.
   * Throws for whole-request failures: `LimitExceededError` (rate limit, 429), `BadDataError` (too
   * many HA clusters, 400) and whatever the ingester throws (unavailable → 5xx).
   */
  push(tenant: TenantId, wire: DistributorRequest, opts?: { signal?: AbortSignal }): Promise<PushResult> {
    const start = performance.now();
    // Not an async function on purpose: nothing here holds the decoded request while the ingester
    // waits for its WAL, so the request's objects die young instead of being promoted by the GC.
    return this.pushInner(tenant, wire, opts).then(
      (result) => {
        const outcome = result.deduplicated ? 'deduped' : result.errors.length > 0 ? 'partial' : 'success';
        this.metrics.pushDuration.observe({ outcome }, (performance.now() - start) / 1000);
        return result;
      },
      (err: unknown) => {
        const outcome = err instanceof LimitExceededError ? 'rate_limited' : 'error';
        this.metrics.pushDuration.observe({ outcome }, (performance.now() - start) / 1000);
        throw err;
      },
    );
  }

  private async pushInner(
    tenant: TenantId,
    wire: DistributorRequest,
    opts: { signal?: AbortSignal } | undefined,
  ): Promise<PushResult> {
    const user = { user: tenant };
    let incoming = 0;
    if (wire instanceof ColumnWireRequest) incoming = wire.starts[wire.length]!;
    else {
      const all = wire.timeseries;
      // Indexed loops over the series: V8 left these for…of iterators unoptimised (an object per step).
      for (let i = 0; i < all.length; i++) incoming += all[i]!.samples.length + all[i]!.histograms.length;
    }
    if (incoming > 0) this.metrics.samplesIn.inc(user, incoming);

    const removeReplica = await this.checkHa(tenant, wire, incoming);
    if (typeof removeReplica === 'object') return removeReplica;

    const errors: DroppedItem[] = [];
    const bounds = timeBounds(this.limits, tenant, this.clock.now());
    const labelLimits = resolveLabelLimits(this.limits, tenant);
    const check: LabelCheck = {
      tenant,
      removeReplica,
      limits: labelLimits,
      validatedFor: this.validationToken(tenant, labelLimits),
      errors,
    };
    const kept =
      wire instanceof ColumnWireRequest
        ? this.validColumns(wire, check, bounds)
        : this.validSeries(wire, check, bounds);
    const timeseries = kept.timeseries;
    const samples = kept.samples;
    const histograms = kept.histograms;
    const exemplars = kept.exemplars;
    const metadata = wire instanceof ColumnWireRequest ? [] : this.validMetadata(tenant, wire.metadata, errors);

    const total = samples + histograms + exemplars + metadata.length;
    if (total > 0) this.checkRate(tenant, total, samples + histograms);
    if (timeseries.length === 0 && metadata.length === 0) {
      return { samplesWritten: 0, histogramsWritten: 0, exemplarsWritten: 0, errors };
    }

    // Returned, not awaited: this frame (and the request it references) is released while the
    // ingester waits for its WAL; the continuation keeps only counts and the error list.
    const nMetadata = metadata.length;
    const attribute = this.attribution?.forTenant(tenant);
    const attributed = attribute ? attributeSeries(attribute, timeseries) : undefined;
    return this.ingester.push(tenant, { timeseries, metadata }, opts).then((outcome) => {
      if (samples + histograms > 0) this.metrics.receivedSamples.inc(user, samples + histograms);
      if (exemplars > 0) this.metrics.receivedExemplars.inc(user, exemplars);
      if (nMetadata > 0) this.metrics.receivedMetadata.inc(user, nMetadata);
      // The ingester counts its own discards (cortex_discarded_samples_total) where it decides them.
      for (const e of outcome.errors) errors.push({ error: e.error, dropped: e.dropped, labels: e.labels });
      const result: PushResult = {
        samplesWritten: outcome.samplesAppended,
        histogramsWritten: outcome.histogramsAppended,
        exemplarsWritten: outcome.exemplarsAppended,
        errors,
      };
      if (attributed && attribute) result.attributed = withoutDrops(attributed, attribute, outcome.errors);
      return result;
    });
  }

  /** The series of a decoded request that pass validation, as the ingester takes them. */
  private validSeries(wire: AnyWireWriteRequest, check: LabelCheck, bounds: TimeBounds): KeptSeries {
    const { tenant, errors } = check;
    // What the decoder or translator already refused is reported beside validation's own drops.
    for (const r of wire.rejected ?? []) {
      const reason = r.error.id ?? 'invalid';
      if (r.dropped > 0) this.metrics.discardedSamples.inc({ reason, user: tenant }, r.dropped);
      errors.push({ error: r.error, dropped: r.dropped });
    }
    const bucketLimit = {
      max: this.limits.maxNativeHistogramBuckets?.(tenant) ?? 0,
      reduce: this.limits.reduceNativeHistogramOverMaxBuckets?.(tenant) ?? true,
    };
    const exemplarsEnabled = this.limits.maxGlobalExemplarsPerUser(tenant) > 0;
    const createdZeros = this.limits.createdTimestampZeroIngestion?.(tenant) ?? false;
    const all = wire.timeseries;
    // Sized once (most requests keep every series) and trimmed at the end, not grown by push().
    const timeseries: TimeSeries[] = new Array(all.length);
    let kept = 0;
    let samples = 0;
    let histograms = 0;
    let exemplars = 0;
    for (let i = 0; i < all.length; i++) {
      const ts = all[i]!;
      const n = ts.samples.length + ts.histograms.length;
      const labels = this.validLabels(ts.labels, ts.memo, n, check);
      if (labels === undefined) continue;
      const flat = labels.flat;
      const err = this.validatePoints(ts, bounds, bucketLimit, flat);
      if (err !== undefined) {
        this.drop(err, n, check);
        continue;
      }
      const ex = exemplarsEnabled && ts.exemplars.length > 0 ? this.validExemplars(tenant, ts, flat, errors) : NONE;
      if (n === 0 && ex.length === 0) continue;
      samples += ts.samples.length;
      histograms += ts.histograms.length;
      exemplars += ex.length;
      const series: TimeSeries = { labels, samples: ts.samples, histograms: ts.histograms, exemplars: ex };
      if (createdZeros && ts.createdTimestamps !== undefined) {
        const cts = usableCreatedTimestamps(ts.createdTimestamps, bounds, flat);
        if (cts.length > 0) series.createdTimestamps = cts;
      }
      timeseries[kept++] = series;
    }
    timeseries.length = kept;
    return { timeseries, samples, histograms, exemplars };
  }

  /**
   * The same for a request read from columns: float samples only, no object per series until one
   * is kept (a `ColumnSeries`, its own window of the columns).
   */
  private validColumns(wire: ColumnWireRequest, check: LabelCheck, bounds: TimeBounds): KeptSeries {
    const { memos, starts, t, v } = wire;
    const timeseries: TimeSeries[] = new Array(memos.length);
    let kept = 0;
    let samples = 0;
    for (let i = 0; i < memos.length; i++) {
      const memo = memos[i]!;
      const start = starts[i]!;
      const end = starts[i + 1]!;
      const labels = this.validLabels(memo.flat, memo, end - start, check);
      if (labels === undefined || end === start) continue;
      let err: ValidationError | undefined;
      for (let k = start; k < end && err === undefined; k++) err = validateTimestamp(t[k]!, bounds, labels.flat);
      if (err !== undefined) {
        this.drop(err, end - start, check);
        continue;
      }
      samples += end - start;
      timeseries[kept++] = new ColumnSeries(t, v, start, end, labels);
    }
    timeseries.length = kept;
    return { timeseries, samples, histograms: 0, exemplars: 0 };
  }

  /**
   * A series' labels, validated: its memo's when they were validated under the same tenant and
   * label limits (the same object every time, which also lets the ingester find the series by
   * identity), else checked now and memoised. Undefined when they are invalid (counted and listed
   * in `check.errors`, with the series' `dropped` points).
   */
  private validLabels(
    raw: string[] | readonly string[],
    memo: SeriesMemo | undefined,
    dropped: number,
    check: LabelCheck,
  ): Labels | undefined {
    if (!check.removeReplica && memo !== undefined) {
      if (memo.validatedFor === check.validatedFor && memo.validatedLabels !== undefined) return memo.validatedLabels;
    }
    // The decoder may hand out its cache's own array: never normalise that in place.
    const own = memo !== undefined && raw === memo.flat ? raw.slice() : (raw as string[]);
    if (check.removeReplica) removeLabel(own, this.replicaLabel);
    const flat = normalizeLabels(own);
    const err = validateLabelsWith(check.limits, flat);
    if (err !== undefined) {
      this.drop(err, dropped, check);
      return undefined;
    }
    // Without the replica label they are no longer the memo's label bytes: nothing to remember.
    if (memo === undefined || check.removeReplica) return Labels.fromSortedFlat(flat);
    return this.memoise(memo, check.validatedFor, flat);
  }

  private drop(err: ValidationError, dropped: number, check: LabelCheck): void {
    if (dropped > 0) this.metrics.discardedSamples.inc({ reason: err.reason, user: check.tenant }, dropped);
    check.errors.push({ error: err, dropped });
  }

  /** Records valid labels in the decoder's memo for the next request with the same label bytes. */
  private memoise(memo: SeriesMemo, validatedFor: object, flat: readonly string[]): Labels {
    // Senders sort their labels, so the validated array usually equals the decoded one: share it
    // (neither is ever mutated) rather than keep a second copy per series for the process's life.
    const labels = Labels.fromSortedFlat(sameStrings(flat, memo.flat) ? memo.flat : flat.slice());
    memo.validatedFor = validatedFor;
    memo.validatedLabels = labels;
    return labels;
  }

  /**
   * One object per tenant and label limits, stable while both are: a memo validated under it is
   * valid for the next push with the same token. A changed limit gets a new token, so every memo
   * is checked again under it.
   */
  private validationToken(tenant: TenantId, lim: LabelLimitValues): object {
    const key = `${tenant}\n${lim.maxLabelNamesPerSeries}\n${lim.maxLabelNameLength}\n${lim.maxLabelValueLength}\n${lim.utf8Names}`;
    let token = this.validationTokens.get(key);
    if (token === undefined) {
      // Bounded: dropping every token only costs each memo one more validation.
      if (this.validationTokens.size >= MAX_VALIDATION_TOKENS) this.validationTokens.clear();
      token = Object.freeze({ key });
      this.validationTokens.set(key, token);
    }
    return token;
  }

  /** Returns a dedup result to send back, or whether to strip the replica label from every series. */
  private async checkHa(tenant: TenantId, wire: DistributorRequest, incoming: number): Promise<boolean | PushResult> {
    if (!this.limits.acceptHaSamples(tenant)) return false;
    const first = wire instanceof ColumnWireRequest ? wire.memos[0]?.flat : wire.timeseries[0]?.labels;
    if (first === undefined) return false;
    // As in Cortex, the first series speaks for the whole request.
    const cluster = labelValue(first, this.clusterLabel);
    const replica = labelValue(first, this.replicaLabel);
    if (cluster === '' || replica === '') return false;
    const d = await this.ha.checkReplica(
      tenant,
      cluster,
      replica,
      this.limits.haTrackerFailoverTimeoutMs(tenant),
      this.limits.haMaxClusters(tenant),
    );
    if (!d.accepted) {
      if (incoming > 0) this.metrics.dedupedSamples.inc({ user: tenant, cluster }, incoming);
      return {
        samplesWritten: 0,
        histogramsWritten: 0,
        exemplarsWritten: 0,
        errors: [],
        deduplicated: { cluster, replica, elected: d.elected },
      };
    }
    if (d.failover) this.metrics.electedReplicaChanges.inc({ user: tenant, cluster });
    return true;
  }

  /**
   * The first invalid sample or histogram makes the whole series invalid, as in Cortex and Mimir. A
   * histogram over the bucket limit is replaced by its reduced form when reduction is on.
   */
  private validatePoints(
    ts: WireSeries<FloatSamples>,
    bounds: TimeBounds,
    bucketLimit: { max: number; reduce: boolean },
    flat: readonly string[],
  ): ValidationError | undefined {
    // Indexed, not for…of: this runs for every sample, and the iterator was a per-series object.
    const ss = ts.samples;
    if (ss instanceof SampleColumns) {
      const t = ss.t;
      for (let i = ss.start; i < ss.end; i++) {
        const err = validateTimestamp(t[i]!, bounds, flat);
        if (err) return err;
      }
    } else {
      for (let i = 0; i < ss.length; i++) {
        const err = validateTimestamp(ss[i]!.t, bounds, flat);
        if (err) return err;
      }
    }
    const hs = ts.histograms;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i]!;
      const err = validateTimestamp(h.t, bounds, flat) ?? validateHistogram(h.h, h.integer, flat);
      if (err) return err;
      if (bucketLimit.max > 0) {
        const limited = limitHistogramBuckets(h.h, bucketLimit.max, bucketLimit.reduce, h.t, flat);
        if (limited instanceof ValidationError) return limited;
        h.h = limited;
      }
    }
    return undefined;
  }

  private validExemplars(
    tenant: TenantId,
    ts: WireSeries<FloatSamples>,
    flat: readonly string[],
    errors: DroppedItem[],
  ): Exemplar[] {
    if (ts.exemplars.length === 0) return [];
    const out: Exemplar[] = [];
    for (const e of ts.exemplars) {
      const labels = normalizeLabels(e.labels);
      const err = validateExemplar({ labels, t: e.t }, flat);
      if (err) {
        this.metrics.discardedExemplars.inc({ reason: err.reason, user: tenant });
        errors.push({ error: err, dropped: 0 });
        continue;
      }
      out.push({ labels: Labels.fromSortedFlat(labels), t: e.t, v: e.v });
    }
    return out;
  }

  private validMetadata(tenant: TenantId, metadata: MetricMetadata[], errors: DroppedItem[]): MetricMetadata[] {
    if (metadata.length === 0) return metadata;
    const out: MetricMetadata[] = [];
    for (const m of metadata) {
      const err = validateMetadata(this.limits, tenant, m);
      if (err) {
        this.metrics.discardedMetadata.inc({ reason: err.reason, user: tenant });
        errors.push({ error: err, dropped: 0 });
      } else out.push(m);
    }
    return out;
  }

  private checkRate(tenant: TenantId, total: number, samples: number): void {
    const rate = this.rateStrategy.limit(tenant);
    const burst = this.rateStrategy.burst(tenant);
    const d = this.limiter.tryTake(tenant, total, rate, burst);
    if (d.ok) return;
    if (samples > 0)
      this.metrics.discardedSamples.inc({ reason: ERROR_IDS.tenantIngestionRateLimited, user: tenant }, samples);
    const id = ERROR_IDS.tenantIngestionRateLimited;
    const why = d.neverFits
      ? `the request carries ${total} samples, exemplars and metadata, more than the burst size of ${burst}; split it into smaller requests or raise -distributor.ingestion-burst-size`
      : `the tenant may send ${rate} samples/s with bursts of up to ${burst}, and this request of ${total} samples, exemplars and metadata exceeds what is left`;
    throw new LimitExceededError(
      withId(`ingestion rate limit exceeded: ${why}`, id, 'distributor.ingestion-rate-limit'),
      {
        id,
        retryAfterSeconds: d.retryAfterSeconds,
      },
    );
  }
}

/**
 * The created timestamps a zero may be written at, ascending: one outside the tenant's accepted time
 * range is dropped silently (the sample it came with is what the client asked to store; Prometheus
 * ignores a created timestamp it cannot append too).
 */
function usableCreatedTimestamps(cts: readonly number[], bounds: TimeBounds, flat: readonly string[]): number[] {
  const out: number[] = [];
  let sorted = true;
  for (const ct of cts) {
    if (validateTimestamp(ct, bounds, flat) !== undefined) continue;
    if (out.length > 0 && ct < out[out.length - 1]!) sorted = false;
    out.push(ct);
  }
  if (!sorted) out.sort((a, b) => a - b);
  return out;
}

/** Distinct (tenant, label limits) combinations remembered before starting over. */
const MAX_VALIDATION_TOKENS = 10_000;

/** Shared by every series without exemplars (never mutated downstream). */
const NONE = Object.freeze([]) as readonly Exemplar[] as Exemplar[];

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function labelValue(flat: readonly string[], name: string): string {
  for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] === name) return flat[i + 1]!;
  return '';
}

function removeLabel(flat: string[], name: string): void {
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (flat[i] === name) {
      flat.splice(i, 2);
      return;
    }
  }
}
