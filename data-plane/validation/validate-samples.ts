import { Buffer } from 'node:buffer';
import {
  copyHistogram,
  type FloatHistogram,
  type MetricMetadata,
  reduceHistogramResolution,
  type TenantId,
} from '../model/index.js';
import { ERROR_IDS } from './error-ids.js';
import { formatSeries, truncate, ValidationError, withId } from './validation-error.js';

/** The per-tenant limits sample and metadata validation read (satisfied by `Overrides`). */
export interface SampleLimits {
  rejectOldSamplesMaxAgeMs(t: TenantId): number;
  creationGracePeriodMs(t: TenantId): number;
  maxMetadataLength(t: TenantId): number;
}

/** Bounds for one request, resolved once per push so limits are read per call but not per sample. */
export interface TimeBounds {
  /** Oldest accepted timestamp (ms), or -Infinity when `reject_old_samples_max_age` is 0. */
  minT: number;
  /** Newest accepted timestamp (ms). */
  maxT: number;
}

export function timeBounds(limits: SampleLimits, tenant: TenantId, now: number): TimeBounds {
  const maxAge = limits.rejectOldSamplesMaxAgeMs(tenant);
  return {
    minT: maxAge > 0 ? now - maxAge : Number.NEGATIVE_INFINITY,
    maxT: now + limits.creationGracePeriodMs(tenant),
  };
}

function formatTs(t: number): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : `${t} (${d.toISOString()})`;
}

/**
 * Checks a sample or histogram timestamp. It must be an exact integer: values beyond ±2^53 cannot be
 * represented without rounding, so they are rejected, never stored rounded.
 */
export function validateTimestamp(t: number, bounds: TimeBounds, flat: readonly string[]): ValidationError | undefined {
  if (!Number.isSafeInteger(t)) {
    const id = ERROR_IDS.sampleTimestampInvalid;
    return new ValidationError(
      id,
      withId(
        `received a sample whose timestamp is not an exact integer of milliseconds within ±2^53, timestamp: ~${t} series: '${formatSeries(flat)}'`,
        id,
      ),
    );
  }
  if (t < bounds.minT) {
    const id = ERROR_IDS.sampleTimestampTooOld;
    return new ValidationError(
      id,
      withId(
        `received a sample whose timestamp is too far in the past, timestamp: ${formatTs(t)} series: '${formatSeries(flat)}'`,
        id,
        'validation.reject-old-samples.max-age',
      ),
    );
  }
  if (t > bounds.maxT) {
    const id = ERROR_IDS.sampleTooFarInFuture;
    return new ValidationError(
      id,
      withId(
        `received a sample whose timestamp is too far in the future, timestamp: ${formatTs(t)} series: '${formatSeries(flat)}'`,
        id,
        'validation.create-grace-period',
      ),
    );
  }
  return undefined;
}

function invalidHistogram(why: string, flat: readonly string[]): ValidationError {
  const id = ERROR_IDS.nativeHistogramInvalid;
  return new ValidationError(
    id,
    withId(`received a native histogram that is invalid: ${why}, series: '${formatSeries(flat)}'`, id),
  );
}

/**
 * The checks of Prometheus's Histogram.Validate / FloatHistogram.Validate: a known schema (-4..8, or
 * -53 for custom buckets); spans that cover exactly the bucket arrays, with no negative offset after
 * the first span (none at all for custom buckets); non-negative counts; custom bounds that are finite
 * (+Inf is implied), strictly increasing and enough for the spans, and no zero or negative buckets
 * beside them; for integer histograms, buckets that add up to the count. Stricter than Prometheus in
 * one point: a NaN count or bucket count is refused (Prometheus stores float histograms with them).
 */
export function validateHistogram(
  h: FloatHistogram,
  integer: boolean,
  flat: readonly string[],
): ValidationError | undefined {
  const custom = h.schema === -53;
  if (!custom && (h.schema < -4 || h.schema > 8))
    return invalidHistogram(`schema ${h.schema} not in -4..8 or -53`, flat);
  if (
    custom &&
    (h.negativeSpans.length > 0 || h.negativeBuckets.length > 0 || h.zeroCount !== 0 || h.zeroThreshold !== 0)
  ) {
    return invalidHistogram('custom-bucket histogram with negative or zero buckets', flat);
  }
  if (Number.isNaN(h.count)) return invalidHistogram('count is NaN', flat);
  if (h.count < 0) return invalidHistogram(`negative count ${h.count}`, flat);
  if (Number.isNaN(h.zeroCount)) return invalidHistogram('zero count is NaN', flat);
  if (h.zeroCount < 0) return invalidHistogram(`zero bucket has negative count ${h.zeroCount}`, flat);
  for (const [side, spans, buckets] of [
    ['positive', h.positiveSpans, h.positiveBuckets],
    ['negative', h.negativeSpans, h.negativeBuckets],
  ] as const) {
    let total = 0;
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      if ((i > 0 || custom) && s.offset < 0)
        return invalidHistogram(`${side} span ${i} has negative offset ${s.offset}`, flat);
      total += s.length;
    }
    if (total !== buckets.length) {
      return invalidHistogram(`${side} spans cover ${total} buckets but ${buckets.length} were sent`, flat);
    }
    for (const b of buckets) {
      if (Number.isNaN(b)) return invalidHistogram(`${side} bucket count is NaN`, flat);
      if (b < 0) return invalidHistogram(`${side} bucket has negative count ${b}`, flat);
    }
  }
  if (custom) {
    const bounds = h.customValues ?? [];
    for (let i = 0; i < bounds.length; i++) {
      const b = bounds[i]!;
      if (Number.isNaN(b)) return invalidHistogram('custom bounds must not be NaN', flat);
      if (i > 0 && b <= bounds[i - 1]!) {
        return invalidHistogram(
          `custom bounds must be in strictly increasing order, got ${bounds[i - 1]} then ${b}`,
          flat,
        );
      }
    }
    if (bounds.length > 0 && bounds[bounds.length - 1] === Number.POSITIVE_INFINITY) {
      return invalidHistogram('custom bounds must be finite (the +Inf bound is implied)', flat);
    }
    let covered = 0;
    for (const s of h.positiveSpans) covered += s.offset + s.length;
    if (bounds.length + 1 < covered) {
      return invalidHistogram(`${bounds.length} custom bounds cannot cover spans reaching bucket ${covered}`, flat);
    }
  } else if (h.customValues !== undefined && h.customValues.length > 0) {
    return invalidHistogram('histogram with an exponential schema must not have custom bounds', flat);
  }
  if (integer) {
    // Prometheus's Histogram.Validate: the buckets and the zero bucket add up to the count (at most
    // the count when the sum is NaN, since NaN observations land in no bucket).
    let inBuckets = h.zeroCount;
    for (const b of h.positiveBuckets) inBuckets += b;
    for (const b of h.negativeBuckets) inBuckets += b;
    if (Number.isNaN(h.sum) ? inBuckets > h.count : inBuckets !== h.count) {
      return invalidHistogram(`${inBuckets} observations found in buckets, but the count field is ${h.count}`, flat);
    }
  }
  return undefined;
}

