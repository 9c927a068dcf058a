import { Flags } from '@oclif/core';
import { parseDuration } from '../../data-plane/model/index.js';
import { isLimitKey, type LimitKey, type LimitSpec, limitSpecs } from '../../data-plane/validation/index.js';
import type { LimitValue } from '../client/index.js';
import { UsageError } from '../errors.js';

/** `max_global_series_per_user` → `max-global-series-per-user`. */
export const flagName = (key: string): string => key.replaceAll('_', '-');

const specs = Object.values(limitSpecs) as LimitSpec[];

function helpFor(s: LimitSpec): string {
  const unit =
    s.kind === 'duration'
      ? 'duration, e.g. 14d, 1h30m'
      : s.kind === 'labels'
        ? `${s.unit}, comma-separated; "" clears`
        : s.unit;
  return `${s.description} (${unit})`;
}

/** One string flag per limit in `limitSpecs`, so a new limit appears in `limits set` without code changes. */
export const limitFlags = Object.fromEntries(
  specs.map((s) => [flagName(s.key), Flags.string({ description: helpFor(s), helpGroup: 'LIMIT' })]),
) as Record<string, ReturnType<typeof Flags.string>>;

/**
 * Turns a flag value into what the admin API accepts: a duration string (validated here, also
 * accepting integer milliseconds) for duration limits, a number for the rest. Ranges are the server's
 * job; only malformed input is refused here (UsageError).
 */
export function parseLimitValue(key: LimitKey, raw: string): LimitValue {
  const s: LimitSpec = limitSpecs[key];
  const flag = `--${flagName(key)}`;
  if (s.kind === 'labels') {
    return raw
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }
  if (s.names !== undefined && !/^\d+$/.test(raw)) {
    // Sent as its number, which every server version understands.
    const i = s.names.indexOf(raw);
    if (i < 0) {
      throw new UsageError(
        `invalid ${flag} ${JSON.stringify(raw)}: expected one of ${s.names.join(', ')} or 0-${s.names.length - 1}`,
      );
    }
    return i;
  }
  if (s.kind === 'duration') {
    if (/^\d+$/.test(raw)) return Number(raw);
    try {
      parseDuration(raw);
    } catch {
      throw new UsageError(`invalid ${flag} ${JSON.stringify(raw)}: expected a duration such as 14d, 2h or 0`);
    }
    return raw;
  }
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`invalid ${flag} ${JSON.stringify(raw)}: expected a number`);
  if (s.kind !== 'number' && !Number.isInteger(n)) {
    throw new UsageError(`invalid ${flag} ${JSON.stringify(raw)}: expected an integer`);
  }
  return n;
}

/** Collects the limit flags that were given into a `{snake_key: value}` body. */
export function limitValuesFromFlags(flags: Record<string, unknown>): Record<string, LimitValue> {
  const out: Record<string, LimitValue> = {};
  for (const s of specs) {
    const v = flags[flagName(s.key)];
    if (typeof v === 'string') out[s.key] = parseLimitValue(s.key as LimitKey, v);
  }
  return out;
}

/** Accepts `ingestion_rate` or `ingestion-rate`; UsageError listing nothing but the bad names. */
export function parseLimitKeys(names: readonly string[]): LimitKey[] {
  const keys = names.map((n) => n.replaceAll('-', '_'));
  const bad = keys.filter((k) => !isLimitKey(k));
  if (bad.length > 0) {
    throw new UsageError(`unknown limit ${bad.join(', ')} (see: cortexctl limits set --help for the list)`);
  }
  return keys as LimitKey[];
}

export const limitKeys = (): string[] => specs.map((s) => s.key);
