import { Buffer } from 'node:buffer';
import { compareStrings, METRIC_NAME, type TenantId } from '../model/index.js';
import { ERROR_IDS } from './error-ids.js';
import { formatSeries, truncate, ValidationError, withId } from './validation-error.js';

/** The per-tenant limits label validation reads (satisfied by `Overrides`). */
export interface LabelLimits {
  maxLabelNamesPerSeries(t: TenantId): number;
  maxLabelNameLength(t: TenantId): number;
  maxLabelValueLength(t: TenantId): number;
  /** name_validation_scheme = utf8 (absent: legacy). */
  utf8NameValidation?(t: TenantId): boolean;
}

/**
 * Normalises a flat `[name, value, …]` label array in place, as Mimir's distributor does before
 * validating: labels with empty values are dropped (Prometheus treats empty as absent) and the pairs
 * are sorted by name if the client did not sort them. Duplicates are kept, so `validateLabels` can
 * reject them. Returns the (possibly shortened) array.
 */
export function normalizeLabels(flat: string[]): string[] {
  let sorted = true;
  let w = 0;
  for (let r = 0; r + 1 < flat.length; r += 2) {
    const v = flat[r + 1]!;
    if (v === '') continue;
    const n = flat[r]!;
    if (w > 0 && n < flat[w - 2]!) sorted = false;
    flat[w] = n;
    flat[w + 1] = v;
    w += 2;
  }
  flat.length = w;
  if (sorted) return flat;
  const pairs: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  // Array.prototype.sort is stable, so duplicate names keep their order for the error message.
  pairs.sort((a, b) => compareStrings(a[0], b[0]));
  for (let i = 0; i < pairs.length; i++) {
    flat[2 * i] = pairs[i]![0];
    flat[2 * i + 1] = pairs[i]![1];
  }
  return flat;
}

/** Prometheus's legacy metric-name charset `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export function isValidMetricName(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (i > 0 && c >= 48 && c <= 57);
    if (!ok) return false;
  }
  return true;
}

/**
 * Prometheus's legacy label-name charset `[a-zA-Z_][a-zA-Z0-9_]*`. Names starting with `__` are
 * reserved for internal use but, as in Cortex and Mimir, not rejected on ingestion.
 */
export function isValidLabelName(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (i > 0 && c >= 48 && c <= 57);
    if (!ok) return false;
  }
  return true;
}

/**
 * A name under the utf8 scheme: non-empty and well-formed UTF-16, so it encodes to valid UTF-8 (the
 * protobuf decoders already refuse invalid UTF-8 bytes; a JSON body can still carry a lone
 * surrogate escape such as `"\ud800"`).
 */
