import { Buffer } from 'node:buffer';
import type { FloatHistogram, MetricMetadata, TenantId } from '../model/index.js';
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
 * Structural checks Prometheus's histogram.Validate makes: known schema, spans that cover exactly the
 * bucket arrays, non-negative lengths, and for integer histograms non-negative counts.
 */
export function validateHistogram(
  h: FloatHistogram,
  integer: boolean,
  flat: readonly string[],
): ValidationError | undefined {
  const custom = h.schema === -53;
  if (!custom && (h.schema < -4 || h.schema > 8))
    return invalidHistogram(`schema ${h.schema} not in -4..8 or -53`, flat);
  for (const [side, spans, buckets] of [
    ['positive', h.positiveSpans, h.positiveBuckets],
    ['negative', h.negativeSpans, h.negativeBuckets],
  ] as const) {
    let total = 0;
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      if (i > 0 && s.offset < 0) return invalidHistogram(`${side} span ${i} has negative offset ${s.offset}`, flat);
      total += s.length;
    }
    if (total !== buckets.length) {
      return invalidHistogram(`${side} spans cover ${total} buckets but ${buckets.length} were sent`, flat);
    }
    for (const b of buckets) {
      if (integer ? b < 0 : b < 0 || Number.isNaN(b)) {
        return invalidHistogram(`${side} bucket has negative count ${b}`, flat);
      }
    }
  }
  if (custom && (h.negativeBuckets.length > 0 || h.zeroCount !== 0)) {
    return invalidHistogram('custom-bucket histogram with negative or zero buckets', flat);
  }
  if (integer && h.count < 0) return invalidHistogram(`negative count ${h.count}`, flat);
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