/**
 * Applies `max_native_histogram_buckets` (`max` > 0): a histogram with more buckets is reduced to
 * coarser schemas until it fits when `reduce` is set (Prometheus's scrape `native_histogram_bucket_limit`
 * behaviour, which Mimir follows), and refused when it cannot be (custom buckets, schema -4) or
 * `reduce` is off. Returns the histogram to store.
 */
export function limitHistogramBuckets(
  h: FloatHistogram,
  max: number,
  reduce: boolean,
  t: number,
  flat: readonly string[],
): FloatHistogram | ValidationError {
  const n = () => h.positiveBuckets.length + h.negativeBuckets.length;
  if (max <= 0 || n() <= max) return h;
  let out = h;
  if (reduce && out.schema !== -53) {
    while (out.positiveBuckets.length + out.negativeBuckets.length > max && out.schema > -4) {
      out = reduceHistogramResolution(copyHistogram(out), out.schema - 1);
      out.counterResetHint = h.counterResetHint;
    }
    if (out.positiveBuckets.length + out.negativeBuckets.length <= max) return out;
  }
  const id = ERROR_IDS.maxNativeHistogramBuckets;
  return new ValidationError(
    id,
    withId(
      `received a native histogram sample with too many buckets, timestamp: ${formatTs(t)} series: '${formatSeries(flat)}', buckets: ${n()}, limit: ${max}`,
      id,
      'validation.max-native-histogram-buckets',
    ),
  );
}

/** Prometheus's limit on an exemplar's label set, in runes (ExemplarMaxLabelSetLength). */
export const EXEMPLAR_MAX_LABEL_SET_LENGTH = 128;

export function validateExemplar(
  e: { labels: readonly string[]; t: number },
  flat: readonly string[],
): ValidationError | undefined {
  if (e.labels.length === 0) {
    const id = ERROR_IDS.exemplarLabelsMissing;
    return new ValidationError(id, withId(`received an exemplar with no labels, series: '${formatSeries(flat)}'`, id));
  }
  let runes = 0;
  for (const s of e.labels) runes += [...s].length;
  if (runes > EXEMPLAR_MAX_LABEL_SET_LENGTH) {
    const id = ERROR_IDS.exemplarLabelsTooLong;
    return new ValidationError(
      id,
      withId(
        `received an exemplar whose label set exceeds ${EXEMPLAR_MAX_LABEL_SET_LENGTH} characters (actual: ${runes}), series: '${formatSeries(flat)}'`,
        id,
      ),
    );
  }
  if (!Number.isSafeInteger(e.t) || e.t <= 0) {
    const id = ERROR_IDS.exemplarTimestampInvalid;
    return new ValidationError(
      id,
      withId(`received an exemplar with an invalid timestamp ~${e.t}, series: '${formatSeries(flat)}'`, id),
    );
  }
  return undefined;
}

export function validateMetadata(
  limits: SampleLimits,
  tenant: TenantId,
  m: MetricMetadata,
): ValidationError | undefined {
  if (m.metricFamilyName === '') {
    const id = ERROR_IDS.metadataMissingMetricName;
    return new ValidationError(id, withId('received metric metadata without a metric family name', id));
  }
  const max = limits.maxMetadataLength(tenant);
  for (const [field, value] of [
    ['metric name', m.metricFamilyName],
    ['HELP', m.help],
    ['UNIT', m.unit],
  ] as const) {
    const len = Buffer.byteLength(value, 'utf8');
    if (len > max) {
      const id = ERROR_IDS.metadataTooLong;
      return new ValidationError(
        id,
        withId(
          `received metric metadata whose ${field} length exceeds the limit (actual: ${len}, limit: ${max}) metric: '${truncate(m.metricFamilyName, 200)}'`,
          id,
          'validation.max-metadata-length',
        ),
      );
    }
  }
  return undefined;
}