export function isValidUtf8Name(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/**
 * Names already seen to be valid. Label and metric names repeat across nearly every series, and the
 * decoder hands out the same interned string objects, whose hash V8 caches, so a Set lookup is much
 * cheaper than re-checking the charset. Bounded: cleared when full.
 */
const VALID_NAME_CACHE_MAX = 8192;
const validLabelNames = new Set<string>();
const validMetricNames = new Set<string>();

function validLabelName(s: string): boolean {
  if (validLabelNames.has(s)) return true;
  if (!isValidLabelName(s)) return false;
  if (validLabelNames.size >= VALID_NAME_CACHE_MAX) validLabelNames.clear();
  validLabelNames.add(s);
  return true;
}

function validMetricName(s: string): boolean {
  if (validMetricNames.has(s)) return true;
  if (!isValidMetricName(s)) return false;
  if (validMetricNames.size >= VALID_NAME_CACHE_MAX) validMetricNames.clear();
  validMetricNames.add(s);
  return true;
}

/** Label limits resolved once per request (limits are read per push, not per series). */
export interface LabelLimitValues {
  maxLabelNamesPerSeries: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  /** The utf8 name validation scheme instead of the legacy charset. */
  utf8Names: boolean;
}

export function resolveLabelLimits(limits: LabelLimits, tenant: TenantId): LabelLimitValues {
  return {
    maxLabelNamesPerSeries: limits.maxLabelNamesPerSeries(tenant),
    maxLabelNameLength: limits.maxLabelNameLength(tenant),
    maxLabelValueLength: limits.maxLabelValueLength(tenant),
    utf8Names: limits.utf8NameValidation?.(tenant) ?? false,
  };
}

const LEGACY_HINT = '; set name_validation_scheme to utf8 to accept UTF-8 names';

/** UTF-8 byte length, computed only when the UTF-16 length cannot already settle the comparison. */
function exceedsBytes(s: string, limit: number): number | undefined {
  if (s.length > limit) return Buffer.byteLength(s, 'utf8');
  if (s.length * 3 <= limit) return undefined;
  const n = Buffer.byteLength(s, 'utf8');
  return n > limit ? n : undefined;
}

/**
 * Validates a normalised (sorted, no empty values) label set against the tenant's name validation
 * scheme (legacy charset or UTF-8) and limits, in Mimir's order: metric name present and valid, label count, then each label's
 * name, name length, value length and duplicates. Returns the first problem, or undefined.
 */
export function validateLabels(
  limits: LabelLimits,
  tenant: TenantId,
  flat: readonly string[],
): ValidationError | undefined {
  return validateLabelsWith(resolveLabelLimits(limits, tenant), flat);
}

/** `validateLabels` with limits already resolved for the request (the distributor's hot path). */
export function validateLabelsWith(limits: LabelLimitValues, flat: readonly string[]): ValidationError | undefined {
  let metricName: string | undefined;
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === METRIC_NAME) {
      metricName = flat[i + 1]!;
      break;
    }
  }
  if (metricName === undefined) {
    const id = ERROR_IDS.missingMetricName;
    return new ValidationError(
      id,
      withId(`received a series without a metric name, series: '${formatSeries(flat)}'`, id),
    );
  }
  const utf8 = limits.utf8Names;
  if (utf8 ? !isValidUtf8Name(metricName) : !validMetricName(metricName)) {
    const id = ERROR_IDS.metricNameInvalid;
    const rule = utf8 ? 'must be valid UTF-8' : `must match [a-zA-Z_:][a-zA-Z0-9_:]*${LEGACY_HINT}`;
    return new ValidationError(
      id,
      withId(`received a series with an invalid metric name: '${truncate(metricName, 200)}' (${rule})`, id),
    );
  }
  const count = flat.length >> 1;
  const maxNames = limits.maxLabelNamesPerSeries;
  if (count > maxNames) {
    const id = ERROR_IDS.maxLabelNamesPerSeries;
    return new ValidationError(
      id,
      withId(
        `received a series whose number of labels exceeds the limit (actual: ${count}, limit: ${maxNames}) series: '${formatSeries(flat)}'`,
        id,
        'validation.max-label-names-per-series',
      ),
    );
  }
  const maxName = limits.maxLabelNameLength;
  const maxValue = limits.maxLabelValueLength;
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    if (name !== METRIC_NAME && (utf8 ? !isValidUtf8Name(name) : !validLabelName(name))) {
      const id = ERROR_IDS.labelInvalid;
      const rule = utf8 ? 'must be non-empty valid UTF-8' : `must match [a-zA-Z_][a-zA-Z0-9_]*${LEGACY_HINT}`;
      return new ValidationError(
        id,
        withId(
          `received a series with an invalid label: '${truncate(name, 200)}' (${rule}) series: '${formatSeries(flat)}'`,
          id,
        ),
      );
    }
    const nameLen = exceedsBytes(name, maxName);
    if (nameLen !== undefined) {
      const id = ERROR_IDS.labelNameTooLong;
      return new ValidationError(
        id,
        withId(
          `received a series whose label name length exceeds the limit (actual: ${nameLen}, limit: ${maxName}) label: '${truncate(name, 200)}' series: '${formatSeries(flat)}'`,
          id,
          'validation.max-length-label-name',
        ),
      );
    }
    const valueLen = exceedsBytes(value, maxValue);
    if (valueLen !== undefined) {
      const id = ERROR_IDS.labelValueTooLong;
      return new ValidationError(
        id,
        withId(
          `received a series whose label value length exceeds the limit (actual: ${valueLen}, limit: ${maxValue}) label: '${name}' value: '${truncate(value, 100)}' series: '${formatSeries(flat)}'`,
          id,
          'validation.max-length-label-value',
        ),
      );
    }
    if (i > 0 && flat[i - 2] === name) {
      const id = ERROR_IDS.duplicateLabelNames;
      return new ValidationError(
        id,
        withId(`received a series with duplicate label name, label: '${name}' series: '${formatSeries(flat)}'`, id),
      );
    }
  }
  return undefined;
}
